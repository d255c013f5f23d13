"""Command line: parse arguments, call the pipeline, report errors once. Nothing else."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from reportkit import __version__, build, scaffold
from reportkit.check import check_project, format_problems
from reportkit.errors import ReportError

stderr = Console(stderr=True, highlight=False, soft_wrap=True)
stdout = Console(highlight=False, soft_wrap=True)

PROJECT_DIR = click.argument(
    "project_dir", type=click.Path(file_okay=False, path_type=Path), default=".", required=False
)


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size / 1024:.0f} kB"


def _warn(warnings) -> None:
    for warning in warnings:
        stderr.print(f"[bold yellow]warning:[/] {warning}", markup=True)


class ReportkitGroup(click.Group):
    """Turns ReportErrors into one line on stderr and exit code 1 (traceback only with --debug)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ReportError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            stderr.print(f"[bold red]error:[/] {exc}", markup=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            stderr.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {exc} "
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
@PROJECT_DIR
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
    type=click.Choice(build.FORMATS),
    multiple=True,
    help="Output format(s); default: html and pdf.",
)
def render(project_dir: Path, engine: str, formats: tuple[str, ...]) -> None:
    """Render the project to _output/report.html and _output/report.pdf."""
    result = build.render(project_dir, engine=engine, formats=formats or build.FORMATS)
    _warn(result.warnings)
    if result.charts_built or result.charts_reused:
        stdout.print(f"charts: {result.charts_built} drawn, {result.charts_reused} unchanged")
    for path in result.outputs:
        stdout.print(f"wrote {path} ({_size(path)})")
    stdout.print(f"rendered in {result.seconds:.1f} s")


@app.command()
@PROJECT_DIR
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "style", type=click.Choice(["text", "json"]), default="text")
def check(project_dir: Path, strict: bool, style: str) -> None:
    """Validate config, data, charts, facts and content without rendering."""
    problems = check_project(project_dir)
    if problems or style == "json":
        click.echo(format_problems(problems, style))
    errors = [p for p in problems if p.severity == "error" or strict]
    if style == "text":
        warnings = len(problems) - len([p for p in problems if p.severity == "error"])
        summary = f"{len(problems) - warnings} error(s), {warnings} warning(s)"
        stderr.print(summary if problems else "no problems found")
    sys.exit(1 if errors else 0)


@app.command()
@PROJECT_DIR
def prepare(project_dir: Path) -> None:
    """Write the generated files (_generated/) from the project's data (Quarto pre-render)."""
    written, warnings = build.prepare_project(project_dir)
    _warn(warnings)
    stdout.print(f"prepared {len(written)} changed file(s)")


@app.command()
@PROJECT_DIR
@click.option("--html", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None)
def pdf(project_dir: Path, html: Path | None) -> None:
    """Print the rendered HTML to report.pdf (Quarto post-render)."""
    result = build.print_pdf(project_dir, html)
    for path in result.outputs:
        stdout.print(f"wrote {path} ({_size(path)})")


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
    values = scaffold.NewProject(title, city, year, language)
    if previous:
        scaffold.create_next_edition(directory, previous, values)
    else:
        scaffold.create_project(directory, values)
    stdout.print(
        f"created {directory}: edit data/ and content/, then 'reportkit render {directory}'"
    )


def main() -> None:
    app(prog_name="reportkit")
