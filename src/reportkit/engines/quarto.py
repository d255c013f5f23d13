"""The quarto engine: hand the project to a real Quarto CLI where one is installed.

_quarto.yml declares `reportkit prepare` as pre-render and `reportkit post-render` as
post-render, so `quarto render` alone produces the same _output/report.html and report.pdf.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from reportkit.errors import ReportError
from reportkit.project import FINAL_ENV, Project

PROJECT_INSTALL = Path(".tools") / "quarto" / "bin" / "quarto"  # where `make quarto` puts it


def quarto_binary(project: Project) -> str:
    path = shutil.which("quarto") or next(
        (str(p) for p in [project.root / PROJECT_INSTALL] if p.is_file()), None
    )
    if not path:
        raise ReportError(
            "--engine quarto needs the Quarto CLI, and 'quarto' is not on PATH",
            hint="install Quarto (quarto.org, or `make quarto` beside the shared kit), "
            "or drop --engine to use the embedded engine",
        )
    return path


def render_with_quarto(project: Project, formats: tuple[str, ...] = ()) -> None:
    """Run `quarto render` in the project; its own output reaches the terminal.

    This interpreter's folder goes first on PATH, so Quarto's pre- and post-render steps run
    the same reportkit.
    """
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }
    if project.settings.final:
        env[FINAL_ENV] = "1"  # Quarto's pre- and post-render steps render the final report
    args = [quarto_binary(project), "render", str(project.root)]
    if "docx" in formats:
        args += ["--to", "docx"]
    proc = subprocess.run(args, check=False, env=env, cwd=project.root)
    if proc.returncode != 0:
        raise ReportError(f"quarto render failed with exit code {proc.returncode}")
