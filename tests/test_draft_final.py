"""Draft and final: a draft says so on every page; a final render refuses unfinished work."""

from __future__ import annotations

import re

import lxml.html
import pytest

from tests.conftest import copy_project, run_reportkit, snapshot
from tests.pdfread import Pdf

DRAFT = re.compile(r"Draft — \d{1,2} \w+ \d{4}")


def test_a_default_render_is_a_draft_on_every_page(rendered_mini):
    pages = Pdf(rendered_mini / "_output" / "report.pdf").pages
    assert len(pages) >= 3
    unmarked = [page.number for page in pages if not DRAFT.search(page.text)]
    assert unmarked == [], f"pages without the draft mark: {unmarked}"
    html = lxml.html.parse(str(rendered_mini / "_output" / "report.html")).getroot()
    banner = html.xpath("//body/aside[@class='draft-mark']")
    assert len(banner) == 1 and DRAFT.fullmatch(banner[0].text_content())


def test_a_final_render_has_no_draft_mark(mini):
    proc = run_reportkit("render", "--final", mini)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pages = Pdf(mini / "_output" / "report.pdf").pages
    assert not [page.number for page in pages if "Draft" in page.text]
    assert "draft-mark" not in (mini / "_output" / "report.html").read_text()


def test_final_can_be_the_projects_setting(mini):
    config = mini / "_quarto.yml"
    config.write_text(config.read_text().replace("reportkit:\n", "reportkit:\n  final: true\n"))
    proc = run_reportkit("render", mini, "--to", "html")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "draft-mark" not in (mini / "_output" / "report.html").read_text()


@pytest.fixture
def blank(tmp_path):
    target = tmp_path / "blank"
    proc = run_reportkit("new", target, "--title", "Dakar Regional Conference", "--city", "Dakar")
    assert proc.returncode == 0, proc.stderr
    return target


def test_check_final_lists_every_placeholder_of_a_new_project(blank):
    proc = run_reportkit("check", "--final", blank)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    placeholders = [line for line in lines if "placeholder text from the template" in line]
    assert len(placeholders) >= 20
    for line in placeholders:
        path, number, column = re.match(r"([^:]+):(\d+):(\d+): ", line).groups()
        source = (blank / path).read_text().splitlines()[int(number) - 1]
        assert source[int(column) - 1 :].startswith("PLACEHOLDER"), line
    files = {line.split(":")[0] for line in placeholders}
    assert {
        "content/background.qmd",
        "data/conference.yml",
        "data/people.yml",
        "data/organisations.yml",
        "data/glossary.yml",
    } <= files


def test_check_without_final_warns_but_passes(blank):
    proc = run_reportkit("check", blank)
    assert proc.returncode == 0
    assert "warning: placeholder text from the template" in proc.stdout


def test_render_final_refuses_a_new_project_and_writes_nothing(blank):
    proc = run_reportkit("render", "--final", blank)
    assert proc.returncode == 1
    assert "placeholder text from the template" in proc.stdout
    message = proc.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert re.search(r"not ready to publish: \d+ problem\(s\), listed above", message)
    assert not (blank / "_output").exists()


def test_an_editors_note_blocks_the_final_render(mini):
    before = snapshot(mini / "_output")
    intro = mini / "content" / "intro.qmd"
    intro.write_text(intro.read_text() + "\n<!-- TODO: check the 2016 figure -->\n")
    proc = run_reportkit("render", "--final", mini)
    assert proc.returncode == 1
    assert re.search(
        r"^content/intro\.qmd:\d+:6: warning: editor's note 'TODO' left in the text",
        proc.stdout,
        re.M,
    )
    assert snapshot(mini / "_output") == before


def test_unverified_chart_data_blocks_the_final_render(mini, tmp_path):
    data = mini / "data" / "stats" / "arrivals.csv"
    rows = data.read_text().splitlines()
    header = rows[0].split(",")
    column = header.index("confidence")
    first = rows[1].split(",")
    first[column] = "recalled"
    rows[1] = ",".join(first)
    data.write_text("\n".join(rows) + "\n")
    proc = run_reportkit("check", "--final", mini)
    assert proc.returncode == 1
    assert re.search(
        r"^data/charts\.yml:\d+:\d+: warning: chart '[\w-]+' plots 1 recalled", proc.stdout, re.M
    )


def test_draft_date_follows_the_newest_source_not_the_clock(tmp_path, rendered_mini):
    import os

    root = copy_project(rendered_mini, tmp_path / "dated")
    when = 1_700_000_000  # 14 November 2023
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (when, when))
    proc = run_reportkit("render", root, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    assert "Draft — 14 November 2023" in (root / "_output" / "report.html").read_text()
