"""The project's walls: every path a project names must lead to a file inside the project.

Content is untrusted (reports are assembled from files many people send in), so a path in
content, configuration or data never makes reportkit read, copy or run anything outside the
project — not through `..`, an absolute path, or a symbolic link. Paths are checked after
symbolic links are followed; the installed package's own resources are reportkit's, not the
project's, and are used by reportkit itself only.
"""

from __future__ import annotations

import os
from pathlib import Path

from reportkit.errors import Location, ReportError

# Folders that are not the report's sources: never offered as resources of the content.
NOT_SOURCES = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".tools",
    ".quarto",
    ".reportkit",
    "_output",
}


def outside(shown: str, what: str, where: Location | None) -> ReportError:
    return ReportError(
        f"{what} '{shown}' is outside the project",
        where,
        "reportkit reads nothing outside the project: copy the file into it and use a "
        "path relative to the project",
    )


def confined(root: Path, path: Path, shown: str, what: str, where: Location | None) -> Path:
    """path with symbolic links followed, if it lies inside root; else a ReportError naming
    where it was given."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as error:  # a loop of symbolic links
        raise ReportError(f"{what} '{shown}' cannot be followed: {error}", where) from None
    if not resolved.is_relative_to(root.resolve()):
        raise outside(shown, what, where)
    return resolved


def project_path(root: Path, name: str, what: str, where: Location | None) -> Path:
    """A path as a project file names it (relative to the project root), confined."""
    if not name or Path(name).is_absolute() or name.startswith("~"):
        raise outside(name, what, where)
    return confined(root, root / name, name, what, where)


def readable_files(root: Path) -> list[str]:
    """Project-relative paths (with /) of the regular files a document may show: inside the
    project after links are followed, outside build, cache and tool folders."""
    root = root.resolve()
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d for d in dirs if d not in NOT_SOURCES and not d.startswith(".reportkit-")
        )
        base = Path(folder)
        for name in sorted(files):
            path = base / name
            try:
                resolved = path.resolve()
            except (OSError, RuntimeError):
                continue
            if resolved.is_relative_to(root) and resolved.is_file():
                found.append(path.relative_to(root).as_posix())
    return found
