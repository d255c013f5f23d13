"""`reportkit review`: reviewers' comments and tracked changes in a Word draft, back at the source.

Each comment and change is listed as `file:line: author: kind "text"`, at the source file and
line its paragraph came from (the draft's bookmarks and source map, see reportkit.sourcemap).
With apply, insertions and deletions that lie within one paragraph of one source file are
written into that file; the rest stays listed with the reason. Parts generated from data/
are never edited: the listing names the data file to edit instead.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from reportkit.errors import ReportError
from reportkit.project import Project, find_project
from reportkit.review.locate import Alignment
from reportkit.review.word import Change, Comment, Paragraph, read_review
from reportkit.sourcemap import SourceFile, SourceMap, file_hash, paragraph_end

MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>])")


@dataclass
class Edit:
    path: str
    start: int  # offsets in the file's text
    end: int
    text: str
    order: int


@dataclass
class Entry:
    """One line of the listing."""

    path: str
    line: int
    author: str
    date: str
    kind: str  # comment, insert, delete, insert/delete paragraph break
    text: str
    quoted: str | None = None
    note: str | None = None
    order: int = 0
    edit: Edit | None = None
    applied: bool = False

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.author or '(no author)'}: {self.kind}"
        if self.text:
            text += f' "{_one_line(self.text)}"'
        if self.quoted:
            text += f' on "{_one_line(self.quoted)}"'
        if self.applied:
            return text + " (applied)"
        return f"{text} ({self.note})" if self.note else text


def _one_line(text: str, limit: int = 160) -> str:
    """Text on one line, spaces kept (a deleted "mini " differs from "mini")."""
    text = re.sub(r"\s*\n\s*", " ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Located:
    """A Word paragraph's source: the file and the stretch of its text it was made from."""

    source: SourceFile
    line: int  # first line of the paragraph in the file
    offset: int  # where the paragraph starts in the file's text
    text: str  # the paragraph's source text
    alignment: Alignment

    def line_at(self, source_offset: int | None) -> int:
        if source_offset is None:
            return self.line
        return self.line + self.text.count("\n", 0, source_offset)


@dataclass
class ReviewResult:
    entries: list[Entry]
    changed_sources: list[str]  # source files edited since the draft was made
    written: list[str] = field(default_factory=list)

    @property
    def applied(self) -> list[Entry]:
        return [e for e in self.entries if e.applied]


class _Sources:
    """The project's source files as the review sees them, read once each."""

    def __init__(self, project: Project, source_map: SourceMap):
        self.project = project
        self.map = source_map
        self.texts: dict[str, str | None] = {}
        self.located: dict[int, Located | str] = {}

    def text(self, path: str) -> str | None:
        if path not in self.texts:
            file = self.project.path(path)
            # Bytes decoded as they are: offsets must hold with Windows line ends too.
            self.texts[path] = (
                file.read_bytes().decode("utf-8", "replace") if file.is_file() else None
            )
        return self.texts[path]

    def locate(self, paragraph: Paragraph) -> Located | str:
        """The paragraph's source, or why changes to it cannot be applied."""
        key = id(paragraph)
        if key not in self.located:
            self.located[key] = self._locate(paragraph)
        return self.located[key]

    def _locate(self, paragraph: Paragraph) -> Located | str:
        if paragraph.mark is None or paragraph.mark.file >= len(self.map.files):
            return "not from a source paragraph: edit by hand"
        source = self.map.files[paragraph.mark.file]
        if source.generated_from:
            return f"generated from {source.generated_from}: edit that file"
        text = self.text(source.path)
        if text is None:
            return f"{source.path} no longer exists"
        lines = text.split("\n")
        start = paragraph.mark.line - 1
        if start >= len(lines):
            return f"{source.path} is shorter than when the draft was made"
        # A paragraph holding several marks (a list pandoc read as one paragraph …) spans them.
        same_file = [m for m in paragraph.marks if m.file == paragraph.mark.file]
        end = max(paragraph_end(lines, m.line - 1) for m in same_file)
        paragraph_text = "\n".join(lines[start:end])
        offset = sum(len(line) + 1 for line in lines[:start])
        alignment = Alignment.of(paragraph.original, paragraph_text)
        return Located(source, paragraph.mark.line, offset, paragraph_text, alignment)

    def place(self, paragraph: Paragraph) -> tuple[str, int, str | None]:
        """(path, line, note) for listing something in this paragraph, applied or not."""
        mark = paragraph.mark or paragraph.nearest
        if mark is None or mark.file >= len(self.map.files):
            return self.project.settings.document, 1, "not from a source paragraph"
        source = self.map.files[mark.file]
        if source.generated_from:
            line = source.line or 1
            return (
                source.generated_from,
                line,
                f"generated from {source.generated_from}: edit that file",
            )
        note = None if paragraph.mark else "near this line: not from a source paragraph"
        return source.path, mark.line, note


def _escape(text: str) -> str:
    """Typed text as Markdown shows it: no character may start markup by accident."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def _change_entry(change: Change, sources: _Sources) -> Entry:
    path, line, note = sources.place(change.paragraph)
    entry = Entry(
        path, line, change.author, change.date, change.kind, change.text, order=change.order
    )
    if change.kind not in ("insert", "delete"):
        entry.note = "a paragraph break: edit by hand"
        return entry
    located = sources.locate(change.paragraph)
    if isinstance(located, str):
        entry.note = note or located
        return entry
    alignment = located.alignment
    if change.kind == "delete":
        span = alignment.deletion(change.start, change.end)
        if span is None:
            entry.note = "the deleted text is not plain text in the source: edit by hand"
            return entry
        start, end = span
        entry.line = located.line_at(start)
        entry.edit = Edit(
            located.source.path, located.offset + start, located.offset + end, "", change.order
        )
    else:
        point = alignment.point(change.start)
        if point is None:
            entry.note = "the place of the insertion is not plain text in the source: edit by hand"
            return entry
        entry.line = located.line_at(point)
        entry.edit = Edit(
            located.source.path,
            located.offset + point,
            located.offset + point,
            _escape(change.text),
            change.order,
        )
    return entry


def _comment_entry(comment: Comment, sources: _Sources) -> Entry:
    path, line, note = sources.place(comment.paragraph)
    entry = Entry(
        path,
        line,
        comment.author,
        comment.date,
        "comment",
        comment.text,
        quoted=comment.quoted or None,
        note=note,
        order=comment.order,
    )
    located = sources.locate(comment.paragraph)
    if not isinstance(located, str):
        entry.line = located.line_at(located.alignment.nearest(comment.offset))
    return entry


def changed_sources(project: Project, source_map: SourceMap) -> list[str]:
    """Source files (not generated parts) that differ from the draft, or are gone."""
    changed = []
    for source in source_map.files:
        if source.generated_from:
            continue
        path = project.path(source.path)
        if not path.is_file() or file_hash(path) != source.sha256:
            changed.append(source.path)
    return changed


def _line_key(entry: Entry):
    return (entry.path, entry.line, entry.order)


def review_draft(docx: Path, project_dir: Path, apply: bool = False) -> ReviewResult:
    """List (and with apply, write) what reviewers did to a Word draft of the project."""
    project = find_project(project_dir)
    review = read_review(docx)
    changed = changed_sources(project, review.source_map)
    if apply and changed:
        raise ReportError(
            f"{changed[0]} changed since the draft was made: nothing was applied"
            + (f" ({len(changed) - 1} more file(s) changed too)" if len(changed) > 1 else ""),
            hint="render a new draft with 'reportkit render --to docx' for the next review, or "
            "make the listed changes by hand ('reportkit review' without --apply lists them)",
        )
    sources = _Sources(project, review.source_map)
    entries = [_change_entry(change, sources) for change in review.changes]
    entries += [_comment_entry(comment, sources) for comment in review.comments]
    entries.sort(key=_line_key)
    result = ReviewResult(entries, changed)
    if apply:
        result.written = _apply(project, sources, entries)
    return result


def _apply(project: Project, sources: _Sources, entries: list[Entry]) -> list[str]:
    """Write every placeable edit; an edit overlapping another one is left listed."""
    by_file: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.edit is not None:
            by_file.setdefault(entry.edit.path, []).append(entry)
    results: dict[str, str] = {}
    for path, file_entries in by_file.items():
        text = sources.text(path)
        taken: list[tuple[int, int]] = []
        accepted = []
        for entry in sorted(file_entries, key=lambda e: e.edit.order):
            edit = entry.edit
            clash = any(
                (edit.start < end and start < edit.end)  # overlapping deletions
                or (edit.start == edit.end and start < edit.start < end)  # insert into a deletion
                or (start == end and edit.start < start < edit.end)
                for start, end in taken
            )
            if clash:
                entry.note = "overlaps another change: edit by hand"
                continue
            taken.append((edit.start, edit.end))
            accepted.append(entry)
        # From the end backwards, so earlier offsets stay valid; at one place a deletion goes
        # before an insertion, and insertions keep their order in the document.
        for entry in sorted(
            accepted,
            key=lambda e: (e.edit.start, e.edit.end > e.edit.start, e.edit.order),
            reverse=True,
        ):
            edit = entry.edit
            text = text[: edit.start] + edit.text + text[edit.end :]
            entry.applied = True
            entry.note = None
        results[path] = text
    written = []
    for path, text in results.items():
        target = project.path(path)
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8", newline="")
        tmp.replace(target)
        written.append(path)
    return sorted(written)


def write_comments_csv(entries: list[Entry], path: Path) -> int:
    """The comments as an editor's to-do list (UTF-8 with BOM, which spreadsheets recognise)."""
    comments = [e for e in entries if e.kind == "comment"]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "line", "author", "date", "text", "quoted text"])
        for entry in comments:
            writer.writerow(
                [entry.path, entry.line, entry.author, entry.date, entry.text, entry.quoted or ""]
            )
    return len(comments)
