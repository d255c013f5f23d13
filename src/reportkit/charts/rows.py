"""The rows a chart draws, from a catalogue entry and the data package: pandas only (no
Altair), so that a chart's figure, data table and sources are known before its spec is built."""

from __future__ import annotations

import re

import pandas as pd

from reportkit.charts.catalogue import Chart
from reportkit.data.package import DataPackage
from reportkit.errors import did_you_mean, natural_key
from reportkit.yamlio import YamlDocument


def apply_filter(frame: pd.DataFrame, filters: dict, error) -> pd.DataFrame:
    """Rows matching every filter: a list means any of, null means empty."""
    for column, wanted in filters.items():
        if column not in frame.columns:
            raise error(
                ("filter", column),
                f"unknown column '{column}' in filter",
                did_you_mean(column, frame.columns) or f"columns: {', '.join(frame.columns)}",
            )
        values = frame[column]
        if wanted is None:
            frame = frame[values.isna()]
        elif isinstance(wanted, list):
            frame = frame[values.astype("string").isin([str(w) for w in wanted])]
        else:
            frame = frame[values.astype("string") == str(wanted)]
    return frame


def no_rows_error(frame: pd.DataFrame, filters: dict, dataset: str, what: str, error):
    """Why a filter matches no rows: the first condition no row meets, with the values that
    are there (such a filter must be corrected or widened, not narrowed)."""
    for index, (column, wanted) in enumerate(filters.items()):
        values = frame[column]
        if wanted is None:
            matched = frame[values.isna()]
        else:
            wanted_list = [str(w) for w in (wanted if isinstance(wanted, list) else [wanted])]
            matched = frame[values.astype("string").isin(wanted_list)]
        if matched.empty:
            present = sorted({str(v) for v in values.dropna()}, key=natural_key)
            close = None
            if wanted is not None:
                first = wanted[0] if isinstance(wanted, list) and wanted else wanted
                close = did_you_mean(str(first), present)
            listing = ", ".join(present[:12]) + (" …" if len(present) > 12 else "")
            rest = " among the rows the conditions before it keep" if index else ""
            there = f"values there: {listing}" if present else "the column is empty"
            return error(
                ("filter", column),
                f"{what} matches no rows of {dataset}: no row has {column} = "
                f"{'null' if wanted is None else wanted}{rest}",
                "correct or widen the filter: " + (f"{close} {there}" if close else there),
            )
        frame = matched
    return error(("filter",), f"{what} matches no rows of {dataset}", "widen the filter")


def chart_rows(chart: Chart, package: DataPackage, doc: YamlDocument, index: int) -> pd.DataFrame:
    """The rows a declarative chart draws, with labels, checked for one source per point."""

    def error(path, message, hint=None):
        return doc.error(("charts", index, *path), message, hint)

    frame = package.frame(chart.dataset, doc.location(("charts", index, "dataset")))
    rows = apply_filter(frame, chart.filter, error)
    if rows.empty:
        raise no_rows_error(frame, chart.filter, chart.dataset, f"chart '{chart.id}'", error)
    rows = rows.copy()
    if {"year", "month"} <= set(rows.columns):
        # A calendar date for monthly series, so they can sit on a time axis.
        months = rows["month"].astype("Int64")
        rows["date"] = [
            f"{y}-{m:02d}-01" if pd.notna(m) else f"{y}-01-01"
            for y, m in zip(rows["year"], months, strict=True)
        ]
    channels = {"x": chart.x, "y": chart.y, "color": chart.color, "facet": chart.facet}
    for name, channel in channels.items():
        if channel and channel.field not in rows.columns:
            raise error(
                (name, "field"),
                f"unknown field '{channel.field}'",
                did_you_mean(channel.field, rows.columns),
            )
    keys = [c.field for c in (chart.x, chart.color, chart.facet) if c]
    if chart.x.type == "temporal" and chart.x.field != "year":
        for number, note in enumerate(chart.annotations):
            if not isinstance(note.x, str) or not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", note.x):
                raise error(
                    ("annotations", number, "x"),
                    f"annotation at {note.x!r} is not a date on the time axis '{chart.x.field}'",
                    'write it as a quoted date, e.g. x: "2016-03-18"',
                )
    if chart.source_priority and "source_id" in rows:
        known = set(frame["source_id"].dropna())
        if "sources" in package.frames and "source_id" in package.frames["sources"]:
            known |= set(package.frames["sources"]["source_id"].dropna())
        for position, source in enumerate(chart.source_priority):
            if source not in known:
                raise error(
                    ("source-priority", position),
                    f"chart '{chart.id}': unknown source '{source}' in source-priority",
                    did_you_mean(source, known) or "source ids are listed in sources.csv",
                )
        unknown = sorted(set(rows["source_id"]) - set(chart.source_priority))
        if unknown:
            raise error(
                ("source-priority",),
                f"chart '{chart.id}': source-priority does not rank {', '.join(unknown)}",
                "list every source the filter lets through, or narrow the filter",
            )
        rank = {source: i for i, source in enumerate(chart.source_priority)}
        rows = (
            rows.assign(_rank=rows["source_id"].map(rank))
            .sort_values([*keys, "_rank"])
            .drop_duplicates(keys, keep="first")
            .drop(columns="_rank")
        )
    duplicated = rows[rows.duplicated(keys, keep=False)]
    if not duplicated.empty:
        sample = duplicated.iloc[0]
        point = ", ".join(f"{k}={sample[k]}" for k in keys)
        # The sources of this one point (others may clash too, between other editions).
        groups = duplicated.groupby(keys, dropna=False, sort=False).ngroup()
        at_point = duplicated[groups == groups.iloc[0]]
        sources = sorted(at_point["source_id"].dropna().unique()) if "source_id" in rows else []
        if len(sources) > 1:
            every = sorted(duplicated["source_id"].dropna().unique())
            raise error(
                ("filter",),
                f"chart '{chart.id}' has several values for {point} (sources {', '.join(sources)})",
                "pick one source per series with a 'source_id' filter, or rank them: "
                f"source-priority: [{', '.join(every)}]",
            )
        raise error(
            ("filter",),
            f"chart '{chart.id}' has several values for {point}",
            "each point needs one row: filter the others out (e.g. month: null for yearly "
            "figures) or choose x and color fields that tell them apart",
        )
    names = None
    if "geographies" in package.frames:
        names = package.frames["geographies"].set_index("geo_id")["name"]
    for channel in (chart.color, chart.facet, chart.x):
        if channel is None or channel.labels is None:
            continue
        labels = names if channel.labels == "geography" else pd.Series(channel.labels)
        if labels is not None:
            rows[channel.field] = rows[channel.field].map(labels).fillna(rows[channel.field])
    return rows.sort_values([k for k in keys if k in rows]).reset_index(drop=True)


def with_source_names(rows: pd.DataFrame, package: DataPackage) -> pd.DataFrame:
    """Each row's source as readers know it (sources.csv's organisation), beside its id."""
    if "source_id" not in rows or "sources" not in package.frames:
        return rows
    sources = package.frames["sources"]
    if not {"source_id", "organisation"} <= set(sources.columns):
        return rows
    names = dict(zip(sources["source_id"], sources["organisation"], strict=True))
    return rows.assign(source_name=rows["source_id"].map(names).fillna(rows["source_id"]))


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """pandas' nullable types as plain Python values, so the spec's JSON is simple and stable."""
    return frame.astype(object).where(frame.notna(), None)
