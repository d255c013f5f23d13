"""JSON Schemas of the data files, generated from the pydantic models that validate them.

The schemas ship inside the package (src/reportkit/schemas/*.schema.json, written by
tools/build_schemas.py). Each project gets a copy in .reportkit/schemas/, and each data file
a first line `# yaml-language-server: $schema=…` pointing at it, so YAML editors (VS Code's
YAML extension, any editor with yaml-language-server) complete and check fields offline.
README's field reference is made from the same schemas.

A new data file is one line in DATA_FILES.
"""

from __future__ import annotations

import importlib
import json
import os
from importlib import resources
from pathlib import Path

from pydantic import BaseModel

# Data file name (data/NAME.yml) -> the model of its whole content.
DATA_FILES: dict[str, str] = {
    "conference": "reportkit.model.conference:Conference",
    "people": "reportkit.model.people:PeopleFile",
    "programme": "reportkit.model.programme:ProgrammeFile",
    "charts": "reportkit.charts.catalogue:ChartsFile",
    "facts": "reportkit.data.facts:FactsFile",
    "organisations": "reportkit.model.organisations:OrganisationsFile",
}
PROJECT_SCHEMA_DIR = ".reportkit/schemas"
MODELINE = "# yaml-language-server: $schema="
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def model(name: str) -> type[BaseModel]:
    module, _, attribute = DATA_FILES[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def schema(name: str) -> dict:
    """The JSON Schema of data/NAME.yml, keys as written in YAML (kebab-case aliases)."""
    generated = model(name).model_json_schema(by_alias=True)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:reportkit:schema:{name}",
        **generated,
        "title": f"reportkit data/{name}.yml",
    }


def schema_text(name: str) -> str:
    return json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"


def shipped_schema(name: str) -> Path:
    return Path(str(resources.files("reportkit").joinpath("schemas", f"{name}.schema.json")))


def write_shipped_schemas() -> list[Path]:
    """Regenerate the package's schema files from the models (tools/build_schemas.py)."""
    written = []
    for name in DATA_FILES:
        path = shipped_schema(name)
        if not path.is_file() or path.read_text(encoding="utf-8") != schema_text(name):
            path.write_text(schema_text(name), encoding="utf-8")
            written.append(path)
    return written


def data_file(settings, name: str) -> str:
    """Where the project keeps data/NAME.yml (the path can be set under `reportkit:`)."""
    return getattr(settings, name, None) or f"data/{name}.yml"


def install_schemas(root: Path) -> list[Path]:
    """Copy the shipped schemas into the project's .reportkit/schemas/ where they differ."""
    written = []
    directory = root / PROJECT_SCHEMA_DIR
    for name in DATA_FILES:
        text = shipped_schema(name).read_text(encoding="utf-8")
        target = directory / f"{name}.schema.json"
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            directory.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.append(target)
    return written


def modeline(data_path: str, name: str) -> str:
    """The first line telling YAML editors which schema a data file follows (a relative path:
    it works offline and wherever the project is)."""
    schema_path = Path(PROJECT_SCHEMA_DIR) / f"{name}.schema.json"
    relative_path = os.path.relpath(schema_path, Path(data_path).parent)
    return f"{MODELINE}{Path(relative_path).as_posix()}"


def set_modeline(root: Path, data_path: str, name: str) -> bool:
    """Put (or correct) the schema line at the top of a data file; True when it changed."""
    path = root / data_path
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    line = modeline(data_path, name)
    first, _, rest = text.partition("\n")
    updated = f"{line}\n{rest}" if first.startswith(MODELINE) else f"{line}\n{text}"
    if updated == text:
        return False
    path.write_text(updated, encoding="utf-8")
    return True


def wire_project(root: Path, settings) -> None:
    """Schemas into the project and a schema line into each of its data files."""
    install_schemas(root)
    for name in DATA_FILES:
        set_modeline(root, data_file(settings, name), name)


# README's reference of every field, made from the same schemas ----------------------------


def _resolve(node: dict, defs: dict) -> dict:
    while "$ref" in node:
        node = defs[node["$ref"].split("/")[-1]]
    return node


def _describe(node: dict, defs: dict) -> tuple[str, dict | None, str]:
    """(type as a reader says it, nested object to list the fields of, suffix of their path)."""
    if "$ref" in node:
        target = _resolve(node, defs)
        if "enum" in target:
            return " \\| ".join(f"`{v}`" for v in target["enum"]), None, ""
        return "mapping", target, "."
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        described = [_describe(o, defs) for o in options]
        nested = next(((d[1], d[2]) for d in described if d[1]), (None, ""))
        return " or ".join(d[0] for d in described), nested[0], nested[1]
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"]), None, ""
    if "const" in node:
        return f"`{node['const']}`", None, ""
    kind = node.get("type")
    if kind == "array":
        inner, nested, suffix = _describe(node.get("items", {}), defs)
        return f"list of {inner}", nested, "[]" + (suffix or ".") if nested else ""
    if kind == "object":
        values = node.get("additionalProperties")
        if isinstance(values, dict) and values:
            inner, nested, _ = _describe(values, defs)
            return f"mapping of name → {inner}", nested, ".NAME."
        return "mapping", None, ""
    if kind == "string" and node.get("format") == "date":
        return "date (YYYY-MM-DD)", None, ""
    words = {"string": "text", "integer": "integer", "number": "number", "boolean": "true/false"}
    text = words.get(kind, kind or "any")
    if "minimum" in node:
        text += f" ≥ {node['minimum']}"
    if "minLength" in node:
        text += f" ({node['minLength']}+ characters)"
    return text, None, ""


def _rows(node: dict, defs: dict, prefix: str, rows: list[str]) -> None:
    required = set(node.get("required", []))
    for key, prop in node.get("properties", {}).items():
        kind, nested, suffix = _describe(prop, defs)
        description = prop.get("description", "").replace("|", "\\|").replace("\n", " ")
        default = prop.get("default")
        if default not in (None, [], {}) and key not in required:
            description += f" Default: `{json.dumps(default, ensure_ascii=False)}`."
        mark = "yes" if key in required else ""
        rows.append(f"| `{prefix}{key}` | {kind} | {mark} | {description.strip()} |")
        if nested is not None:
            _rows(nested, defs, f"{prefix}{key}{suffix}", rows)


README_START = "<!-- data-fields -->"
README_END = "<!-- /data-fields -->"


def readme_with_reference(readme: str) -> str:
    """README.md's text with the field reference between its markers brought up to date."""
    start, end = readme.index(README_START), readme.index(README_END)
    block = f"{README_START}\n{field_reference()}{README_END}"
    return readme[:start] + block + readme[end + len(README_END) :]


def field_reference() -> str:
    """Markdown tables of every field of every data file, for README.md."""
    parts = []
    for name in DATA_FILES:
        generated = schema(name)
        defs = generated.get("$defs", {})
        rows = ["| field | type | required | meaning |", "|---|---|---|---|"]
        _rows(generated, defs, "", rows)
        summary = generated.get("description", "").split(":", 1)[-1].strip()
        summary = summary[:1].upper() + summary[1:]
        parts.append(f"#### `data/{name}.yml`\n\n{summary}\n\n" + "\n".join(rows))
    return "\n\n".join(parts) + "\n"
