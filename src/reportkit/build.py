"""The build: prepare → render → print, each a named step; outputs published atomically."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from reportkit import progress
from reportkit.docx import write_docx
from reportkit.engines.embedded import render_html, write_assets
from reportkit.engines.quarto import render_with_quarto
from reportkit.errors import ReportError
from reportkit.output import publish, staging
from reportkit.pdf import write_pdf
from reportkit.prepare import prepare, write_generated
from reportkit.project import find_project

FORMATS = ("html", "pdf")  # the default
ALL_FORMATS = ("html", "pdf", "docx")  # what --to may ask for


def publication_epoch(prepared) -> int:
    """Midnight UTC on 1 January of the publication year: the date stamped into outputs."""
    return int(datetime(prepared.conference.year, 1, 1, tzinfo=UTC).timestamp())


@dataclass
class BuildResult:
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[ReportError] = field(default_factory=list)
    charts_built: int = 0
    charts_reused: int = 0


def prepare_project(root: Path) -> tuple[list[Path], list[ReportError]]:
    """Write the generated files (_generated/) for the project at root.

    Returns the files that changed and the warnings found on the way.
    """
    project = find_project(root)
    prepared = prepare(project)
    return write_generated(project, prepared), prepared.warnings


def render(root: Path, engine: str = "embedded", formats: tuple[str, ...] = FORMATS) -> BuildResult:
    """Render the project at root into its output folder; the last good output survives failure."""
    started = time.perf_counter()
    project = find_project(root)
    if engine == "quarto":
        render_with_quarto(project)
        outputs = [project.output_dir / f"report.{fmt}" for fmt in formats]
        return BuildResult([p for p in outputs if p.exists()], time.perf_counter() - started)
    progress.step("prepare: data, charts and generated files")
    prepared = prepare(project)
    write_generated(project, prepared)
    with staging(project.output_dir) as stage:
        if "html" in formats or "pdf" in formats:
            progress.step("html: pandoc")
            html = render_html(project, prepared, stage)
        if "pdf" in formats and project.settings.pdf:
            progress.step("pdf: page layout (WeasyPrint)")
            write_pdf(html, stage / "report.pdf", [project.root], publication_epoch(prepared))
        if "docx" in formats:
            progress.step("docx: pandoc")
            write_docx(project, prepared, stage / "report.docx")
        published = publish(stage, project.output_dir)
    outputs = [p for p in published if p.suffix in (".html", ".pdf", ".docx")]
    return BuildResult(
        outputs,
        time.perf_counter() - started,
        prepared.warnings,
        prepared.charts_built,
        prepared.charts_reused,
    )


def print_pdf(root: Path, html: Path | None = None) -> BuildResult:
    """Print an already rendered report.html to report.pdf (Quarto's post-render step)."""
    started = time.perf_counter()
    project = find_project(root)
    prepared = prepare(project)
    html = (html or project.output_dir / "report.html").resolve()
    if not html.is_file():
        raise ReportError(f"{html} does not exist", hint="render the HTML first")
    with staging(project.output_dir) as stage:
        stylesheets = []
        if "assets/print.css" not in html.read_text(encoding="utf-8"):
            # HTML from another renderer (Quarto's own template): bring reportkit's print look.
            running = project.settings.running_header or prepared.conference.short_title
            write_assets(project, stage, running, charts=False, brand=prepared.brand)
            names = ("fonts.css", "report.css", "brand.css", "print.css")
            stylesheets = [stage / "assets" / name for name in names]
        write_pdf(
            html,
            stage / "report.pdf",
            [project.root, stage],
            publication_epoch(prepared),
            stylesheets,
        )
        shutil.rmtree(stage / "assets", ignore_errors=True)  # print-only; Quarto has its own
        published = publish(stage, project.output_dir)
    return BuildResult(published, time.perf_counter() - started)
