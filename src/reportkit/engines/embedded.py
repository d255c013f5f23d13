"""The embedded engine: the Quarto subset resolved in Python, then pandoc with our Lua filters.

pandoc comes from the pypandoc-binary wheel, never from the system, so every machine that
can pip-install reportkit renders the same HTML.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import pypandoc
import yaml

from reportkit import __version__
from reportkit.brand import BrandStyle
from reportkit.draft import draft_label
from reportkit.engines.assemble import Assembled, Assembler
from reportkit.errors import Location, ReportError
from reportkit.fonts import font_face_css, font_faces
from reportkit.prepare import CACHE_DIR, Prepared
from reportkit.project import Project, Settings, document_settings
from reportkit.webfonts import used_characters, write_web_fonts

# Callouts before crossref: a heading used as a callout title must not be numbered.
FILTERS = ("normalize.lua", "callouts.lua", "crossref.lua", "charts.lua")
POST_FILTERS = ("front-matter.lua", "tables.lua")
PANDOC_WARNING = re.compile(r"\[WARNING\] (?P<message>.*)")
ASSEMBLED_LINE = re.compile(r"line (?P<line>\d+)")


def package_file(*parts: str) -> Path:
    return Path(str(resources.files("reportkit").joinpath(*parts)))


def pandoc_binary() -> str:
    """The pandoc shipped inside pypandoc-binary."""
    path = Path(pypandoc.get_pandoc_path())
    if not path.is_file():
        raise ReportError(
            "pandoc from pypandoc-binary is missing", hint="pip install pypandoc-binary"
        )
    return str(path)


def read_variables(project: Project) -> dict[str, Any]:
    from reportkit.yamlio import load_yaml

    path = project.path("_variables.yml")
    if not path.is_file():
        return {}
    data = load_yaml(path, "_variables.yml").data or {}
    if not isinstance(data, dict):
        raise ReportError("_variables.yml must be a mapping", Location("_variables.yml", 1))
    return data


def document_metadata(project: Project, prepared: Prepared) -> dict[str, Any]:
    """Metadata pandoc sees: data-derived first, then _quarto.yml settings, then front matter."""
    settings = project.settings
    meta: dict[str, Any] = dict(prepared.metadata)
    if settings.lang:
        meta["lang"] = settings.lang
    meta.update(
        {
            "toc-title": settings.toc_title,
            "toc-location": settings.toc_location,
            "cover-layout": settings.cover_layout,
            "number-depth": settings.number_depth,
            "reportkit-version": __version__,
            "charts": bool(prepared.charts),
            "brand-logo": logo_asset(prepared.brand),
            "draft-mark": draft_mark(project, prepared),
        }
    )
    if settings.pdf:
        meta["pdf-link"] = "report.pdf"
    if settings.css:
        meta["css"] = list(settings.css)
    crossref = (project.config.data or {}).get("crossref")
    if crossref:
        meta["crossref"] = crossref
    return meta


def logo_asset(brand: BrandStyle) -> str | None:
    return f"assets/logo{brand.logo.suffix}" if brand.logo else None


def pandoc_arguments(
    project: Project, metadata_file: Path, to: str, settings: Settings | None = None
) -> list[str]:
    settings = settings or project.settings
    filters = package_file("engines", "filters")
    args = [
        "--from",
        "markdown",
        "--to",
        to,
        "--wrap",
        "none",
        "--metadata-file",
        str(metadata_file),
    ]
    for name in FILTERS:
        args += ["--lua-filter", str(filters / name)]
    # The filter Quarto runs from the project's copy of reportkit's extension.
    args += ["--lua-filter", str(package_file("quarto", "_extensions", "reportkit", "lists.lua"))]
    if settings.bibliography:
        args.append("--citeproc")
    if to == "html5":
        args += [
            "--standalone",
            "--template",
            str(package_file("templates", "report.html")),
            "--section-divs",
        ]
        for name in POST_FILTERS:
            args += ["--lua-filter", str(filters / name)]
    if settings.number_sections:
        args.append("--number-sections")
    if settings.toc:
        args += ["--toc", "--toc-depth", str(settings.toc_depth)]
    return args


def run_pandoc(args: list[str], assembled: Assembled, cwd: Path, output: Path) -> None:
    """Run pandoc; its complaints come back as ReportErrors at the source file and line."""
    proc = subprocess.run(
        [pandoc_binary(), *args, "--output", str(output)],
        input=assembled.text.encode("utf-8"),
        cwd=cwd,
        capture_output=True,
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    problems = []
    for line in stderr.splitlines():
        if line.startswith(("reportkit-error\t", "reportkit-error-last\t")):
            kind, needle, message = line.split("\t", 2)
            where = assembled.find(needle, last=kind.endswith("-last"))
            problems.append(ReportError(message, where))
    if problems:
        raise problems[0]
    if proc.returncode != 0:
        first = next((ln for ln in stderr.splitlines() if ln.strip()), "pandoc failed")
        match = ASSEMBLED_LINE.search(stderr)
        where = assembled.origin(int(match["line"])) if match else None
        raise ReportError(f"pandoc could not convert the document: {first}", where)
    for line in stderr.splitlines():
        warning = PANDOC_WARNING.search(line)
        if warning and "Duplicate identifier" in warning["message"]:
            ident = re.search(r"'([^']+)'", warning["message"])
            where = assembled.find(f"#{ident.group(1)}") if ident else None
            raise ReportError(
                warning["message"], where, "each heading, figure and table needs its own id"
            )
        citation = re.search(r"Citeproc: citation (\S+) not found", line)
        if citation:
            raise ReportError(
                f"unknown citation key '{citation.group(1)}'",
                assembled.find(f"@{citation.group(1)}"),
                "add it to the bibliography or fix the key",
            )
        if warning and "Note with key" in warning["message"]:
            key = re.search(r"'([^']+)'", warning["message"])
            where = assembled.find(f"[^{key.group(1)}]") if key else None
            raise ReportError(warning["message"], where, "define the footnote or fix its label")


def draft_mark(project: Project, prepared: Prepared) -> str | None:
    """'Draft — <date>' for a draft render, None for a final one (reportkit.draft)."""
    if project.settings.final:
        return None
    return draft_label(project.root, prepared.conference.language)


def write_assets(
    project: Project,
    out_dir: Path,
    running_header: str,
    charts: bool,
    brand: BrandStyle,
    draft: str | None = None,
    text: str = "",
) -> None:
    """Stylesheets, fonts and scripts next to the HTML: the report never loads anything remotely.

    `text` is the page's HTML: the fonts are cut down to the characters it uses.
    """
    assets = out_dir / "assets"
    fonts_dir = assets / "fonts"
    fonts_dir.mkdir(parents=True, exist_ok=True)
    families = dict.fromkeys((brand.body_font, brand.heading_font))
    faces = [face for family in families for face in font_faces(family)]
    (assets / "fonts.css").write_text(font_face_css(faces, "fonts/"), encoding="utf-8")
    for name in ("components.css", "report.css"):
        shutil.copyfile(package_file("templates", name), assets / name)
    (assets / "brand.css").write_text(brand.css(), encoding="utf-8")
    shutil.copyfile(package_file("templates", "report.js"), assets / "report.js")
    if brand.logo:
        shutil.copyfile(brand.logo, assets / f"logo{brand.logo.suffix}")
    if charts:
        shutil.copyfile(package_file("templates", "charts.js"), assets / "charts.js")
    settings = project.settings
    print_css = Template(package_file("templates", "print.css").read_text(encoding="utf-8"))
    print_css = print_css.substitute(
        page_size=settings.page_size,
        running_header=css_string(running_header),
        draft_mark=css_string(draft or ""),
        footer=css_string(settings.footer or ""),
    )
    (assets / "print.css").write_text(print_css, encoding="utf-8")
    # The fonts keep the glyphs of the page, of its print furniture and of chart tooltips.
    characters = used_characters(text, print_css)
    write_web_fonts(faces, characters, fonts_dir, project.path(CACHE_DIR) / "fonts")
    for css in settings.css:
        source = project.path(css)
        if not source.is_file():
            raise ReportError(f"stylesheet '{css}' does not exist", Location("_quarto.yml"))
        target = out_dir / css
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def copy_resources(project: Project, html: Path, out_dir: Path, assembled: Assembled) -> None:
    """Copy images the HTML refers to by relative path, so _output/ stands on its own."""
    text = html.read_text("utf-8")
    sources = re.findall(r'<(?:img|source)[^>]+src="([^"]+)"', text)
    sources += re.findall(r'<a href="([^"]+)" download>', text)
    for src in sorted(set(sources)):
        if src.startswith(("http:", "https:", "//")):
            raise ReportError(
                f"image {src} would load from the network",
                assembled.find(src),
                "reports are offline: save the image in the project, link it relatively",
            )
        if re.match(r"^[a-z]+:", src) or src.startswith("/") or (out_dir / src).is_file():
            continue
        source = project.root / src
        if not source.is_file():
            raise ReportError(
                f"image '{src}' does not exist",
                assembled.find(src),
                "fix the path; it is relative to the project root",
            )
        target = out_dir / src
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def assemble_document(
    project: Project, prepared: Prepared, problems: list[ReportError] | None = None
) -> tuple[Assembled, dict[str, Any], Settings]:
    """The project's one document as one Markdown text, the metadata pandoc sees with it, and
    the settings in force (the document's own front matter over _quarto.yml's).

    Every output format (HTML, Word) is converted from this same text; `reportkit check`
    passes a `problems` list to collect every shortcode problem instead of stopping.
    """
    variables = read_variables(project)
    metadata = document_metadata(project, prepared)
    assembled = Assembler(project.root, variables, metadata, problems).assemble(
        project.path(project.settings.document)
    )
    metadata.update(assembled.front_matter)
    settings = document_settings(
        project.settings, assembled.front_matter, Location(project.settings.document, 1)
    )
    if settings.bibliography:
        metadata["bibliography"] = [str(project.path(b)) for b in settings.bibliography]
    if settings.csl:
        metadata["csl"] = str(project.path(settings.csl))
    metadata["number-depth"] = settings.number_depth
    return assembled, metadata, settings


def render_html(project: Project, prepared: Prepared, out_dir: Path) -> Path:
    """Render the project's one document to out_dir/report.html (plus assets)."""
    assembled, metadata, settings = assemble_document(project, prepared)
    metadata_file = out_dir / ".metadata.yml"
    metadata_file.write_text(yaml.safe_dump(metadata, allow_unicode=True, sort_keys=True), "utf-8")
    html = out_dir / "report.html"
    args = pandoc_arguments(project, metadata_file, "html5", settings)
    try:
        run_pandoc(args, assembled, project.root, html)
    finally:
        metadata_file.unlink(missing_ok=True)
    running_header = project.settings.running_header or prepared.conference.short_title
    write_assets(
        project,
        out_dir,
        running_header,
        bool(prepared.charts),
        prepared.brand,
        metadata.get("draft-mark"),
        html.read_text(encoding="utf-8"),
    )
    copy_resources(project, html, out_dir, assembled)
    return html
