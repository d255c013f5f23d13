"""Reading page layout back from a PDF: how much of each page is empty, where figures and
their first references fall, which pages open a chapter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

MM = 72 / 25.4
TOP_MARGIN, BOTTOM_MARGIN = 24 * MM, 22 * MM  # print.css @page margins
CHAPTER_SIZE = 19.5  # h1 is 20 pt
HEADING_SIZE = 11.4
BODY_SIZE = 10.5
NOTE_RULE_WIDTH = 1.0  # the footnote area's 0.5 pt rule is thinner than this


@dataclass
class PageLayout:
    number: int
    top: float  # text area, points from the top of the page
    bottom: float
    body_bottom: float  # above the footnote area where there is one
    lowest_ink: float  # lowest glyph or graphic of the body
    opens_chapter: bool
    heading_group_bottom: float | None  # 3rd body line after an opening heading, if any
    text: str

    @property
    def white(self) -> float:
        """Fraction of the text area left empty below the body (above any footnotes)."""
        return max(0.0, self.body_bottom - self.lowest_ink) / (self.bottom - self.top)


def _footnote_rule(page, top: float, bottom: float) -> float | None:
    """Top of the footnote area: the thin full-measure rule in the lower part of the page."""
    rules = [
        line["top"]
        for line in page.lines + page.rects
        if line["height"] <= NOTE_RULE_WIDTH
        and line["width"] > 100
        and top + (bottom - top) * 0.3 < line["top"] < bottom
    ]
    return min(rules) if rules else None


def read_layout(path: Path) -> list[PageLayout]:
    pages = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            top, bottom = TOP_MARGIN, page.height - BOTTOM_MARGIN
            rule = _footnote_rule(page, top, bottom)
            body_bottom = rule - 2 if rule is not None else bottom
            ink = [
                o["bottom"]
                for o in page.chars + page.rects + page.curves + page.images + page.lines
                if top - 1 <= o["top"] and o["bottom"] <= body_bottom + 1
            ]
            words = page.extract_words(extra_attrs=["size"])
            opening = [w for w in words if w["size"] >= HEADING_SIZE and w["top"] < top + 40]
            group_bottom = None
            if opening:
                below = sorted(
                    {
                        round(w["bottom"])
                        for w in words
                        if abs(w["size"] - BODY_SIZE) < 0.2 and w["top"] > opening[0]["bottom"]
                    }
                )
                group_bottom = below[2] if len(below) >= 3 else None
            pages.append(
                PageLayout(
                    number,
                    top,
                    bottom,
                    body_bottom,
                    max(ink, default=top),
                    any(w["size"] >= CHAPTER_SIZE for w in opening),
                    group_bottom,
                    page.extract_text() or "",
                )
            )
    return pages


def over_empty_pages(pages: list[PageLayout], limit: float = 0.25) -> list[tuple[int, float]]:
    """(page, white) for body pages more than `limit` empty that are not a chapter's last page
    and are not followed by a heading whose text block (heading, speakers box and first three
    lines, kept together) is taller than the space left."""
    found = []
    for page, following in zip(pages, pages[1:], strict=False):
        if following.opens_chapter or page.white <= limit:
            continue
        space = page.body_bottom - page.lowest_ink
        group = following.heading_group_bottom
        if group is not None and group - following.top > space:
            continue
        found.append((page.number, round(page.white, 3)))
    return found


FIGURE_CAPTION = re.compile(r"^Figure (\d+):", re.M)
FIGURE_MENTION = re.compile(r"Figure[\s\u00a0](\d+)(?!:)")


def figure_pages(pages: list[PageLayout]) -> dict[int, int]:
    """Figure number -> page of its caption."""
    found = {}
    for page in pages:
        for match in FIGURE_CAPTION.finditer(page.text):
            found.setdefault(int(match.group(1)), page.number)
    return found


def first_mentions(pages: list[PageLayout], first_body_page: int) -> dict[int, int]:
    """Figure number -> page of its first mention in the text (captions and contents aside)."""
    found = {}
    for page in pages:
        if page.number < first_body_page:
            continue
        text = FIGURE_CAPTION.sub("", page.text)
        for match in FIGURE_MENTION.finditer(text):
            found.setdefault(int(match.group(1)), page.number)
    return found
