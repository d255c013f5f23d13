"""Resolve the Quarto shortcodes the embedded engine honours into one Markdown text.

Quarto expands {{< include >}} before pandoc sees the document; so do we, keeping a map from
each assembled line back to its file and line so that later errors point at the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportkit.errors import Location, ReportError, did_you_mean, relative
from reportkit.sandbox import confined
from reportkit.textfile import read_text
from reportkit.yamlio import parse_yaml

SHORTCODE = re.compile(r"(?<!\{)\{\{<\s*(?P<name>[\w-]+)(?P<args>[^>]*?)\s*>\}\}(?!\})")
ESCAPED_SHORTCODE = re.compile(r"\{\{\{<(.*?)>\}\}\}")
EXECUTABLE_CELL = re.compile(r"^\s*```+\s*\{(?P<lang>[a-zA-Z][\w-]*)[\s,}]")
FRONT_MATTER_END = re.compile(r"^(---|\.\.\.)\s*$")
SUPPORTED = ("include", "var", "meta", "pagebreak", "reportkit")
# {{< reportkit PART [ID] >}}: parts that `reportkit prepare` writes under _generated/; the
# project's Quarto extension (_extensions/reportkit) resolves the same shortcode for Quarto.
GENERATED_PARTS = {
    "front-matter": ("front-matter.qmd", None),
    "acronyms": ("acronyms.qmd", None),
    "key-messages": ("key-messages.qmd", None),
    "annexes": ("annexes.qmd", None),
    "session": ("sessions", "data/programme.yml"),
    "chart": ("charts", "data/charts.yml"),
}
REPORTKIT_SHORTCODE = re.compile(r"\s*\{\{<\s*reportkit(?P<args>(?:\s+[\w.-]+)*)\s*>\}\}\s*")
PAGEBREAK = "::: {.pagebreak}\n:::"
MAX_INCLUDE_DEPTH = 16  # includes within includes; a report needs two or three
# A paragraph is laid out as one block: WeasyPrint's line breaking slows down sharply on
# paragraphs far longer than any a report has (a long one is 3 000 characters).
MAX_PARAGRAPH_CHARS = 30_000
DIV_OPEN = re.compile(r"^\s{0,3}(:{3,})\s*(\{[^}]*\}|[\w-]+)")
DIV_CLOSE = re.compile(r"^\s{0,3}:{3,}\s*$")


@dataclass
class Assembled:
    """The document as pandoc will read it, with where each line came from."""

    text: str
    front_matter: dict[str, Any]
    origins: list[Location] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def origin(self, line: int) -> Location | None:
        """Source location of a 1-based line of the assembled text."""
        return self.origins[line - 1] if 0 < line <= len(self.origins) else None

    def find(self, needle: str, last: bool = False) -> Location | None:
        """Where a piece of text first (or last) occurs in the sources, for errors found after
        parsing.

        Mentions inside inline code (`like this`) are skipped: they are talk about the
        construct, not the construct.
        """
        found = None
        for number, line in enumerate(self.text.splitlines(), start=1):
            visible = re.sub(r"`[^`]*`", lambda m: " " * len(m.group(0)), line)
            column = visible.rfind(needle) if last else visible.find(needle)
            if column >= 0:
                loc = self.origin(number)
                found = Location(loc.path, loc.line, column + 1) if loc else None
                if not last:
                    return found
        return found


def lookup(mapping: dict[str, Any], dotted: str) -> Any:
    """Value at a dotted key such as 'facts.arrivals_2016', or KeyError."""
    value: Any = mapping
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(part)
        value = value[part]
    return value


def _flat_keys(mapping: dict[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key, value in mapping.items():
        full = f"{prefix}{key}"
        keys.append(full)
        if isinstance(value, dict):
            keys.extend(_flat_keys(value, f"{full}."))
    return keys


class Assembler:
    """Expands includes recursively and substitutes var/meta/pagebreak shortcodes."""

    def __init__(
        self,
        root: Path,
        variables: dict[str, Any],
        metadata: dict[str, Any],
        problems: list[ReportError] | None = None,
        generated: dict[str, str] | None = None,
    ):
        self.root = root
        self.variables = variables
        self.metadata = metadata
        # With a list, problems are collected and assembly goes on (`reportkit check`);
        # without, the first one is raised (a render stops at once).
        self.problems = problems
        # Generated parts by project-relative path, when they are not written yet (prepare
        # reads the whole text for the acronyms it uses); otherwise they are read from disk.
        self.generated = generated

    def _problem(self, error: ReportError) -> None:
        if self.problems is None:
            raise error
        self.problems.append(error)

    def assemble(self, document: Path) -> Assembled:
        display = relative(document, self.root)
        if not document.is_file():
            raise ReportError(
                f"the report document {display} does not exist",
                hint="create it, or name the right file under project.render in _quarto.yml",
            )
        self.document_dir = document.parent
        lines = read_text(document, display).splitlines()
        front, body_start = self._front_matter(lines, document, display)
        self.metadata = {**self.metadata, **front}
        out: list[str] = []
        origins: list[Location] = []
        files: list[Path] = [document]
        self._expand(lines[body_start:], document, display, body_start, out, origins, files, [])
        self._check_paragraphs(out, origins)
        return Assembled("\n".join(out) + "\n", front, origins, files)

    def _check_paragraphs(self, out: list[str], origins: list[Location]) -> None:
        """Refuse a paragraph too long to lay out in bounded time, naming where it starts."""
        length, start = 0, 0
        for index, line in enumerate([*out, ""]):
            # A table's rows are laid out row by row (a long table costs in proportion).
            if line.strip() and not line.lstrip().startswith(("|", "+-", "+=")):
                if not length:
                    start = index
                length += len(line)
                continue
            if length > MAX_PARAGRAPH_CHARS:
                self._problem(
                    ReportError(
                        f"a paragraph of {length:,} characters is longer than reportkit lays "
                        f"out ({MAX_PARAGRAPH_CHARS:,})",
                        origins[start],
                        "split it into paragraphs",
                    )
                )
            length = 0

    def _front_matter(self, lines: list[str], path: Path, display: str) -> tuple[dict, int]:
        if not lines or lines[0].strip() != "---":
            return {}, 0
        for end in range(1, len(lines)):
            if FRONT_MATTER_END.match(lines[end]):
                doc = parse_yaml("\n".join(lines[1:end]), path, display, line_offset=1)
                data = doc.data or {}
                if not isinstance(data, dict):
                    raise ReportError("front matter must be a YAML mapping", Location(display, 2))
                return data, end + 1
        raise ReportError("front matter is not closed", Location(display, 1), "add a '---' line")

    @staticmethod
    def _joined(lines: list[str]):
        """(index, line) pairs, a shortcode split over lines joined into its first line (Quarto
        reads `{{< meta\ntitle >}}` as one shortcode)."""
        index = 0
        while index < len(lines):
            line, start = lines[index], index
            while line.count("{{<") > line.count(">}}") and index + 1 < len(lines):
                following = lines[index + 1]
                if not following.strip() or ">}}" not in following and "{{<" in following:
                    break  # a blank line ends the attempt: pandoc would too
                index += 1
                line = f"{line.rstrip()} {following.lstrip()}"
            yield start, line
            index += 1

    def _expand(self, lines, path, display, first, out, origins, files, stack) -> None:
        self._check_divs(lines, display, first)
        in_fence = None
        for index, line in self._joined(lines):
            number = first + index + 1
            here = Location(display, number)
            stripped = line.lstrip()
            fence = re.match(r"(`{3,}|~{3,})", stripped)
            if fence and (in_fence is None or stripped.startswith(in_fence)):
                cell = EXECUTABLE_CELL.match(line)
                if in_fence is None and cell:
                    self._problem(
                        ReportError(
                            f"executable code cell '{{{cell['lang']}}}' is not supported by the "
                            "embedded engine",
                            here,
                            "compute values in reportkit's data step and quote them with "
                            "{{< var >}}, or render with --engine quarto",
                        )
                    )
                in_fence = None if in_fence else fence.group(1)
                out.append(line)
                origins.append(here)
                continue
            if in_fence:
                out.append(line)
                origins.append(here)
                continue
            include = re.fullmatch(r"\s*\{\{<\s*include\s+(?P<arg>.+?)\s*>\}\}\s*", line)
            if include:
                self._include(include["arg"], path, here, out, origins, files, stack)
                continue
            part = REPORTKIT_SHORTCODE.fullmatch(line)
            if part:
                target = self._generated_part(part["args"].split(), here)
                if target is not None:
                    name = relative(target, self.root)
                    self._insert(target, name, path, here, out, origins, files, stack)
                continue
            for piece in self._substitute(line, here).split("\n"):
                out.append(piece)
                origins.append(here)

    def _check_divs(self, lines: list[str], display: str, first: int) -> None:
        """Every ::: div a file opens, it closes: pandoc would otherwise let an unclosed div
        (or callout) swallow the rest of the report without a word."""
        opened: list[int] = []
        fence = None
        for index, line in enumerate(lines):
            marker = re.match(r"\s*(`{3,}|~{3,})", line)
            if marker and (fence is None or line.strip().startswith(fence)):
                fence = None if fence else marker.group(1)
                continue
            if fence:
                continue
            if DIV_CLOSE.match(line):
                if opened:
                    opened.pop()
                else:
                    self._problem(
                        ReportError(
                            "this ':::' closes no div",
                            Location(display, first + index + 1),
                            "remove it, or open the div it should close",
                        )
                    )
            elif DIV_OPEN.match(line):
                opened.append(first + index + 1)
        for line_number in opened:
            self._problem(
                ReportError(
                    "a div opened here is never closed",
                    Location(display, line_number),
                    "add a line ':::' where it ends (callouts are divs too)",
                )
            )

    def _generated_part(self, args: list[str], here: Location) -> Path | None:
        """The _generated/ file a {{< reportkit PART [ID] >}} shortcode stands for."""
        name = args[0] if args else ""
        if name not in GENERATED_PARTS:
            hint = did_you_mean(name, list(GENERATED_PARTS)) or "known parts: " + ", ".join(
                GENERATED_PARTS
            )
            self._problem(ReportError(f"unknown reportkit part '{name}'", here, hint))
            return None
        place, listed_in = GENERATED_PARTS[name]
        generated = self.root / "_generated"
        if listed_in is None:
            if len(args) != 1:
                self._problem(ReportError(f"{{{{< reportkit {name} >}}}} takes no id", here))
                return None
            if self._generated_text(generated / place) is None:
                self._problem(
                    ReportError(
                        f"_generated/{place} does not exist",
                        here,
                        "`reportkit prepare` writes it: render with reportkit or Quarto",
                    )
                )
                return None
            return generated / place
        if len(args) != 2:
            self._problem(
                ReportError(
                    f"{{{{< reportkit {name} ID >}}}} needs one {name} id",
                    here,
                    f"the ids are listed in {listed_in}",
                )
            )
            return None
        target = generated / place / f"{args[1]}.qmd"
        if self._generated_text(target) is None:
            if self.generated is None:
                known = sorted(p.stem for p in (generated / place).glob("*.qmd"))
            else:
                prefix = f"_generated/{place}/"
                known = sorted(
                    Path(k).stem
                    for k in self.generated
                    if k.startswith(prefix) and k.endswith(".qmd")
                )
            hint = did_you_mean(args[1], known) or f"the ids are listed in {listed_in}"
            self._problem(ReportError(f"unknown {name} '{args[1]}'", here, hint))
            return None
        return target

    def _generated_text(self, path: Path) -> str | None:
        """A generated part's text (from memory when given), or None if there is none."""
        if self.generated is not None:
            return self.generated.get(relative(path, self.root))
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def _include(self, arg, path, here, out, origins, files, stack) -> None:
        target_name = arg.strip().strip("\"'")
        if target_name.lstrip("/").startswith("_generated/"):
            self._problem(
                ReportError(
                    f"'{target_name}' is written by `reportkit prepare`: Quarto cannot include it "
                    "(it expands includes before pre-render, so a fresh clone fails)",
                    here,
                    "place generated parts with "
                    + ", ".join(
                        f"{{{{< reportkit {name}{' ID' if listed_in else ''} >}}}}"
                        for name, (_, listed_in) in GENERATED_PARTS.items()
                    ),
                )
            )
            return
        if target_name.startswith("/"):
            target = self.root / target_name.lstrip("/")
        else:
            # As in Quarto: relative to the document being rendered, even in a nested include.
            target = self.document_dir / target_name
        try:
            target = confined(self.root, target, target_name, "included file", here)
        except ReportError as error:
            self._problem(error)
            return
        if not target.is_file():
            self._problem(
                ReportError(
                    f"included file '{target_name}' does not exist",
                    here,
                    "create it, or fix the path: relative to the rendered document (as in "
                    "Quarto, also inside included files), '/' is the project root",
                )
            )
            return
        self._insert(target, target_name, path, here, out, origins, files, stack)

    def _insert(self, target, target_name, path, here, out, origins, files, stack) -> None:
        if target in stack or target == path.resolve():
            self._problem(ReportError(f"'{target_name}' includes itself", here, "remove the cycle"))
            return
        if len(stack) >= MAX_INCLUDE_DEPTH:
            self._problem(
                ReportError(
                    f"includes nest more than {MAX_INCLUDE_DEPTH} deep at '{target_name}'",
                    here,
                    "include the chapters from report.qmd instead of from each other",
                )
            )
            return
        files.append(target)
        display = relative(target, self.root)
        if display.startswith("_generated/"):
            lines = (self._generated_text(target) or "").splitlines()
        else:
            try:
                lines = read_text(target, display).splitlines()
            except ReportError as error:
                self._problem(error)
                return
        front, start = self._front_matter(lines, target, display)
        # Blank lines around an include keep it from merging into neighbouring paragraphs.
        out.append("")
        origins.append(here)
        self._expand(lines[start:], target, display, start, out, origins, files, [*stack, target])
        out.append("")
        origins.append(here)

    def _substitute(self, line: str, here: Location) -> str:
        if "{{<" not in line:
            return line

        def replace(match: re.Match) -> str:
            name, args = match["name"], match["args"].strip()
            column = match.start() + 1
            where = Location(here.path, here.line, column)
            if name == "pagebreak":
                return PAGEBREAK
            if name in ("var", "meta"):
                source = self.variables if name == "var" else self.metadata
                store = "_variables.yml" if name == "var" else "document metadata"
                key = args.strip("\"'")
                try:
                    value = lookup(source, key)
                except KeyError:
                    if name == "var" and key.startswith("facts."):
                        store = "data/facts.yml"  # _variables.yml's facts are generated from it
                    hint = did_you_mean(key, _flat_keys(source)) or f"define it in {store}"
                    raise ReportError(f"unknown {name} key '{key}'", where, hint) from None
                if isinstance(value, dict | list):
                    raise ReportError(f"{name} key '{key}' is not a single value", where)
                if isinstance(value, bool):
                    return "true" if value else "false"  # as YAML (and Quarto) spell it
                return str(value)
            if name in ("include", "reportkit"):
                raise ReportError(
                    f"{{{{< {name} >}}}} must stand alone on its line",
                    where,
                    "put the include on a line of its own",
                )
            raise ReportError(
                f"shortcode '{name}' is not supported by the embedded engine",
                where,
                f"supported: {', '.join(SUPPORTED)}; render with --engine quarto for others",
            )

        def replace_collecting(match: re.Match) -> str:
            try:
                return replace(match)
            except ReportError as error:
                self._problem(error)
                return match.group(0)

        line = SHORTCODE.sub(replace_collecting, line)
        return ESCAPED_SHORTCODE.sub(lambda m: "{{<" + m.group(1) + ">}}", line)
