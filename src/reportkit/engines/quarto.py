"""The quarto engine: hand the project to a real Quarto CLI where one is installed.

_quarto.yml declares `reportkit prepare` as pre-render and `reportkit pdf` as post-render,
so `quarto render` alone produces the same _output/report.html and report.pdf.
"""

from __future__ import annotations

import shutil
import subprocess

from reportkit.errors import ReportError
from reportkit.project import Project


def quarto_binary() -> str:
    path = shutil.which("quarto")
    if not path:
        raise ReportError(
            "--engine quarto needs the Quarto CLI, and 'quarto' is not on PATH",
            hint="install Quarto from quarto.org, or drop --engine to use the embedded engine",
        )
    return path


def render_with_quarto(project: Project) -> None:
    """Run `quarto render` in the project; its own output reaches the terminal."""
    proc = subprocess.run([quarto_binary(), "render", str(project.root)], check=False)
    if proc.returncode != 0:
        raise ReportError(f"quarto render failed with exit code {proc.returncode}")
