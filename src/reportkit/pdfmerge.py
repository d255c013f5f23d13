"""One PDF from the pieces laid out apart: pages, tags, links, bookmarks, page furniture.

Each piece of the report (front matter, each chapter) is its own tagged PDF from WeasyPrint,
so that pieces can be laid out in parallel and an unchanged one reused from the cache. This
joins them as if WeasyPrint had printed the report in one go:

- pages in order; each piece's structure tree under one Document element, its parent-tree
  keys renumbered so that every page and link keeps its tags;
- named destinations: a piece links to another's headings and figures by name; a piece
  carries a stand-in for each name another piece owns, and the owner's destination wins;
- bookmarks: each piece's outline, nested by heading level across pieces (a part of a
  chapter holds its later sections, whose bookmarks go under the chapter's);
- page furniture (running heads, footer, page number, draft mark) drawn by one more
  WeasyPrint document with one sheet per page, overlaid on each page as an artifact — so
  that a chapter's layout does not depend on the page it starts on.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, PageLocation


@dataclass
class Piece:
    pdf: bytes
    owned: set[str]  # the anchors this piece defines (not stand-ins for other pieces')
    bookmarks: list[int] = field(default_factory=list)  # each bookmark's level, in order


def _copy(out: pikepdf.Pdf, value):
    """value from another PDF, in out: indirect objects copied (once each), direct ones
    rebuilt around them."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, Array):
        return Array([_copy(out, item) for item in value])
    if isinstance(value, Dictionary):
        return Dictionary({key: _copy(out, item) for key, item in value.items()})
    return value


def _outline_items(source: pikepdf.Pdf, page_offset: int) -> list[tuple[int, OutlineItem]]:
    """The piece's bookmarks in reading order, each with its depth in the piece's outline,
    as new items (no children yet) pointing at the joined document's pages."""
    pages = {page.objgen: index for index, page in enumerate(source.pages)}
    flat: list[tuple[int, OutlineItem]] = []

    def visit(item, depth: int) -> None:
        destination = item.destination
        page, top, left = 0, None, None
        if isinstance(destination, Array) and len(destination) >= 2:
            page = pages.get(destination[0].objgen, 0)
            left = float(destination[2]) if len(destination) > 2 else None
            top = float(destination[3]) if len(destination) > 3 else None
        new = OutlineItem(
            str(item.title),
            page_offset + page,
            PageLocation.XYZ,
            left=left,
            top=top,
        )
        flat.append((depth, new))
        for child in item.children:
            visit(child, depth + 1)

    with source.open_outline() as outline:
        for item in outline.root:
            visit(item, 1)
    return flat


def nest(items: list[tuple[int, OutlineItem]]) -> list[OutlineItem]:
    """Bookmarks by level into a tree, as WeasyPrint nests them in one document: each under
    the last one before it of a lower level."""
    roots: list[OutlineItem] = []
    stack: list[tuple[int, OutlineItem]] = []
    for level, item in items:
        while stack and stack[-1][0] >= level:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(item)
        stack.append((level, item))
    return roots


def merge(pieces: list[Piece], furniture: bytes | None) -> pikepdf.Pdf:
    """The joined PDF (not yet saved)."""
    out = pikepdf.new()
    struct_root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = out.make_indirect(
        Dictionary(Type=Name.StructElem, S=Name.Document, P=struct_root, K=Array())
    )
    nums = Array()
    struct_root.K = Array([document])
    struct_root.ParentTree = out.make_indirect(Dictionary(Nums=nums))
    destinations: dict[str, object] = {}
    outline: list[tuple[int, OutlineItem]] = []
    next_key = 0
    first_root = None
    opened = []  # kept open until the end: copied objects are read lazily
    for piece in pieces:
        source = pikepdf.open(io.BytesIO(piece.pdf))
        opened.append(source)
        first_root = first_root if first_root is not None else source.Root
        offset = len(out.pages)
        with warnings.catch_warnings():
            # pikepdf warns that named destinations are not carried over: they are, below.
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            out.pages.extend(source.pages)
        tree = source.Root.get("/StructTreeRoot")
        used = 0
        if tree is not None:
            old_nums = tree.ParentTree.Nums
            for index in range(0, len(old_nums), 2):
                old_key = int(old_nums[index])
                nums.append(next_key + old_key)
                nums.append(_copy(out, old_nums[index + 1]))
                used = max(used, old_key + 1)
            for page in out.pages[offset:]:
                if "/StructParents" in page.obj:
                    page.obj.StructParents = next_key + int(page.obj.StructParents)
                for annotation in page.obj.get("/Annots", []):
                    if "/StructParent" in annotation:
                        annotation.StructParent = next_key + int(annotation.StructParent)
            for kid in tree.K[0].K:
                copied = _copy(out, kid)
                copied.P = document
                document.K.append(copied)
            for extra in ("/RoleMap", "/ClassMap", "/Namespaces"):
                if extra in tree and extra not in struct_root:
                    struct_root[extra] = _copy(out, tree[extra])
        next_key += used
        names = source.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
        for index in range(0, len(names), 2):
            name = str(names[index])
            if name in piece.owned or name not in destinations:
                destinations[name] = _copy(out, names[index + 1])
        items = _outline_items(source, offset)
        if len(piece.bookmarks) == len(items):  # the levels WeasyPrint gave the headings
            items = [(level, item) for level, (_, item) in zip(piece.bookmarks, items, strict=True)]
        outline += items
    if first_root is not None:
        for key in ("/Lang", "/MarkInfo", "/ViewerPreferences"):
            if key in first_root:
                out.Root[key] = _copy(out, first_root[key])
    out.Root.StructTreeRoot = struct_root
    if destinations:
        flat = Array()
        for name in sorted(destinations):  # a name tree's keys are sorted
            flat.append(pikepdf.String(name))
            flat.append(destinations[name])
        out.Root.Names = Dictionary(Dests=Dictionary(Names=flat))
    with out.open_outline() as joined:
        joined.root.extend(nest(outline))
    if furniture is not None:
        overlay(out, pikepdf.open(io.BytesIO(furniture)))
    out._reportkit_sources = opened  # noqa: SLF001 - alive as long as the joined PDF
    return out


def copy_output_intents(out: pikepdf.Pdf, piece: bytes) -> None:
    """PDF/A's colour profile (the output intent WeasyPrint gives each piece), once."""
    source = pikepdf.open(io.BytesIO(piece))
    out._reportkit_sources.append(source)  # streams are read when the joined PDF is saved
    if "/OutputIntents" in source.Root:
        out.Root.OutputIntents = _copy(out, source.Root.OutputIntents)


def overlay(out: pikepdf.Pdf, furniture: pikepdf.Pdf) -> None:
    """Draw each furniture page over the page of the same number, marked as an artifact."""
    for number, (page, sheet) in enumerate(zip(out.pages, furniture.pages, strict=False)):
        if not sheet.obj.get("/Contents"):
            continue
        form = out.copy_foreign(sheet.as_form_xobject())
        # One name per page: WeasyPrint's pages share their resources dictionary.
        name = page.add_resource(form, Name.XObject, Name(f"/RkFurniture{number}"))
        # The page's own drawing leaves its coordinate system flipped: enclose it first.
        page.contents_add(pikepdf.Stream(out, b"q\n"), prepend=True)
        drawing = pikepdf.Stream(
            out,
            b"Q\n/Artifact <</Type /Pagination>> BDC q " + bytes(name) + b" Do Q EMC\n",
        )
        page.contents_add(drawing, prepend=False)


def save(pdf: pikepdf.Pdf, target) -> None:
    """Write deterministically: the same pieces give the same bytes."""
    pdf.save(
        target,
        deterministic_id=True,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
