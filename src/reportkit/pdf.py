"""Print the rendered HTML to PDF with WeasyPrint: same DOM, print stylesheet, no network.

The print DOM is cut into pieces that start on a new page (pieces.py); each piece is laid
out and mended (paginate.py) — in parallel on the machine's cores, or taken from the cache
when its document did not change — then the pieces are joined, with page furniture drawn
over the joined pages (pdfmerge.py). Same inputs, same bytes, however the pieces came about.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pikepdf

from reportkit import pdfmerge, progress
from reportkit.cache import Store, key
from reportkit.errors import ReportError
from reportkit.paginate import MAX_WHITE, Mend, PieceLayout, fingerprint
from reportkit.pdfmeta import Identification, write_metadata
from reportkit.pdfua import finish_structure
from reportkit.pieces import (
    PieceSource,
    chapter_parts,
    chapter_pieces,
    front_piece,
    furniture_html,
    split_chapters,
    whole_piece,
)
from reportkit.printdom import link_targets, print_ready
from reportkit.workers import PrintPool, start_print_pool


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


def _media_types(pdf: pikepdf.Pdf, attachments: tuple[PdfAttachment, ...]) -> None:
    """Each embedded file stream's /Subtype is its MIME type (WeasyPrint guesses from names)."""
    types = {a.name: a.media_type for a in attachments}
    for name, spec in pdf.attachments.items():
        if name in types:
            spec.obj.EF.F.Subtype = pikepdf.Name("/" + types[name])  # written /text#2Fcsv


@dataclass
class PrintResult:
    """How the PDF came about: a publications office asks why a page ends early."""

    pages: int
    layouts: int  # documents laid out in all (furniture included)
    rounds: dict[str, int]  # piece -> rounds of mends it needed this time
    reused: list[str] = field(default_factory=list)  # pieces taken from the cache
    laid_out: list[str] = field(default_factory=list)  # pieces laid out now


def _assets_digest(folder: Path) -> str:
    """Everything a piece's look depends on besides its HTML: stylesheets and images (not the
    web fonts: print uses the font files, named in each piece's own HTML by print_fonts)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        relative = path.relative_to(folder).as_posix()
        if relative.startswith("fonts/") or relative == "fonts.css":
            continue
        if path.is_file() and path.suffix.lower() not in (".js", ".html"):
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _image_digest(source: str, base: Path) -> str:
    """The files a piece's images load (the cover illustration …), by content."""
    digest = hashlib.sha256()
    for src in sorted(set(lxml.html.fromstring(source).xpath("//img/@src"))):
        path = (base / unquote(src)).resolve()
        if path.is_file() and path.is_relative_to(base.resolve()):
            digest.update(src.encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


MAX_CUT_ROUNDS = 4  # a chapter's parts laid out again, joined where one ended too early


@dataclass(frozen=True)
class PrintSettings:
    """What laying out a piece needs besides its document (pickled to the workers)."""

    base_url: str
    allowed: list[str]
    epoch: int
    variant: str | None = "pdf/ua-1"  # or "pdf/a-3b" (pdfmerge and pdfua finish the whole)


def _in_worker(*arguments):
    """printworker.in_worker, named from here: the parent never imports WeasyPrint (a good
    half second) to hand work to the workers that have."""
    from reportkit.printworker import in_worker

    return in_worker(*arguments)


def _as_json(mends: list[Mend]) -> list[dict]:
    return [{"kind": m.kind, "blocks": list(m.blocks), "anchor": m.anchor} for m in mends]


def _mends(values: list[dict]) -> list[Mend]:
    return [Mend(v["kind"], tuple(v["blocks"]), v.get("anchor")) for v in values]


class PieceCache:
    """Laid-out pieces by the hash of everything they depend on; and, by piece name, the
    mends their last layout needed (replayed first the next time the piece changes)."""

    def __init__(self, root: Path | None):
        self.store = Store(root, "pdf") if root is not None else None

    def get(self, name: str) -> PieceLayout | None:
        if self.store is None:
            return None
        meta = self.store.get_json(f"{name}.json")
        data = self.store.get(f"{name}.pdf")
        if meta is None or data is None:
            return None
        return PieceLayout(
            data,
            meta["page_names"],
            meta["anchors"],
            0,
            _mends(meta["mends"]),
            white_end=meta.get("white_end", 0.0),
            bookmarks=meta.get("bookmarks", []),
        )

    def put(self, name: str, layout: PieceLayout) -> None:
        if self.store is None:
            return
        self.store.put(f"{name}.pdf", layout.pdf)
        meta = {
            "page_names": layout.page_names,
            "anchors": layout.anchors,
            "mends": _as_json(layout.mends),
            "white_end": layout.white_end,
            "bookmarks": layout.bookmarks,
        }
        self.store.put_json(f"{name}.json", meta)

    def cuts(self, chapter: str) -> list[str]:
        """Where the chapter was cut into parts last time (fingerprints of their first blocks)."""
        if self.store is None:
            return []
        return self.store.get_json(f"cuts-{key(chapter)}.json") or []

    def remember_cuts(self, chapter: str, cuts: list[str]) -> None:
        if self.store is not None:
            self.store.put_json(f"cuts-{key(chapter)}.json", cuts)

    def remembered(self, piece: str) -> list[Mend]:
        if self.store is None:
            return []
        return _mends(self.store.get_json(f"mends-{key(piece)}.json") or [])

    def remember(self, piece: str, mends: list[Mend]) -> None:
        if self.store is not None:
            self.store.put_json(f"mends-{key(piece)}.json", _as_json(mends))


def write_pdf(
    html_path: Path,
    pdf_path: Path,
    allowed: list[Path],
    epoch: int = 0,
    html_text: str | None = None,
    cache_root: Path | None = None,
    archive: bool = False,
    attachments: tuple = (),
    inputs_hash: str | None = None,
    pool: PrintPool | None = None,
    meanwhile=None,
) -> PrintResult:
    """Print html_path (or html_text, with html_path's folder as its base) to pdf_path:
    byte-identical for identical input, whether pieces were laid out now or taken from the
    cache under cache_root (the project).

    The PDF is PDF/UA-1 (tagged, with /Alt, artifacts, notes and XMP identification); with
    `archive` also PDF/A-3b carrying `attachments` as associated files. Font timestamps come
    from `epoch` (SOURCE_DATE_EPOCH wins when set), so nothing depends on the clock.
    `inputs_hash` goes into the XMP (manifest.py). Pieces are laid out in `pool` when given
    (else in workers started here, where forking is safe, else in this process).
    `meanwhile` is called once while the workers lay the first pieces out.
    """
    html_path = html_path.resolve()
    if html_text is None:
        html_text = html_path.read_text(encoding="utf-8")
    html = print_ready(inline_footnotes(html_text))
    tree = lxml.html.document_fromstring(html)
    base = html_path.parent
    font_folders = print_fonts(tree, base)
    html = lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
    variant = "pdf/a-3b" if archive else "pdf/ua-1"
    allowed_folders = [str(base), *map(str, allowed), *map(str, font_folders)]
    settings = PrintSettings(base.as_uri() + "/", allowed_folders, epoch, variant)
    environment = key(_assets_digest(base / "assets"), epoch, version("weasyprint"), variant)
    chapters = split_chapters(tree)
    sources = chapter_pieces(tree, chapters) if chapters else [whole_piece(tree)]
    own_pool = pool is None
    if own_pool:
        pool = start_print_pool()
    printing = Printing(settings, PieceCache(cache_root), base, environment, pool, meanwhile)
    try:
        sources, layouts = printing.lay_out(sources)
        layouts, sources, furniture = _with_front_and_furniture(tree, sources, layouts, printing)
    finally:
        if own_pool and pool is not None:
            pool.close()
    result = printing.result
    pieces = [
        pdfmerge.Piece(lay.pdf, src.owned, lay.bookmarks)
        for src, lay in zip(sources, layouts, strict=True)
    ]
    result.pages = sum(len(layout.page_names) for layout in layouts)
    joined = pdfmerge.merge(pieces, furniture.pdf)
    for name, value in _document_info(layouts[0].pdf).items():
        joined.docinfo[pikepdf.Name("/" + name)] = value
    finish_structure(joined, link_targets(html))
    if archive:
        pdfmerge.copy_output_intents(joined, layouts[0].pdf)
        _attach(joined, attachments, epoch)
    write_metadata(joined, Identification(1, archive, inputs_hash))
    buffer = io.BytesIO()
    pdfmerge.save(joined, buffer)
    pdf_path.write_bytes(buffer.getvalue())
    progress.detail(
        f"{result.pages} pages: {len(result.laid_out)} piece(s) laid out, "
        f"{len(result.reused)} reused"
    )
    return result


FONT_FACE = re.compile(r"@font-face\s*\{(?P<body>[^}]*)\}")


def print_fonts(tree, base: Path) -> list[Path]:
    """The page's web fonts (WOFF2 subsets with unicode ranges, webfonts.py) replaced, for
    print, by the installed font files themselves: WeasyPrint subsets what it embeds, reads a
    TrueType file faster than a WOFF2 and shapes a script from one whole font. Returns the
    font folders the printer may read (the fontpkg packages': reportkit's, not the
    project's)."""
    from reportkit.fonts import font_faces

    link = next(iter(tree.xpath("//head/link[contains(@href, 'assets/fonts.css')]")), None)
    source = base / "assets" / "fonts.css"
    if link is None or not source.is_file():
        return []
    rules, folders, seen = [], [], set()
    for match in FONT_FACE.finditer(source.read_text(encoding="utf-8")):
        body = match["body"]
        family = re.search(r'font-family:\s*"([^"]+)"', body).group(1)
        style = re.search(r"font-style:\s*(\w+)", body).group(1)
        weight = re.search(r"font-weight:\s*([\d ]+);", body).group(1).strip()
        for face in font_faces(family):
            if (face.style, face.weight) == (style, weight) and face.path not in seen:
                seen.add(face.path)
                folders.append(face.path.parent)
                rules.append(
                    f'@font-face {{ font-family: "{family}"; font-style: {style}; '
                    f'font-weight: {weight}; src: url("{face.path.as_uri()}"); }}'
                )
    style_element = lxml.html.Element("style")
    style_element.text = "\n".join(rules)
    link.getparent().replace(link, style_element)
    return sorted(set(folders))


def _attach(pdf: pikepdf.Pdf, attachments: tuple[PdfAttachment, ...], epoch: int) -> None:
    """The files a PDF/A-3 carries, each an associated file of the document (/AF)."""
    stamp = datetime.fromtimestamp(epoch, UTC).strftime("D:%Y%m%d%H%M%SZ")
    specs = pikepdf.Array()
    for attachment in attachments:
        spec = pikepdf.AttachedFileSpec(
            pdf,
            attachment.path.read_bytes(),
            description=attachment.description or attachment.name,
            filename=attachment.name,
            mime_type=attachment.media_type,
            creation_date=stamp,
            mod_date=stamp,
            relationship=pikepdf.Name("/" + attachment.relationship),
        )
        pdf.attachments[attachment.name] = spec
        specs.append(pdf.attachments[attachment.name].obj)
    if len(specs):
        pdf.Root.AF = specs
    _media_types(pdf, attachments)


def _document_info(first_piece: bytes) -> dict[str, str]:
    import pikepdf

    with pikepdf.open(io.BytesIO(first_piece)) as pdf:
        return {str(k)[1:]: str(v) for k, v in pdf.docinfo.items() if isinstance(v, pikepdf.String)}


class Printing:
    """One PDF's pieces: each from the cache, or laid out (in the pool's workers, in
    parallel, the longest first; or here). A chapter is laid out in the parts its last
    layout was cut into (pieces.chapter_parts), so that an edit lays out its part only."""

    def __init__(
        self, settings, cache: PieceCache, base: Path, environment: str, pool, meanwhile=None
    ):
        self.settings = settings
        self.meanwhile = meanwhile  # called once, while the workers lay pieces out
        self.cache = cache
        self.base = base
        self.environment = environment
        self.pool = pool
        self.result = PrintResult(0, 0, {})
        self.fresh: dict[str, list[PieceLayout]] = {}  # laid out in this render, by name
        self.names: dict[str, str] = {}  # piece HTML -> cache name

    def _name(self, source: PieceSource) -> str:
        """The piece's cache name (asked for often: its HTML is hashed and parsed once)."""
        if source.html not in self.names:
            digest = _image_digest(source.html, self.base)
            self.names[source.html] = key(source.html, self.environment, digest)
        return self.names[source.html]

    def lay_out(self, sources: list[PieceSource]) -> tuple[list[PieceSource], list[PieceLayout]]:
        """The pieces the sources come to (a chapter: its parts) and their layouts."""
        cuts = {s.name: self.cache.cuts(s.name) for s in sources if s.cuttable}
        for _ in range(MAX_CUT_ROUNDS):
            pieces = [
                part
                for source in sources
                for part in (
                    chapter_parts(source, cuts[source.name], fingerprint)
                    if source.cuttable
                    else [source]
                )
            ]
            results = self._lay_out_pieces(pieces)
            # A part that now ends too early on its page is laid out with the next one.
            short = [
                following
                for piece, layouts, following in zip(pieces, results, pieces[1:], strict=False)
                if following.start
                and following.part_of == piece.part_of
                and layouts[-1].white_end > MAX_WHITE
            ]
            if not short:
                break
            for following in short:
                cuts[following.part_of].remove(following.start)
        self.result.reused += [p.name for p in pieces if self._name(p) not in self.fresh]
        final_sources: list[PieceSource] = []
        final_layouts: list[PieceLayout] = []
        for source in sources:
            if not source.cuttable:
                final_sources.append(source)
                final_layouts.append(results[pieces.index(source)][0])
                continue
            mine = [
                (p, r) for p, r in zip(pieces, results, strict=True) if p.part_of == source.name
            ]
            parts, layouts = self._recut(source, mine)
            final_sources += parts
            final_layouts += layouts
        return final_sources, final_layouts

    def _recut(self, chapter: PieceSource, laid: list) -> tuple[list[PieceSource], list]:
        """The chapter's parts from now on: those it was laid out in, each laid out now cut
        where its layout was cut; each new part cached, the cuts and mends remembered."""
        ranges = [
            (layout.start if index else part.start, layout, self._name(part) in self.fresh)
            for part, layouts in laid
            for index, layout in enumerate(layouts)
        ]
        cuts = [start for start, _, _ in ranges if start]
        parts = chapter_parts(chapter, cuts, fingerprint)
        if [part.start for part in parts] != [start for start, _, _ in ranges]:
            raise ReportError(f"cannot cut the chapter {chapter.name} where its layout was cut")
        for part, (_, layout, fresh) in zip(parts, ranges, strict=True):
            if fresh:
                self.cache.put(self._name(part), layout)
        self.cache.remember_cuts(chapter.name, cuts)
        self.cache.remember(chapter.name, [m for _, layout, _ in ranges for m in layout.mends])
        return parts, [layout for _, layout, _ in ranges]

    def _meanwhile(self) -> None:
        if self.meanwhile is not None:
            call, self.meanwhile = self.meanwhile, None
            call()

    def _lay_out_pieces(self, pieces: list[PieceSource]) -> list[list[PieceLayout]]:
        """Each piece's layout, from this render, the cache, or laid out now: a list of
        layouts where its layout was cut into parts."""
        results: list[list[PieceLayout] | None] = []
        for piece in pieces:
            name = self._name(piece)
            cached = self.fresh.get(name) or [self.cache.get(name)]
            results.append(None if cached[0] is None else cached)
        todo = [i for i, result in enumerate(results) if result is None]
        order = sorted(todo, key=lambda i: -len(pieces[i].html))

        def arguments(piece: PieceSource) -> tuple:
            remembered = self.cache.remembered(piece.part_of or piece.name)
            return (self.settings, piece.html, remembered, piece.tagged, piece.mend, piece.cuttable)

        if self.pool is not None and todo:
            submit = self.pool.executor.submit
            futures = {i: submit(_in_worker, *arguments(pieces[i])) for i in order}
            self._meanwhile()
            done = {i: future.result() for i, future in futures.items()}
        else:
            done = {}
            for i in order:
                progress.detail(f"laying out {pieces[i].name}")
                done[i] = _in_worker(*arguments(pieces[i]))
        for index in todo:
            layouts, piece = done[index], pieces[index]
            if isinstance(layouts, str):
                raise ReportError(layouts)
            self.fresh[self._name(piece)] = layouts
            if not piece.cuttable:
                self.cache.put(self._name(piece), layouts[0])
                if piece.mend:
                    self.cache.remember(piece.name, layouts[0].mends)
            self.result.laid_out.append(piece.name)
            count = sum(layout.layouts for layout in layouts)
            self.result.layouts += count
            self.result.rounds[piece.name] = count - 1
            results[index] = layouts
        return results


def _with_front_and_furniture(tree, sources, layouts, printing: Printing):
    """The front matter (cover, imprint, contents) before the pieces — its contents page
    numbered from where the chapters fell — and the page furniture of all the pages, laid out
    side by side from the front matter's length last time (again if it changed)."""
    store = printing.cache.store
    front_names = (store.get_json("front-pages.json") if store else None) or [
        "cover",
        "front",
        "front",
    ]
    if not isinstance(front_names, list):
        front_names = ["cover", *["front"] * (int(front_names) - 1)]
    chapter_sheets = [
        (name, source.chapter)
        for source, layout in zip(sources, layouts, strict=True)
        for name in layout.page_names
    ]
    if not sources or sources[0].name == "document":  # no chapters: no front matter apart
        furniture_source = furniture_html(tree, chapter_sheets)
        _, (furniture,) = printing.lay_out([furniture_source])
        return layouts, sources, furniture
    for _ in range(3):
        page_of = {}
        start = len(front_names)
        for source, layout in zip(sources, layouts, strict=True):
            for anchor, page in layout.anchors.items():
                if anchor in source.owned:  # not a stand-in for another piece's name
                    page_of[anchor] = start + page + 1
            start += len(layout.page_names)
        front = front_piece(tree, page_of)
        sheets = [(name, "") for name in front_names] + chapter_sheets
        furniture_source = furniture_html(tree, sheets)
        _, (front_layout, furniture) = printing.lay_out([front, furniture_source])
        if front_layout.page_names == front_names:
            break
        front_names = front_layout.page_names
    if store:
        store.put_json("front-pages.json", front_names)
    return [front_layout, *layouts], [front, *sources], furniture
