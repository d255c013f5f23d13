"""data/facts.yml: key figures as queries on the data, written to _variables.yml for the text.

The text quotes them with {{< var facts.NAME >}} (Quarto reads _variables.yml natively), so a
number in a sentence can never disagree with the data it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from babel.numbers import format_decimal, format_percent

from reportkit.charts.rows import apply_filter, no_rows_error
from reportkit.data.package import DataPackage
from reportkit.errors import ReportError, did_you_mean
from reportkit.locale import babel_locale
from reportkit.model.validation import StrictModel, validate
from reportkit.yamlio import YamlDocument, load_yaml


class Fact(StrictModel):
    dataset: str
    """Resource name in data/stats/datapackage.yaml."""
    filter: dict[str, str | int | list[str | int] | None] = {}
    """Rows to use: column: value, a list of values (any of them), or null (empty cells)."""
    aggregate: Literal["value", "sum", "min", "max", "mean", "count"] = "value"
    """value (the filter must match exactly one row), sum, min, max, mean or count."""
    field: str = "value"
    """Column to read."""
    format: Literal["integer", "decimal", "percent", "raw"] = "integer"
    """How the text shows it: integer (174,466), decimal (1.5), percent (12%) or raw."""
    description: str | None = None
    """What the number is, for editors."""


class FactsFile(StrictModel):
    """data/facts.yml: key figures the text quotes as {{< var facts.NAME >}}."""

    facts: dict[str, Fact]
    """Facts by name."""


@dataclass
class FactValue:
    name: str
    value: float | int
    text: str
    description: str | None = None
    source_ids: tuple[str, ...] = ()  # the sources of the rows it was computed from


def format_number(value: float | int, kind: str, language: str) -> str:
    """A number as the report's language writes it (174,466 in English, 174.466 in Turkish)."""
    locale = babel_locale(language)
    if kind == "raw":
        return str(value)
    if kind == "percent":
        return format_percent(value, locale=locale, decimal_quantization=False)
    if kind == "integer":
        return format_decimal(int(round(value)), locale=locale)
    return format_decimal(value, locale=locale, format="#,##0.0")


def compute(name: str, fact: Fact, package: DataPackage, doc: YamlDocument, language: str):
    def error(path, message, hint=None):
        return doc.error(("facts", name, *path), message, hint)

    frame = package.frame(fact.dataset, doc.location(("facts", name, "dataset")))
    rows = apply_filter(frame, fact.filter, error)
    if fact.field not in rows.columns:
        raise error(
            ("field",),
            f"unknown field '{fact.field}' in fact '{name}'",
            did_you_mean(fact.field, rows.columns) or f"columns: {', '.join(rows.columns)}",
        )
    if rows.empty and fact.aggregate != "count":
        raise no_rows_error(frame, fact.filter, fact.dataset, f"fact '{name}'", error)
    values = rows[fact.field].dropna()
    if fact.aggregate == "value":
        if len(values) != 1:
            raise error(
                ("filter",),
                f"fact '{name}' matches {len(values)} rows, not one",
                "narrow the filter (a year, a source_id …) or give an aggregate",
            )
        value = values.iloc[0]
    elif fact.aggregate == "count":
        value = len(values)
    else:
        if values.empty:
            raise error(("filter",), f"fact '{name}' matches no rows")
        value = getattr(values, fact.aggregate)()
    if "confidence" in rows and (rows["confidence"] == "recalled").any():
        raise error(
            ("filter",),
            f"fact '{name}' uses recalled (unverified) figures",
            "quote only verified or derived figures in the text",
        )
    value = value.item() if hasattr(value, "item") else value
    sources = tuple(sorted(rows["source_id"].dropna().unique())) if "source_id" in rows else ()
    text = format_number(value, fact.format, language)
    return FactValue(name, value, text, fact.description, sources)


def load_facts(path: Path, display: str, package: DataPackage, language: str) -> list[FactValue]:
    """Every fact, computed and formatted, in file order."""
    doc = load_yaml(path, display)
    facts = validate(FactsFile, doc, doc.data or {}).facts
    if package is None:
        raise ReportError("facts need the data package in data/stats/", doc.location())
    return [compute(name, fact, package, doc, language) for name, fact in facts.items()]
