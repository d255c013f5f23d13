"""What makes renders fast must not change what they make: the same bytes from a clean, a
cached and a parallel build; an edit lays out only the chapter it is in, and in a long
chapter only the part of it (a few pages) where the edit is, with the pages a clean render
gives; footnotes stay on their call's page at every size (40, 120 and 500 pages). No test
here measures time: the benchmark does (bench/run.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.synthetic import days_for, make
from tests.conftest import PROJECT_ENTRIES, ROOT, copy_project, run_reportkit
from tests.pdfread import Pdf

OUTPUTS = ("report.html", "report.pdf", "report.docx")


def render_all(root: Path, workers: str) -> dict[str, bytes]:
    for formats in (("--to", "html", "--to", "pdf"), ("--to", "docx")):
        proc = run_reportkit("render", root, *formats, env={"REPORTKIT_WORKERS": workers})
        assert proc.returncode == 0, proc.stderr
    return {name: (root / "_output" / name).read_bytes() for name in OUTPUTS}


def test_clean_cached_and_parallel_builds_give_the_same_bytes(tmp_path):
    serial = copy_project(ROOT, tmp_path / "serial", PROJECT_ENTRIES)
    parallel = copy_project(ROOT, tmp_path / "parallel", PROJECT_ENTRIES)
    clean = render_all(serial, "1")
    assert render_all(parallel, "2") == clean
    # Outputs gone, every cache kept: a build from the caches.
    shutil.rmtree(parallel / "_output")
    (parallel / ".reportkit" / "last-render.json").unlink()
    assert render_all(parallel, "2") == clean


def test_an_edit_lays_out_only_the_chapter_it_is_in(tmp_path):
    root = copy_project(ROOT, tmp_path / "example", PROJECT_ENTRIES)
    assert run_reportkit("render", root).returncode == 0
    analysis = root / "content" / "analysis.qmd"
    text = analysis.read_text(encoding="utf-8")
    first = text.index(". ") + 1
    analysis.write_text(text[:first] + " An edited sentence." + text[first:], encoding="utf-8")
    proc = run_reportkit("render", root)
    assert proc.returncode == 0, proc.stderr
    match = re.search(r"(\d+) of (\d+) pieces reused \(laid out: ([^)]*)\)", proc.stdout)
    assert match, proc.stdout
    assert match.group(3) == "sec-analysis"
    assert int(match.group(1)) == int(match.group(2)) - 1


def test_a_changed_data_value_reaches_the_cached_html_and_pdf(tmp_path):
    """pandoc's HTML is cached by the text; the charts drawn from the data are not in it. The
    changed chart's spec comes from its template and is drawn by the helper process, and the
    outputs are byte for byte those of a clean serial render (Altair, no helper)."""
    root = copy_project(ROOT, tmp_path / "example", PROJECT_ENTRIES)
    assert run_reportkit("render", root).returncode == 0
    page = (root / "_output" / "report.html").read_text(encoding="utf-8")
    assert "Dead and missing (persons): 3,093;" in page
    data = root / "data" / "stats" / "dead_missing.csv"
    text = data.read_text(encoding="utf-8")
    data.write_text(text.replace("central-med,2014,,3093,", "central-med,2014,,3097,"), "utf-8")
    proc = run_reportkit("render", root, "-v")
    assert proc.returncode == 0, proc.stderr
    assert re.search(
        r"chart \d+/\d+: dead-missing-by-route \(spec from its template\)", proc.stderr
    )
    page = (root / "_output" / "report.html").read_text(encoding="utf-8")
    assert "Dead and missing (persons): 3,097;" in page  # the chart's mark for readers
    assert '<td class="number">3,097</td>' in page  # its data table
    assert "Dead and missing (persons): 3,093;" not in page
    assert "laid out: sec-presentations" in proc.stdout  # the page with the chart
    # pandoc did not convert again: the text is that of the first render, which drew the charts.
    assert len(list((root / ".reportkit" / "cache" / "html").glob("*.html"))) == 1
    clean = copy_project(root, tmp_path / "clean", PROJECT_ENTRIES)
    proc = run_reportkit("render", clean, env={"REPORTKIT_WORKERS": "1"})
    assert proc.returncode == 0, proc.stderr
    for name in ("report.html", "report.pdf"):
        assert (clean / "_output" / name).read_bytes() == (root / "_output" / name).read_bytes()


def words_by_page(pdf: Path) -> list[list[tuple[str, float, float]]]:
    """Every word of every page where a reader sees it (text, left, top)."""
    return [
        [(w["text"], round(w["x0"], 1), round(w["top"], 1)) for w in page.words]
        for page in Pdf(pdf).pages
    ]


def outline(pdf: Path) -> list[tuple[int, str, int]]:
    """The bookmarks as (depth, title, page index)."""
    import pikepdf

    with pikepdf.open(pdf) as document, document.open_outline() as tree:
        pages = {page.objgen: index for index, page in enumerate(document.pages)}
        flat = []

        def visit(items, depth):
            for item in items:
                flat.append((depth, item.title, pages.get(item.destination[0].objgen)))
                visit(item.children, depth + 1)

        visit(tree.root, 1)
        return flat


def test_an_edit_in_a_long_chapter_lays_out_only_its_part_as_a_clean_render_would(tmp_path):
    root = copy_project(ROOT, tmp_path / "example", PROJECT_ENTRIES)
    assert run_reportkit("render", root, "--to", "pdf").returncode == 0
    session = root / "content" / "sessions" / "panel-2.qmd"
    text = session.read_text(encoding="utf-8")
    last_paragraph = text.rstrip().rindex("\n\n") + 2  # the session is mid-chapter
    first = text.index(". ", last_paragraph) + 1
    session.write_text(text[:first] + " An edited sentence." + text[first:], encoding="utf-8")
    proc = run_reportkit("render", root, "--to", "pdf")
    assert proc.returncode == 0, proc.stderr
    match = re.search(r"(\d+) of (\d+) pieces reused \(laid out: ([^)]*)\)", proc.stdout)
    assert match, proc.stdout
    assert re.fullmatch(r"sec-presentations:\d+", match.group(3)), match.group(3)
    assert int(match.group(2)) >= 12  # the 22-page chapter is cut into parts
    clean = copy_project(root, tmp_path / "clean", PROJECT_ENTRIES)
    assert run_reportkit("render", clean, "--to", "pdf").returncode == 0
    edited, fresh = root / "_output" / "report.pdf", clean / "_output" / "report.pdf"
    assert words_by_page(edited) == words_by_page(fresh)
    assert outline(edited) == outline(fresh)
    assert [depth for depth, *_ in outline(edited)].count(2) >= 9  # sessions under chapter 2


@pytest.fixture(scope="module", params=[120, 500], ids=lambda pages: f"{pages}-pages")
def proceedings(request, tmp_path_factory) -> Path:
    root = make(tmp_path_factory.mktemp(f"size-{request.param}"), days_for(request.param))
    proc = run_reportkit("render", root, "--to", "pdf")
    assert proc.returncode == 0, proc.stderr
    return root / "_output" / "report.pdf"


def assert_notes_on_their_pages(pdf: Pdf) -> int:
    calls, notes = {}, {}
    for page in pdf.pages:
        for number in page.footnote_calls():
            calls.setdefault(number, page.number)
        for number in page.footnote_numbers():
            notes.setdefault(number, page.number)
    assert calls and set(calls) == set(notes)
    misplaced = {n: (calls[n], notes[n]) for n in calls if calls[n] != notes[n]}
    assert not misplaced, f"notes off their call's page (call page, note page): {misplaced}"
    return len(calls)


def test_every_footnote_is_on_its_calls_page_in_the_example(example):
    assert assert_notes_on_their_pages(Pdf(example.pdf)) >= 8


def test_every_footnote_is_on_its_calls_page_at_scale(proceedings):
    pdf = Pdf(proceedings)
    assert len(pdf.pages) >= 100
    assert assert_notes_on_their_pages(pdf) >= 16  # the example's 8 and each day's own


def test_parts_written_by_a_fork_come_back_in_order_and_a_silent_fork_is_given_up(monkeypatch):
    """The longest chapter's parts are written by two processes (printworker.write_in_two);
    a fork that never answers must not hang the render: its parts are written here."""
    import os
    import time

    from reportkit import printworker

    parent = os.getpid()
    groups = [[1, 2], [3], [4, 5], [6]]
    expected = [bytes(group) for group in groups]
    assert printworker.write_in_two(bytes, groups) == expected

    def hangs_in_the_fork(group):
        if os.getpid() != parent:
            time.sleep(120)
        return bytes(group)

    monkeypatch.setattr(printworker, "FORK_PATIENCE", 2.0)
    assert printworker.write_in_two(hangs_in_the_fork, groups) == expected


def test_the_last_render_knows_which_files_changed_since(tmp_path):
    """An edit to one text or data table is printed by one worker (a second would import
    WeasyPrint beside pandoc for nothing); anything else, or no record of a render, by two."""
    from reportkit.build import printers_needed, statistics_may_change
    from reportkit.uptodate import changed_files, read_inputs, remember

    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    (root / "content" / "intro.qmd").write_text("Hello.\n", encoding="utf-8")
    (root / "data.csv").write_text("a\n1\n", encoding="utf-8")
    request = {"formats": ["pdf"], "final": False}
    assert changed_files(root, read_inputs(root, request)) is None  # never rendered
    remember(root, request, [], [], read_inputs(root, request))
    assert changed_files(root, read_inputs(root, request)) == []

    (root / "content" / "intro.qmd").write_text("Hello, world.\n", encoding="utf-8")
    changed = changed_files(root, read_inputs(root, request))
    assert changed == ["content/intro.qmd"]
    assert printers_needed(changed) == 1

    (root / "data.csv").write_text("a\n2\n", encoding="utf-8")
    (root / "content" / "new.qmd").write_text("New.\n", encoding="utf-8")
    changed = changed_files(root, read_inputs(root, request))
    assert changed == ["content/intro.qmd", "content/new.qmd", "data.csv"]
    assert printers_needed(changed) == 2
    assert printers_needed(["data.csv"]) == 1
    assert printers_needed(["data/conference.yml"]) == 2
    assert printers_needed(None) == 2
    # The helper that draws the charts is forked unless only texts changed.
    assert not statistics_may_change(["content/intro.qmd", "content/new.md"])
    assert statistics_may_change(["content/intro.qmd", "data/charts.yml"])
    assert statistics_may_change(None)


def _told_twice(offset: int) -> int:
    from reportkit.workers import told

    total = offset
    while (number := told()) is not None:
        total += number
    return total


def _fails() -> None:
    raise ValueError("no such chart")


def test_the_helper_takes_its_work_by_mail_and_reports_a_failure_in_one_line():
    """The chart helper (workers.Helper): a job started with arguments reads what it is told
    until None; a job that fails is reported as an error; a helper killed mid-job is
    reported, never waited for."""
    from reportkit.errors import ReportError
    from reportkit.workers import Helper

    helper = Helper()
    try:
        helper.start(_told_twice, 100)
        helper.tell(1)
        helper.tell(2)
        helper.tell(None)
        assert helper.result() == 103
        helper.start(_fails)
        with pytest.raises(ReportError, match=r"^ValueError: no such chart$"):
            helper.result()
        helper.start(_told_twice, 0)
        helper.process.kill()
        with pytest.raises(ReportError, match="helper process stopped"):
            helper.result()
    finally:
        helper.close()
    assert not helper.process.is_alive()


def test_a_process_where_vl_convert_has_drawn_forks_no_helper():
    """vl-convert draws in threads of its own: a process forked after it has drawn would
    inherit the engine without them and wait forever (the helper, or a printer's worker). A
    process that has drawn a chart (a Word draft's PNGs, a render without workers) renders
    in itself from then on. In a process of its own, as the test runner must not be
    changed."""
    code = (
        "import vl_convert\n"
        "from reportkit.workers import can_fork, start_helper, start_print_pool\n"
        "assert can_fork()\n"
        "vl_convert.vegalite_to_svg({'mark': 'point', 'data': {'values': [{'a': 1}]}})\n"
        "assert not can_fork()\n"
        "assert start_helper() is None and start_print_pool() is None\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
