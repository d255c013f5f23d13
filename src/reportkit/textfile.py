"""Reading the project's text files: UTF-8 only, of a bounded size, with errors that say where.

A file that is not UTF-8 (often Windows-1252 from a word processor) gets one line naming the
first bad byte's line and column, not a Python traceback; a file so large that rendering it
would run for minutes is refused before anything reads it into a layout.
"""

from __future__ import annotations

from pathlib import Path

from reportkit.errors import Location, ReportError

MAX_TEXT_BYTES = 8 * 1024 * 1024  # a long report is well under 1 MB of Markdown


def decode(data: bytes, display: str) -> str:
    """data as UTF-8 text (a byte-order mark dropped), or a ReportError at the first bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise ReportError(
            f"byte 0x{data[error.start]:02X} is not UTF-8 text",
            Location(display, line, column),
            "save the file as UTF-8 (in most editors: Save As, encoding UTF-8)",
        ) from None
    return text.removeprefix("\ufeff")


def read_text(path: Path, display: str, limit: int = MAX_TEXT_BYTES) -> str:
    """A project text file, checked for size and encoding."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise ReportError(
                f"the file is {size / 1_048_576:.1f} MB, more than reportkit reads "
                f"({limit / 1_048_576:.0f} MB)",
                Location(display),
                "split it into smaller files, or move data into data/stats/",
            )
        data = path.read_bytes()
    except PermissionError:
        raise ReportError(
            "permission denied: reportkit cannot read this file",
            Location(display),
            "make it readable (chmod u+r)",
        ) from None
    except IsADirectoryError:
        raise ReportError("is a folder, not a file", Location(display)) from None
    return decode(data, display)
