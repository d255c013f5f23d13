"""Reading the PDF as a reader does: pages, headings, footnote marks and notes, page furniture."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pdfplumber

BODY_SIZE = 10.5
HEADING_MIN_SIZE = 11.4
CALL_SIZES = (6.0, 7.5)  # ::footnote-call
BODY_FONT = "IBM-Plex-Serif"  # calls are set in the text face; chart labels are not
NOTE_SIZE = 8.0


@dataclass
class Page:
    number: int  # 1-based, as printed in the footer
    text: str
    words: list[dict]
    chars: list[dict]
    height: float

    def heading_text(self) -> str:
        """All text set in heading sizes on this page, in reading order."""
        return " ".join(w["text"] for w in self.words if w["size"] >= HEADING_MIN_SIZE)

    def footnote_calls(self) -> list[int]:
        """Numbers of the superscript footnote calls in the body of the page."""
        calls, current, last = [], "", None
        for ch in self.chars:
            small = (
                CALL_SIZES[0] <= ch["size"] <= CALL_SIZES[1]
                and ch["text"].isdigit()
                and BODY_FONT in ch["fontname"]
            )
            body_area = 0.08 * self.height < ch["top"] < 0.93 * self.height
            if small and body_area:
                if (
                    last is not None
                    and abs(ch["top"] - last["top"]) < 1
                    and ch["x0"] - last["x1"] < 1
                ):
                    current += ch["text"]
                else:
                    if current:
                        calls.append(int(current))
                    current = ch["text"]
                last = ch
        if current:
            calls.append(int(current))
        return calls

    def footnote_numbers(self) -> list[int]:
        """Numbers of the notes printed at the bottom of this page ('3. Text of the note')."""
        return [
            int(w["text"][:-1])
            for w in self.words
            if abs(w["size"] - NOTE_SIZE) < 0.2
            and re.fullmatch(r"\d+\.", w["text"])
            and "Bold" in w["fontname"]
        ]

    def band(self, top: float, bottom: float) -> str:
        """Text whose top lies between the fractions top and bottom of the page height."""
        return " ".join(
            w["text"] for w in self.words if top * self.height <= w["top"] <= bottom * self.height
        )


class Pdf:
    def __init__(self, path: Path):
        self.path = path

    @cached_property
    def pages(self) -> list[Page]:
        pages = []
        with pdfplumber.open(self.path) as pdf:
            for index, page in enumerate(pdf.pages, start=1):
                words = page.extract_words(extra_attrs=["size", "fontname"], use_text_flow=True)
                pages.append(
                    Page(index, page.extract_text() or "", words, list(page.chars), page.height)
                )
        return pages

    def contents(self) -> list[tuple[str, int]]:
        """(title, page) of every line of the table of contents."""
        entries = []
        for page in self.pages:
            if not page.text.lstrip().startswith("Contents"):
                continue
            for line in page.text.splitlines()[1:]:
                match = re.fullmatch(r"(?P<title>.+?)\s*\.{3,}\s*(?P<page>\d+)", line.strip())
                if match:
                    entries.append((match["title"].strip(), int(match["page"])))
        return entries
