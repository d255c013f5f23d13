"""A rapporteur's notes in Word or ODT become a session's text: content kept, styling dropped."""

from __future__ import annotations

import re
import subprocess

import pypandoc
import pytest
from lxml import html as lxml_html
from PIL import Image

from tests.conftest import run_reportkit, snapshot
from tests.test_errors import assert_clean_failure

NOTES = """# Panel notes of the rapporteur

The panel opened with a *short* film and a **long** discussion.[^1]

::: {custom-style="Rapporteur Note"}
A paragraph in the rapporteur's own Word style, with [underlined]{.underline} words.
:::

## Main points

1. Safety first.
2. Dignity always.

| Country | Arrivals |
|---------|---------:|
| Greece  | 173,450  |
| Italy   | 181,436  |

: Arrivals by sea in 2016

![Boats at the quay](pic.png){width=2in}

[^1]: The film was shown with subtitles.
"""


def notes_document(tmp_path, suffix: str):
    """The notes as a rapporteur's Word or ODT file (written by pandoc, as Word would)."""
    Image.new("RGB", (40, 20), (10, 60, 110)).save(tmp_path / "pic.png")
    (tmp_path / "notes.md").write_text(NOTES, encoding="utf-8")
    target = tmp_path / f"notes.{suffix}"
    subprocess.run(
        [pypandoc.get_pandoc_path(), "notes.md", "-o", target.name], cwd=tmp_path, check=True
    )
    return target


def test_import_refuses_to_overwrite_a_session_with_text(mini, tmp_path):
    notes = notes_document(tmp_path, "docx")
    before = snapshot(mini / "content")
    proc = run_reportkit("import", notes, "--session", "s1", mini)
    assert_clean_failure(
        proc, r"content/sessions/s1\.qmd already has text: nothing was imported \(add --force"
    )
    assert snapshot(mini / "content") == before


def test_word_notes_become_plain_markdown_with_notes_table_and_image(mini, tmp_path):
    notes = notes_document(tmp_path, "docx")
    proc = run_reportkit("import", notes, "--session", "s1", mini, "--force")
    assert proc.returncode == 0, proc.stderr
    text = (mini / "content" / "sessions" / "s1.qmd").read_text(encoding="utf-8")
    assert text.startswith("The panel opened with a *short* film and a **long** discussion.")
    assert "[^s1-1]" in text and "[^s1-1]: The film was shown with subtitles." in text
    assert "A paragraph in the rapporteur’s own Word style, with underlined words." in text
    assert re.search(r"1\.\s+Safety first\.\n2\.\s+Dignity always\.", text)
    assert re.search(r"\| Greece +\| +173,450 \|", text), "a pipe table"
    assert ": Arrivals by sea in 2016" in text
    assert "![Boats at the quay](images/sessions/s1/image-1.png)" in text
    # No Word residue: no divs, spans, attributes, raw markup, headings.
    for residue in (":::", "custom-style", "{", ".underline", "<", "#"):
        assert residue not in text, residue
    image = mini / "images" / "sessions" / "s1" / "image-1.png"
    assert Image.open(image).size == (40, 20)
    assert "dropped heading 'Panel notes of the rapporteur'" in proc.stderr
    assert "dropped heading 'Main points'" in proc.stderr
    assert "1 table(s), 1 footnote(s), 1 image(s) in images/sessions/s1/" in proc.stdout

    # The imported session renders: footnote, table and image reach the HTML.
    render = run_reportkit("render", mini, "--to", "html", "--quiet")
    assert render.returncode == 0, render.stderr
    page = lxml_html.parse(str(mini / "_output" / "report.html")).getroot()
    session = page.get_element_by_id("sec-s1")
    cells = [" ".join(td.text_content().split()) for td in session.iter("td")]
    assert cells[:2] == ["Greece", "173,450"]
    assert session.xpath(".//img[@src='images/sessions/s1/image-1.png']")
    notes = page.xpath("//*[contains(@class, 'footnotes')]")[0].text_content()
    assert "The film was shown with subtitles." in notes
    assert (mini / "_output" / "images" / "sessions" / "s1" / "image-1.png").is_file()


def test_odt_notes_are_imported_too(mini, tmp_path):
    notes = notes_document(tmp_path, "odt")
    (mini / "content" / "sessions" / "s1.qmd").write_text("", encoding="utf-8")
    proc = run_reportkit("import", notes, "--session", "s1", mini)
    assert proc.returncode == 0, proc.stderr
    text = (mini / "content" / "sessions" / "s1.qmd").read_text(encoding="utf-8")
    assert "*short*" in text and "**long**" in text
    assert "[^s1-1]: The film was shown with subtitles." in text
    assert re.search(r"\| Greece +\| +173,450 +\|", text)
    assert "images/sessions/s1/image-1.png" in text
    assert (mini / "images" / "sessions" / "s1" / "image-1.png").is_file()
    assert ":::" not in text and "#" not in text


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (
            ("--session", "s11"),
            r"error: unknown session 's11' \(not in data/programme\.yml\) \(did you mean 's1'\?\)",
        ),
        (("--session", "nothing-like-it"), r"unknown session 'nothing-like-it' .*\(sessions: s1\)"),
    ],
)
def test_an_unknown_session_is_named(mini, tmp_path, args, pattern):
    notes = notes_document(tmp_path, "docx")
    assert_clean_failure(run_reportkit("import", notes, *args, mini), pattern)


def test_other_formats_are_refused(mini, tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert_clean_failure(
        run_reportkit("import", path, "--session", "s1", mini),
        r"notes\.pdf: reportkit imports Word \(\.docx\) or OpenDocument \(\.odt\) files",
    )
