"""The printed page as a publications office reads it: full pages, figures near their mention,
chart text at one size, headings never stranded — on the example and on a new project."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pdfplumber
import pytest

from reportkit.charts.theme import CHART_WIDTH, MIN_FONT_SIZE
from tests.conftest import run_reportkit
from tests.layout_read import (
    BOTTOM_MARGIN,
    TOP_MARGIN,
    figure_pages,
    first_mentions,
    over_empty_pages,
    read_layout,
)

CHART_TEXT_PT = MIN_FONT_SIZE * 0.75  # CSS px to points: charts print at their drawn size


@pytest.fixture(scope="module")
def example_layout(example):
    return read_layout(example.pdf)


def body_pages(pages):
    """Pages from the first chapter on (the contents page may end early)."""
    first = next(p.number for p in pages if p.opens_chapter)
    return [p for p in pages if p.number >= first]


def test_no_page_is_more_than_a_quarter_empty_but_before_a_chapter(example_layout):
    assert over_empty_pages(body_pages(example_layout)) == []


def test_every_figure_is_within_a_page_of_its_first_mention(example_layout):
    first = body_pages(example_layout)[0].number
    figures = figure_pages(example_layout)
    mentions = first_mentions(example_layout, first)
    assert len(figures) >= 6 and set(figures) == set(mentions)
    for number, page in figures.items():
        assert abs(page - mentions[number]) <= 1, (number, page, mentions[number])


def test_the_render_says_how_many_layouts_the_pages_took(example):
    match = re.search(r"pdf: (\d+) pages, (\d+) layouts \((\d+) rounds? of mends\)", example.stdout)
    assert match, example.stdout
    pages, layouts, rounds = map(int, match.groups())
    assert pages == len(pdfplumber.open(example.pdf).pages)
    html = lxml.html.parse(str(example.html)).getroot()
    chapters = len(html.xpath("//main/section[h1]"))
    assert chapters >= 5
    # The front matter twice (its contents wait for the page numbers), each chapter once, and
    # one more layout of a chapter per round of mends.
    assert rounds <= 4 and layouts == 2 + chapters + rounds


def test_every_chart_is_drawn_at_one_width_with_no_text_below_the_minimum(example):
    charts = sorted((example.root / "_generated" / "charts").glob("*.svg"))
    assert len(charts) >= 6
    for svg in charts:
        text = svg.read_text(encoding="utf-8")
        width = float(re.search(r'<svg[^>]*\swidth="([\d.]+)"', text).group(1))
        assert CHART_WIDTH - 1 <= width <= CHART_WIDTH + 1, (svg.name, width)
        sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)(?:px)?"', text)]
        assert sizes and min(sizes) >= MIN_FONT_SIZE, (svg.name, min(sizes))


def _translation(transform: str | None) -> tuple[float, float] | None:
    """A group's or text's translate(x,y); None when it also rotates (axis titles)."""
    if not transform:
        return 0.0, 0.0
    if "rotate" in transform and not re.search(r"rotate\(0\)", transform):
        return None
    match = re.search(r"translate\(([-\d.]+),\s*([-\d.]+)\)", transform)
    return (float(match.group(1)), float(match.group(2))) if match else (0.0, 0.0)


def text_extents(svg: Path):
    """Every horizontal text of a chart: (text, left, right) in the SVG's own pixels, its
    width measured with the font's advance widths (the fontpkg file the chart was drawn
    with)."""
    from fontTools.ttLib import TTFont
    from lxml import etree

    from reportkit.fonts import font_faces

    fonts: dict[tuple[str, str], TTFont] = {}

    def advance(family: str, weight: str, text: str, size: float) -> float:
        if (family, weight) not in fonts:
            wanted = "700" if weight in ("bold", "700") else "400"
            face = next(f for f in font_faces(family) if f.style == "normal" and f.weight == wanted)
            fonts[family, weight] = TTFont(face.path, lazy=True)
        font = fonts[family, weight]
        cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
        units = sum(metrics[cmap.get(ord(c), ".notdef")][0] for c in text)
        return units * size / font["head"].unitsPerEm

    def walk(element, x: float, y: float):
        offset = _translation(element.get("transform"))
        if offset is None:
            return
        x, y = x + offset[0], y + offset[1]
        if element.tag.endswith("}text") and (element.text or "").strip():
            family = (element.get("font-family") or "Fira Sans").split(",")[0].strip("'\" ")
            size = float(re.match(r"[\d.]+", element.get("font-size") or "11").group(0))
            width = advance(family, element.get("font-weight") or "400", element.text, size)
            anchor = element.get("text-anchor") or "start"
            left = x - {"start": 0, "middle": width / 2, "end": width}[anchor]
            yield element.text, left, left + width
        for child in element:
            if isinstance(child.tag, str):
                yield from walk(child, x, y)

    root = etree.parse(str(svg)).getroot()
    yield from walk(root, 0.0, 0.0)


def test_no_chart_text_runs_off_its_chart(example):
    """An annotation near the right edge once lost its year ("18 March 201")."""
    charts = sorted((example.root / "_generated" / "charts").glob("*.svg"))
    measured = 0
    for svg in charts:
        text = svg.read_text(encoding="utf-8")
        width = float(re.search(r'<svg[^>]*\swidth="([\d.]+)"', text).group(1))
        for label, left, right in text_extents(svg):
            measured += 1
            assert left >= -0.5 and right <= width + 0.5, (svg.name, label, left, right, width)
    assert measured > 50


def test_chart_text_prints_at_one_size_in_every_figure(example, example_layout):
    """Axis labels are set in the brand's sans at 11 px = 8.25 pt on every figure page: no
    chart is shrunk to fit its legend."""
    with pdfplumber.open(example.pdf) as pdf:
        for number in set(figure_pages(example_layout).values()):
            page = pdf.pages[number - 1]
            digits = [
                ch
                for ch in page.chars
                if ch["upright"]
                and ch["text"].isdigit()
                and "Fira" in ch["fontname"]
                and TOP_MARGIN < ch["top"] < page.height - BOTTOM_MARGIN  # not page furniture
            ]
            sizes = {round(ch["size"], 2) for ch in digits if ch["size"] < 9}
            assert round(CHART_TEXT_PT, 2) in sizes, (number, sizes)
            assert not [s for s in sizes if s < CHART_TEXT_PT - 0.05], (number, sizes)


@pytest.fixture(scope="module")
def next_edition(tmp_path_factory, example) -> Path:
    """A second conference started from the example, as the next team would, rendered."""
    root = tmp_path_factory.mktemp("next") / "next"
    made = run_reportkit("new", root, "--from", example.root, "--title", "Next Conference")
    assert made.returncode == 0, made.stderr
    rendered = run_reportkit("render", root)
    assert rendered.returncode == 0, rendered.stderr
    return root


def test_a_new_projects_pages_are_full_too(next_edition):
    pages = read_layout(next_edition / "_output" / "report.pdf")
    assert over_empty_pages(body_pages(pages)) == []
