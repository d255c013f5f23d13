"""Draft or final: the mark every draft carries, and the text a final render must not contain.

A render is a draft unless it is final (`reportkit render --final`, or `reportkit: final: true`
in _quarto.yml): drafts carry "Draft — <date>" on every PDF page and as a banner on the HTML
page, so an unfinished report is never mistaken for the publication. The date is that of the
newest source file, not of the render, so the same sources still give the same bytes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from babel.dates import format_date

from reportkit.i18n import project_labels
from reportkit.locale import babel_locale

# Text a final report must not contain: the template's placeholders and editors' notes.
UNFINISHED = re.compile(r"\b(?P<word>PLACEHOLDER|TODO|FIXME)\b")
SOURCE_DIRS = ("content", "data")
SOURCE_FILES = ("_quarto.yml", "report.qmd")


def source_files(root: Path) -> list[Path]:
    """The files a report is written in (generated and output folders excluded)."""
    files = [root / name for name in SOURCE_FILES if (root / name).is_file()]
    for folder in SOURCE_DIRS:
        if (root / folder).is_dir():
            files += sorted(p for p in (root / folder).rglob("*") if p.is_file())
    return files


def draft_label(root: Path, language: str) -> str:
    """'Draft — 3 December 2026': the day the newest source file was last changed."""
    newest = max((p.stat().st_mtime for p in source_files(root)), default=0.0)
    day = datetime.fromtimestamp(newest, UTC).date()
    when = format_date(day, format="long", locale=babel_locale(language))
    return project_labels(root, language)("draft", date=when)


def unfinished_text(path: Path) -> list[tuple[int, int, str]]:
    """(line, column, word) of every placeholder or editor's note in a text file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    return [
        (number, match.start() + 1, match["word"])
        for number, line in enumerate(text.splitlines(), start=1)
        for match in UNFINISHED.finditer(line)
    ]
