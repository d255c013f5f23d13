"""data/charts.yml: the chart catalogue, typed, for editors who do not write Python."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from reportkit.charts.theme import CHART_WIDTH
from reportkit.model.validation import StrictModel, validate
from reportkit.yamlio import YamlDocument, load_yaml

ChartType = Literal["line", "bar", "grouped-bar", "stacked-bar", "area", "small-multiples"]


class Channel(StrictModel):
    field: str
    """Column of the dataset."""
    title: str | None = None
    """Axis or legend title (default: the column's name)."""
    type: Literal["quantitative", "ordinal", "nominal", "temporal"] | None = None
    """Vega-Lite type of the values (default: ordinal for x, quantitative for y)."""
    format: str | None = None
    """d3 number format of the axis and tooltip, e.g. ',.0f'."""
    labels: Literal["geography"] | dict[str, str] | None = None
    """'geography': show geographies.csv names instead of ids; or a mapping value: label."""


class Annotation(StrictModel):
    x: str | int
    """The x value where a dashed rule is drawn."""
    label: str
    """Text beside the rule."""


class Chart(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    """Unique id: {{< reportkit chart ID >}} places it, @fig-ID refers to it."""
    title: str
    """Bold start of the caption."""
    caption: str
    """The caption's text after the title."""
    alt: str = Field(min_length=10)
    """What the chart shows, for readers who cannot see it (at least 10 characters)."""
    source: str | None = None
    """Source line under the caption."""
    dataset: str | None = None
    """Resource name in data/stats/datapackage.yaml."""
    filter: dict[str, str | int | list[str | int] | None] = {}
    """Rows to draw: column: value, a list of values (any of them), or null (empty cells)."""
    source_priority: list[str] = Field([], alias="source-priority")
    """Where several sources give the same point, keep the first source of this list."""
    type: ChartType | None = None
    """line, bar, grouped-bar, stacked-bar, area or small-multiples."""
    x: Channel | None = None
    """The horizontal axis."""
    y: Channel | None = None
    """The vertical axis (the values)."""
    color: Channel | None = None
    """Series: one colour each, with a legend."""
    facet: Channel | None = None
    """Small multiples: one panel per value."""
    columns: int = 2
    """Panels per row of small multiples."""
    annotations: list[Annotation] = []
    """Dashed rules with a label, at x values."""
    python: str | None = None
    """Instead of type: 'file.py:function' returning an Altair chart (only where _quarto.yml
    says allow-python: true)."""
    vega_lite: str | None = Field(None, alias="vega-lite")
    """Instead of type: a Vega-Lite JSON file."""
    width: int = Field(CHART_WIDTH, ge=200, le=CHART_WIDTH)
    """The whole chart's width in CSS px, axes and legend included (at most 536): charts print
    at their drawn size, so text is one size in every chart."""
    height: int = 240
    """Height in pixels."""

    @model_validator(mode="after")
    def one_way_to_draw(self) -> Chart:
        ways = [self.type is not None, self.python is not None, self.vega_lite is not None]
        if sum(ways) != 1:
            raise ValueError("give exactly one of 'type', 'python' or 'vega-lite'")
        if self.type and not (self.dataset and self.x and self.y):
            raise ValueError("a declarative chart needs 'dataset', 'x' and 'y'")
        if self.type == "small-multiples" and not self.facet:
            raise ValueError("small multiples need 'facet'")
        return self


class ChartsFile(StrictModel):
    """data/charts.yml: the chart catalogue."""

    charts: list[Chart]
    """The charts, each placed where the text needs it."""


def load_charts(path: Path, display: str) -> tuple[list[Chart], YamlDocument]:
    doc = load_yaml(path, display)
    charts = validate(ChartsFile, doc, doc.data or {}).charts
    seen: set[str] = set()
    for index, chart in enumerate(charts):
        if chart.id in seen:
            raise doc.error(("charts", index, "id"), f"duplicate chart id '{chart.id}'")
        seen.add(chart.id)
    return charts, doc
