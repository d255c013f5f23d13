"""The embedded engine: the Quarto subset resolved in Python, then pandoc with our Lua filters.

pandoc comes from the pypandoc-binary wheel, never from the system, so every machine that
can pip-install reportkit renders the same HTML.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import unquote

import pypandoc
import yaml

from reportkit import __version__
from reportkit.brand import BrandStyle
from reportkit.cache import Store, key, user_cache
from reportkit.draft import draft_label
from reportkit.engines.assemble import Assembled, Assembler
from reportkit.errors import Location, ReportError, did_you_mean
from reportkit.fonts import font_faces
from reportkit.i18n import Labels, script_font, text_direction
from reportkit.prepare import CACHE_DIR, Prepared
from reportkit.project import Project, Settings, document_settings
from reportkit.sandbox import confined, project_path, readable_files
from reportkit.sanitize import HINT as SANITIZE_HINT
from reportkit.sanitize import unsafe_html

# Callouts before crossref: a heading used as a callout title must not be numbered.
FILTERS = ("normalize.lua", "callouts.lua", "crossref.lua", "charts.lua")
POST_FILTERS = ("front-matter.lua", "tables.lua")
# pandoc's Haskell runtime with a 64 MB allocation area instead of its 8 MB: a fifth less
# time collecting garbage while a report's text is read (0.58 -> 0.46 s for the example's
# 100 kB, for 57 MB more memory at the peak).
PANDOC_RUNTIME = ("+RTS", "-A64m", "-RTS")
PANDOC_WARNING = re.compile(r"\[WARNING\] (?P<message>.*)")
ASSEMBLED_LINE = re.compile(r"line (?P<line>\d+)")


def package_file(*parts: str) -> Path:
    return Path(str(resources.files("reportkit").joinpath(*parts)))


@functools.cache
def pandoc_version() -> str:
    """The version of the pandoc reportkit runs (part of every cache key of its outputs),
    asked of pandoc once per installed binary (asking costs a process start per render)."""
    binary = Path(pandoc_binary())
    status = binary.stat()
    stamp = key(str(binary), status.st_size, status.st_mtime_ns)
    remembered = user_cache() / "pandoc" / f"version-{stamp}.txt"
    try:
        return remembered.read_text(encoding="utf-8")
    except OSError:
        pass
    found = pypandoc.get_pandoc_version()
    try:
        remembered.parent.mkdir(parents=True, exist_ok=True)
        temporary = remembered.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(found, encoding="utf-8")
        temporary.replace(remembered)
    except OSError:
        pass  # an unwritable cache: asked again next time
    return found


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
    labels = prepared.labels
    meta.update(
        {
            "toc-title": settings.toc_title if toc_title_given(project) else labels("contents"),
            "toc-location": settings.toc_location,
            "cover-layout": settings.cover_layout,
            "number-depth": settings.number_depth,
            "reportkit-version": __version__,
            "charts": bool(prepared.charts),
            "reportkit-charts": list(prepared.charts),
            "brand-logo": logo_asset(prepared.brand),
            "draft-mark": draft_mark(project, prepared),
        }
    )
    if settings.pdf:
        meta["pdf-link"] = "report.pdf"
    if settings.css:
        meta["css"] = list(settings.css)
    meta.update(language_metadata(labels, settings))
    # The project's own crossref words win over the language's.
    crossref = (project.config.data or {}).get("crossref")
    meta["crossref"] = (
        {**meta["crossref"], **crossref} if isinstance(crossref, dict) else meta["crossref"]
    )
    return meta


def toc_title_given(project: Project) -> bool:
    """Whether _quarto.yml names the contents title itself (else the language's word): in
    the source's language, so not for another edition."""
    data = project.config.data or {}
    if project.settings.edition:
        return False
    html = ((data.get("format") or {}).get("html") or {}) if isinstance(data, dict) else {}
    return isinstance(html, dict) and "toc-title" in html


def language_metadata(labels: Labels, settings: Settings) -> dict[str, Any]:
    """The words and direction of the report's language for the template and the filters:
    crossref.lua reads crossref's words, callouts.lua Quarto's `language` titles."""
    meta: dict[str, Any] = {
        "dir": labels.direction,
        "skip-link": labels("skip-link"),
        "imprint-label": labels("imprint"),
        "crossref": {
            "fig-title": labels("figure"),
            "fig-prefix": labels("figure"),
            "tbl-title": labels("table"),
            "tbl-prefix": labels("table"),
            "sec-prefix": labels("section"),
        },
        "language": {
            f"callout-{kind}-title": labels(f"callout-{kind}")
            for kind in ("note", "tip", "warning", "important", "caution")
        },
        "untranslated-label": labels("untranslated"),
    }
    if settings.alternates:
        meta["alternates"] = [
            {"lang": lang, "href": href, "name": name} for lang, href, name in settings.alternates
        ]
        meta["editions-label"] = labels("editions")
    if labels.direction == "rtl" or script_font(labels.language):
        meta["edition-css"] = True
    return meta


def logo_asset(brand: BrandStyle) -> str | None:
    return f"assets/logo{brand.logo.suffix}" if brand.logo else None


def pandoc_arguments(
    project: Project, metadata_file: Path, to: str, settings: Settings | None = None
) -> list[str]:
    settings = settings or project.settings
    filters = package_file("engines", "filters")
    args = [
        *PANDOC_RUNTIME,
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


def run_pandoc(
    args: list[str],
    assembled: Assembled,
    cwd: Path,
    output: Path,
    problems: list[ReportError] | None = None,
) -> None:
    """Run pandoc; its complaints come back as ReportErrors at the source file and line
    (all of them into `problems` when given, else the first one raised)."""
    start_pandoc(args, assembled, cwd, output).finish(problems)


class Pandoc:
    """pandoc converting the assembled text, in a process of its own: the caller goes on
    (drawing the charts) while it runs, and finishes it when it needs the output."""

    def __init__(self, process, assembled: Assembled, scratch: Path):
        self.process, self.assembled, self.scratch = process, assembled, scratch

    def finish(self, problems: list[ReportError] | None = None) -> None:
        self.process.wait()
        stderr = (self.scratch / "stderr").read_bytes().decode("utf-8", "replace")
        self.close()
        _pandoc_problems(self.process.returncode, stderr, self.assembled, problems)

    def close(self) -> None:
        self.process.wait()
        shutil.rmtree(self.scratch, ignore_errors=True)


def start_pandoc(args: list[str], assembled: Assembled, cwd: Path, output: Path) -> Pandoc:
    """pandoc started on the assembled text (through files, not pipes: nobody need feed it)."""
    scratch = Path(tempfile.mkdtemp(prefix="reportkit-pandoc-"))
    source = scratch / "report.md"
    source.write_text(assembled.text, encoding="utf-8")
    with source.open("rb") as stdin, (scratch / "stderr").open("wb") as stderr:
        process = subprocess.Popen(
            [pandoc_binary(), *args, "--output", str(output)],
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            cwd=cwd,
        )
    return Pandoc(process, assembled, scratch)


def _pandoc_problems(
    returncode: int, stderr: str, assembled: Assembled, problems: list[ReportError] | None
) -> None:
    found = []
    for line in stderr.splitlines():
        if line.startswith(("reportkit-error\t", "reportkit-error-last\t")):
            kind, needle, message, *extra = line.split("\t", 4)
            where = assembled.find(needle, last=kind.endswith("-last"))
            hint = None
            if extra:  # a hint, and the ids the filter knows: did the writer mean one?
                hint, known = extra[0], [k for k in extra[1].split(",") if k]
                hint = did_you_mean(needle.lstrip("@#").lower(), known) or hint
            found.append(ReportError(message, where, hint))
    if found and problems is not None:
        problems += found
        return
    if found:
        raise found[0]
    if returncode != 0:
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
    language: str | None = None,
    text: str = "",
) -> None:
    """Stylesheets, fonts and scripts next to the HTML: the report never loads anything remotely.

    `text` is the page's HTML: the fonts are cut down to the characters it uses.
    """
    assets = out_dir / "assets"
    fonts_dir = assets / "fonts"
    fonts_dir.mkdir(parents=True, exist_ok=True)
    extra_font = script_font(language) if language else None
    families = dict.fromkeys((brand.body_font, brand.heading_font, *filter(None, [extra_font])))
    faces = [face for family in families for face in font_faces(family)]
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
    if language and (extra_font or text_direction(language) == "rtl"):
        css = edition_css(brand, language, running_header, settings.footer or "")
        (assets / "edition.css").write_text(css, encoding="utf-8")
    (assets / "print.css").write_text(print_css, encoding="utf-8")
    # The fonts keep the glyphs of the page, of its print furniture and of chart tooltips.
    from reportkit.webfonts import used_characters, write_web_fonts

    characters = used_characters(text, print_css)
    rules = write_web_fonts(faces, characters, fonts_dir, project.path(CACHE_DIR) / "fonts")
    (assets / "fonts.css").write_text(rules, encoding="utf-8")
    for css in settings.css:
        source = project.setting_file(("format", "html", "css"), css, "stylesheet")
        if not source.is_file():
            raise ReportError(f"stylesheet '{css}' does not exist", Location("_quarto.yml"))
        target = out_dir / css  # as the page links it; inside out_dir, as css is inside root
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def edition_css(brand: BrandStyle, language: str, running_header: str, footer: str) -> str:
    """The language's script font after the brand's (Latin stays in the brand's fonts) and,
    for a right-to-left language, the page mirrored (templates/rtl.css)."""
    parts = [f"/* reportkit: the {language} edition's script and direction. */"]
    font = script_font(language)
    if font:
        parts.append(
            ":root {\n"
            f'  --rk-body-font: "{brand.body_font}", "{font}", serif;\n'
            f'  --rk-heading-font: "{brand.heading_font}", "{font}", sans-serif;\n'
            "}"
        )
    if text_direction(language) == "rtl":
        rtl = Template(package_file("templates", "rtl.css").read_text(encoding="utf-8"))
        parts.append(
            rtl.substitute(running_header=css_string(running_header), footer=css_string(footer))
        )
    return "\n".join(parts) + "\n"


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
        if re.match(r"^(data|#)", src):
            continue
        where = assembled.find(src)
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):
            raise ReportError(f"'{src}' is not a file of the project", where)
        name = unquote(src.split("#")[0].split("?")[0])
        target = confined(out_dir, out_dir / name, src, "file", where)
        if target.is_file():
            continue  # written by this render (assets, charts)
        source = project_path(project.root, name, "file", where)
        if not source.is_file():
            raise ReportError(
                f"image '{src}' does not exist",
                where,
                "fix the path; it is relative to the project root",
            )
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
    document = project.setting_file(("project", "render"), project.settings.document, "document")
    assembled = Assembler(project.root, variables, metadata, problems).assemble(document)
    metadata.update(assembled.front_matter)
    # What content may show: normalize.lua refuses any other image (engines/filters).
    # The charts' drawings among them, drawn or not yet (they are drawn while pandoc runs):
    # all of their files, so that the list, in pandoc's cache key, is the same in the render
    # that first draws them as in the next (else a data edit after it converts again).
    drawings = {
        f"{CHARTS_DIR}/{chart}.{suffix}"
        for chart in prepared.charts
        for suffix in ("svg", "vl.json", "html", "png")
    }
    metadata["reportkit-files"] = sorted({*readable_files(project.root), *drawings})
    settings = document_settings(
        project.settings, assembled.front_matter, Location(project.settings.document, 1)
    )
    front = Location(project.settings.document, 1)
    if settings.bibliography:
        metadata["bibliography"] = [
            str(project_path(project.root, b, "bibliography", front)) for b in settings.bibliography
        ]
    if settings.csl:
        metadata["csl"] = str(project_path(project.root, settings.csl, "citation style", front))
    metadata["number-depth"] = settings.number_depth
    return assembled, metadata, settings


def html_key(
    assembled: Assembled, metadata_text: str, args: list[str], metadata_file: Path, trusted: bool
) -> str:
    """What pandoc's HTML is made from (the metadata file's path aside: the stage's changes),
    and whether its raw HTML was let through unchecked. Not the charts' drawings: they are
    filled in afterwards (fill_charts)."""
    stable_args = [a for a in args if a != str(metadata_file)]
    return key(assembled.text, metadata_text, stable_args, pandoc_version(), trusted)


CHARTS_DIR = "_generated/charts"  # as charts/publish.py writes them (which imports pandas)
CHART_MARK = re.compile(r"<!--reportkit-chart:(?P<id>[\w-]+)-->")


def fill_charts(html: str, project: Project, prepared: Prepared) -> str:
    """Each chart's mark (charts.lua) replaced by its drawing: inline SVG, data table and
    the spec of the interactive chart, as prepared (_generated/charts/<id>.html)."""

    def fragment(match: re.Match) -> str:
        relative = f"{CHARTS_DIR}/{match['id']}.html"
        text = prepared.files.get(relative)
        return text if text is not None else project.path(relative).read_text(encoding="utf-8")

    return CHART_MARK.sub(fragment, html)


class PandocHtml:
    """pandoc's HTML of the project's text, in out_dir/report.html: pandoc converting in its
    own process from now, or the HTML taken from the cache, where it is kept by everything it
    is made from (the same text converts once, whether `check` or `render` converts it)."""

    def __init__(self, project: Project, prepared: Prepared, out_dir: Path):
        assembled, metadata, settings = assemble_document(project, prepared)
        self.assembled, self.metadata, self.settings = assembled, metadata, settings
        metadata_text = yaml.safe_dump(metadata, allow_unicode=True, sort_keys=True)
        self.metadata_file = out_dir / ".metadata.yml"
        self.html = out_dir / "report.html"
        args = pandoc_arguments(project, self.metadata_file, "html5", settings)
        self.store = Store(project.root, "html")
        self.name = html_key(
            assembled, metadata_text, args, self.metadata_file, settings.allow_raw_scripts
        )
        self.cached = self.store.get(f"{self.name}.html")
        self.pandoc = None
        if self.cached is None:
            self.metadata_file.write_text(metadata_text, "utf-8")
            self.pandoc = start_pandoc(args, assembled, project.root, self.html)

    def problems(self) -> list[ReportError]:
        """pandoc waited for: what it found, then the unsafe raw HTML in its output (none
        for HTML from the cache, which passed when it was made); the HTML is kept in the
        cache when there is nothing. A document pandoc cannot convert raises."""
        if self.pandoc is None:
            return []
        found: list[ReportError] = []
        try:
            self.pandoc.finish(found)
        finally:
            self.metadata_file.unlink(missing_ok=True)
        if self.html.is_file() and not self.settings.allow_raw_scripts:
            for unsafe in unsafe_html(self.html.read_text(encoding="utf-8")):
                where = unsafe_location(self.assembled, unsafe)
                found.append(ReportError(unsafe.message, where, SANITIZE_HINT))
        if not found and self.html.is_file():
            self.store.put(f"{self.name}.html", self.html.read_bytes())
        return found

    def close(self) -> None:
        """pandoc stopped (a caller that fails meanwhile never leaves it running)."""
        if self.pandoc is not None:
            self.pandoc.close()


class HtmlConversion:
    """report.html under way: pandoc converting the text in its own process (or its HTML
    taken from the cache), while the caller does what does not need the HTML."""

    def __init__(self, project: Project, prepared: Prepared, out_dir: Path):
        self.project, self.prepared, self.out_dir = project, prepared, out_dir
        self.pandoc_html = PandocHtml(project, prepared, out_dir)
        self.assembled, self.metadata = self.pandoc_html.assembled, self.pandoc_html.metadata

    def close(self) -> None:
        """pandoc stopped (a render that fails meanwhile never leaves it running)."""
        self.pandoc_html.close()

    def finish(self) -> Path:
        """report.html with its charts (waiting for pandoc and the charts' drawing) and its
        assets beside it."""
        from reportkit.statistics import complete_charts

        project, prepared = self.project, self.prepared
        html = self.pandoc_html.html
        try:
            if prepared.pending_charts is not None:
                from reportkit.prepare import write_generated

                complete_charts(prepared)
                write_generated(project, prepared)  # the charts' files, now drawn
        except BaseException:
            self.close()
            raise
        if self.pandoc_html.cached is not None:
            html.write_bytes(self.pandoc_html.cached)
        else:
            problems = self.pandoc_html.problems()
            if problems:
                raise problems[0]
        page = fill_charts(html.read_text(encoding="utf-8"), project, prepared)
        html.write_text(page, encoding="utf-8")
        running_header = project.settings.running_header or prepared.conference.short_title
        write_assets(
            project,
            self.out_dir,
            running_header,
            bool(prepared.charts),
            prepared.brand,
            self.metadata.get("draft-mark"),
            prepared.conference.language,
            page,
        )
        copy_resources(project, html, self.out_dir, self.assembled)
        return html


def render_html(project: Project, prepared: Prepared, out_dir: Path) -> Path:
    """Render the project's one document to out_dir/report.html (plus assets). pandoc runs
    while the charts are being drawn (prepare's pool), when they are."""
    return HtmlConversion(project, prepared, out_dir).finish()


def unsafe_location(assembled: Assembled, unsafe) -> Location | None:
    where = assembled.find(unsafe.needle)
    if where is None and unsafe.fallback:
        where = assembled.find(unsafe.fallback)
    return where


class ContentVetting:
    """What a render would refuse in the content, found without rendering: images from
    outside the project or the network, script in raw HTML (for `check` and for Quarto's
    pre-render step, which must stop Quarto before it renders such content). pandoc converts
    the content in its own process from the start, while the caller goes on (`check` runs its
    other checks meanwhile); its HTML is cached for the render that follows (PandocHtml)."""

    def __init__(self, project: Project, prepared: Prepared):
        self.folder = Path(tempfile.mkdtemp(prefix="reportkit-vet-"))
        self.pandoc_html = None
        self.problems: list[ReportError] = []
        try:
            self.pandoc_html = PandocHtml(project, prepared, self.folder)
        except ReportError as error:
            self.problems.append(error)
        except BaseException:
            self.close()
            raise

    def finish(self, problems: list[ReportError]) -> None:
        """The problems found, added to `problems` (pandoc waited for)."""
        try:
            if self.pandoc_html is not None:
                self.problems += self.pandoc_html.problems()
        except ReportError as error:  # pandoc could not convert it: nothing more to vet
            self.problems.append(error)
        finally:
            self.close()
        problems += self.problems

    def close(self) -> None:
        if self.pandoc_html is not None:
            self.pandoc_html.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def vet_content(project: Project, prepared: Prepared, problems: list[ReportError]) -> None:
    """The content vetted (ContentVetting), its problems added to `problems`."""
    ContentVetting(project, prepared).finish(problems)
