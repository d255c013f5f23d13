"""`reportkit new`: a complete project from the packaged template, or from last edition's."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from reportkit.brand import BUILTIN_BRANDS, builtin_brand_dir
from reportkit.errors import ReportError
from reportkit.project import Project, Settings, find_project
from reportkit.schemas import wire_project

PLACEHOLDER_SUFFIXES = {".qmd", ".yml", ".yaml", ".md", ".csv"}
# What the next edition inherits from the last one (with the organisations registry and the
# glossary, wherever _quarto.yml puts them); content, people and programme start afresh.
CARRIED_OVER = (
    "_quarto.yml",
    "_brand.yml",
    "brands",
    "data/stats",
    "data/charts.yml",
    "data/facts.yml",
)


@dataclass(frozen=True)
class NewProject:
    title: str = "Regional Conference Report"
    city: str = "City"
    year: int = 2026
    language: str = "en-GB"

    def fill(self, text: str) -> str:
        return (
            text.replace("__TITLE__", self.title)
            .replace("__CITY__", self.city)
            .replace("__YEAR__", str(self.year))
            .replace("__LANGUAGE__", self.language)
        )


def template_dir() -> Path:
    return Path(str(resources.files("reportkit").joinpath("templates", "project")))


def _check_target(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ReportError(
            f"{target} is not empty",
            hint="reportkit new never overwrites: choose a new or empty directory",
        )


def _copy_template(target: Path, values: NewProject, skip: tuple[str, ...] = ()) -> None:
    source = template_dir()
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_dir() or any(str(relative).startswith(s) for s in skip):
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix in PLACEHOLDER_SUFFIXES:
            destination.write_text(values.fill(path.read_text(encoding="utf-8")), "utf-8")
        else:
            shutil.copyfile(path, destination)


def quarto_extension_dir() -> Path:
    """reportkit's Quarto extension, which resolves {{< reportkit … >}} shortcodes for Quarto."""
    return Path(str(resources.files("reportkit").joinpath("quarto", "_extensions", "reportkit")))


# What a project keeps out of version control: everything reportkit or Quarto regenerate.
# .reportkit/schemas/ stays: the data files' editors read it.
PROJECT_GITIGNORE = """_output/
_generated/
/_variables.yml
.reportkit/cache/
.reportkit-staging-*
/.quarto/
"""


def write_gitignore(target: Path) -> None:
    path = target / ".gitignore"
    if not path.exists():
        path.write_text(PROJECT_GITIGNORE, encoding="utf-8")


def install_quarto_extension(target: Path) -> None:
    destination = target / "_extensions" / "reportkit"
    shutil.copytree(quarto_extension_dir(), destination, dirs_exist_ok=True)


def _copy_brands(target: Path) -> None:
    for name in BUILTIN_BRANDS:
        shutil.copytree(builtin_brand_dir(name), target / "brands" / name)


def create_project(target: Path, values: NewProject) -> Path:
    """A new project at target from reportkit's template, ready to render."""
    _check_target(target)
    target.mkdir(parents=True, exist_ok=True)
    _copy_template(target, values)
    _copy_brands(target)
    install_quarto_extension(target)
    write_gitignore(target)
    wire_project(target, Settings())
    return target


# A data package carried over is the new project's own, edited by hand from now on.
DATA_PACKAGE_HEADER = (
    "# The report's statistics: one resource per CSV, with its columns, keys, units and "
    "sources.\n# Edit it by hand as the data change; 'reportkit check' validates it.\n"
)


def own_data_package(path: Path) -> None:
    """Replace the comment heading a carried-over datapackage.yaml (e.g. 'built by a tool of
    the last edition') with one that fits a project of its own."""
    if not path.is_file():
        return
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    path.write_text(DATA_PACKAGE_HEADER + "".join(lines[start:]), encoding="utf-8")


def statistics_chapter(charts_file: Path, facts_file: Path) -> str:
    """Placeholder chapter that places every carried-over chart and quotes every fact."""
    charts = (
        (yaml.safe_load(charts_file.read_text("utf-8")) or {}).get("charts", [])
        if charts_file.is_file()
        else []
    )
    facts = (
        (yaml.safe_load(facts_file.read_text("utf-8")) or {}).get("facts", {})
        if facts_file.is_file()
        else {}
    )
    lines = [
        "# Statistics {#sec-statistics}",
        "",
        "**PLACEHOLDER.** Charts and figures carried over from the previous edition. Update "
        "data/stats/, then move each chart to the session it illustrates.",
        "",
    ]
    for name in facts:
        lines.append(f"- {name}: {{{{< var facts.{name} >}}}}")
    lines.append("")
    for chart in charts:
        lines += [
            f"See @fig-{chart['id']}.",
            "",
            f"{{{{< reportkit chart {chart['id']} >}}}}",
            "",
        ]
    return "\n".join(lines)


def reset_edition_settings(config: Path, values: NewProject) -> None:
    """The previous edition's page furniture must not reach the next one: its footer becomes
    the new city and year, and its running header (if any) falls back to the new title."""
    if not config.is_file():
        return
    text = config.read_text(encoding="utf-8")
    footer = values.fill('"__CITY__ __YEAR__"')
    text = re.sub(r"(?m)^(\s+footer:).*$", lambda m: f"{m.group(1)} {footer}", text)
    text = re.sub(r"(?m)^\s+running-header:.*\n", "", text)
    config.write_text(text, encoding="utf-8")


def carry_registry(previous: Project, target: Path) -> None:
    """The organisations registry and the glossary of the previous edition, where it has them
    (organisations recur from one edition to the next). The template's placeholder people
    refer to the template's placeholder organisations: those are added to the carried
    registry, under a note, so the new project renders at once and `check --final` flags them.
    """
    settings = previous.settings
    for name in (settings.organisations, settings.glossary):
        if previous.path(name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(previous.path(name), target / name)
    registry = target / settings.organisations
    if not previous.path(settings.organisations).is_file():
        return
    template = yaml.safe_load((template_dir() / "data" / "organisations.yml").read_text("utf-8"))
    carried = yaml.safe_load(registry.read_text("utf-8")) or {}
    known = {entry.get("id") for entry in carried.get("organisations") or []}
    missing = [entry for entry in template["organisations"] if entry["id"] not in known]
    if not missing:
        return
    text = registry.read_text("utf-8")
    item = re.search(r"(?m)^([ \t]*)- ", text)
    indent = item.group(1) if item else "  "
    block = yaml.safe_dump(missing, allow_unicode=True, sort_keys=False)
    note = (
        "# Added by `reportkit new --from` for the placeholder people of data/people.yml:\n"
        "# remove these once every person names an organisation of this registry.\n"
    )
    lines = [indent + line if line else line for line in (note + block).splitlines()]
    registry.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n", "utf-8")


def create_next_edition(target: Path, previous: Path, values: NewProject) -> Path:
    """The next edition: settings, brand, data package, charts, facts, organisations and
    glossary of the previous one; content, people, programme and key messages as fresh
    placeholders."""
    previous_project = find_project(previous)
    _check_target(target)
    target.mkdir(parents=True, exist_ok=True)
    # The template's own registry and glossary give way to the previous edition's.
    settings = previous_project.settings
    registry = [
        template_name
        for template_name, name in (
            ("data/organisations.yml", settings.organisations),
            ("data/glossary.yml", settings.glossary),
        )
        if previous_project.path(name).is_file()
    ]
    _copy_template(
        target,
        values,
        skip=(
            "_quarto.yml",
            "data/stats",
            "data/charts.yml",
            "data/facts.yml",
            "content/background.qmd",
            *registry,
        ),
    )
    carry_registry(previous_project, target)
    for name in CARRIED_OVER:
        source = previous_project.root / name
        if source.is_dir():
            shutil.copytree(source, target / name, dirs_exist_ok=True)
        elif source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / name)
    reset_edition_settings(target / "_quarto.yml", values)
    own_data_package(target / "data" / "stats" / "datapackage.yaml")
    if not (target / "brands").exists() and not (target / "_brand.yml").exists():
        _copy_brands(target)
    install_quarto_extension(target)
    write_gitignore(target)
    (target / "content" / "background.qmd").write_text(
        values.fill(
            "# Background {#sec-background}\n\n**PLACEHOLDER.** Say why the __TITLE__ took "
            "place in __CITY__ in __YEAR__, and what it set out to do.\n"
        ),
        "utf-8",
    )
    (target / "content" / "statistics.qmd").write_text(
        statistics_chapter(target / "data" / "charts.yml", target / "data" / "facts.yml"), "utf-8"
    )
    report = (target / "report.qmd").read_text("utf-8")
    report = report.replace(
        "{{< include content/background.qmd >}}",
        "{{< include content/background.qmd >}}\n\n{{< include content/statistics.qmd >}}",
    )
    (target / "report.qmd").write_text(report, "utf-8")
    wire_project(target, find_project(target).settings)
    return target
