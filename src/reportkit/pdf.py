"""Print the rendered HTML to PDF with WeasyPrint: same DOM, print stylesheet, no network."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

import lxml.html
import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from reportkit import progress
from reportkit.errors import ReportError
from reportkit.paginate import Layout, paginate


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


def write_pdf(
    html_path: Path,
    pdf_path: Path,
    allowed: list[Path],
    epoch: int = 0,
    html_text: str | None = None,
) -> Layout:
    """Print html_path (or html_text, with html_path's folder as its base) to pdf_path:
    byte-identical for identical input. Returns the layout (pages, passes, mends).

    The PDF identifier is a hash of the HTML, and font timestamps come from `epoch`
    (SOURCE_DATE_EPOCH wins when set), so nothing depends on the clock.
    """
    html_path = html_path.resolve()
    if html_text is None:
        html_text = html_path.read_text(encoding="utf-8")
    html = inline_footnotes(html_text)
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    fetcher = OfflineFetcher([html_path.parent, *allowed])
    base_url = html_path.parent.as_uri() + "/"
    fonts = FontConfiguration()
    images: dict = {}  # decoded images, shared by the pieces laid out

    def lay_out(text: str):
        document = weasyprint.HTML(string=text, base_url=base_url, url_fetcher=fetcher)
        return document.render(font_config=fonts, cache=images)

    try:
        identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
        with source_date_epoch(epoch):
            layout = paginate(html, lay_out)
            progress.detail(
                f"{len(layout.document.pages)} pages laid out in {layout.layouts} layout(s)"
            )
            layout.document.write_pdf(pdf_path, pdf_identifier=identifier, pdf_tags=True)
    except FatalURLFetchingError as exc:
        raise ReportError(f"cannot print the PDF: {exc}") from None
    finally:
        logger.removeHandler(collector)
    missing = [m for m in collector.messages if "Failed to load" in m]
    if missing:
        raise ReportError(f"cannot print the PDF: {missing[0]}", hint="fix the path in the content")
    return layout
