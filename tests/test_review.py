"""The Word review round trip: a draft reviewers edit in Word comes back to the source lines.

Reviewers are simulated with python-docx and lxml (tests/word_review.py): tracked insertions
and deletions and comments by two authors, on a session's text and on its generated heading.
"""

from __future__ import annotations

import csv
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from reportkit.sourcemap import SourceMap, file_hash
from tests.conftest import copy_project, run_reportkit, snapshot
from tests.test_errors import assert_clean_failure
from tests.word_review import comment, paragraph_with, track_delete, track_insert

SESSION_TEXT = """The only session of the mini conference opened with a *short* welcome from the chair.

She said that "cooperation across borders" is the key, and that the data show it.[^s1-note]

- First point made by the panel.
- Second point, made with **great** care.

[^s1-note]: A note about the session in the mini report.
"""
ALICE, BEN = "Ayşe Reviewer", "Ben Editor"


@pytest.fixture
def drafted(mini):
    """The mini project with a longer session text, and its Word draft (made by the CLI)."""
    (mini / "content" / "sessions" / "s1.qmd").write_text(SESSION_TEXT, encoding="utf-8")
    proc = run_reportkit("render", mini, "--to", "docx", "--quiet")
    assert proc.returncode == 0, proc.stderr
    return mini


@pytest.fixture
def reviewed(drafted, tmp_path):
    """The draft as two reviewers left it."""
    document = docx.Document(str(drafted / "_output" / "report.docx"))
    opening = paragraph_with(document, "opened with")
    track_delete(opening, "mini ", BEN)
    track_insert(opening, "welcome", " and thanks", BEN)
    comment(document, opening, "Who chaired it?", ALICE, on="the chair")
    track_delete(opening, "short", ALICE)  # the whole of *short*: its markup goes too
    number = paragraph_with(document, "people arrived in Greece")
    track_delete(number, "173,450", ALICE)  # a fact computed from data/: not in the text
    point = paragraph_with(document, "Second point")
    track_insert(point, "Second point", " of three", ALICE)
    heading = paragraph_with(document, "The only session")
    track_insert(heading, "only", " plenary", BEN)
    comment(document, heading, "Too vague a title", ALICE, on="session")
    path = tmp_path / "reviewed.docx"
    document.save(str(path))
    return path


LISTING = [
    f'content/intro.qmd:7: {ALICE}: delete "173,450" (the deleted text is not plain text in '
    "the source: edit by hand)",
    f'content/sessions/s1.qmd:1: {BEN}: delete "mini "',
    f'content/sessions/s1.qmd:1: {ALICE}: delete "short"',
    f'content/sessions/s1.qmd:1: {BEN}: insert " and thanks"',
    f'content/sessions/s1.qmd:1: {ALICE}: comment "Who chaired it?" on "the chair"',
    f'content/sessions/s1.qmd:6: {ALICE}: insert " of three"',
    f'data/programme.yml:2: {BEN}: insert " plenary" (generated from data/programme.yml: edit '
    "that file)",
    f'data/programme.yml:2: {ALICE}: comment "Too vague a title" on "session" (generated from '
    "data/programme.yml: edit that file)",
]


def test_the_draft_carries_a_bookmark_for_each_paragraph_and_a_source_map(drafted):
    path = drafted / "_output" / "report.docx"
    document = docx.Document(str(path))
    for text in ("opened with", "cooperation across borders", "First point", "Second point"):
        paragraph = paragraph_with(document, text)
        names = [b.get(qn("w:name")) for b in paragraph._p.iter(qn("w:bookmarkStart"))]
        assert any(name.startswith("rk_") for name in names), (text, names)
    with zipfile.ZipFile(path) as package:
        source_map = SourceMap.from_xml(package.read("customXml/item1.xml"))
        assert "customXml/itemProps1.xml" in package.namelist()
    files = {f.path: f for f in source_map.files}
    session = files["content/sessions/s1.qmd"]
    assert session.sha256 == file_hash(drafted / "content" / "sessions" / "s1.qmd")
    header = files["_generated/sessions/s1.qmd"]
    assert (header.generated_from, header.line) == ("data/programme.yml", 2)
    # The text a reader sees is unchanged: bookmarks are empty.
    assert paragraph_with(document, "opened with").text.startswith("The only session of the")


def test_review_lists_every_comment_and_change_at_its_source_line(drafted, reviewed):
    before = snapshot(drafted / "content")
    proc = run_reportkit("review", reviewed, drafted)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == LISTING
    assert "6 change(s), 2 comment(s)" in proc.stderr
    assert snapshot(drafted / "content") == before, "listing writes nothing"


def test_apply_writes_changes_into_the_session_text_only(drafted, reviewed):
    programme = (drafted / "data" / "programme.yml").read_text(encoding="utf-8")
    header = (drafted / "_generated" / "sessions" / "s1.qmd").read_text(encoding="utf-8")
    proc = run_reportkit("review", reviewed, drafted, "--apply")
    assert proc.returncode == 0, proc.stderr
    text = (drafted / "content" / "sessions" / "s1.qmd").read_text(encoding="utf-8")
    assert text == SESSION_TEXT.replace(
        "of the mini conference opened with a *short* welcome from",
        "of the conference opened with a  welcome and thanks from",
    ).replace("- Second point, made", "- Second point of three, made")
    lines = proc.stdout.splitlines()
    assert f'content/sessions/s1.qmd:1: {BEN}: delete "mini " (applied)' in lines
    assert f'content/sessions/s1.qmd:6: {ALICE}: insert " of three" (applied)' in lines
    assert LISTING[0] in lines  # the fact's number is left to do …
    assert LISTING[6] in lines  # … and the generated heading is never edited
    assert "{{< var facts.greece_2016 >}}" in (drafted / "content" / "intro.qmd").read_text()
    assert (drafted / "data" / "programme.yml").read_text(encoding="utf-8") == programme
    assert (drafted / "_generated" / "sessions" / "s1.qmd").read_text("utf-8") == header
    assert "applied 4 of 6 change(s) to content/sessions/s1.qmd" in proc.stderr
    # The applied text still renders (footnote, list and emphasis intact).
    render = run_reportkit("render", drafted, "--to", "html", "--quiet")
    assert render.returncode == 0, render.stderr
    html = (drafted / "_output" / "report.html").read_text(encoding="utf-8")
    assert "welcome and thanks from the chair" in html
    assert "<em>" not in html.split("welcome and thanks")[0].rsplit("<p>", 1)[-1]


def test_a_second_apply_refuses_because_the_source_changed(drafted, reviewed):
    assert run_reportkit("review", reviewed, drafted, "--apply").returncode == 0
    before = snapshot(drafted / "content")
    proc = run_reportkit("review", reviewed, drafted, "--apply")
    assert_clean_failure(
        proc,
        r"error: content/sessions/s1\.qmd changed since the draft was made: nothing was applied",
    )
    assert snapshot(drafted / "content") == before


def test_apply_writes_nothing_when_a_source_was_edited_after_the_draft(drafted, reviewed, tmp_path):
    with (drafted / "content" / "intro.qmd").open("a", encoding="utf-8") as f:
        f.write("\nA sentence the editor added after sending the draft.\n")
    before = snapshot(drafted / "content")
    csv_path = tmp_path / "comments.csv"
    proc = run_reportkit("review", reviewed, drafted, "--apply", "--comments-csv", csv_path)
    assert_clean_failure(proc, r"content/intro\.qmd changed since the draft was made")
    assert snapshot(drafted / "content") == before
    assert not csv_path.exists(), "a refused apply writes nothing at all"
    # Listing still works, with a warning that lines may have moved.
    listing = run_reportkit("review", reviewed, drafted)
    assert listing.returncode == 0
    assert "content/intro.qmd changed since the draft was made" in listing.stderr
    assert listing.stdout.splitlines() == LISTING


def test_comments_go_to_a_csv_for_the_editor(drafted, reviewed, tmp_path):
    path = tmp_path / "todo.csv"
    proc = run_reportkit("review", reviewed, drafted, "--comments-csv", path)
    assert proc.returncode == 0, proc.stderr
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["file"], r["line"], r["author"], r["text"], r["quoted text"]) for r in rows] == [
        ("content/sessions/s1.qmd", "1", ALICE, "Who chaired it?", "the chair"),
        ("data/programme.yml", "2", ALICE, "Too vague a title", "session"),
    ]
    assert all(r["date"] for r in rows)


def test_a_document_without_the_source_map_is_refused(drafted, tmp_path):
    plain = docx.Document()
    plain.add_paragraph("Some text written in Word.")
    path = tmp_path / "other.docx"
    plain.save(str(path))
    proc = run_reportkit("review", path, drafted)
    assert_clean_failure(proc, r"other\.docx carries no reportkit source map")


def test_the_example_draft_maps_every_session_paragraph(tmp_path):
    """Every paragraph of the example's session texts has its bookmark in the Word draft."""
    from tests.conftest import PROJECT_ENTRIES, ROOT

    root = copy_project(ROOT, tmp_path / "example", PROJECT_ENTRIES)
    proc = run_reportkit("render", root, "--to", "docx", "--quiet")
    assert proc.returncode == 0, proc.stderr
    document = docx.Document(str(root / "_output" / "report.docx"))
    with zipfile.ZipFile(root / "_output" / "report.docx") as package:
        files = SourceMap.from_xml(package.read("customXml/item1.xml")).files
    marked_lines = set()
    for element in document.element.body.iter(qn("w:bookmarkStart")):
        name = element.get(qn("w:name"))
        if name.startswith("rk_"):
            _, number, line, *_ = name.split("_")
            marked_lines.add((files[int(number)].path, int(line)))
    for session in sorted((root / "content" / "sessions").glob("*.qmd")):
        path = f"content/sessions/{session.name}"
        lines = session.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            previous = lines[number - 2] if number > 1 else ""
            starts_paragraph = line.strip() and not previous.strip()
            prose = line[:1].isalpha() or line.startswith(("(", "-", "*", "#", '"'))
            if starts_paragraph and prose:
                assert (path, number) in marked_lines, f"{path}:{number} has no bookmark"
