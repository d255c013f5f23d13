"""Word output for reviewers: the example report as .docx, read back with python-docx."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml.ns import qn

from reportkit import build
from reportkit.brand import load_brand
from reportkit.docx import reference_document
from reportkit.project import find_project
from tests.conftest import PROJECT_ENTRIES, ROOT, copy_project, run_reportkit

CHART_IDS = [c["id"] for c in yaml.safe_load((ROOT / "data" / "charts.yml").read_text())["charts"]]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """The example project rendered to Word only (the Python API; the CLI's --to docx later)."""
    root = copy_project(ROOT, tmp_path_factory.mktemp("docx"), PROJECT_ENTRIES)
    result = build.render(root, formats=("docx",))
    assert result.outputs == [root / "_output" / "report.docx"]
    return root


@pytest.fixture(scope="module")
def document(rendered):
    return docx.Document(str(rendered / "_output" / "report.docx"))


def text(paragraph) -> str:
    return " ".join(paragraph.text.replace("\u00a0", " ").split())


def headings(document, level: int) -> list[str]:
    """Heading texts without pandoc's section number ("2.4<tab>Panel I" -> "Panel I")."""
    return [
        p.text.split("\t")[-1].strip()
        for p in document.paragraphs
        if p.style.name == f"Heading {level}"
    ]


def styled(document, style: str) -> list[str]:
    return [text(p) for p in document.paragraphs if p.style.name == style]


def test_only_the_word_document_is_rendered(rendered):
    # Beside it, the build's manifest (its inputs and the hash of report.docx).
    names = sorted(p.name for p in (rendered / "_output").iterdir())
    assert names == ["manifest.json", "report.docx"]


def test_every_chapter_and_session_has_its_heading(document):
    chapters = headings(document, 1)
    for title in ("Background", "Summary of presentations", "Analytical review and way forward"):
        assert title in chapters
    assert "Panel I: Legal frameworks and capacity-building" in headings(document, 2)
    numbered = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    # The front matter's chapters (acronyms, key messages) are unnumbered; then 1, 2, …
    assert numbered[:3] == ["Acronyms", "Key messages", "1\tBackground"], "chapters are numbered"


def test_every_chart_is_a_picture_with_its_numbered_caption(rendered, document):
    drawings = document.element.body.findall(f".//{qn('w:drawing')}")
    assert len(document.inline_shapes) >= len(CHART_IDS)
    assert len(drawings) >= len(CHART_IDS)
    captions = [c for c in styled(document, "Image Caption") if c.startswith("Figure")]
    numbers = [int(re.match(r"Figure (\d+):", c).group(1)) for c in captions]
    assert numbers == list(range(1, len(CHART_IDS) + 1))
    charts = yaml.safe_load((ROOT / "data" / "charts.yml").read_text())["charts"]
    for chart in charts:
        assert any(chart["title"] in c for c in captions), chart["id"]
    # Word gets PNGs drawn beside the SVGs, never an SVG it might not show.
    for chart_id in CHART_IDS:
        assert (rendered / "_generated" / "charts" / f"{chart_id}.png").is_file()
    with zipfile.ZipFile(rendered / "_output" / "report.docx") as package:
        media = [n for n in package.namelist() if n.startswith("word/media/")]
    assert len(media) >= len(CHART_IDS)
    assert all(name.endswith(".png") for name in media), media


def test_pictures_carry_their_alternative_text(document):
    descriptions = [d.get("descr") for d in document.element.body.iter(qn("wp:docPr"))]
    assert descriptions and all(descriptions), "every picture needs its fig-alt as alt text"


def test_footnotes_are_word_footnotes(rendered):
    with zipfile.ZipFile(rendered / "_output" / "report.docx") as package:
        footnotes = package.read("word/footnotes.xml").decode("utf-8")
        body = package.read("word/document.xml").decode("utf-8")
    notes = re.findall(r'<w:footnote (?:(?!w:type=)[^>])*w:id="(\d+)"', footnotes)
    assert len([n for n in notes if int(n) > 0]) >= 8
    plain = re.sub(r"<[^>]+>", "", footnotes)
    assert "New York Declaration for Refugees and Migrants" in plain
    assert body.count("<w:footnoteReference ") >= 8


def test_programme_annex_is_a_table(document):
    assert document.tables
    cells = [text(c) for table in document.tables for row in table.rows for c in row.cells]
    assert "Panel I: Legal frameworks and capacity-building" in cells
    assert any(c.startswith("Table 1:") for c in styled(document, "Table Caption"))


def test_session_headers_use_the_session_style(document):
    people = styled(document, "Session People")
    assert any("Berlan Pars Alan" in p for p in people)
    assert {"Moderator", "Panellists"} <= set(styled(document, "Session Role"))
    assert "What the data show" in styled(document, "Callout Title")
    assert styled(document, "Callout")


def test_cover_and_imprint_come_before_the_contents(document):
    body = list(document.element.body.iterchildren())

    def first(predicate) -> int:
        return next(i for i, el in enumerate(body) if predicate(el))

    def style_of(el) -> str | None:
        style = el.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        return style.get(qn("w:val")) if style is not None else None

    title = first(lambda el: style_of(el) == "Title")
    imprint = first(lambda el: style_of(el) == "Imprint")
    contents = first(lambda el: el.tag == qn("w:sdt"))
    chapter = first(lambda el: style_of(el) == "Heading1")
    assert title < imprint < contents < chapter
    assert styled(document, "Title")[0].startswith("Promoting innovative ideas")
    assert len(styled(document, "Author")) == 3
    assert document.core_properties.title == styled(document, "Title")[0]


def test_styles_follow_the_brand(document):
    styles = document.styles
    assert styles["Normal"].font.name == "IBM Plex Serif"
    assert styles["Heading 1"].font.name == "Fira Sans"
    assert str(styles["Heading 1"].font.color.rgb) == "0B3D6E"
    assert str(styles["Title"].font.color.rgb) == "0B3D6E"
    section = document.sections[-1]
    assert round(section.page_width.mm) == 210, "A4, as _quarto.yml says"


def test_reference_document_is_cached(rendered):
    references = list((rendered / ".reportkit" / "cache" / "docx").glob("reference-*.docx"))
    assert len(references) == 1
    before = references[0].stat().st_mtime_ns
    project = find_project(rendered)
    brand = load_brand(project.root, project.settings.brand)
    assert reference_document(project, brand) == references[0]
    assert references[0].stat().st_mtime_ns == before


def test_word_output_is_byte_for_byte_reproducible(mini):
    first = run_reportkit("render", mini, "--to", "docx", "--quiet")
    assert first.returncode == 0, first.stderr
    before = (mini / "_output" / "report.docx").read_bytes()
    time.sleep(1.1)  # zip timestamps have two-second resolution; cross a tick
    second = run_reportkit("render", mini, "--to", "docx", "--quiet")
    assert second.returncode == 0, second.stderr
    assert (mini / "_output" / "report.docx").read_bytes() == before
