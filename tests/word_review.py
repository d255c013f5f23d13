"""Act as reviewers in Word: tracked insertions, deletions and comments, written with python-docx
and lxml the way Word writes them (w:ins, w:del with w:delText, comments.xml with ranges)."""

from __future__ import annotations

import copy
import itertools

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.run import Run

DATE = "2026-03-02T10:00:00Z"
_ids = itertools.count(9000)


def paragraph_with(document, text: str, parts=("body", "footnotes")):
    """The first paragraph (python-docx object) whose text contains `text`."""
    for paragraph in document.paragraphs:
        if text in paragraph.text:
            return paragraph
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    if text in paragraph.text:
                        return paragraph
    raise AssertionError(f"no paragraph contains {text!r}")


def _isolate(paragraph, text: str):
    """Split runs so that `text` (within one run) is a run of its own; return that w:r."""
    for run in paragraph._p.iter(qn("w:r")):
        t = run.find(qn("w:t"))
        if t is None or t.text is None or text not in t.text:
            continue
        before, _, after = t.text.partition(text)
        pieces = [(before, "before"), (text, "middle"), (after, "after")]
        middle = None
        anchor = run
        for piece, role in pieces:
            if not piece:
                continue
            new = copy.deepcopy(run)
            new_t = new.find(qn("w:t"))
            new_t.text = piece
            new_t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            anchor.addnext(new)
            anchor = new
            if role == "middle":
                middle = new
        run.getparent().remove(run)
        return middle
    raise AssertionError(f"no single run holds {text!r}: {paragraph.text!r}")


def _change(tag: str, author: str):
    element = OxmlElement(tag)
    element.set(qn("w:id"), str(next(_ids)))
    element.set(qn("w:author"), author)
    element.set(qn("w:date"), DATE)
    return element


def track_delete(paragraph, text: str, author: str) -> None:
    run = _isolate(paragraph, text)
    t = run.find(qn("w:t"))
    t.tag = qn("w:delText")
    deletion = _change("w:del", author)
    run.addprevious(deletion)
    deletion.append(run)


def track_insert(paragraph, after: str, text: str, author: str) -> None:
    """Insert `text` right after the (unique) text `after`, as a tracked insertion."""
    run = _isolate(paragraph, after)
    new = copy.deepcopy(run)
    new.find(qn("w:t")).text = text
    insertion = _change("w:ins", author)
    insertion.append(new)
    run.addnext(insertion)


def comment(document, paragraph, text: str, author: str, on: str):
    """A comment by `author` anchored on the text `on` of the paragraph."""
    run = _isolate(paragraph, on)
    initials = "".join(word[0] for word in author.split())
    return document.add_comment(Run(run, paragraph), text=text, author=author, initials=initials)
