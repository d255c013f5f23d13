"""Command line: parse arguments, call the pipeline, report errors once. Nothing else."""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from reportkit import __version__, progress
from reportkit.editions import mark_translated, select_editions
from reportkit.errors import ReportError
from reportkit.project import DEFAULT_FORMATS, OUTPUT_FORMATS, find_project

# Commands import what they use when they run: `check` never pays for WeasyPrint, and a
# render whose charts and data are cached never imports pandas or Altair.

stderr = Console(stderr=True, highlight=False, soft_wrap=True)
stdout = Console(highlight=False, soft_wrap=True)

PROJECT_DIR = click.argument(
    "project_dir", type=click.Path(file_okay=False, path_type=Path), default=".", required=False
)


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size / 1024:.0f} kB"


@contextmanager
def _progress(quiet: bool, verbose: bool):
    """Steps as a live status line; with --verbose every step and detail as a timed line."""
    if quiet:
        yield
        return
    started = time.perf_counter()
    if verbose:

        def listener(kind: str, message: str) -> None:
            indent = "" if kind == "step" else "  "
            stderr.print(f"[dim]{time.perf_counter() - started:6.1f} s[/] {indent}{message}")

        with progress.listening(listener):
            yield
        return
    from rich.live import Live
    from rich.spinner import Spinner

    # Refreshed on each news, not by a thread of its own: the render forks its printer's
    # workers, which is safe from a single-threaded process only.
    spinner = Spinner("dots", text="rendering …")
    with Live(spinner, console=stderr, auto_refresh=False, transient=True) as live:
        current = {"step": ""}

        def update(kind: str, message: str) -> None:
            if kind == "step":
                current["step"] = message
                spinner.update(text=message)
            else:
                spinner.update(text=f"{current['step']} · {message}")
            live.refresh()

        with progress.listening(update):
            yield


def _layout_summary(layout) -> None:
    """How the PDF's pages came about: a publications office asks why a page ends early, an
    editor why a render took its time."""
    if layout is None:
        return
    rounds = sum(layout.rounds.values())
    reused = f", {len(layout.reused)} of {len(layout.reused) + len(layout.laid_out)} pieces reused"
    if layout.reused and layout.laid_out:
        reused += f" (laid out: {', '.join(layout.laid_out)})"
    stdout.print(
        f"pdf: {layout.pages} pages, {layout.layouts} layouts "
        f"({rounds} round{'s' if rounds != 1 else ''} of mends){reused}"
    )


def _warn(warnings) -> None:
    for warning in warnings:
        stderr.print(f"[bold yellow]warning:[/] {escape(str(warning))}", markup=True)


class ReportkitGroup(click.Group):
    """Turns ReportErrors into one line on stderr and exit code 1 (traceback only with --debug)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ReportError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            stderr.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except (PermissionError, IsADirectoryError, NotADirectoryError) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            # The machine's, not reportkit's: say which file, as for any other problem.
            stderr.print(
                f"[bold red]error:[/] {exc.filename}: {(exc.strerror or str(exc)).lower()}",
                markup=True,
            )
            sys.exit(1)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            stderr.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {escape(str(exc))} "
                "(run 'reportkit --debug …' for the traceback)",
                markup=True,
            )
            sys.exit(2)


@click.group(cls=ReportkitGroup)
@click.version_option(__version__, prog_name="reportkit")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def app(ctx: click.Context, debug: bool) -> None:
    """Render conference reports kept as data plus Markdown to HTML and PDF."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@app.command()
@click.argument(
    "project_dirs", nargs=-1, type=click.Path(file_okay=False, path_type=Path), metavar="[DIR]..."
)
@click.option(
    "--engine",
    type=click.Choice(["embedded", "quarto"]),
    default="embedded",
    show_default=True,
    help="embedded: pandoc + WeasyPrint shipped with reportkit; quarto: a Quarto CLI on PATH.",
)
@click.option(
    "--to",
    "formats",
    type=click.Choice(OUTPUT_FORMATS),
    multiple=True,
    help="Output format(s): html, pdf, docx; default: html and pdf.",
)
@click.option(
    "--final",
    is_flag=True,
    help="The publication: refuse while `check --final` finds anything; no draft mark.",
)
@click.option(
    "--edition",
    default=None,
    help="A language edition (a tag of reportkit.editions, e.g. tr) into _output/TAG/, or all; "
    "default: the source edition.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--verbose", "-v", is_flag=True, help="Print every step and detail, timed.")
def render(
    project_dirs: tuple[Path, ...],
    engine: str,
    formats: tuple[str, ...],
    final: bool,
    edition: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Render the project to _output/report.html and report.pdf (or --to docx).

    Without --final the outputs are drafts, marked "Draft — <date>" on every page; a draft
    edition shows passages not yet translated in the source language, marked. Several
    project folders are rendered side by side, one process each (as many as the cores).
    """
    request = (engine, formats or DEFAULT_FORMATS, final, edition)
    if len(project_dirs) > 1:
        _render_many(project_dirs, request, quiet)
        return
    project_dir = project_dirs[0] if project_dirs else Path(".")
    with _progress(quiet, verbose):
        result = _render_one(project_dir, request)
    _warn(result.warnings)
    if quiet:
        return
    if result.up_to_date:
        stdout.print("up to date: nothing changed since the last render")
    if result.charts_built or result.charts_reused:
        stdout.print(f"charts: {result.charts_built} drawn, {result.charts_reused} unchanged")
    for path in result.outputs:
        stdout.print(f"wrote {path} ({_size(path)})")
    _layout_summary(result.layout)
    outputs = ", ".join(f"{p.name} {_size(p)}" for p in result.outputs)
    stdout.print(f"rendered in {result.seconds:.1f} s: {outputs}")


def _render_one(project_dir: Path, request: tuple):
    """One project: `check --final` first when the render is final, then the build."""
    from reportkit import build

    engine, formats, final, edition = request
    if final or find_project(project_dir).settings.final:
        from reportkit.check import check_project, format_problems

        problems = check_project(project_dir, edition)
        if problems:
            click.echo(format_problems(problems, "text"))
            raise ReportError(
                f"not ready to publish: {len(problems)} problem(s), listed above",
                hint="fix them, or render without --final for a draft",
            )
    return build.render(project_dir, engine=engine, formats=formats, final=final, edition=edition)


def _render_in_worker(project_dir: Path, request: tuple) -> tuple[str, str | None]:
    """A project rendered in its own process: its summary line, or its one-line error."""
    os.environ["REPORTKIT_WORKERS"] = "1"  # the projects share the cores, not each one
    try:
        result = _render_one(project_dir, request)
    except ReportError as error:
        return f"{project_dir}: error: {error}", str(error)
    except Exception as error:  # a crash in one project must not hide the others' results
        return f"{project_dir}: internal error: {type(error).__name__}: {error}", str(error)
    outputs = ", ".join(f"{p.name} {_size(p)}" for p in result.outputs)
    return f"{project_dir}: rendered in {result.seconds:.1f} s: {outputs}", None


def _render_many(project_dirs: tuple[Path, ...], request: tuple, quiet: bool) -> None:
    """Several projects in parallel (a publisher rebuilding every edition at once)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = min(len(project_dirs), os.cpu_count() or 1)
    context = multiprocessing.get_context("fork")
    failed = 0
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        jobs = [pool.submit(_render_in_worker, d, request) for d in project_dirs]
        for job in jobs:
            line, error = job.result()
            failed += error is not None
            if error is not None:
                stderr.print(escape(line))
            elif not quiet:
                stdout.print(escape(line))
    if failed:
        raise ReportError(f"{failed} of {len(project_dirs)} projects failed, listed above")


@app.command()
@PROJECT_DIR
@click.option("--port", type=int, default=0, help="Port on 127.0.0.1 (default: a free one).")
@click.option("--pdf", "with_pdf", is_flag=True, help="Also rebuild the PDF on every change.")
def preview(project_dir: Path, port: int, with_pdf: bool) -> None:
    """Render, serve on 127.0.0.1, rebuild on every change and reload the open page."""
    from reportkit import build
    from reportkit.preview import Preview

    formats = ("html", "pdf") if with_pdf else ("html",)

    def rebuild(root: Path) -> None:
        result = build.render(root, formats=formats)
        _warn(result.warnings)

    session = Preview(project_dir, rebuild, port=port, on_event=lambda m: stdout.print(m))
    try:
        session.watch()
        session.rebuild()
        session.serve()
        stdout.print(f"serving {session.url} (Ctrl-C to stop)")
        session.stop_event.wait()
    except KeyboardInterrupt:
        pass
    finally:
        session.stop()
        stdout.print("stopped")


@app.command()
@PROJECT_DIR
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--final",
    is_flag=True,
    help="Ready to publish? Every warning is an error (placeholders, TODOs, unverified data).",
)
@click.option("--format", "style", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--edition",
    default="all",
    show_default=True,
    help="Whose translation status to list: an edition's tag, or all.",
)
def check(project_dir: Path, strict: bool, final: bool, style: str, edition: str) -> None:
    """Validate config, data, charts, facts and content without rendering.

    Lists, per language edition, every content file or data string not yet translated or
    older than its source.
    """
    from reportkit.check import check_project, format_problems

    strict = strict or final
    problems = check_project(project_dir, edition)
    if problems or style == "json":
        click.echo(format_problems(problems, style))
    errors = [p for p in problems if p.severity == "error" or strict]
    if style == "text":
        warnings = len(problems) - len([p for p in problems if p.severity == "error"])
        summary = f"{len(problems) - warnings} error(s), {warnings} warning(s)"
        stderr.print(summary if problems else "no problems found")
    sys.exit(1 if errors else 0)


@app.command()
@click.argument("edition")
@click.argument("items", nargs=-1)
@click.option(
    "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path), default="."
)
def translated(edition: str, items: tuple[str, ...], project_dir: Path) -> None:
    """Record that EDITION's translations of ITEMS follow their current source.

    ITEMS are content files (content/background.qmd) or data strings
    (data/conference.yml:title); none: every item the edition has translated. The source's
    hash goes into translations/EDITION.yml, so a later change to the source shows the
    translation as outdated in `reportkit check`.
    """
    project = find_project(project_dir)
    (chosen,) = select_editions(project, edition)
    if chosen.source:
        raise ReportError(f"'{edition}' is the source edition: it has nothing to translate")
    done = mark_translated(project, chosen, list(items))
    stdout.print(f"recorded {len(done)} translation(s) as up to date in {chosen.translations}")


@app.command()
@PROJECT_DIR
def prepare(project_dir: Path) -> None:
    """Write the generated files (_generated/) from the project's data (Quarto pre-render)."""
    from reportkit import build

    written, warnings = build.prepare_project(project_dir, with_pngs=True)
    _warn(warnings)
    stdout.print(f"prepared {len(written)} changed file(s)")


@app.command()
@PROJECT_DIR
@click.option("--html", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None)
def pdf(project_dir: Path, html: Path | None) -> None:
    """Print the rendered HTML to report.pdf (Quarto post-render)."""
    from reportkit import build

    result = build.print_pdf(project_dir, html)
    for path in result.outputs:
        stdout.print(f"wrote {path} ({_size(path)})")
    _layout_summary(result.layout)


@app.command("post-render")
@PROJECT_DIR
def post_render(project_dir: Path) -> None:
    """Quarto's post-render step: PDF after HTML, reportkit's Word draft after Word."""
    from reportkit import build

    result = build.post_render(project_dir)
    for path in result.outputs:
        stdout.print(f"wrote {path} ({_size(path)})")
    _layout_summary(result.layout)


@app.command()
@click.argument("pdf_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The project the PDF claims to come from (default: the one above the PDF).",
)
@click.option("--rebuild", is_flag=True, help="Rebuild and compare even when manifest.json agrees.")
def verify(pdf_path: Path, project_dir: Path | None, rebuild: bool) -> None:
    """Say whether PDF_PATH was built from the project's current sources (exit 1 if not).

    Compares the inputs hash in the PDF's XMP with the project's sources now, names the files
    that changed since (from manifest.json), and checks the PDF's bytes, rebuilding if needed.
    """
    from reportkit.verify import verify as verify_pdf

    with _progress(quiet=False, verbose=False):
        verdict = verify_pdf(pdf_path, project_dir, rebuild)
    (stdout if verdict.built_from_sources else stderr).print(verdict.summary)
    for line in verdict.details:
        (stdout if verdict.built_from_sources else stderr).print(f"  {line}")
    sys.exit(0 if verdict.built_from_sources else 1)


@app.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Regional Conference Report", show_default=True)
@click.option("--city", default="City", show_default=True)
@click.option("--year", type=int, default=2026, show_default=True)
@click.option("--language", default="en-GB", show_default=True, help="BCP 47 tag, e.g. tr-TR")
@click.option(
    "--from",
    "previous",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Start the next edition from this project: settings, brand, data, charts and facts.",
)
def new(directory: Path, title: str, city: str, year: int, language: str, previous) -> None:
    """Create a report project in DIRECTORY (which must be new or empty)."""
    from reportkit import scaffold

    values = scaffold.NewProject(title, city, year, language)
    if previous:
        scaffold.create_next_edition(directory, previous, values)
    else:
        scaffold.create_project(directory, values)
    stdout.print(
        f"created {directory}: edit data/ and content/, then 'reportkit render {directory}'"
    )


@app.command()
@click.argument("reviewed", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@PROJECT_DIR
@click.option(
    "--apply",
    "apply_changes",
    is_flag=True,
    help="Write tracked insertions and deletions into the source files (never generated parts).",
)
@click.option(
    "--comments-csv",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the comments as CSV: file, line, author, date, text, quoted text.",
)
def review(reviewed: Path, project_dir: Path, apply_changes: bool, comments_csv) -> None:
    """List the comments and tracked changes of a reviewed Word draft at their source lines.

    REVIEWED is a draft made by 'reportkit render --to docx' and edited in Word with tracked
    changes and comments. With --apply, changes that lie within one paragraph of one source
    file are written to it; nothing is written when a source changed since the draft was made.
    """
    from reportkit import review as review_module

    result = review_module.review_draft(reviewed, project_dir, apply=apply_changes)
    for path in result.changed_sources:
        _warn([f"{path} changed since the draft was made: its line numbers may have moved"])
    for entry in result.entries:
        click.echo(str(entry))
    if comments_csv:
        count = review_module.write_comments_csv(result.entries, comments_csv)
        stderr.print(f"wrote {count} comment(s) to {comments_csv}")
    comments = sum(1 for e in result.entries if e.kind == "comment")
    changes = len(result.entries) - comments
    if apply_changes:
        files = ", ".join(result.written) or "no file"
        stderr.print(
            f"applied {len(result.applied)} of {changes} change(s) to {files}; "
            f"{changes - len(result.applied)} change(s) and {comments} comment(s) left to do"
        )
    else:
        stderr.print(f"{changes} change(s), {comments} comment(s)")


@app.command("import")
@click.argument("document", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@PROJECT_DIR
@click.option("--session", "session_id", required=True, help="The session's id in programme.yml.")
@click.option("--force", is_flag=True, help="Replace the session's text if it has some.")
def import_command(document: Path, project_dir: Path, session_id: str, force: bool) -> None:
    """Turn a rapporteur's notes (.docx or .odt) into the text of a session.

    Paragraphs, lists, emphasis, footnotes, tables and images (saved under
    images/sessions/ID/) are kept; Word's styling and the headings are dropped.
    """
    from reportkit.import_notes import import_notes

    result = import_notes(document, session_id, project_dir, force=force)
    for heading in result.dropped_headings:
        _warn([f"dropped heading '{heading}' (session headings come from the programme)"])
    for image in result.images_without_alt:
        _warn([f"{image} has no alt text: describe it in the brackets of its image link"])
    stdout.print(
        f"wrote {result.display}: {result.blocks} block(s), {result.tables} table(s), "
        f"{result.notes} footnote(s), {len(result.images)} image(s)"
        + (f" in images/sessions/{session_id}/" if result.images else "")
    )


def use_terminal() -> None:
    """The consoles made again for this process's stdout and stderr (a command forked from a
    warm process, warm.py, is given its caller's: colour and width are the terminal's)."""
    global stderr, stdout
    stderr = Console(stderr=True, highlight=False, soft_wrap=True)
    stdout = Console(highlight=False, soft_wrap=True)


def run(argv: list[str] | None = None) -> int:
    """The command in `argv` run: its exit status, its output flushed."""
    code = 0
    try:
        app(args=argv, prog_name="reportkit")
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
        if isinstance(exit.code, str):
            stderr.print(exit.code)
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def main() -> None:
    """Run here, without a warm process (the console script is warm.main). It ends the
    process without the interpreter's final garbage collection over everything a render
    imported and built (a second or more), once the output is flushed: nothing is left to
    clean up by then."""
    os._exit(run())
