"""What the original report says about its sessions and panels, parsed from its Markdown."""

from __future__ import annotations

import re
from pathlib import Path

SOURCE = (
    Path(__file__).resolve().parents[2] / "shared" / "source" / "istanbul-2017-conference-report.md"
)
HONORIFICS = r"(Mr|Ms|Mrs|Dr|Professor|Ambassador|Superintendent|Colonel|Commander)\s+"
# Names the source spells two ways; the report uses the spelling on the right.
ERRATA = {"Annalisa Pauciuolo": "Annalisa Pauciullo"}


def source_text() -> str:
    """The original's text; empty without ../shared (the tests then skip: require_source)."""
    return SOURCE.read_text(encoding="utf-8") if SOURCE.is_file() else ""


def session_titles() -> list[str]:
    """'Opening remarks', 'Keynote presentation', …, 'Closing remarks' (numbers stripped)."""
    return [m[1].strip() for m in re.finditer(r"^#{2,3} 2\.\d+\.\s+(.+)$", source_text(), re.M)]


def panel_people() -> dict[str, list[str]]:
    """Panel title -> names of its moderator and panellists, as listed in the source."""
    panels: dict[str, list[str]] = {}
    current = None
    for line in source_text().splitlines():
        heading = re.match(r"^#{2,3} 2\.\d+\.\s+(Panel .+)$", line)
        if heading:
            current = heading[1].strip()
            panels[current] = []
        elif re.match(r"^#{1,3} \d", line):
            current = None
        elif current and line.startswith("- "):
            name = re.sub(rf"^{HONORIFICS}", "", line[2:]).split(",")[0].strip()
            panels[current].append(ERRATA.get(name, name))
    return panels


def require_source() -> None:
    """The original report lives in ../shared, beside the repository: outside CI a clone on its
    own skips the tests that read it (saying why); in CI (CI=true) a missing copy fails them."""
    import os

    import pytest

    if SOURCE.is_file():
        return
    reason = f"the original report is not at {SOURCE} (../shared beside the repository)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def cases_from_source(values: list) -> list:
    """Parameters read from the original: without it one stand-in case, whose test calls
    require_source and so skips (or in CI fails) saying why, not "empty parameter set"."""
    return list(values) or [None]
