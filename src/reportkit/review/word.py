"""What reviewers did to a Word draft: tracked insertions and deletions, and comments.

Read straight from the WordprocessingML (word/document.xml, footnotes.xml, comments.xml) with
lxml: each paragraph's text as it was in the draft ("original": unchanged text plus deleted
text), where each change sits in it, and the reportkit bookmarks (rk_FILE_LINE) that say
which source paragraph it was made from.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from reportkit.errors import ReportError
from reportkit.sourcemap import MARK, SourceMap

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PARTS = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")
INSERTED = (f"{W}ins", f"{W}moveTo")
DELETED = (f"{W}del", f"{W}moveFrom")
# Run content that is not text a reader sees.
SKIPPED = {
    f"{W}pPr",
    f"{W}rPr",
    f"{W}instrText",
    f"{W}delInstrText",
    f"{W}drawing",
    f"{W}pict",
    f"{W}object",
    f"{W}footnoteReference",
    f"{W}endnoteReference",
}
CHARACTERS = {f"{W}tab": "\t", f"{W}br": "\n", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}


@dataclass(frozen=True)
class Mark:
    file: int
    line: int


@dataclass
class Paragraph:
    original: str = ""  # the draft's text: unchanged and deleted text, no insertions
    mark: Mark | None = None  # the first reportkit bookmark inside it
    marks: list[Mark] = field(default_factory=list)
    nearest: Mark | None = None  # the last bookmark at or before it


@dataclass
class Change:
    kind: str  # insert, delete, insert paragraph break, delete paragraph break
    author: str
    date: str
    text: str
    paragraph: Paragraph
    start: int  # offsets in paragraph.original; an insertion has start == end
    end: int
    order: int  # position in the document, for stable listings


@dataclass
class Comment:
    author: str
    date: str
    text: str
    quoted: str = ""
    paragraph: Paragraph | None = None
    offset: int = 0
    order: int = 0


@dataclass
class Review:
    source_map: SourceMap
    changes: list[Change] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)


def _attr(element, name: str) -> str:
    return element.get(f"{W}{name}") or ""


class _Reader:
    """Walks the paragraphs of one part in order, collecting changes and comment anchors."""

    def __init__(self, review: Review, comments: dict[str, Comment]):
        self.review = review
        self.comments = comments
        self.open_comments: list[Comment] = []
        self.order = 0
        self.last_mark: Mark | None = None

    def part(self, root) -> None:
        self.last_mark = None
        for paragraph in root.iter(f"{W}p"):
            if any(a.tag == f"{W}txbxContent" for a in paragraph.iterancestors()):
                continue  # text boxes inside drawings are not report text
            self.paragraph(paragraph)

    def paragraph(self, element) -> None:
        paragraph = Paragraph(nearest=self.last_mark)
        self.current = paragraph
        self.pending: Change | None = None
        self._walk(element, None, None)
        self._flush()
        for comment in self.open_comments:
            comment.quoted += "\n"
        mark_change = element.find(f"{W}pPr/{W}rPr")
        if mark_change is not None:
            for child in mark_change:
                if child.tag in (*INSERTED, *DELETED):
                    kind = "insert" if child.tag in INSERTED else "delete"
                    self.order += 1
                    end = len(paragraph.original)
                    self.review.changes.append(
                        Change(
                            f"{kind} paragraph break",
                            _attr(child, "author"),
                            _attr(child, "date"),
                            "",
                            paragraph,
                            end,
                            end,
                            self.order,
                        )
                    )

    def _walk(self, element, inserted, deleted) -> None:
        for child in element:
            tag = child.tag
            if tag in SKIPPED or tag == f"{W}p":
                continue
            if tag in INSERTED:
                self._walk(child, child, deleted)
            elif tag in DELETED:
                self._walk(child, inserted, child)
            elif tag in (f"{W}t", f"{W}delText"):
                self._text(child.text or "", inserted, deleted)
            elif tag in CHARACTERS:
                self._text(CHARACTERS[tag], inserted, deleted)
            elif tag == f"{W}bookmarkStart":
                match = MARK.match(_attr(child, "name"))
                if match:
                    mark = Mark(int(match["file"]), int(match["line"]))
                    self.current.marks.append(mark)
                    self.current.mark = self.current.mark or mark
                    self.current.nearest = self.current.mark
                    self.last_mark = mark
            elif tag == f"{W}commentRangeStart" or tag == f"{W}commentReference":
                comment = self.comments.get(_attr(child, "id"))
                if comment is not None and comment.paragraph is None:
                    comment.paragraph = self.current
                    comment.offset = len(self.current.original)
                    self.order += 1
                    comment.order = self.order
                    if tag == f"{W}commentRangeStart":
                        self.open_comments.append(comment)
            elif tag == f"{W}commentRangeEnd":
                comment = self.comments.get(_attr(child, "id"))
                if comment in self.open_comments:
                    self.open_comments.remove(comment)
            else:
                self._walk(child, inserted, deleted)

    def _text(self, text: str, inserted, deleted) -> None:
        if inserted is not None and deleted is not None:
            return  # inserted, then deleted again: it never was in the draft and is not now
        paragraph = self.current
        kind = "insert" if inserted is not None else "delete" if deleted is not None else None
        if kind is None or (deleted is None and inserted is not None):
            for comment in self.open_comments:
                comment.quoted += text
        if kind is None:
            self._flush()
            paragraph.original += text
            return
        change_element = inserted if kind == "insert" else deleted
        author, date = _attr(change_element, "author"), _attr(change_element, "date")
        pending = self.pending
        continues = (
            pending is not None
            and (pending.kind, pending.author, pending.date) == (kind, author, date)
            and (kind == "delete" or pending.start == len(paragraph.original))
        )
        if continues:  # Word splits one change into runs wherever formatting changes
            pending.text += text
            if kind == "delete":
                pending.end += len(text)
                paragraph.original += text
            return
        self._flush()
        start = len(paragraph.original)
        self.order += 1
        self.pending = Change(kind, author, date, text, paragraph, start, start, self.order)
        if kind == "delete":
            self.pending.end = start + len(text)
            paragraph.original += text

    def _flush(self) -> None:
        if self.pending is not None:
            self.review.changes.append(self.pending)
            self.pending = None


def _comments(package: zipfile.ZipFile) -> dict[str, Comment]:
    if "word/comments.xml" not in package.namelist():
        return {}
    root = etree.fromstring(package.read("word/comments.xml"))
    comments = {}
    for element in root.iterfind(f"{W}comment"):
        paragraphs = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in element.iter(f"{W}p")]
        comments[_attr(element, "id")] = Comment(
            _attr(element, "author"),
            _attr(element, "date"),
            "\n".join(p for p in paragraphs if p.strip()),
        )
    return comments


def read_review(path: Path) -> Review:
    """Every tracked change and comment of a reviewed draft, with the draft's source map."""
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, FileNotFoundError, IsADirectoryError):
        raise ReportError(
            f"{path} is not a Word document (.docx)",
            hint="save the reviewed draft as Word Document (.docx)",
        ) from None
    with package:
        names = package.namelist()
        source_map = next(
            (
                SourceMap.from_xml(package.read(name))
                for name in sorted(names)
                if name.startswith("customXml/item")
                and "Props" not in name
                and SourceMap.is_map(package.read(name))
            ),
            None,
        )
        if source_map is None:
            raise ReportError(
                f"{path} carries no reportkit source map",
                hint="review a draft made by 'reportkit render --to docx' (Word keeps the map "
                "when it saves; copying the text into a new document loses it)",
            )
        review = Review(source_map)
        comments = _comments(package)
        reader = _Reader(review, comments)
        for name in PARTS:
            if name in names:
                reader.part(etree.fromstring(package.read(name)))
        review.comments = [c for c in comments.values() if c.paragraph is not None]
        for comment in review.comments:
            comment.quoted = " ".join(comment.quoted.split())
    return review
