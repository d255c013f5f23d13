"""PDF/UA-1: the printed report read as assistive technology reads it (pikepdf).

The machine-decidable Matterhorn checkpoints (tests/matterhorn.py) on the example and on a
new project in both built-in brands, then the items behind them, looked at one by one.
"""

from __future__ import annotations

import re
import shutil

import pikepdf
import pytest
import weasyprint
import yaml

from tests.conftest import ROOT, run_reportkit
from tests.matterhorn import Checked, failures, is_element, kids, tag
from tests.test_errors import replace_in


def normalise(text: str) -> str:
    return " ".join(str(text).split())


@pytest.fixture(scope="module")
def new_projects(tmp_path_factory) -> dict:
    """A `reportkit new` project rendered in each built-in brand."""
    rendered = {}
    for brand in ("harbour", "sandstone"):
        root = tmp_path_factory.mktemp(f"new-{brand}") / "report"
        proc = run_reportkit("new", root, "--title", "Regional Conference", "--city", "Izmir")
        assert proc.returncode == 0, proc.stderr
        replace_in(root / "_quarto.yml", "brands/harbour/", f"brands/{brand}/")
        proc = run_reportkit("render", root)
        assert proc.returncode == 0, proc.stderr
        rendered[brand] = root / "_output" / "report.pdf"
    return rendered


def test_the_example_passes_every_machine_checkpoint(example):
    assert failures(example.pdf) == []
    with pikepdf.open(example.pdf) as pdf:
        assert pdf.check_pdf_syntax() == []


@pytest.mark.parametrize("brand", ["harbour", "sandstone"])
def test_a_new_project_passes_every_machine_checkpoint(new_projects, brand):
    assert failures(new_projects[brand]) == []


def test_the_checks_catch_an_untreated_weasyprint_pdf(tmp_path):
    """WeasyPrint's own tagged PDF, without reportkit's finishing, fails them: they can fail."""
    html = (
        '<html lang="en"><head><title>T</title><style>@page { @bottom-right { content: '
        "counter(page) } }</style></head><body><h2>Two</h2><p>Text"
        "<img src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='4' "
        "height='4'/>\" alt=''></p><table><tr><th>Head</th></tr><tr><td>1</td></tr></table>"
        "</body></html>"
    )
    path = tmp_path / "raw.pdf"
    weasyprint.HTML(string=html).write_pdf(path, pdf_tags=True)
    found = {problem.split(":")[0] for problem in failures(path)}
    assert {"06-001", "01-005", "13-004", "14-002", "15-003"} <= found, found


def test_xmp_identifies_pdf_ua_1_and_repeats_the_title(example):
    with pikepdf.open(example.pdf) as pdf, pdf.open_metadata() as xmp:
        assert xmp["pdfuaid:part"] == "1"
        assert xmp["dc:title"] == str(pdf.docinfo["/Title"])
        assert "pdfaid:part" not in xmp, "PDF/A only with the archive option"


def test_every_chart_figure_carries_its_alt_text_from_charts_yml(example):
    charts = yaml.safe_load((ROOT / "data" / "charts.yml").read_text(encoding="utf-8"))["charts"]
    checked = Checked(example.pdf)
    alts = [normalise(f.Alt) for f in checked.of_type("Figure")]
    for chart in charts:
        assert normalise(chart["alt"]) in alts, chart["id"]
    conference = yaml.safe_load((ROOT / "data" / "conference.yml").read_text(encoding="utf-8"))
    assert normalise(conference["cover"]["alt"]) in alts
    # Six charts and the cover illustration; the decorative logo is no figure.
    assert len(alts) == len(charts) + 1


def artifacts_by_page(pdf: pikepdf.Pdf) -> list[dict[str, int]]:
    counts = []
    for page in pdf.pages:
        kinds: dict[str, int] = {}
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) in ("BDC", "BMC") and operands[0] == pikepdf.Name.Artifact:
                props = operands[1] if len(operands) > 1 else None
                kind = str(props.get("/Type", "")) if isinstance(props, pikepdf.Dictionary) else ""
                kinds[kind] = kinds.get(kind, 0) + 1
        counts.append(kinds)
    return counts


def test_page_furniture_and_the_logo_are_artifacts(example):
    with pikepdf.open(example.pdf) as pdf:
        counts = artifacts_by_page(pdf)
    # Running header, chapter, footer, draft mark and page number, drawn over every body page
    # as one piece of page furniture (pdfmerge.py), are a pagination artifact.
    assert all(c.get("/Pagination", 0) >= 1 for c in counts[3:]), counts[3:6]
    # The cover's logo (alt="") is drawn as an artifact without a type.
    assert counts[0].get("", 0) >= 1, counts[0]


def test_headings_start_at_h1_and_never_skip_a_level(example):
    checked = Checked(example.pdf)
    levels = [int(tag(e)[1]) for e in checked.elements if re.fullmatch(r"H[1-6]", tag(e))]
    # The contents' title comes first, then the chapters (H1) and their sections (H2).
    assert levels[0] == 1 and levels.count(1) >= 6 and 2 in levels
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels


def test_table_headers_are_scoped_columns(example):
    checked = Checked(example.pdf)
    headers = checked.of_type("TH")
    assert len(headers) >= 4
    assert {str(h.A.Scope) for h in headers} == {"/Column"}


def test_each_footnote_is_a_note_right_after_its_call(example):
    checked = Checked(example.pdf)
    notes = checked.of_type("Note")
    assert len(notes) >= 8
    assert len({str(n.ID) for n in notes}) == len(notes)
    for note in notes:
        siblings = [k for k in kids(note.P) if is_element(k)]
        position = next(i for i, k in enumerate(siblings) if k.objgen == note.objgen)
        assert position > 0 and tag(siblings[position - 1]) == "Reference", str(note.ID)
        assert tag(kids(note)[0]) == "Lbl", "the note starts with its number"


def test_pdf_ua_output_is_byte_for_byte_reproducible(tmp_path, example):
    """The finishing (pikepdf) adds nothing that varies: a second render gives the same bytes."""
    again = tmp_path / "again"
    shutil.copytree(example.root, again, ignore=shutil.ignore_patterns("_output"))
    proc = run_reportkit("render", again)
    assert proc.returncode == 0, proc.stderr
    assert (again / "_output" / "report.pdf").read_bytes() == example.pdf.read_bytes()


def test_links_say_where_they_lead(example):
    with pikepdf.open(example.pdf) as pdf:
        described = {str(annot.Contents) for page in pdf.pages for annot in page.get("/Annots", [])}
    assert "Go to 1 Background" in described
    assert "Go to Annex 1: Conference programme" in described
    assert any(d.startswith("Go to Figure 1: ") for d in described)
    assert not [d for d in described if d.startswith(("sec-", "fig-", "#"))], described
