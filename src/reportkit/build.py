"""The build: prepare → render → print, each a named step; outputs published atomically."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from reportkit import progress
from reportkit.editions import edition_project, select_editions
from reportkit.errors import ReportError
from reportkit.output import publish, render_lock, staging
from reportkit.project import DEFAULT_FORMATS, OUTPUT_FORMATS, Project, find_project
from reportkit.uptodate import changed_files, read_inputs, remember, up_to_date

# The pipeline's modules are imported by the steps that run: a render with nothing to do
# imports none of pandoc's, WeasyPrint's or the data's libraries.
FORMATS = DEFAULT_FORMATS
ALL_FORMATS = OUTPUT_FORMATS


def publication_epoch(prepared) -> int:
    """Midnight UTC on 1 January of the publication year: the date stamped into outputs."""
    return int(datetime(prepared.conference.year, 1, 1, tzinfo=UTC).timestamp())


def build_inputs(project: Project, prepared, engine: str):
    """The manifest's inputs: the project's files, tool versions, and the options that shape
    the bytes (a draft's date among them)."""
    from reportkit.brand import project_brand_file
    from reportkit.engines.embedded import draft_mark
    from reportkit.manifest import collect_inputs

    options = {
        "engine": engine,
        "final": project.settings.final,
        "draft-mark": draft_mark(project, prepared),
        "pdf": project.settings.pdf,
        "pdf-archive": project.archive_pdf,
    }
    brand_file = project_brand_file(project.root, project.settings.brand)
    return collect_inputs(project, prepared.brand, brand_file, options)


def print_to(
    project: Project,
    prepared,
    html: Path,
    target: Path,
    inputs,
    text=None,
    pool=None,
    meanwhile=None,
):
    """report.pdf: PDF/UA-1, and PDF/A-3b with the data attached when the project archives."""
    from reportkit.pdf import write_pdf

    archive = project.archive_pdf
    if archive:  # the data package's reader (pandas, frictionless) only for the archive
        from reportkit.archive import archive_attachments
    return write_pdf(
        html,
        target,
        [project.root],
        publication_epoch(prepared),
        html_text=text,
        archive=archive,
        attachments=archive_attachments(project) if archive else (),
        inputs_hash=inputs.hash,
        cache_root=project.root,
        pool=pool,
        meanwhile=meanwhile,
    )


@dataclass
class BuildResult:
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[ReportError] = field(default_factory=list)
    charts_built: int = 0
    charts_reused: int = 0
    layout: object | None = None  # pdf.PrintResult: how the PDF's pages came about
    up_to_date: bool = False  # nothing changed since the last render: nothing was done


def prepare_project(root: Path, with_pngs: bool = False) -> tuple[list[Path], list[ReportError]]:
    """Write the generated files (_generated/) for the project at root.

    with_pngs also draws each chart's PNG (cached), which Quarto's Word output shows.
    Returns the files that changed and the warnings found on the way.
    """
    from reportkit.engines.embedded import vet_content
    from reportkit.prepare import prepare, write_chart_pngs, write_generated

    project = find_project(root)
    with render_lock(project.root):
        prepared = prepare(project)
        written = write_generated(project, prepared)
        # Quarto renders the content itself after this step: stop it here if the content
        # reaches outside the project or carries script (the embedded engine refuses both).
        problems: list[ReportError] = []
        vet_content(project, prepared, problems)
        if problems:
            raise problems[0]
        if with_pngs:
            written += write_chart_pngs(project, prepared)
    return written, prepared.warnings


def render(
    root: Path,
    engine: str = "embedded",
    formats: tuple[str, ...] = FORMATS,
    final: bool = False,
    edition: str | None = None,
    pool=None,
) -> BuildResult:
    """Render the project at root into its output folder; the last good output survives failure.

    final renders the publication (no draft mark); the gate before it is the caller's
    (`reportkit render --final` runs `check --final` first). edition names the language
    edition to render (reportkit.editions): None the source edition, "all" every one. pool:
    the printer's workers (workers.start_print_pool), when the caller started them already.
    """
    started = time.perf_counter()
    project = find_project(root)
    if final:
        project.settings = replace(project.settings, final=True)
    chosen = select_editions(project, edition)
    if engine == "quarto":
        if len(chosen) > 1 or not chosen[0].source:
            raise ReportError(
                "Quarto renders the source edition only",
                hint="render the other editions with the embedded engine (no --engine)",
            )
        # Quarto's own pre- and post-render steps take the project's lock in turn.
        from reportkit.engines.quarto import render_with_quarto

        render_with_quarto(project, formats)
        outputs = [project.output_dir / f"report.{fmt}" for fmt in formats]
        return BuildResult([p for p in outputs if p.exists()], time.perf_counter() - started)
    with render_lock(project.root):
        results = []
        for each in chosen:
            with edition_project(project, each, draft=not project.settings.final) as variant:
                results.append(_render_embedded(variant, formats, started, pool))
    return combined(results, time.perf_counter() - started)


def combined(results: list[BuildResult], seconds: float) -> BuildResult:
    """One result for the editions rendered (the last one's page layout)."""
    if len(results) == 1:
        return results[0]
    total = BuildResult(seconds=seconds, layout=results[-1].layout)
    for result in results:
        total.outputs += result.outputs
        total.warnings += result.warnings
        total.charts_built += result.charts_built
        total.charts_reused += result.charts_reused
    return total


def _render_embedded(project, formats: tuple[str, ...], started: float, pool=None) -> BuildResult:
    request = {"formats": sorted(formats), "final": project.settings.final}
    input_files = read_inputs(project.root, request)
    unchanged = up_to_date(project.root, request, input_files)
    if unchanged is not None:
        outputs, warnings = unchanged
        reports = [p for p in outputs if p.suffix in (".html", ".pdf", ".docx")]
        return BuildResult(reports, time.perf_counter() - started, warnings, up_to_date=True)
    from reportkit.workers import start_helper, start_print_pool

    changed = changed_files(project.root, input_files)
    # Forked first (the printer's pool runs a thread, after which forking is unsafe): a
    # helper to draw the charts, when the data may have changed.
    helper = None
    if ("html" in formats or "pdf" in formats) and statistics_may_change(changed):
        helper = start_helper()
    # The printer's workers start now: they import WeasyPrint while the report is prepared.
    printing = "pdf" in formats and project.settings.pdf
    own_pool = None
    try:
        if printing and pool is None:
            own_pool = start_print_pool(printers_needed(changed))
        return _prepare_and_render(
            project, formats, started, request, pool or own_pool, helper, input_files
        )
    finally:
        if own_pool is not None:
            own_pool.close()
        if helper is not None:
            helper.close()


SMALL_EDITS = (".qmd", ".md", ".csv")  # a text, a data table
TEXTS = (".qmd", ".md")


def statistics_may_change(changed: list[str] | None) -> bool:
    """Whether the statistics step may have to run (charts to draw): not after edits to the
    texts alone, which it does not read."""
    return changed is None or not all(name.endswith(TEXTS) for name in changed)


def printers_needed(changed: list[str] | None) -> int:
    """Workers for the PDF: one after an edit to one text or data table (it changes a part
    or two, and a chart, done one after the other: a second worker importing WeasyPrint
    would only slow pandoc and the statistics down), else two (every piece may change)."""
    if changed is not None and len(changed) == 1 and changed[0].endswith(SMALL_EDITS):
        return 1
    return 2


def _prepare_and_render(
    project, formats, started: float, request: dict, pool, helper, input_files=None
) -> BuildResult:
    from reportkit.engines.embedded import HtmlConversion
    from reportkit.prepare import prepare, write_generated
    from reportkit.statistics import validate_statistics

    progress.step("prepare: data, charts and generated files")
    # The charts are drawn by the helper while pandoc converts the text: the conversion
    # waits for both.
    prepared = prepare(project, helper)
    write_generated(project, prepared)
    layout = None
    with staging(project.output_dir) as stage:
        conversion = None
        if "html" in formats or "pdf" in formats:
            progress.step("html: pandoc")
            conversion = HtmlConversion(project, prepared, stage)
        try:
            inputs = build_inputs(project, prepared, "embedded")  # while pandoc converts
        except BaseException:
            if conversion is not None:
                conversion.close()
            raise
        if conversion is not None:
            html = conversion.finish()
        if "pdf" in formats and project.settings.pdf:
            progress.step("pdf: page layout (WeasyPrint)")
            # The data package is validated while the workers lay the pages out.
            layout = print_to(
                project,
                prepared,
                html,
                stage / "report.pdf",
                inputs,
                pool=pool,
                meanwhile=lambda: validate_statistics(prepared),
            )
        if "docx" in formats:
            progress.step("docx: pandoc")
            from reportkit.docx import write_docx

            write_docx(project, prepared, stage / "report.docx")
        validate_statistics(prepared)  # if no PDF was laid out meanwhile
        from reportkit.manifest import MANIFEST, write_manifest

        write_manifest(stage / MANIFEST, inputs, [stage])
        published = publish(stage, project.output_dir)
    remember(project.root, request, published, prepared.warnings, input_files)
    outputs = [p for p in published if p.suffix in (".html", ".pdf", ".docx")]
    return BuildResult(
        outputs,
        time.perf_counter() - started,
        prepared.warnings,
        prepared.charts_built,
        prepared.charts_reused,
        layout,
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
    from reportkit.prepare import prepare

    result = BuildResult()
    project = find_project(root)
    with render_lock(project.root):
        if any(name.endswith(".html") for name in names):
            printed = print_pdf(root)
            result.outputs += printed.outputs
            result.layout = printed.layout
        if any(name.endswith(".docx") for name in names):
            prepared = prepare(project)
            with staging(project.output_dir) as stage:
                from reportkit.docx import write_docx

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
    with render_lock(project.root):
        return _print_pdf(project, html, started)


def _print_pdf(project, html: Path | None, started: float) -> BuildResult:
    from reportkit.engines.embedded import draft_mark, logo_asset, write_assets
    from reportkit.prepare import prepare

    prepared = prepare(project)
    html = (html or project.output_dir / "report.html").resolve()
    if not html.is_file():
        raise ReportError(f"{html} does not exist", hint="render the HTML first")
    text = html.read_text(encoding="utf-8")
    published: list[Path] = []
    print_text = None
    layout = None
    from reportkit.quarto_html import (
        is_quarto_html,
        print_document,
        stable_ids,
        with_screen_assets,
    )

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
                with_screen_assets(
                    stable_ids(text), bool(prepared.charts), draft, logo_asset(prepared.brand)
                ),
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
            layout = print_to(project, prepared, html, stage / "report.pdf", inputs, print_text)
        from reportkit.manifest import MANIFEST, write_manifest

        write_manifest(stage / MANIFEST, inputs, [html.parent, stage])
        published += publish(stage, html.parent)
    result = BuildResult(published, time.perf_counter() - started)
    result.layout = layout
    return result


# Quarto's page keeps its chrome; the cover already shows the title Quarto's title block repeats.
QUARTO_SCREEN_CSS = """/* reportkit on Quarto's page */
body:has(.cover) #title-block-header { display: none; }
"""
