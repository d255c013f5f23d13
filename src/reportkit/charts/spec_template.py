"""A declarative chart's spec kept as a template: the spec Altair built, its plotted values
taken out. A chart whose values changed, and nothing else about its rows, gets its new spec
from the template without importing Altair (a quarter of a second).

Altair writes a chart's rows once, under `datasets`, named by a hash of them; the rest of
the spec follows from the catalogue entry, the theme and the rows' other columns
(charts/build.py reads the series, months, confidence and x values, never the measure). A
template is only kept when filling it with the rows it was made from gives back exactly the
spec Altair built, so a template gives the bytes Altair would.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd

from reportkit.charts.catalogue import Chart
from reportkit.charts.rows import plain

ROWS = "reportkit:rows"  # the rows' dataset, named in a template


def measure(chart: Chart, rows: pd.DataFrame) -> str | None:
    """The column whose values a template leaves out: the plotted measure, unless the spec is
    shaped by it too (charts/build.py's series, months, confidence or x axis)."""
    if chart.y is None or chart.x is None or chart.y.field not in rows:
        return None
    shaping = {chart.x.field, "month", "confidence"}
    shaping |= {c.field for c in (chart.color, chart.facet) if c is not None}
    return None if chart.y.field in shaping else chart.y.field


def shape(chart: Chart, rows: pd.DataFrame) -> list | None:
    """What a template is made for besides the entry and theme: every column but the
    measure, the columns' types, and where the measure is empty (None: no template)."""
    column = measure(chart, rows)
    if column is None:
        return None
    others = rows.drop(columns=[column]).to_csv(index=False, lineterminator="\n")
    types = [f"{name}:{dtype}" for name, dtype in rows.dtypes.items()]
    return [others, types, rows[column].isna().tolist()]


def values(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as Altair writes them into a spec (its sanitising leaves plain rows as they
    are)."""
    return plain(rows).to_dict(orient="records")


def dataset_name(rows: list[dict[str, Any]]) -> str:
    """The name Altair gives a dataset (altair.vegalite.v6.api._dataset_name)."""
    text = json.dumps(rows, sort_keys=True, default=str)
    return "data-" + hashlib.sha256(text.encode()).hexdigest()[:32]


def make_template(spec: dict, rows: pd.DataFrame) -> dict | None:
    """The spec without its rows, or None when the spec does not hold them as expected (a
    template that would not give Altair's spec back is not made)."""
    data = values(rows)
    name = dataset_name(data)
    if spec.get("datasets", {}).get(name) != data:
        return None
    template = _replaced(spec, {name: ROWS}, drop_rows_of=name)
    return template if _in_order(fill(template, rows)) == _in_order(spec) else None


def fill(template: dict, rows: pd.DataFrame) -> dict:
    """The spec for `rows` (of the template's shape)."""
    data = values(rows)
    name = dataset_name(data)
    spec = _replaced(template, {ROWS: name})
    spec["datasets"][name] = data  # in its place: the other datasets' order is kept
    return spec


def _in_order(spec: dict) -> str:
    """The spec's JSON, keys in their order: vl-convert is handed the dict as it is."""
    return json.dumps(spec, ensure_ascii=False, default=str)


def _replaced(value: Any, names: dict[str, str], drop_rows_of: str | None = None) -> Any:
    """A copy of the spec with the dataset names in `names` renamed (keys and values alike),
    the rows of the dataset `drop_rows_of` left out (None in their place)."""
    if isinstance(value, dict):
        copied = {}
        for key, item in value.items():
            if key == drop_rows_of:
                copied[names.get(key, key)] = None
            else:
                copied[names.get(key, key)] = _replaced(item, names, drop_rows_of)
        return copied
    if isinstance(value, list):
        return [_replaced(item, names, drop_rows_of) for item in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value
