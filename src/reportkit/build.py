"""The build: prepare → render → print, each a named step; outputs published atomically."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from reportkit import progress
from reportkit.archive import archive_attachments
from reportkit.brand import project_brand_file
from reportkit.docx import write_docx
from reportkit.engines.embedded import draft_mark, logo_asset, render_html, write_assets
from reportkit.engines.quarto import render_with_quarto
from reportkit.errors import ReportError
from reportkit.manifest import MANIFEST, Inputs, collect_inputs, write_manifest
from reportkit.output import publish, staging
from reportkit.pdf import write_pdf
from reportkit.prepare import prepare, write_chart_pngs, write_generated
from reportkit.project import Project, find_project
from reportkit.quarto_html import is_quarto_html, print_document, stable_ids, with_screen_assets

FORMATS = ("html", "pdf")  # the default
ALL_FORMATS = ("html", "pdf", "docx")  # what --to may ask for


def publication_epoch(prepared) -> int:
    """Midnight UTC on 1 January of the publication year: the date stamped into outputs."""
    return int(datetime(prepared.conference.year, 1, 1, tzinfo=UTC).timestamp())


def build_inputs(project: Project, prepared, engine: str) -> Inputs:
    """The manifest's inputs: the project's files, tool versions, and the options that shape
    the bytes (a draft's date among them)."""
    options = {
        "engine": engine,
        "final": project.settings.final,
        "draft-mark": draft_mark(project, prepared),
        "pdf": project.settings.pdf,
        "pdf-archive": project.archive_pdf,
    }
    brand_file = project_brand_file(project.root, project.settings.brand)
    return collect_inputs(project, prepared.brand, brand_file, options)


def print_to(project: Project, prepared, html: Path, target: Path, inputs: Inputs, text=None):
    """report.pdf: PDF/UA-1, and PDF/A-3b with the data attached when the project archives."""
    archive = project.archive_pdf
    write_pdf(
        html,
        target,
        [project.root],
        publication_epoch(prepared),
        html_text=text,
        archive=archive,
        attachments=archive_attachments(project) if archive else (),
        inputs_hash=inputs.hash,
    )


@dataclass
class BuildResult:
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[ReportError] = field(default_factory=list)
    charts_built: int = 0
    charts_reused: int = 0


def prepare_project(root: Path, with_pngs: bool = False) -> tuple[list[Path], list[ReportError]]:
    """Write the generated files (_generated/) for the project at root.

    with_pngs also draws each chart's PNG (cached), which Quarto's Word output shows.
    Returns the files that changed and the warnings found on the way.
    """
    project = find_project(root)
    prepared = prepare(project)
    written = write_generated(project, prepared)
    if with_pngs:
        written += write_chart_pngs(project, prepared)
    return written, prepared.warnings


def render(
    root: Path, engine: str = "embedded", formats: tuple[str, ...] = FORMATS, final: bool = False
) -> BuildResult:
    """Render the project at root into its output folder; the last good output survives failure.

    final renders the publication (no draft mark); the gate before it is the caller's
    (`reportkit render --final` runs `check --final` first).
    """
    started = time.perf_counter()
    project = find_project(root)
    if final:
        project.settings = replace(project.settings, final=True)
    if engine == "quarto":
        render_with_quarto(project, formats)
        outputs = [project.output_dir / f"report.{fmt}" for fmt in formats]
        return BuildResult([p for p in outputs if p.exists()], time.perf_counter() - started)
    progress.step("prepare: data, charts and generated files")
    prepared = prepare(project)
    write_generated(project, prepared)
    inputs = build_inputs(project, prepared, engine)
    with staging(project.output_dir) as stage:
        if "html" in formats or "pdf" in formats:
            progress.step("html: pandoc")
            html = render_html(project, prepared, stage)
        if "pdf" in formats and project.settings.pdf:
            progress.step("pdf: page layout (WeasyPrint)")
            print_to(project, prepared, html, stage / "report.pdf", inputs)
        if "docx" in formats:
            progress.step("docx: pandoc")
            write_docx(project, prepared, stage / "report.docx")
        write_manifest(stage / MANIFEST, inputs, [stage])
        published = publish(stage, project.output_dir)
    outputs = [p for p in published if p.suffix in (".html", ".pdf", ".docx")]
    return BuildResult(
        outputs,
        time.perf_counter() - started,
        prepared.warnings,
        prepared.charts_built,
        prepared.charts_reused,
    )


# As report.html links them (print.css there for print media only).
PRINT_STYLESHEETS = tuple(
    f"assets/{name}.css" for name in ("fonts", "components", "report", "brand", "print")
)


def post_render(root: Path) -> BuildResult:
    """Quarto's post-render step, for the formats Quarto just rendered.

    HTML: finished and printed to report.pdf (print_pdf). Word: replaced by reportkit's own
    Word draft, which needs the brand's reference document, PNG charts and the contents
    behind the cover, exactly as `reportkit render --to docx` makes it.
    """
    started = time.perf_counter()
    outputs = os.environ.get("QUARTO_PROJECT_OUTPUT_FILES")
    names = outputs.splitlines() if outputs is not None else ["report.html"]
    result = BuildResult()
    if any(name.endswith(".html") for name in names):
        result.outputs += print_pdf(root).outputs
    if any(name.endswith(".docx") for name in names):
        project = find_project(root)
        prepared = prepare(project)
        with staging(project.output_dir) as stage:
            write_docx(project, prepared, stage / "report.docx")
            result.outputs += publish(stage, project.output_dir)
    result.seconds = time.perf_counter() - started
    return result


def print_pdf(root: Path, html: Path | None = None) -> BuildResult:
    """Finish report.html (Quarto's or reportkit's) and print it to report.pdf.

    Quarto's HTML gains reportkit's fonts, brand and chart scripts; for print its content is
    lifted into reportkit's print DOM, so both engines give one PDF.
    """
    started = time.perf_counter()
    project = find_project(root)
    prepared = prepare(project)
    html = (html or project.output_dir / "report.html").resolve()
    if not html.is_file():
        raise ReportError(f"{html} does not exist", hint="render the HTML first")
    text = html.read_text(encoding="utf-8")
    published: list[Path] = []
    print_text = None
    if is_quarto_html(text):
        settings = project.settings
        with staging(html.parent) as stage:
            running = settings.running_header or prepared.conference.short_title
            draft = draft_mark(project, prepared)
            write_assets(
                project, stage, running, bool(prepared.charts), prepared.brand, draft, text
            )
            (stage / "assets" / "quarto.css").write_text(QUARTO_SCREEN_CSS, encoding="utf-8")
            (stage / html.name).write_text(
                with_screen_assets(stable_ids(text), bool(prepared.charts), draft),
                encoding="utf-8",
            )
            published += publish(stage, html.parent)
        print_text = print_document(
            text,
            list(PRINT_STYLESHEETS),
            logo=logo_asset(prepared.brand),
            toc_title=settings.toc_title,
            body_class=f"toc-{settings.toc_location} cover-{settings.cover_layout}",
            draft=draft,
        )
    inputs = build_inputs(project, prepared, "quarto" if print_text else "embedded")
    with staging(html.parent) as stage:
        if project.settings.pdf:
            print_to(project, prepared, html, stage / "report.pdf", inputs, print_text)
        write_manifest(stage / MANIFEST, inputs, [html.parent, stage])
        published += publish(stage, html.parent)
    return BuildResult(published, time.perf_counter() - started)


# Quarto's page keeps its chrome; the cover already shows the title Quarto's title block repeats.
QUARTO_SCREEN_CSS = """/* reportkit on Quarto's page */
body:has(.cover) #title-block-header { display: none; }
"""
