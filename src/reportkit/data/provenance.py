"""sources.csv: where every number the report shows comes from, one row per chart or fact and
source (the PDF/A archive carries it beside the data package)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from reportkit.data.package import DataPackage

COLUMNS = ("kind", "id", "title", "source_id", "organisation", "source_title", "url")


@dataclass(frozen=True)
class Sourced:
    kind: str  # "chart" or "fact"
    id: str
    title: str
    source_ids: tuple[str, ...]


def _source_details(package: DataPackage) -> dict[str, dict]:
    """The data package's own sources table (resource 'sources'), by source_id, if it has one."""
    frame = package.frames.get("sources")
    if frame is None or "source_id" not in frame:
        return {}
    return {str(row["source_id"]): row for row in frame.to_dict("records")}


def sources_csv(items: list[Sourced], package: DataPackage) -> str:
    details = _source_details(package)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in items:
        for source_id in item.source_ids or ("",):
            source = details.get(source_id, {})
            writer.writerow(
                [
                    item.kind,
                    item.id,
                    item.title,
                    source_id,
                    _text(source.get("organisation")),
                    _text(source.get("title")),
                    _text(source.get("url")),
                ]
            )
    return out.getvalue()


def _text(value) -> str:
    return "" if value is None or value != value else str(value)  # NaN is not equal to itself
