"""YAML files read with the line of every key, so later checks can point at file:line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reportkit.errors import Location, ReportError
from reportkit.textfile import read_text

# YAML aliases (*name) repeat a node; a few nested ones expand to billions ("billion laughs").
# Data files have no need of more than a handful, so more are refused before any expansion.
MAX_ALIASES = 50
MAX_NODES = 200_000  # nodes built from one file, aliases expanded

KeyPath = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """A parsed YAML file plus the position (1-based line, column) of each key path."""

    path: Path
    display: str
    data: Any
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def location(self, key_path: KeyPath = ()) -> Location:
        """Where key_path is, or its nearest existing parent, or the file itself."""
        for end in range(len(key_path), -1, -1):
            pos = self.positions.get(tuple(key_path[:end]))
            if pos:
                return Location(self.display, *pos)
        return Location(self.display)

    def error(self, key_path: KeyPath, message: str, hint: str | None = None) -> ReportError:
        return ReportError(message, self.location(key_path), hint)


# libyaml (C) when PyYAML has it: ten times faster; it also bounds nesting depth itself.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Walk:
    """Counts what building the values costs: a mapping or list reached a second time is an
    alias (*name) repeating it — refused beyond a few, before they multiply."""

    def __init__(self):
        self.nodes = 0
        self.seen: set[int] = set()
        self.aliases = 0

    def visit(self, node: yaml.Node, mark) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise yaml.MarkedYAMLError(
                problem=f"more than {MAX_NODES:,} values once aliases are expanded",
                problem_mark=mark,
            )
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if id(node) in self.seen:
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise yaml.MarkedYAMLError(
                        problem=f"more than {MAX_ALIASES} aliases (*name): refused, as they can "
                        "expand without bound",
                        problem_mark=mark,
                    )
            self.seen.add(id(node))


def _construct(
    node: yaml.Node, path: KeyPath, positions: dict, loader, walk: _Walk, mark=None
) -> Any:
    walk.visit(node, mark or node.start_mark)
    positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            child = (*path, key)
            positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _construct(value_node, child, positions, loader, walk, key_node.end_mark)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, (*path, i), positions, loader, walk, mark)
            for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def load_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Parse a YAML file; a syntax error becomes a ReportError at its line and column."""
    display = display or str(path)
    return parse_yaml(read_text(path, display), path, display)


def parse_yaml(text: str, path: Path, display: str, line_offset: int = 0) -> YamlDocument:
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        positions: dict[KeyPath, tuple[int, int]] = {}
        data = _construct(node, (), positions, loader, _Walk()) if node is not None else None
    except RecursionError:
        raise ReportError(
            "values are nested too deeply", Location(display), "flatten the structure"
        ) from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1 + line_offset
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise ReportError(
            f"invalid YAML: character U+{exc.character:04X} is not allowed",
            Location(display, line, column),
            "remove it (control characters cannot appear in YAML)",
        ) from None
    except yaml.YAMLError as exc:
        if not isinstance(exc, yaml.MarkedYAMLError):
            raise ReportError(f"invalid YAML: {exc}", Location(display)) from None
        mark = exc.problem_mark or exc.context_mark
        where = Location(display, mark.line + 1 + line_offset, mark.column + 1) if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        hint = (
            "write the values out instead of repeating them with aliases"
            if "aliases" in problem or "expanded" in problem
            else "check indentation, colons and quoting"
        )
        raise ReportError(f"invalid YAML: {problem}", where, hint) from exc
    finally:
        if loader is not None:
            loader.dispose()
    if line_offset:
        positions = {k: (line + line_offset, col) for k, (line, col) in positions.items()}
    return YamlDocument(path, display, data, positions)
