"""The statistics step: validate the data package, draw the charts, compute the facts.

The step is cached as a whole under a hash of everything it reads (the data package's files,
charts.yml, facts.yml and the chart files they name, the brand, the language, the versions of
the libraries and of reportkit): a render whose data did not change takes the charts' files
and the facts from the cache without importing pandas, Altair, frictionless or vl-convert.
When the data changed, the step runs in stages around pandoc: the text's parts first, the
specs and drawings while pandoc converts, the validation while the PDF is laid out. A
declarative chart's spec comes from its template (charts/spec_template.py) unless more than
its values changed, and is then handed to the helper drawing the charts at once; charts
whose spec did not change still come from the SVG cache.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import yaml

from reportkit import progress
from reportkit.cache import Store, key
from reportkit.errors import Location, ReportError
from reportkit.i18n import script_font
from reportkit.project import Project
from reportkit.yamlio import load_yaml

CHARTS_DIR = "_generated/charts"
SOURCES_CSV = "_generated/sources.csv"  # prepare.SOURCES_CSV: every chart's and fact's sources
LIBRARIES = ("altair", "vl-convert-python", "pandas", "frictionless", "babel")


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def _named_files(project: Project, charts_file: Path) -> dict[str, bytes]:
    """The files charts.yml names (python: and vega-lite: escape hatches), by content."""
    found: dict[str, bytes] = {}
    if not charts_file.is_file():
        return found
    data = load_yaml(charts_file, project.settings.charts).data
    for chart in (data or {}).get("charts", []) if isinstance(data, dict) else []:
        if not isinstance(chart, dict):
            continue
        for field in ("python", "vega-lite"):
            name = str(chart.get(field) or "").partition(":")[0]
            path = (project.root / name).resolve()
            if name and path.is_file() and path.is_relative_to(project.root.resolve()):
                found[name] = path.read_bytes()
    return found


def statistics_key(project: Project, prepared) -> str:
    settings = project.settings
    stats_dir = project.path(settings.stats)
    files = {
        path.relative_to(stats_dir).as_posix(): path.read_bytes()
        for path in sorted(stats_dir.rglob("*"))
        if path.is_file()
    }
    for name in (settings.charts, settings.facts):
        path = project.path(name)
        files[name] = path.read_bytes() if path.is_file() else b""
    files.update(_named_files(project, project.path(settings.charts)))
    brand = {k: str(v) for k, v in asdict(prepared.brand).items() if k != "logo"}
    return key(
        sorted(files),
        *[files[name] for name in sorted(files)],
        brand,
        prepared.conference.language,
        repr(prepared.labels),
        settings.allow_python,
        [_version(name) for name in LIBRARIES],
    )


def _warning(error: ReportError) -> list:
    where = error.location
    return [
        error.message,
        str(where.path) if where else None,
        where.line if where else None,
        where.column if where else None,
        error.hint,
    ]


def _from_warning(value: list) -> ReportError:
    message, path, line, column, hint = value
    return ReportError(message, Location(path, line, column) if path else None, hint)


def prepare_statistics(project: Project, prepared, helper=None) -> None:
    """The charts' files and the facts for `prepared`, from the cache or computed. With a
    `helper` (workers.Helper), the charts are drawn in it while the caller goes on:
    complete_charts waits for them."""
    settings = project.settings
    stats_dir = project.path(settings.stats)
    charts_file = project.path(settings.charts)
    facts_file = project.path(settings.facts)
    if not stats_dir.is_dir():
        for path, name in ((charts_file, settings.charts), (facts_file, settings.facts)):
            if path.is_file():
                raise ReportError(f"{name} needs the data package in {settings.stats}/")
        return
    store = Store(project.root, "statistics")
    name = f"{statistics_key(project, prepared)}.json"
    cached = store.get_json(name)
    if cached is not None:
        prepared.files.update(cached["files"])
        prepared.charts += cached["charts"]
        prepared.variables = cached["variables"]
        prepared.warnings += [_from_warning(w) for w in cached["warnings"]]
        prepared.charts_reused = len(cached["charts"])
        return
    if helper is not None and charts_file.is_file():  # vl-convert started while specs are built
        from reportkit.charts.export import draw_charts_when_told

        helper.start(
            draw_charts_when_told,
            chart_cache(project, prepared.brand, prepared.conference.language),
        )
    else:
        helper = None
    known, warned = set(prepared.files), len(prepared.warnings)
    drawing = _compute(project, prepared, stats_dir, charts_file, facts_file, helper)
    if helper is not None:  # drawn while the text is assembled and converted
        drawing.tell_specs(helper.tell, templates_only=True)
    files = {p: t for p, t in prepared.files.items() if p not in known}
    warnings = prepared.warnings[warned:]

    def remember(drawn: dict[str, str], drawn_warnings: list[ReportError]) -> None:
        store.put_json(
            name,
            {
                "files": {**files, **drawn},
                "charts": prepared.charts,
                "variables": prepared.variables,
                "warnings": [_warning(w) for w in [*warnings, *drawn_warnings]],
            },
        )

    prepared.pending_charts = (drawing, remember)
    if helper is None:
        complete_charts(prepared)
        validate_statistics(prepared)


def complete_charts(prepared) -> None:
    """The charts' specs built and drawn, their files in `prepared` (when prepare_statistics
    left them under way); the validation of the data package comes after
    (validate_statistics), once there is a wait to do it in."""
    if prepared.pending_charts is None:
        return
    drawing, remember = prepared.pending_charts
    prepared.pending_charts = None
    files, warnings = drawing.finish(prepared)
    prepared.pending_validation = lambda: (drawing.validate(), remember(files, warnings))


def validate_statistics(prepared) -> None:
    """The data package validated (frictionless), then the step remembered: nothing computed
    from invalid data is ever cached or published. The render calls it while the PDF's
    pieces are laid out, else before it publishes."""
    complete_charts(prepared)
    if prepared.pending_validation is None:
        return
    validation, prepared.pending_validation = prepared.pending_validation, None
    validation()


def package_problems_cached(project, stats: Path) -> list[ReportError]:
    """Every bad row of the data package, remembered by the package's bytes: frictionless
    reads every row, and an unchanged package needs no second reading (by `check` or by
    the render that follows it)."""
    files = sorted(p for p in stats.rglob("*") if p.is_file())
    store = Store(project.root, "check")
    name = "package-" + key([p.name for p in files], *[p.read_bytes() for p in files]) + ".json"
    known = store.get_json(name)
    if known is not None:
        return [ReportError(m, Location(*where) if where else None, h) for m, where, h in known]
    from reportkit.data.package import package_problems

    problems = package_problems(stats, project.settings.stats)
    store.put_json(
        name,
        [
            [
                p.message,
                [str(p.location.path), p.location.line, p.location.column] if p.location else None,
                p.hint,
            ]
            for p in problems
        ],
    )
    return problems


def _compute(project, prepared, stats_dir, charts_file, facts_file, helper) -> ChartDrawing:
    """What the report's text needs, now: the facts, and each chart's figure, data and
    sources (pandas only). The charts' specs and drawings are left to the ChartDrawing
    returned: those from templates told at once, those Altair builds while pandoc converts
    the text (complete_charts); the package's validation by frictionless, to
    validate_statistics, before anything is published or remembered. A value that stops
    pandas here is reported as the validation finds it."""
    with explained_by_validation(project, stats_dir):
        return _text_parts(project, prepared, stats_dir, charts_file, facts_file, helper)


def raise_first_problem(project, stats_dir: Path) -> None:
    """The data package's first problem raised, if it has any (frictionless)."""
    problems = package_problems_cached(project, stats_dir)
    if problems:
        raise problems[0]


@contextmanager
def explained_by_validation(project, stats_dir: Path) -> Iterator[None]:
    """Data read before they are validated: a failure on a bad value is reported as the
    validation finds it (file, row and column), when it finds it."""
    try:
        yield
    except Exception:
        problems = package_problems_cached(project, stats_dir)
        if problems:
            raise problems[0] from None
        raise


def _text_parts(project, prepared, stats_dir, charts_file, facts_file, helper) -> ChartDrawing:
    from reportkit.charts.catalogue import load_charts
    from reportkit.charts.export import d3_format_locale, d3_time_locale
    from reportkit.charts.publish import chart_text_files
    from reportkit.charts.rows import chart_rows, with_source_names
    from reportkit.charts.theme import ChartTheme
    from reportkit.data.facts import load_facts
    from reportkit.data.package import load_package
    from reportkit.data.provenance import Sourced, sources_csv

    settings = project.settings
    package = load_package(stats_dir, settings.stats, validated=True)
    sourced: list[Sourced] = []
    drawing = ChartDrawing(project, stats_dir, package, helper)
    if charts_file.is_file():
        charts, doc = load_charts(charts_file, settings.charts)
        brand = prepared.brand
        language = prepared.conference.language
        theme = ChartTheme.from_brand(brand)
        if script_font(language):
            theme = replace(theme, font=f"{theme.font}, {script_font(language)}")
        drawing.use(
            chart_cache(project, brand, language),
            doc,
            theme,
            d3_format_locale(language),
            d3_time_locale(language),
        )
        for index, chart in enumerate(charts):
            rows = None
            if chart.type:  # declarative: its rows are known before its spec
                rows = with_source_names(chart_rows(chart, package, doc, index), package)
            if rows is not None and "confidence" in rows:
                recalled = int((rows["confidence"] == "recalled").sum())
                if recalled:
                    prepared.warnings.append(
                        doc.error(
                            ("charts", index),
                            f"chart '{chart.id}' plots {recalled} recalled (unverified) figure(s)",
                            "verify them against a source, or filter them out before "
                            "publishing (reportkit render --final refuses them)",
                        )
                    )
            prepared.files.update(chart_text_files(chart, rows, prepared.labels))
            drawing.add(index, chart, rows)
            sourced.append(Sourced("chart", chart.id, chart.title, _source_ids(rows)))
            prepared.charts.append(chart.id)
    if facts_file.is_file():
        language = prepared.conference.language
        facts = load_facts(facts_file, settings.facts, package, language)
        prepared.variables = {"facts": {fact.name: fact.text for fact in facts}}
        sourced += [Sourced("fact", f.name, f.description or f.name, f.source_ids) for f in facts]
        prepared.files["_variables.yml"] = (
            f"# Generated by reportkit from {settings.facts}: edit that file, not this one.\n"
            + yaml.safe_dump(prepared.variables, allow_unicode=True, sort_keys=True)
        )
    prepared.files[SOURCES_CSV] = sources_csv(sourced, package)
    return drawing


class ChartDrawing:
    """The rest of a statistics step whose text parts are ready (statistics._compute): the
    data package validated, the charts' specs built, and the charts drawn by vl-convert, in a
    helper process (started with vl-convert while the text's parts were computed) or here."""

    def __init__(self, project: Project, stats_dir: Path, package, helper):
        self.project, self.stats_dir, self.package = project, stats_dir, package
        self.helper = helper  # workers.Helper, drawing what it is told
        self.charts: list[tuple] = []  # (index in charts.yml, chart, rows)
        self.told = 0  # how many of them have had their spec told

    def use(self, cache, doc, theme, locale: dict, time_locale: dict | None) -> None:
        self.cache, self.doc, self.theme = cache, doc, theme
        self.locale, self.time_locale = locale, time_locale

    def add(self, index: int, chart, rows) -> None:
        self.charts.append((index, chart, rows))

    def _job(self, chart, spec: dict) -> tuple:
        return (spec, chart.width, self.locale, self.time_locale)

    def validate(self) -> None:
        raise_first_problem(self.project, self.stats_dir)

    def tell_specs(self, tell, templates_only: bool = False) -> None:
        """Each chart's spec not yet told, handed to `tell` as soon as it is made (the
        helper, with vl-convert started, draws it while the next is made). With
        `templates_only`, only as far as specs come from templates: those cost nothing, and
        are told as soon as the rows are known; a spec Altair builds waits for pandoc to be
        converting. A spec that fails on a bad value is explained by the validation."""
        store = Store(self.project.root, "chart-specs")
        with explained_by_validation(self.project, self.stats_dir):
            while self.told < len(self.charts):
                number = self.told + 1
                index, chart, rows = self.charts[self.told]
                name = self._template_name(chart, rows)
                data = store.get(name) if name else None
                if data is None and templates_only:
                    return
                counted = f"chart {number}/{len(self.charts)}: {chart.id}"
                progress.detail(counted + (" (spec from its template)" if data else ""))
                if data is not None:
                    from reportkit.charts.spec_template import fill

                    spec = fill(json.loads(data), rows)
                else:
                    spec = self._built_spec(index, chart, rows)
                    if name:
                        from reportkit.charts.spec_template import make_template

                        made = make_template(spec, rows)
                        if made is not None:  # in order: its spec is the one built
                            store.put(name, json.dumps(made, ensure_ascii=False).encode("utf-8"))
                tell(self._job(chart, spec))
                self.told += 1

    def _built_spec(self, index: int, chart, rows) -> dict:
        from reportkit.charts.build import vega_lite_spec

        spec, _ = vega_lite_spec(
            chart,
            self.package,
            self.doc,
            index,
            self.project.root,
            self.theme,
            self.project.settings.allow_python,
            rows,
        )
        return spec

    def _template_name(self, chart, rows) -> str | None:
        """A declarative chart's spec follows from its entry, the theme and its rows: a
        template (charts/spec_template.py) is kept for the entry, the theme and every column
        of the rows but the values plotted, so a changed value needs no Altair. Charts drawn
        by their own code or file are built every time."""
        if rows is None or not chart.type:
            return None
        from reportkit.charts.spec_template import shape

        rows_shape = shape(chart, rows)
        if rows_shape is None:
            return None
        entry = chart.model_dump(mode="json")
        return key(entry, rows_shape, asdict(self.theme), _version("altair")) + ".json"

    def finish(self, prepared) -> tuple[dict[str, str], list[ReportError]]:
        """The drawings' files and warnings, also added to `prepared`."""
        from reportkit.charts.export import svg_width
        from reportkit.charts.publish import chart_drawing_files
        from reportkit.charts.shaping import shaped_svg

        helper = self.helper
        jobs: list[tuple] = []
        try:
            self.tell_specs(helper.tell if helper is not None else jobs.append)
        finally:
            if helper is not None:
                helper.tell(None)  # nothing more to draw
        if not self.charts:
            return {}, []
        if helper is not None:
            drawn, built, reused = helper.result()
        else:
            from reportkit.charts.export import draw_charts

            drawn, built, reused = draw_charts(self.cache, jobs)
        language = prepared.conference.language
        files: dict[str, str] = {}
        warnings: list[ReportError] = []
        for (index, chart, rows), result in zip(self.charts, drawn, strict=True):
            if isinstance(result, str):
                raise chart_draw_error(self.doc, index, chart.id, result)
            spec, svg = result
            if svg_width(svg) > chart.width + 1:
                warnings.append(
                    self.doc.error(
                        ("charts", index),
                        f"chart '{chart.id}' is drawn {svg_width(svg):.0f} px wide, more than its "
                        f"{chart.width} px: it prints smaller than the other charts",
                        "shorten its labels, or use fewer columns",
                    )
                )
            if script_font(language):  # joined letters in print too (charts/shaping.py)
                svg = shaped_svg(svg)
            files.update(
                chart_drawing_files(
                    chart, svg, spec, self.locale, rows, prepared.labels, self.time_locale
                )
            )
        prepared.files.update(files)
        prepared.warnings += warnings
        prepared.charts_built, prepared.charts_reused = built, reused
        return files, warnings


def _source_ids(rows) -> tuple[str, ...]:
    if rows is None or "source_id" not in rows:
        return ()
    return tuple(sorted(str(s) for s in rows["source_id"].dropna().unique()))


def chart_cache(project: Project, brand, language: str = "en"):
    """The project's cache of drawn charts (SVG and PNG), drawn in the brand's fonts (and the
    font of the language's script where the brand's fonts lack it)."""
    from reportkit.charts.export import ChartCache

    fonts = (brand.body_font, brand.heading_font, *filter(None, [script_font(language)]))
    return ChartCache(project.root / ".reportkit" / "cache" / "charts", fonts)


def chart_draw_error(doc, index: int, chart_id: str, error) -> ReportError:
    """A chart Vega cannot draw: one line at its entry in charts.yml."""
    reason = str(error)
    if "url not allowed" in reason.lower():
        hint = "reports are offline: put the data in data/stats/ and name its dataset"
    else:
        hint = "check the chart's type and the types of its x, y and color fields"
    return doc.error(("charts", index), f"chart '{chart_id}' cannot be drawn: {reason}", hint)


def write_chart_pngs(project: Project, prepared) -> list[Path]:
    """_generated/charts/<id>.png for every chart (Word output), drawn from its .vl.json.

    Cached like the SVGs, under the same hash; a file is rewritten only when its bytes change.
    """
    if not prepared.charts:
        return []
    from reportkit.charts.catalogue import load_charts
    from reportkit.charts.export import ChartDrawError, d3_format_locale, d3_time_locale

    language = prepared.conference.language
    cache = chart_cache(project, prepared.brand, language)
    locale = d3_format_locale(language)
    time_locale = d3_time_locale(language)
    written = []
    for chart_id in prepared.charts:
        spec_path = f"{CHARTS_DIR}/{chart_id}.vl.json"
        spec_text = prepared.files.get(spec_path)
        if spec_text is None:
            spec_text = project.path(spec_path).read_text(encoding="utf-8")
        try:
            png = cache.png(json.loads(spec_text), locale, time_locale)
        except ChartDrawError as error:
            charts, doc = load_charts(
                project.path(project.settings.charts), project.settings.charts
            )
            index = next(i for i, chart in enumerate(charts) if chart.id == chart_id)
            raise chart_draw_error(doc, index, chart_id, error) from None
        path = project.path(f"{CHARTS_DIR}/{chart_id}.png")
        if path.is_file() and path.read_bytes() == png:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".png.tmp")
        tmp.write_bytes(png)
        tmp.replace(path)
        written.append(path)
    return written
