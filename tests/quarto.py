"""Finding a real Quarto CLI for the tests, and running it as an organiser would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALLED = ROOT / ".tools" / "quarto" / "bin" / "quarto"  # where .ci/run installs it


def quarto_path() -> str | None:
    for candidate in (os.environ.get("REPORTKIT_QUARTO"), str(INSTALLED), shutil.which("quarto")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def require_quarto() -> str:
    """The Quarto CLI, or a skip outside CI; in CI a missing Quarto fails the test."""
    path = quarto_path()
    if path:
        return path
    reason = (
        "real Quarto is not installed: run ../shared/tools/quarto/install.sh .tools/quarto "
        "(CI does) or set REPORTKIT_QUARTO"
    )
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def quarto_env(quarto: str) -> dict[str, str]:
    """PATH with Quarto and this interpreter's `reportkit` (its pre- and post-render steps)."""
    path = os.pathsep.join(
        [str(Path(quarto).parent), str(Path(sys.executable).parent), os.environ["PATH"]]
    )
    return {**os.environ, "PATH": path}


def run_quarto(quarto: str, root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [quarto, "render", str(root), *args],
        capture_output=True,
        text=True,
        env=quarto_env(quarto),
        cwd=root,
        check=False,
        timeout=900,
    )
