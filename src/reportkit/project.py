"""Find a report project and read its _quarto.yml into typed settings."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reportkit.errors import Location, ReportError, did_you_mean
from reportkit.yamlio import YamlDocument, load_yaml

CONFIG_FILE = "_quarto.yml"
OUTPUT_FORMATS = ("html", "pdf", "docx")  # what `render --to` may ask for
DEFAULT_FORMATS = ("html", "pdf")

# HTML format options the embedded engine honours. Anything else Quarto knows would be
# silently ignored here, so it is refused instead (use --engine quarto for the rest).
HTML_OPTIONS = {
    "toc": bool,
    "toc-depth": int,
    "toc-title": str,
    "toc-location": str,
    "number-sections": bool,
    "number-depth": int,
    "css": (str, list),
    "lang": str,
    "template": str,
}
PROJECT_OPTIONS = {"type", "output-dir", "render", "pre-render", "post-render", "title"}
TOP_LEVEL_OPTIONS = {
    "project",
    "format",
    "lang",
    "number-sections",
    "toc",
    "metadata-files",
    "bibliography",
    "csl",
    "reportkit",
    "execute",
    "crossref",
    "title",
    "author",
    "date",
    "brand",
    "filters",
}
# Quarto filters the embedded engine runs itself: reportkit's extension (_extensions/reportkit).
BUILTIN_FILTERS = ["reportkit"]
REPORTKIT_OPTIONS = {
    "conference": str,
    "people": str,
    "organisations": str,
    "glossary": str,
    "programme": str,
    "stats": str,
    "charts": str,
    "facts": str,
    "page-size": str,
    "cover-layout": str,
    "running-header": str,
    "footer": str,
    "pdf": bool,
    "pdf-archive": bool,
    "final": bool,
    "allow-python": bool,
    "allow-raw-scripts": bool,
    "editions": list,
}
PAGE_SIZES = {"A4", "Letter"}
COVER_LAYOUTS = {"full", "light"}


@dataclass(frozen=True)
class Settings:
    """What the engines need from _quarto.yml, with defaults filled in."""

    document: str = "report.qmd"
    output_dir: str = "_output"
    lang: str | None = None
    toc: bool = True
    toc_depth: int = 3
    toc_title: str = "Contents"
    toc_location: str = "left"
    number_sections: bool = True
    number_depth: int = 3
    css: tuple[str, ...] = ()
    bibliography: tuple[str, ...] = ()
    csl: str | None = None
    metadata_files: tuple[str, ...] = ()
    brand: str | None = None
    conference: str = "data/conference.yml"
    people: str = "data/people.yml"
    organisations: str = "data/organisations.yml"
    glossary: str = "data/glossary.yml"
    programme: str = "data/programme.yml"
    stats: str = "data/stats"
    charts: str = "data/charts.yml"
    facts: str = "data/facts.yml"
    page_size: str = "A4"
    cover_layout: str = "full"
    running_header: str | None = None
    footer: str | None = None
    pdf: bool = True
    # PDF/A-3b as well as PDF/UA-1, carrying the data package, charts.yml, facts.yml and a
    # sources.csv as associated files; a final render always archives.
    pdf_archive: bool = False
    # A final render carries no draft mark; `render --final` passes it on to Quarto's steps
    # through REPORTKIT_FINAL=1.
    final: bool = False
    # Trust switches, off by default: content is untrusted (sandbox.py, sanitize.py).
    allow_python: bool = False  # charts.yml `python:` may run project code
    allow_raw_scripts: bool = False  # raw HTML in content may carry script
    # Editions in other languages (reportkit.editions): language tags, the source's first.
    editions: tuple[str, ...] = ()
    # The other editions' HTML as this one links them: (language, href, language's name).
    alternates: tuple[tuple[str, str, str], ...] = ()
    # The language tag of the edition rendered, when it is not the source edition.
    edition: str | None = None


@dataclass
class Project:
    root: Path
    config: YamlDocument
    settings: Settings = field(default_factory=Settings)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def setting_file(self, key: tuple[str, ...], name: str, what: str) -> Path:
        """A file a _quarto.yml setting names, confined to the project (sandbox.py); an error
        points at the setting's line."""
        from reportkit.sandbox import project_path

        return project_path(self.root, name, what, self.config.location(key))

    @property
    def output_dir(self) -> Path:
        return self.root / self.settings.output_dir

    @property
    def archive_pdf(self) -> bool:
        """PDF/A-3b with the data attached: the pdf-archive setting, or any final render."""
        return self.settings.pdf_archive or self.settings.final


def find_project(directory: Path) -> Project:
    """Load the project at directory, or fail saying what is missing."""
    directory = directory.resolve()
    config_path = directory / CONFIG_FILE
    if not directory.is_dir():
        raise ReportError(f"project directory {directory} does not exist")
    if not config_path.is_file():
        raise ReportError(
            f"no {CONFIG_FILE} in {directory}",
            hint="run reportkit in a report project, or create one with 'reportkit new DIR'",
        )
    doc = load_yaml(config_path, CONFIG_FILE)
    return Project(directory, doc, read_settings(doc))


FINAL_ENV = "REPORTKIT_FINAL"
# crossref options the embedded engine honours (see engines/filters/crossref.lua).
CROSSREF_OPTIONS = {
    "fig-prefix",
    "tbl-prefix",
    "sec-prefix",
    "fig-title",
    "tbl-title",
    "title-delim",
    "ref-hyperlink",
}
# Options a document's own front matter may set over _quarto.yml's, as in Quarto.
DOCUMENT_OPTIONS = ("number-sections", "toc", "toc-depth", "number-depth", "bibliography", "csl")


def check_crossref(crossref: Any, where: Location) -> None:
    """Refuse crossref options that would silently render otherwise than in Quarto."""
    if not isinstance(crossref, dict):
        return
    for key in crossref:
        if key not in CROSSREF_OPTIONS:
            raise ReportError(
                f"crossref option '{key}' is not supported by the embedded engine",
                where,
                f"supported: {', '.join(sorted(CROSSREF_OPTIONS))}; or render with --engine quarto",
            )


def document_settings(settings: Settings, front_matter: dict[str, Any], where: Location):
    """The project's settings with the document's own front matter over them (Quarto's order)."""
    check_crossref(front_matter.get("crossref"), where)
    values = {}
    for key in DOCUMENT_OPTIONS:
        if key in front_matter:
            value = front_matter[key]
            if key in ("bibliography",):
                value = _as_list(value)
            values[key.replace("-", "_")] = value
    return replace(settings, **values)


def _as_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def _check_keys(doc: YamlDocument, mapping: Any, path: tuple, known, what: str) -> dict:
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        raise doc.error(path, f"'{'.'.join(map(str, path))}' must be a mapping of options")
    for key in mapping:
        if key not in known:
            hint = did_you_mean(str(key), known) or f"known: {', '.join(sorted(known))}"
            raise doc.error((*path, key), f"unknown {what} option '{key}'", hint)
    return mapping


def _typed(doc: YamlDocument, path: tuple, value: Any, kind) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
        names = " or ".join("list" if k is list else k.__name__ for k in kinds)
        raise doc.error(path, f"'{path[-1]}' must be a {names}, not {value!r}")
    return value


def read_settings(doc: YamlDocument) -> Settings:
    """Validate _quarto.yml against the subset the embedded engine implements."""
    data = doc.data
    if data is None:
        raise ReportError(
            "_quarto.yml is empty",
            Location(doc.display, 1, 1),
            "give the project's settings (project, format, reportkit); "
            "'reportkit new DIR' writes a complete one",
        )
    if not isinstance(data, dict):
        raise ReportError("_quarto.yml must be a mapping of options", Location(doc.display, 1, 1))
    _check_keys(doc, data, (), TOP_LEVEL_OPTIONS, "top-level")
    project = _check_keys(doc, data.get("project"), ("project",), PROJECT_OPTIONS, "project")
    formats = data.get("format") or {}
    if not isinstance(formats, dict):
        raise doc.error(("format",), "'format' must be a mapping such as 'html: {toc: true}'")
    for name in formats:
        if name not in ("html", "docx"):
            raise doc.error(
                ("format", name),
                f"format '{name}' is not rendered by the embedded engine",
                "use 'html' (the PDF is printed from it) or 'docx'",
            )
    html = _check_keys(doc, formats.get("html"), ("format", "html"), HTML_OPTIONS, "html format")
    for key, value in html.items():
        _typed(doc, ("format", "html", key), value, HTML_OPTIONS[key])
    if data.get("filters", BUILTIN_FILTERS) != BUILTIN_FILTERS:
        raise doc.error(
            ("filters",),
            "the embedded engine runs no Lua filters but reportkit's own",
            "keep 'filters: [reportkit]', or render with --engine quarto",
        )
    rk = _check_keys(doc, data.get("reportkit"), ("reportkit",), REPORTKIT_OPTIONS, "reportkit")
    for key, value in rk.items():
        _typed(doc, ("reportkit", key), value, REPORTKIT_OPTIONS[key])
    if rk.get("page-size", "A4") not in PAGE_SIZES:
        raise doc.error(
            ("reportkit", "page-size"),
            f"unknown page size '{rk['page-size']}'",
            f"use one of {', '.join(sorted(PAGE_SIZES))}",
        )
    if rk.get("cover-layout", "full") not in COVER_LAYOUTS:
        raise doc.error(
            ("reportkit", "cover-layout"),
            f"unknown cover layout '{rk['cover-layout']}'",
            f"use one of {', '.join(sorted(COVER_LAYOUTS))}",
        )
    if html.get("toc-location", "left") not in ("left", "right"):
        raise doc.error(("format", "html", "toc-location"), "toc-location must be left or right")

    render = _as_list(project.get("render"))
    documents = [r for r in render if str(r).endswith(".qmd")]
    if len(documents) > 1:
        raise doc.error(
            ("project", "render"),
            "the report is one document: list one .qmd file under project.render",
            "include chapters from it with {{< include >}}",
        )

    def pick(key: str, default: Any) -> Any:
        return html.get(key, data.get(key, default))

    check_crossref(data.get("crossref"), doc.location(("crossref",)))
    return Settings(
        document=documents[0] if documents else "report.qmd",
        output_dir=project.get("output-dir", "_output"),
        lang=pick("lang", None),
        toc=pick("toc", True),
        toc_depth=html.get("toc-depth", 3),
        toc_title=html.get("toc-title", "Contents"),
        toc_location=html.get("toc-location", "left"),
        number_sections=pick("number-sections", True),
        number_depth=html.get("number-depth", 3),
        css=_as_list(html.get("css")),
        bibliography=_as_list(data.get("bibliography")),
        csl=data.get("csl"),
        metadata_files=_as_list(data.get("metadata-files")),
        brand=_typed(doc, ("brand",), data["brand"], str) if "brand" in data else None,
        conference=rk.get("conference", "data/conference.yml"),
        people=rk.get("people", "data/people.yml"),
        organisations=rk.get("organisations", "data/organisations.yml"),
        glossary=rk.get("glossary", "data/glossary.yml"),
        programme=rk.get("programme", "data/programme.yml"),
        stats=rk.get("stats", "data/stats"),
        charts=rk.get("charts", "data/charts.yml"),
        facts=rk.get("facts", "data/facts.yml"),
        page_size=rk.get("page-size", "A4"),
        cover_layout=rk.get("cover-layout", "full"),
        running_header=rk.get("running-header"),
        footer=rk.get("footer"),
        pdf=rk.get("pdf", True),
        pdf_archive=rk.get("pdf-archive", False),
        final=rk.get("final", False) or os.environ.get(FINAL_ENV) == "1",
        allow_python=rk.get("allow-python", False),
        allow_raw_scripts=rk.get("allow-raw-scripts", False),
        editions=_editions(doc, rk.get("editions")),
    )


EDITION_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _editions(doc: YamlDocument, editions: list | None) -> tuple[str, ...]:
    """`editions: [en, tr]`: language tags (each an output folder), the source edition first."""
    if not editions:
        return ()
    seen: set[str] = set()
    for index, tag in enumerate(editions):
        where = ("reportkit", "editions", index)
        if not isinstance(tag, str) or not EDITION_TAG.match(tag):
            raise doc.error(
                where, f"edition {tag!r} is not a language tag", "write e.g. en, tr, fr-CA or ar"
            )
        if tag in seen:
            raise doc.error(where, f"edition '{tag}' is listed twice")
        seen.add(tag)
    return tuple(editions)
