"""From a catalogue entry and the data package to a Vega-Lite spec (via Altair)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import altair as alt
import pandas as pd

from reportkit.charts.catalogue import Channel, Chart
from reportkit.charts.rows import chart_rows, plain, with_source_names
from reportkit.charts.theme import LEGEND_COLUMNS, MIN_FONT_SIZE, ChartTheme
from reportkit.data.package import DataPackage
from reportkit.errors import Location, ReportError
from reportkit.sandbox import project_path
from reportkit.textfile import read_text
from reportkit.yamlio import YamlDocument

# The legend starts under the plot, right of the y axis and its title (about 75 px here).
Y_AXIS_ALLOWANCE = 80

BAR_TYPES = ("bar", "grouped-bar", "stacked-bar")
RECALLED_COLOUR = "#b8c7d9"


def _encoding(channel: Channel, default_type: str, number_format: str | None = None) -> dict:
    kind = channel.type or default_type
    spec = {"field": channel.field, "type": kind, "title": channel.title or channel.field}
    if channel.format or number_format:
        spec["axis"] = {"format": channel.format or number_format}
    return spec


def declarative_chart(chart: Chart, rows: pd.DataFrame, theme: ChartTheme) -> alt.TopLevelMixin:
    x = _encoding(chart.x, "ordinal")
    y = _encoding(chart.y, "quantitative", ",.0f")
    if chart.type in BAR_TYPES and x["type"] == "temporal":
        # Bars on a bare time axis are hairlines: each bar spans its month (or its year).
        if chart.x.field == "year":
            x["type"] = "ordinal"
        else:
            monthly = "month" in rows and rows["month"].notna().any()
            x["timeUnit"] = "yearmonth" if monthly else "year"
    if x["type"] in ("ordinal", "nominal"):
        x.setdefault("axis", {})["labelAngle"] = 0
    encoding: dict = {"x": alt.X(**x), "y": alt.Y(**y)}
    tooltip = [alt.Tooltip(chart.x.field, title=x["title"])]
    if chart.color:
        encoding["color"] = alt.Color(
            chart.color.field,
            type=chart.color.type or "nominal",
            title=chart.color.title or chart.color.field,
            sort=list(dict.fromkeys(rows[chart.color.field])),
            legend=alt.Legend(columns=_legend_columns(rows[chart.color.field], chart, theme)),
        )
        tooltip.append(alt.Tooltip(chart.color.field, title=chart.color.title or "Series"))
    tooltip.append(alt.Tooltip(chart.y.field, title=y["title"], format=chart.y.format or ",.0f"))
    # Readers see the source's name, not its id (source_name is added from sources.csv).
    source_column = "source_name" if "source_name" in rows else "source_id"
    for column, title in ((source_column, "Source"), ("confidence", "Confidence")):
        if column in rows:
            tooltip.append(alt.Tooltip(column, title=title))
    encoding["tooltip"] = tooltip
    if "confidence" in rows and (rows["confidence"] == "recalled").any():
        # Recalled (unverified) figures are drawn pale, with a legend saying why.
        # Only the labels the chart shows, each in its own colour (one legend entry each).
        domain = [c for c in ("verified", "derived", "recalled") if (rows["confidence"] == c).any()]
        if chart.color:
            encoding["opacity"] = alt.Opacity(
                "confidence:O",
                title="Confidence",
                scale=alt.Scale(domain=domain, range=[1, 1, 0.35]),
            )
        else:
            colours = {"verified": theme.palette[0], "derived": theme.palette[1]}
            colours["recalled"] = RECALLED_COLOUR
            encoding["color"] = alt.Color(
                "confidence:N",
                title="Confidence",
                scale=alt.Scale(domain=domain, range=[colours[c] for c in domain]),
            )
    if chart.type == "grouped-bar" and chart.color:
        encoding["xOffset"] = alt.XOffset(
            chart.color.field, sort=list(dict.fromkeys(rows[chart.color.field]))
        )
    base = alt.Chart(plain(rows))
    marks = {
        "line": lambda b: b.mark_line(point=True),
        "small-multiples": lambda b: b.mark_line(point=True),
        "area": lambda b: b.mark_area(opacity=0.85),
        "bar": lambda b: b.mark_bar(),
        "grouped-bar": lambda b: b.mark_bar(),
        "stacked-bar": lambda b: b.mark_bar(),
    }
    if chart.type == "small-multiples":
        # Cells share the width left after the y axis (about 70 px) and the gaps between them.
        size = {
            "width": (chart.width - 70 - 20 * (chart.columns - 1)) // chart.columns,
            "height": 140,
        }
    else:
        size = {"width": chart.width, "height": chart.height}
    layer = marks[chart.type](base).encode(**encoding).properties(**size)
    layers = [layer]
    # Annotations share the x axis, time unit included (or the bars lose their width).
    note_x = {key: x[key] for key in ("type", "timeUnit") if key in x}
    for note in chart.annotations:
        rule_data = pd.DataFrame({chart.x.field: [note.x], "label": [note.label]})
        rule = (
            alt.Chart(rule_data)
            .mark_rule(strokeDash=[4, 3], color="#5b6570")
            .encode(x=alt.X(chart.x.field, **note_x))
        )
        # A label on the right half of the axis reads leftwards from its rule, so it stays
        # inside the chart ("…18 March 2016" was cut at the right edge).
        leftwards = _position_on_axis(rows[chart.x.field], note.x) > 0.5
        text = (
            alt.Chart(rule_data)
            .mark_text(
                align="right" if leftwards else "left",
                dx=-4 if leftwards else 4,
                dy=-4,
                baseline="bottom",
                color="#5b6570",
                fontSize=MIN_FONT_SIZE,
            )
            .encode(x=alt.X(chart.x.field, **note_x), y=alt.value(0), text="label")
        )
        layers += [rule, text]
    combined = alt.layer(*layers) if len(layers) > 1 else layer
    if chart.type == "small-multiples":
        return combined.facet(
            facet=alt.Facet(chart.facet.field, title=chart.facet.title or None),
            columns=chart.columns,
        ).resolve_scale(y="independent")
    # The width given is the whole chart's, axes included (Vega-Lite's fit-x).
    return combined.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def _legend_columns(labels: pd.Series, chart: Chart, theme: ChartTheme) -> int:
    """As many legend columns (up to three) as fit under the plot: Vega sizes a column by its
    longest label, and a legend wider than the chart is cut off at its edge."""
    from reportkit.fonts import text_width

    names = [str(v) for v in dict.fromkeys(labels.dropna())]
    if not names:
        return LEGEND_COLUMNS
    # Symbol and its gap, plus the padding between columns (Vega's defaults, at 11 px).
    widest = max(text_width(name, theme.font, 11) for name in names) + 16 + 10
    under_plot = chart.width - Y_AXIS_ALLOWANCE
    return max(1, min(LEGEND_COLUMNS, len(names), int(under_plot // widest)))


def _position_on_axis(values: pd.Series, at) -> float:
    """Where `at` falls along the x values, from 0 (first) to 1 (last): by rank for years and
    categories, by time for dates."""
    present = values.dropna()
    if present.empty:
        return 0.0
    try:
        times = pd.to_datetime(present.astype(str), format="mixed")
        point = pd.to_datetime(str(at), format="mixed")
        low, high = times.min(), times.max()
        return 0.0 if high == low else float((point - low) / (high - low))
    except (ValueError, TypeError):
        ordered = sorted(set(present.astype(str)))
        rank = ordered.index(str(at)) if str(at) in ordered else 0
        return rank / max(1, len(ordered) - 1)


def load_python_chart(root: Path, reference: str, package: DataPackage, where) -> dict:
    """The escape hatch: 'module.py:function' in the project, called with the data package.

    It runs the project's own code, so only where the project says so (allow-python) and
    only from a file inside the project.
    """
    file_name, _, function_name = reference.partition(":")
    path = project_path(root, file_name, "python chart", where)
    if not path.is_file() or not function_name:
        raise ReportError(
            f"python chart '{reference}' not found", where, "write it as 'file.py:function'"
        )
    spec = importlib.util.spec_from_file_location(f"reportkit_chart_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        function = getattr(module, function_name, None)
        if function is None:
            raise ReportError(f"{file_name} has no function '{function_name}'", where)
        result = function(package)
        return result.to_dict() if hasattr(result, "to_dict") else dict(result)
    except ReportError:
        raise
    except Exception as error:  # the project's code: its failure is the project's to fix
        raise ReportError(
            f"python chart '{reference}' failed: {type(error).__name__}: {error}", where
        ) from error


def external_data(spec) -> str | None:
    """The first URL a Vega-Lite spec would load data from (charts take the data package's)."""
    if isinstance(spec, dict):
        data = spec.get("data")
        if isinstance(data, dict) and isinstance(data.get("url"), str):
            return data["url"]
        children = spec.values()
    elif isinstance(spec, list):
        children = spec
    else:
        return None
    return next((url for child in children if (url := external_data(child))), None)


def vega_lite_spec(
    chart: Chart,
    package: DataPackage,
    doc: YamlDocument,
    index: int,
    root: Path,
    theme: ChartTheme,
    allow_python: bool = False,
    rows: pd.DataFrame | None = None,
) -> tuple[dict, pd.DataFrame | None]:
    """The chart's complete Vega-Lite spec (theme included) and the rows it shows, if known
    (`rows`: a declarative chart's, when the caller has them already: charts.rows)."""
    where = doc.location(("charts", index))
    if chart.type:
        if rows is None:
            rows = with_source_names(chart_rows(chart, package, doc, index), package)
        spec = declarative_chart(chart, rows, theme).to_dict()
    elif chart.python:
        if not allow_python:
            raise doc.error(
                ("charts", index, "python"),
                f"chart '{chart.id}' would run Python code ({chart.python}), which this project "
                "does not allow",
                "set 'allow-python: true' under reportkit: in _quarto.yml if you trust the file",
            )
        spec = load_python_chart(root, chart.python, package, where)
    else:
        where = doc.location(("charts", index, "vega-lite"))
        path = project_path(root, chart.vega_lite, "Vega-Lite file", where)
        if not path.is_file():
            raise doc.error(("charts", index, "vega-lite"), f"'{chart.vega_lite}' does not exist")
        try:
            spec = json.loads(read_text(path, chart.vega_lite))
        except json.JSONDecodeError as error:
            raise ReportError(
                f"invalid JSON: {error.msg}", Location(chart.vega_lite, error.lineno, error.colno)
            ) from None
        if not isinstance(spec, dict):
            raise ReportError("a Vega-Lite spec must be a JSON object", Location(chart.vega_lite))
    url = external_data(spec)
    if url:
        raise doc.error(
            ("charts", index),
            f"chart '{chart.id}' loads data from '{url}'",
            "charts take their data from the data package: name a dataset instead",
        )
    spec.pop("$schema", None)
    spec["config"] = theme.config()
    spec["description"] = chart.alt
    return spec, rows
