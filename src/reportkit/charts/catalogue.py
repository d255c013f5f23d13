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
    title: str | None = None
    type: Literal["quantitative", "ordinal", "nominal", "temporal"] | None = None
    format: str | None = None
    # "geography": show geographies.csv names instead of ids; a mapping: value -> label.
    labels: Literal["geography"] | dict[str, str] | None = None


class Annotation(StrictModel):
    x: str | int
    label: str


class Chart(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    caption: str
    alt: str = Field(min_length=10)
    source: str | None = None
    dataset: str | None = None
    filter: dict[str, str | int | list[str | int] | None] = {}
    # Where several sources give the same point, keep the first source of this list that has it.
    source_priority: list[str] = Field([], alias="source-priority")
    type: ChartType | None = None
    x: Channel | None = None
    y: Channel | None = None
    color: Channel | None = None
    facet: Channel | None = None
    columns: int = 2
    annotations: list[Annotation] = []
    python: str | None = None  # "module.py:function" returning an Altair chart
    vega_lite: str | None = Field(None, alias="vega-lite")  # a Vega-Lite JSON file
    # The whole chart's width in CSS px (axes and legend included): charts print at their own
    # size, so one width keeps chart text one size across the report.
    width: int = Field(CHART_WIDTH, ge=200, le=CHART_WIDTH)
    height: int = 240

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
    charts: list[Chart]


def load_charts(path: Path, display: str) -> tuple[list[Chart], YamlDocument]:
    doc = load_yaml(path, display)
    charts = validate(ChartsFile, doc, doc.data or {}).charts
    seen: set[str] = set()
    for index, chart in enumerate(charts):
        if chart.id in seen:
            raise doc.error(("charts", index, "id"), f"duplicate chart id '{chart.id}'")
        seen.add(chart.id)
    return charts, doc
