"""The Word draft's map back to the sources, so reviewers' comments and changes find their line.

Every paragraph of the assembled Markdown gets an empty span with an id at its start
(`[]{#rk_3_17}`: file 3, line 17), which pandoc writes as a Word bookmark: Word and LibreOffice
keep bookmarks through editing and saving. A custom XML part of the .docx lists the files
behind those numbers, with a hash of each (to notice a source that changed since the draft)
and, for parts generated from data/, the data file and line to edit instead.

The markers go only where an empty span changes nothing: never into code, raw HTML, image
lines (a lone image is a figure), fences, captions, rules or link definitions.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from reportkit.engines.assemble import Assembled
from reportkit.errors import Location
from reportkit.project import Project
from reportkit.yamlio import load_yaml

NAMESPACE = "urn:reportkit:source-map:1"
MARK = re.compile(r"^rk_(?P<file>\d+)_(?P<line>\d+)(?:_\d+)?$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
# Lines that must stay as they are (see the module's docstring).
UNMARKABLE = re.compile(
    r"""^\s*(?:
        $
      | :{3,}                         # fenced div
      | <                             # raw HTML, comments, autolinks
      | !\[                           # image: alone in its paragraph it is a figure
      | \[[^\]^][^\]]*\]:\s           # reference link definition
      | (?:[-*_]\s*){3,}$             # horizontal rule
      | =+\s*$                        # setext underline
      | :\s | Table:\s                # caption or definition
      | \|?\s*:?-{3,}:?\s*(?:\||$)    # table separator row
      | \+[-=:+]+\s*$                 # grid table border
      | \{                            # attribute or shortcode line
    )""",
    re.X,
)
# Rules of tables laid out by column position: grid (+---+), simple and multiline (--- ---).
ALIGNED_TABLE_RULE = re.compile(r"^\s*(?:\+[-=:+]+\+|-{3,}(?:\s+-{3,})*|-{3,})\s*$")
LIST_ITEM = re.compile(
    r"^\s*(?:[-*+]|\d+[.)]|\(\d+\)|#[.)]|[a-zA-Z][.)]|\([a-zA-Z]\)|\(?[ivxlcdmIVXLCDM]+[.)])\s+"
)
FULL_RULE = re.compile(r"^\s*-{3,}\s*$")
# Block prefixes after which the paragraph's own text starts (the marker goes there).
PREFIX = re.compile(
    r"""^(?P<indent>\s*)(?P<prefix>(?:
        >\s?
      | \#{1,6}\s+
      | \[\^[^\]\s]+\]:\s*
      | (?:[-*+]|\d+[.)]|\(\d+\)|\#[.)]|[a-zA-Z][.)]|\([a-zA-Z]\)|\(?[ivxlcdmIVXLCDM]+[.)])
        \s+(?:\[[ xX]\]\s+)?
      | \|\s*
    )*)""",
    re.X,
)


def _is_block_start(line: str) -> bool:
    """A line that begins a block of its own even after a non-blank line (heading, list item,
    table row, footnote)."""
    return bool(PREFIX.match(line)["prefix"])


def _aligned_table_lines(lines: list[str]) -> set[int]:
    """Lines of grid, simple and multiline tables: their columns are found by position, so
    nothing may be inserted into them."""
    inside: set[int] = set()
    block: list[int] = []
    multiline = False  # rows of a multiline table are separated by blank lines
    for index, line in enumerate([*lines, ""]):
        if line.strip():
            block.append(index)
            continue
        if not block:
            continue
        rules = [bool(ALIGNED_TABLE_RULE.match(lines[i])) for i in block]
        if not multiline and FULL_RULE.match(lines[block[0]]) and len(block) > 1:
            multiline = not FULL_RULE.match(lines[block[-1]])
            inside.update(block)
        elif multiline:
            inside.update(block)
            multiline = not FULL_RULE.match(lines[block[-1]])
        elif any(rules):
            inside.update(block)
        block = []
    return inside


def markable_lines(lines: list[str]) -> list[int]:
    """0-based indexes of the lines that start a paragraph (or list item, heading, table row)
    and can take a marker."""
    found = []
    in_fence = None
    previous_opens = True  # the line before starts a new block (file start, blank, fence …)
    aligned = _aligned_table_lines(lines)
    in_list = False
    for index, line in enumerate(lines):
        fence = FENCE.match(line)
        if fence and (in_fence is None or line.strip().startswith(in_fence)):
            in_fence = None if in_fence else fence.group(1)
            previous_opens = True
            continue
        if in_fence or index in aligned:
            previous_opens = not line.strip()
            continue
        stripped = line.strip()
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
        if LIST_ITEM.match(line):
            in_list = True
        elif stripped and indent == 0 and previous_opens:
            in_list = False
        # Indented by four: a code block, unless it continues a list item.
        code = indent >= 4 and not in_list
        markable = not UNMARKABLE.match(line) and not code
        if markable and (previous_opens or _is_block_start(line)):
            found.append(index)
        previous_opens = (
            not stripped
            or bool(UNMARKABLE.match(line))
            or stripped.startswith("#")
            or (stripped.startswith("<") and stripped.endswith(">"))
        )
    return found


def paragraph_end(lines: list[str], start: int) -> int:
    """0-based index after the last line of the paragraph starting at `start`."""
    marked = set(markable_lines(lines))
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if not line.strip() or end in marked or UNMARKABLE.match(line) or FENCE.match(line):
            break
        end += 1
    return end


def marker_offset(line: str) -> int:
    """Where the paragraph's text starts in its first line (after '#', '- ', '> ', '| ' …)."""
    match = PREFIX.match(line)
    return match.end()


@dataclass
class SourceFile:
    path: str  # project-relative, as in the listing
    sha256: str
    generated_from: str | None = None  # for _generated/ parts: the data file to edit instead
    line: int | None = None  # … and where in it


@dataclass
class SourceMap:
    files: list[SourceFile] = field(default_factory=list)

    def index(self, path: str) -> int:
        for number, known in enumerate(self.files):
            if known.path == path:
                return number
        raise KeyError(path)

    def to_xml(self) -> bytes:
        root = etree.Element(f"{{{NAMESPACE}}}source-map", nsmap={"rk": NAMESPACE})
        root.set("version", "1")
        for number, source in enumerate(self.files):
            element = etree.SubElement(root, f"{{{NAMESPACE}}}file")
            element.set("id", str(number))
            element.set("path", source.path)
            element.set("sha256", source.sha256)
            if source.generated_from:
                element.set("generated-from", source.generated_from)
                if source.line:
                    element.set("line", str(source.line))
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    @classmethod
    def from_xml(cls, data: bytes) -> SourceMap:
        root = etree.fromstring(data)
        files = []
        for element in root.iterfind(f"{{{NAMESPACE}}}file"):
            line = element.get("line")
            files.append(
                SourceFile(
                    element.get("path"),
                    element.get("sha256"),
                    element.get("generated-from"),
                    int(line) if line else None,
                )
            )
        return cls(files)

    @staticmethod
    def is_map(data: bytes) -> bool:
        try:
            return etree.fromstring(data).tag == f"{{{NAMESPACE}}}source-map"
        except etree.XMLSyntaxError:
            return False


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def generated_source(project: Project, relative: str) -> tuple[str, int | None]:
    """The data file (and line) a generated part is made from: where an editor fixes it."""
    settings = project.settings
    parts = Path(relative).parts
    if len(parts) == 3 and parts[1] in ("sessions", "charts"):
        listing, key = (
            (settings.programme, "sessions")
            if parts[1] == "sessions"
            else (settings.charts, "charts")
        )
        wanted = Path(parts[2]).stem
        path = project.path(listing)
        if path.is_file():
            doc = load_yaml(path, listing)
            entries = (doc.data or {}).get(key) if isinstance(doc.data, dict) else None
            for index, entry in enumerate(entries or []):
                if isinstance(entry, dict) and entry.get("id") == wanted:
                    return listing, doc.location((key, index)).line
        return listing, None
    if relative.endswith("front-matter.qmd"):
        return settings.conference, None
    return settings.programme, None  # the annexes: programme and people


def mark_paragraphs(project: Project, assembled: Assembled) -> tuple[Assembled, SourceMap]:
    """The assembled text with a bookmark span at each paragraph's start, and the file table."""
    source_map = SourceMap()
    numbers: dict[str, int] = {}
    lines = assembled.text.split("\n")
    used: set[str] = set()
    for index in markable_lines(lines):
        origin: Location | None = assembled.origin(index + 1)
        if origin is None or origin.line is None:
            continue
        path = str(origin.path)
        if path not in numbers:
            source = project.path(path)
            if not source.is_file():
                continue
            numbers[path] = len(source_map.files)
            entry = SourceFile(path, file_hash(source))
            if Path(path).parts[0] == "_generated":
                entry.generated_from, entry.line = generated_source(project, path)
            source_map.files.append(entry)
        name = f"rk_{numbers[path]}_{origin.line}"
        suffix = 2
        while name in used:  # a file included twice: Word wants unique bookmark names
            name = f"rk_{numbers[path]}_{origin.line}_{suffix}"
            suffix += 1
        used.add(name)
        line = lines[index]
        at = marker_offset(line)
        lines[index] = f"{line[:at]}[]{{#{name}}}{line[at:]}"
    marked = Assembled("\n".join(lines), assembled.front_matter, assembled.origins, assembled.files)
    return marked, source_map


def datastore_item_id(data: bytes) -> str:
    """A stable GUID for the custom XML part (Word wants one; same map, same id)."""
    return (
        "{"
        + str(uuid.uuid5(uuid.NAMESPACE_URL, NAMESPACE + hashlib.sha256(data).hexdigest())).upper()
        + "}"
    )
