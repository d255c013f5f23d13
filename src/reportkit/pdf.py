"""Print the rendered HTML to PDF with WeasyPrint: same DOM, print stylesheet, no network."""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import lxml.html
import pikepdf
import weasyprint
from weasyprint.formatting_structure.boxes import FootnoteAreaBox
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from reportkit import progress
from reportkit.errors import ReportError
from reportkit.pdfmeta import Identification, write_metadata
from reportkit.pdfua import finish_structure, footnote_tags
from reportkit.printdom import link_targets, print_ready


class OfflineFetcher(URLFetcher):
    """Loads files from the allowed folders only; anything from the network stops the print."""

    def __init__(self, allowed: list[Path]):
        super().__init__(allowed_protocols={"file", "data"})
        self.allowed = [p.resolve() for p in allowed]

    def fetch(self, url, headers=None):
        scheme = urlparse(url).scheme.lower()
        if scheme == "file":
            path = Path(unquote(urlparse(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in self.allowed):
                raise FatalURLFetchingError(
                    f"the report refers to {path}, outside the project and its output"
                )
        elif scheme != "data":
            raise FatalURLFetchingError(
                f"the report loads {url} from the network; reports render offline: "
                "copy the file into the project and refer to it by a relative path"
            )
        return super().fetch(url, headers)


def inline_footnotes(html: str) -> str:
    """Move each endnote to its reference mark so WeasyPrint can float it to the page bottom.

    Works on pandoc's (and so Quarto's) footnote markup: a.footnote-ref -> li#fnN.
    """
    tree = lxml.html.document_fromstring(html)
    notes = {li.get("id"): li for li in tree.xpath("//section[contains(@class,'footnotes')]//li")}
    for ref in tree.xpath("//a[contains(concat(' ', @class, ' '), ' footnote-ref ')]"):
        target = (ref.get("href") or "").lstrip("#")
        note = notes.get(target)
        if note is None:
            continue
        span = lxml.html.Element("span")
        span.set("class", "footnote")
        span.set("id", f"{target}-print")
        for back in note.xpath(".//a[contains(@class,'footnote-back')]"):
            _remove_keeping_tail(back)
        span.text = note.text
        for child in list(note):
            # Paragraphs become inline spans: a float may not hold block boxes in every engine.
            if child.tag == "p":
                child.tag = "span"
                child.set("class", "footnote-para")
            span.append(child)
        parent = ref.getparent()
        span.tail = ref.tail
        ref.tail = None
        parent.replace(ref, span)
    for section in tree.xpath("//section[contains(@class,'footnotes')]"):
        section.getparent().remove(section)
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def _remove_keeping_tail(element) -> None:
    parent = element.getparent()
    previous = element.getprevious()
    tail = (element.tail or "").rstrip()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "").rstrip() + tail
    parent.remove(element)


PUSHABLE_TAGS = {"p", "li", "blockquote", "figure", "table", "div", "ul", "ol", "dl", "pre"}
MAX_FOOTNOTE_PASSES = 8


def misplaced_footnote_pages(document) -> list[int]:
    """Pages holding a footnote call whose note WeasyPrint moved to a later page.

    WeasyPrint may "report" a note to the next page to make room for a line at the page
    bottom (allowed by GCPM); a reader then has to turn the page to read it.
    """
    call_pages, note_pages = {}, {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            if (getattr(box, "element_tag", None) or "").endswith("::footnote-call"):
                call_pages.setdefault(id(box.element), number)
            elif isinstance(box, FootnoteAreaBox):
                for note in box.children:
                    note_pages.setdefault(id(note.element), number)
    return sorted({page for key, page in call_pages.items() if note_pages.get(key, page) != page})


def _block_to_push(document, page_number: int):
    """The block that ends page_number by running over onto the next page (or else its last)."""

    def blocks(page):
        return [
            box.element
            for box in page._page_box.descendants()
            if box.element_tag in PUSHABLE_TAGS and box.element is not None
        ]

    here = blocks(document.pages[page_number])
    following = {id(e) for e in blocks(document.pages[page_number + 1])}
    split = [element for element in here if id(element) in following]
    return split[-1] if split else (here[-1] if here else None)


KEPT_WITH_NEXT = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _with_what_keeps_with_it(element, parents: dict):
    """The block, or the heading and session block before it that print.css keeps with it
    (break-after: avoid): pushing the block alone would strand them at the page foot."""
    while True:
        parent = parents.get(element)
        siblings = list(parent) if parent is not None else []
        index = siblings.index(element) if element in siblings else 0
        if index == 0:
            return element
        previous = siblings[index - 1]
        classes = (previous.get("class") or "").split()
        if previous.tag not in KEPT_WITH_NEXT and "session-people" not in classes:
            return element
        element = previous


def render_keeping_notes_with_calls(html: weasyprint.HTML, stylesheets=None, font_config=None):
    """Lay out the document; where a note was pushed off its call's page, start the block
    that crowded it out on the next page instead, and lay out again."""
    document = html.render(stylesheets=stylesheets, font_config=font_config)
    progress.detail(f"{len(document.pages)} pages laid out")
    for _ in range(MAX_FOOTNOTE_PASSES):
        pages = misplaced_footnote_pages(document)
        if not pages:
            break
        element = _block_to_push(document, pages[0])
        if element is None:
            break
        parents = {child: parent for parent in html.etree_element.iter() for child in parent}
        element = _with_what_keeps_with_it(element, parents)
        style = element.get("style", "")
        element.set("style", f"{style}; break-before: page".lstrip("; "))
        progress.detail(f"page {pages[0] + 1}: a footnote left its call's page; laying out again")
        document = html.render(stylesheets=stylesheets, font_config=font_config)
    return document


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextmanager
def source_date_epoch(epoch: int) -> Iterator[None]:
    """Fix the clock that fontTools stamps into embedded font subsets (unless the user set it)."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    if previous is None:
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


@dataclass(frozen=True)
class PdfAttachment:
    """A file the PDF carries (PDF/A-3 associated file): its name in the PDF and relationship."""

    path: Path
    name: str
    relationship: str = "Data"  # ISO 32000-2 AFRelationship: Data, Source, Supplement …
    description: str = ""

    @property
    def media_type(self) -> str:
        """The MIME type PDF/A asks of an embedded file (YAML is unknown to Python's table)."""
        if self.path.suffix in (".yaml", ".yml"):
            return "application/yaml"
        return mimetypes.guess_type(self.path.name)[0] or "application/octet-stream"


def _weasyprint_attachments(attachments, fetcher, epoch: int) -> list[weasyprint.Attachment]:
    stamp = datetime.fromtimestamp(epoch, UTC)
    return [
        weasyprint.Attachment(
            filename=str(a.path),
            url_fetcher=fetcher,
            name=a.name,
            description=a.description or a.name,
            created=stamp,
            modified=stamp,
            relationship=a.relationship,
        )
        for a in attachments
    ]


def _media_types(pdf: pikepdf.Pdf, attachments: tuple[PdfAttachment, ...]) -> None:
    """Each embedded file stream's /Subtype is its MIME type (WeasyPrint guesses from names)."""
    types = {a.name: a.media_type for a in attachments}
    for name, spec in pdf.attachments.items():
        if name in types:
            spec.obj.EF.F.Subtype = pikepdf.Name("/" + types[name])  # written /text#2Fcsv


def finish_pdf(
    data: bytes,
    pdf_path: Path,
    ident: Identification,
    html: str,
    attachments: tuple[PdfAttachment, ...] = (),
) -> None:
    """WeasyPrint's PDF made PDF/UA-1 (and PDF/A-3b when archiving), saved deterministically."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        finish_structure(pdf, link_targets(html))
        _media_types(pdf, attachments)
        write_metadata(pdf, ident)
        pdf.save(pdf_path, deterministic_id=True)


def write_pdf(
    html_path: Path,
    pdf_path: Path,
    allowed: list[Path],
    epoch: int = 0,
    html_text: str | None = None,
    archive: bool = False,
    attachments: tuple[PdfAttachment, ...] = (),
    inputs_hash: str | None = None,
) -> None:
    """Print html_path (or html_text, with html_path's folder as its base) to pdf_path:
    byte-identical for identical input.

    The PDF is PDF/UA-1 (tagged, with /Alt, artifacts, notes and XMP identification); with
    `archive` also PDF/A-3b carrying `attachments` as associated files. The PDF identifier is
    a hash of the HTML, and font timestamps come from `epoch` (SOURCE_DATE_EPOCH wins when
    set), so nothing depends on the clock. `inputs_hash` goes into the XMP (manifest.py).
    """
    html_path = html_path.resolve()
    if html_text is None:
        html_text = html_path.read_text(encoding="utf-8")
    html = print_ready(inline_footnotes(html_text))
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    fetcher = OfflineFetcher([html_path.parent, *allowed])
    variant = "pdf/a-3b" if archive else "pdf/ua-1"
    try:
        document = weasyprint.HTML(
            string=html,
            base_url=html_path.parent.as_uri() + "/",
            url_fetcher=fetcher,
        )
        fonts = FontConfiguration()
        identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
        with source_date_epoch(epoch), footnote_tags():
            rendered = render_keeping_notes_with_calls(document, None, fonts)
            data = rendered.write_pdf(
                pdf_identifier=identifier,
                pdf_tags=True,
                pdf_variant=variant,
                attachments=_weasyprint_attachments(attachments, fetcher, epoch)
                if archive
                else None,
            )
    except FatalURLFetchingError as exc:
        raise ReportError(f"cannot print the PDF: {exc}") from None
    finally:
        logger.removeHandler(collector)
    missing = [m for m in collector.messages if "Failed to load" in m]
    if missing:
        raise ReportError(f"cannot print the PDF: {missing[0]}", hint="fix the path in the content")
    finish_pdf(
        data,
        pdf_path,
        Identification(1, archive, inputs_hash),
        html,
        attachments if archive else (),
    )
