"""Laying out one piece of the report with WeasyPrint: in a worker process, or in this one.

Everything here imports WeasyPrint; the rest of the printing (pdf.py: cutting, caching,
joining) does not, so that workers started at the beginning of a render import it while the
report is being prepared, on the machine's other core.
"""

from __future__ import annotations

import copy
import logging
import os
import pickle
import select
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from reportkit.errors import ReportError
from reportkit.paginate import Mend, PieceLayout, lay_out_piece
from reportkit.pdfua import footnote_tags


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


def with_named_targets(pages: list) -> list:
    """The pages, the first given a stand-in anchor for every name they link to that none of
    them holds (another piece's, or a page of this one written apart: pdfmerge gives each
    name its owner's destination), so that WeasyPrint keeps those links."""
    held = {name for page in pages for name in page.anchors}
    wanted = sorted(
        {target for page in pages for kind, target, *_ in page.links if kind == "internal"} - held
    )
    if not wanted or not pages:
        return pages
    first = copy.copy(pages[0])
    first.anchors = {**first.anchors, **{name: (0, 0, 0, 0) for name in wanted}}
    return [first, *pages[1:]]


# In a printer's worker (workers.PrintPool): a long piece's parts are written by two processes.
FORK_WRITES = False


def write_in_two(write, groups: list[list]) -> list[bytes]:
    """Each group of pages written, the later half of the pages by a fork of this process
    meanwhile: on a 2-core machine the other worker has often finished its own pieces while
    this one writes the parts of the longest chapter. The same bytes, written in parallel."""
    total, pages = sum(map(len, groups)), 0
    half = 0
    while half < len(groups) - 1 and pages + len(groups[half]) <= total / 2:
        pages += len(groups[half])
        half += 1
    if half == 0 or not hasattr(os, "fork"):
        return [write(group) for group in groups]
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # the fork: write the later groups, hand their bytes back, and go
        os.close(reading)
        try:
            answer, code = pickle.dumps([write(group) for group in groups[half:]]), 0
        except BaseException as error:  # noqa: BLE001 - reported by the parent
            answer, code = pickle.dumps(f"{type(error).__name__}: {error}"), 1
        with os.fdopen(writing, "wb") as out:
            out.write(answer)
        os._exit(code)
    os.close(writing)
    try:
        mine = [write(group) for group in groups[:half]]
    finally:
        answer = _answer(reading, child, deadline=time.monotonic() + FORK_PATIENCE)
    if answer is None:  # the fork never answered: its groups are written here after all
        answer = [write(group) for group in groups[half:]]
    if isinstance(answer, str):
        raise ReportError(f"cannot print the PDF: {answer}")
    return [*mine, *answer]


FORK_PATIENCE = 600.0  # seconds a fork may take to write its half before it is given up


def _answer(reading: int, child: int, deadline: float):
    """What the fork wrote back (None if it did not within the deadline: it is killed)."""
    chunks = []
    with os.fdopen(reading, "rb", buffering=0) as answers:
        while True:
            ready, _, _ = select.select([answers], [], [], max(0.0, deadline - time.monotonic()))
            chunk = answers.read(1 << 20) if ready else None
            if not chunk:
                break
            chunks.append(chunk)
    if chunk is None:
        os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    return None if chunk is None else pickle.loads(b"".join(chunks) or pickle.dumps("no answer"))


def lay_out(
    settings,
    source: str,
    remembered: list[Mend],
    tagged: bool = True,
    mend: bool = True,
    cut: bool = False,
) -> list[PieceLayout]:
    """Lay out one piece's document (mending its pages) and write it as PDF bytes: in parts
    with `cut` (paginate.lay_out_piece).

    settings: pdf.PrintSettings (base URL, readable folders, clock, PDF variant)."""
    fonts = FontConfiguration()
    fetcher = OfflineFetcher([Path(p) for p in settings.allowed])
    images: dict = {}

    documents = []  # laid out for this piece: the first, and mended ones

    def render(text: str):
        document = weasyprint.HTML(string=text, base_url=settings.base_url, url_fetcher=fetcher)
        documents.append(document.render(font_config=fonts, cache=images))
        return documents[-1]

    def write_all(groups: list[list]) -> list[bytes]:
        return write_in_two(write, groups) if FORK_WRITES else [write(g) for g in groups]

    def write(pages: list) -> bytes:
        """The pages (of this piece's layouts) as PDF bytes."""
        pages = with_named_targets(pages)
        whole = next((d for d in documents if d.pages == pages), None)
        # The documents share fonts, fetcher and metadata (one head): any one can copy.
        document = whole or documents[0].copy(pages)
        if not tagged:  # the page furniture: drawn as an artifact over the pages
            return document.write_pdf(pdf_identifier=b"reportkit-piece")
        with footnote_tags():
            return document.write_pdf(
                pdf_tags=True, pdf_identifier=b"reportkit-piece", pdf_variant=settings.variant
            )

    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        with source_date_epoch(settings.epoch):
            result = lay_out_piece(source, render, remembered, write_all, mend, cut)
    except FatalURLFetchingError as exc:
        raise ReportError(f"cannot print the PDF: {exc}") from None
    finally:
        logger.removeHandler(collector)
    missing = [m for m in collector.messages if "Failed to load" in m]
    if missing:
        raise ReportError(f"cannot print the PDF: {missing[0]}", hint="fix the path in the content")
    return result


def in_worker(settings, source: str, remembered: list[Mend], tagged: bool, mend: bool, cut: bool):
    """A piece laid out in a worker process; errors come back as text (they pickle)."""
    try:
        return lay_out(settings, source, remembered, tagged, mend, cut)
    except ReportError as error:
        return str(error)
