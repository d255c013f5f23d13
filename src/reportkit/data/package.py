"""data/stats/: a Frictionless data package, validated with frictionless and read with pandas."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from reportkit.errors import Location, ReportError, did_you_mean, natural_key
from reportkit.sandbox import project_path
from reportkit.yamlio import load_yaml

if TYPE_CHECKING:
    from frictionless import Package

DESCRIPTOR = "datapackage.yaml"
# RFC 4180, the Data Package default. Declared, never guessed: frictionless would otherwise
# sniff the separator and take ';' for one when many notes contain "; ".
DEFAULT_DIALECT = {"delimiter": ",", "quoteChar": '"'}
OTHER_SEPARATORS = (";", "\t", "|")
SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "'|'"}


@dataclass
class DataPackage:
    """Validated datasets by resource name, plus the descriptor they came from."""

    directory: Path
    display: str
    descriptor: dict
    frames: dict[str, pd.DataFrame]

    def resource(self, name: str) -> dict:
        return next(r for r in self.descriptor["resources"] if r["name"] == name)

    def path(self, name: str) -> Path:
        return self.directory / self.resource(name)["path"]

    def frame(self, name: str, location: Location | None = None) -> pd.DataFrame:
        if name not in self.frames:
            raise ReportError(
                f"unknown dataset '{name}'",
                location,
                did_you_mean(name, self.frames) or f"datasets: {', '.join(sorted(self.frames))}",
            )
        return self.frames[name]


def _lookup_values(package: Package, error) -> str:
    match = re.search(r'values "([^"]*)" not found', error.note or "")
    return match.group(1) if match else ""


def _explain(package: Package, resource_name: str, error, display_dir: str) -> ReportError:
    """One frictionless error as `file:row N:column NAME: message`."""
    resource = package.get_resource(resource_name)
    where = f"{display_dir}/{resource.path}"
    row = getattr(error, "row_number", None)
    field = getattr(error, "field_name", None)
    cell = getattr(error, "cell", None)
    parts = [where]
    if row:
        parts.append(f"row {row}")
    if field:
        parts.append(f"column {field}")
    location = Location(":".join(parts))
    kind = error.type
    if kind == "type-error":
        expected = (error.note or "").replace("type is ", "").split("/")[0].strip('"')
        article = "an" if expected[:1] in "aeiou" else "a"
        return ReportError(f'"{cell}" is not {article} {expected}', location, "fix the value")
    if kind == "constraint-error":
        return ReportError(f'"{cell}" breaks a constraint: {error.note}', location)
    if kind == "primary-key":
        keys = ", ".join(resource.schema.primary_key)
        return ReportError(
            f"duplicate key ({keys}): {error.note}", location, "each row needs its own key"
        )
    if kind == "foreign-key":
        value = _lookup_values(package, error)
        reference = re.search(r'lookup table "([^"]+)" as "([^"]+)"', error.note or "")
        table, column = reference.groups() if reference else ("", "")
        known = []
        if table:
            known = [str(row[column]) for row in package.get_resource(table).read_rows()]
        what = "geography code" if "geo" in column else f"{column} value"
        return ReportError(
            f"unknown {what} '{value}'",
            location,
            did_you_mean(value, known) or f"add it to {table}.csv first",
        )
    if kind == "missing-label":
        return ReportError(f"missing column: {error.note or error.message}", location)
    if kind == "missing-cell":
        return ReportError("missing value", location, "fill in the cell")
    if kind == "blank-row":
        return ReportError("blank row", location, "delete it")
    return ReportError(error.message, location)


def confined_resources(directory: Path, display_dir: str) -> None:
    """Every resource path of the descriptor names a file inside the data package's folder
    (before frictionless opens any); the descriptor itself is read with reportkit's bounds."""
    display = f"{display_dir}/{DESCRIPTOR}"
    doc = load_yaml(directory / DESCRIPTOR, display)
    resources = (doc.data or {}).get("resources") if isinstance(doc.data, dict) else None
    for index, resource in enumerate(resources if isinstance(resources, list) else []):
        path = resource.get("path") if isinstance(resource, dict) else None
        for number, name in enumerate(path if isinstance(path, list) else [path]):
            if not isinstance(name, str):
                continue
            where = doc.location(("resources", index, "path", number)[: 3 + isinstance(path, list)])
            if re.match(r"^[a-z][a-z0-9+.-]*://", name, re.I):
                raise ReportError(
                    f"resource '{name}' would load from the network",
                    where,
                    "save the file in the data package's folder and give its name",
                )
            project_path(directory, name, "data file", where)


def dialect(resource: dict) -> dict:
    """The resource's CSV dialect: what it declares over the RFC 4180 defaults."""
    declared = resource.get("dialect")
    declared = declared if isinstance(declared, dict) else {}
    return {**DEFAULT_DIALECT, **declared.get("csv", declared)}


def _is_csv(resource: dict) -> bool:
    return resource.get("format") == "csv" or str(resource.get("path", "")).endswith(".csv")


def file_problem(directory: Path, display_dir: str, resource: dict) -> ReportError | None:
    """An encoding or separator problem: one message for the file, not one per row."""
    path = directory / str(resource.get("path", ""))
    if not _is_csv(resource) or not path.is_file():
        return None
    where = f"{display_dir}/{resource['path']}"
    encoding = resource.get("encoding") or "utf-8"
    data = path.read_bytes()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        return ReportError(
            f"the file is not {encoding}: byte 0x{byte:02x} cannot be read",
            Location(f"{where}:row {row}"),
            f"save it as UTF-8 (in Excel: 'CSV UTF-8'), or declare its encoding in {DESCRIPTOR}",
        )
    except LookupError:
        return ReportError(
            f"unknown encoding '{encoding}' for {resource['path']}",
            Location(f"{display_dir}/{DESCRIPTOR}"),
            "write utf-8",
        )
    fields = [f.get("name") for f in (resource.get("schema") or {}).get("fields", [])]
    header_line = text.lstrip("\ufeff").split("\n", 1)[0]
    separator = dialect(resource)["delimiter"]

    def header(delimiter: str) -> list[str]:
        return next(csv.reader(io.StringIO(header_line), delimiter=delimiter), [])

    if not fields or len(header(separator)) > 1:
        return None
    for other in OTHER_SEPARATORS:
        if other != separator and len(header(other)) > 1:
            return ReportError(
                f"columns are separated by {SEPARATOR_NAMES[other]}, "
                f"not {SEPARATOR_NAMES.get(separator, repr(separator))}",
                Location(f"{where}:row 1"),
                f"save it as comma-separated CSV, or declare "
                f'dialect: {{delimiter: "{other.encode("unicode_escape").decode()}"}} '
                f"for '{resource.get('name')}' in {DESCRIPTOR}",
            )
    return None


def read_descriptor(directory: Path, display_dir: str) -> dict:
    """datapackage.yaml with every CSV's dialect spelt out (so frictionless never guesses)."""
    display = f"{display_dir}/{DESCRIPTOR}"
    descriptor = load_yaml(directory / DESCRIPTOR, display).data
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise ReportError(
            "a data package needs a list of resources", Location(display, 1), "list the CSVs"
        )
    for resource in descriptor["resources"]:
        if isinstance(resource, dict) and _is_csv(resource):
            resource["dialect"] = dialect(resource)
    return descriptor


def package_problems(directory: Path, display_dir: str) -> list[ReportError]:
    """Every problem frictionless finds in the data package (empty when it is valid), sorted
    by file and row number."""
    descriptor_path = directory / DESCRIPTOR
    if not descriptor_path.is_file():
        display = f"{display_dir}/{DESCRIPTOR}"
        return [ReportError(f"{display} does not exist", hint="describe the datasets there")]
    try:
        confined_resources(directory, display_dir)
        descriptor = read_descriptor(directory, display_dir)
    except ReportError as error:
        return [error]
    problems = []
    for resource in descriptor["resources"]:
        problem = (
            file_problem(directory, display_dir, resource) if isinstance(resource, dict) else None
        )
        if problem:
            problems.append(problem)
    if problems:
        # An unreadable file would fail every row, and every lookup into it from other files.
        return problems
    from frictionless import Package  # here: a render whose data are known valid needs none

    package = Package(descriptor, basepath=str(directory))
    report = package.validate()
    problems = [
        _explain(package, task.name, error, display_dir)
        for task in report.tasks
        for error in task.errors
    ]
    if not report.valid and not problems:
        message = report.errors[0].message if report.errors else "invalid data package"
        problems.append(ReportError(message, Location(f"{display_dir}/{DESCRIPTOR}")))
    return sorted(problems, key=lambda p: natural_key(str(p.location or "")))


def load_package(directory: Path, display_dir: str, validated: bool = False) -> DataPackage:
    """Validate the data package (first problem raised; not again when `validated`) and load
    each resource as a DataFrame."""
    problems = [] if validated else package_problems(directory, display_dir)
    if problems:
        raise problems[0]
    display = f"{display_dir}/{DESCRIPTOR}"
    descriptor = read_descriptor(directory, display_dir)
    frames = {}
    for resource in descriptor["resources"]:
        fields = resource["schema"]["fields"]
        dtypes = {f["name"]: _dtype(f["type"]) for f in fields}
        csv_dialect = dialect(resource)
        frames[resource["name"]] = pd.read_csv(
            directory / resource["path"],
            dtype=dtypes,
            keep_default_na=False,
            na_values=[""],
            sep=csv_dialect["delimiter"],
            quotechar=csv_dialect["quoteChar"],
            encoding=resource.get("encoding") or "utf-8",
        )
    return DataPackage(directory, display, descriptor, frames)


def _dtype(kind: str) -> str:
    return {"integer": "Int64", "number": "Float64"}.get(kind, "string")
