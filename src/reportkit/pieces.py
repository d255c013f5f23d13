"""The print DOM cut into pieces that start on a new page, each a document of its own.

A report's chapters each start on a new page, so each can be laid out alone — in parallel,
and reused from the cache while it does not change. What crosses chapters is numbered here,
not by the layout: footnote numbers carry on (each piece starts its counter where the one
before ended), page numbers and running heads are drawn afterwards on the joined pages (page
furniture, one sheet per page), the contents page takes the page numbers the chapters ended
up on, and links between pieces go by name (a piece's PDF holds a stand-in destination for
each name it links to that another piece owns: printworker.with_named_targets).

A long chapter is cut further, into parts, at blocks where its last layout started a fresh
page (paginate.choose_cuts): a part is laid out as a document of its own whose first page
lays out exactly as that page did in the whole chapter — the blocks before the cut are
replaced by a spacer that fills one page, dropped when the part is written, so the cut block
starts a second page after an unforced break (margins truncated as in the chapter), and the
footnote counter starts where the blocks before left it. An edit then lays out its part only.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

import lxml.html
from lxml.html import HtmlElement

# Margin boxes are drawn by the page furniture, on the joined pages (pdfmerge.py).
NO_MARGIN_BOXES = (
    "@page { @top-left { content: none } @top-right { content: none } "
    "@bottom-left { content: none } @bottom-center { content: none } "
    "@bottom-right { content: none } }\n"
)
TOC_PAGE_CSS = '.toc a::after { content: leader(".") attr(data-page); }\n'
NOTE = "//*[contains(concat(' ', normalize-space(@class), ' '), ' footnote ')]"


@dataclass
class PieceSource:
    name: str
    html: str
    owned: set[str] = field(default_factory=set)  # ids this piece defines
    chapter: str = ""  # the running head of its pages: the chapter's heading
    tagged: bool = True  # the page furniture is not: it is drawn over pages as an artifact
    mend: bool = True  # front matter and furniture hold no flowing text to mend
    cuttable: bool = False  # a chapter: may be laid out in parts (chapter_parts)
    start: str | None = None  # a part after the first: the fingerprint of its first block
    part_of: str = ""  # a part: the name of its chapter (whose cuts and mends it shares)


def split_chapters(tree: HtmlElement) -> list[HtmlElement] | None:
    """main's chapters (sections opening with an h1), or None if main is not made of them."""
    main = next(iter(tree.xpath("//body/main")), None)
    if main is None:
        return None
    chapters = []
    for child in main:
        if not isinstance(child.tag, str):
            continue
        kids = [c for c in child if isinstance(c.tag, str)]
        if not kids and not (child.text or "").strip():
            continue  # nothing to print: Quarto's appendix once its footnotes went inline
        if child.tag != "section" or not kids or kids[0].tag != "h1":
            return None
        chapters.append(child)
    return chapters or None


def _ids(element: HtmlElement) -> set[str]:
    return {e.get("id") for e in element.iter() if isinstance(e.tag, str) and e.get("id")}


def _document(tree: HtmlElement, body_children: list[HtmlElement], css: str) -> str:
    shell = lxml.html.Element("html", dict(tree.attrib))
    head = tree.find("head")
    head = copy.deepcopy(head) if head is not None else lxml.html.Element("head")
    style = lxml.html.Element("style")
    style.text = css
    head.append(style)
    shell.append(head)
    body = tree.find("body")
    new_body = lxml.html.Element("body", dict(body.attrib) if body is not None else {})
    for child in body_children:
        new_body.append(child)
    shell.append(new_body)
    return lxml.html.tostring(shell, encoding="unicode", doctype="<!DOCTYPE html>")


def chapter_pieces(tree: HtmlElement, chapters: list[HtmlElement]) -> list[PieceSource]:
    main = tree.xpath("//body/main")[0]
    pieces = []
    notes = 0
    for index, chapter in enumerate(chapters):
        owned = _ids(chapter)
        frame = lxml.html.Element("main", dict(main.attrib))
        frame.append(copy.deepcopy(chapter))
        css = NO_MARGIN_BOXES + f"body {{ counter-reset: footnote {notes} }}\n"
        heading = chapter.find("h1")
        title = " ".join(heading.text_content().split()) if heading is not None else ""
        name = chapter.get("id") or f"chapter-{index + 1}"
        html = _document(tree, [frame], css)
        pieces.append(PieceSource(name, html, owned, title, cuttable=True, part_of=name))
        notes += len(chapter.xpath("." + NOTE))
    return pieces


def front_piece(tree: HtmlElement, page_of: dict[str, int]) -> PieceSource:
    """Everything before main (cover, imprint, contents), the contents' page numbers filled
    in from page_of (id -> 1-based page of the joined report)."""
    body = tree.find("body")
    children = [copy.deepcopy(c) for c in body if isinstance(c.tag, str) and c.tag != "main"]
    holder = lxml.html.Element("div")
    holder.extend(children)
    for link in holder.xpath(".//nav[@id='TOC']//a[@href]"):
        link.set("data-page", str(page_of.get(link.get("href", "").lstrip("#"), "")))
    html = _document(tree, list(holder), NO_MARGIN_BOXES + TOC_PAGE_CSS)
    return PieceSource("front", html, _ids(holder), mend=False)


def whole_piece(tree: HtmlElement) -> PieceSource:
    """A document not made of chapters: one piece (its contents may use target-counter)."""
    body = tree.find("body")
    children = [copy.deepcopy(c) for c in body if isinstance(c.tag, str)]
    return PieceSource("document", _document(tree, children, NO_MARGIN_BOXES), _ids(body))


def css_string(text: str) -> str:
    return '"' + re.sub(r'(["\\])', r"\\\1", text).replace("\n", " ") + '"'


def furniture_html(tree: HtmlElement, sheets: list[tuple[str, str]]) -> PieceSource:
    """One empty sheet per page of the report, with its @page name and running head: laid
    out, their margin boxes are the page furniture (print.css) of the joined pages."""
    body = []
    mark = next(iter(tree.xpath("//body//*[contains(@class, 'draft-mark')]")), None)
    draft = " ".join(mark.text_content().split()) if mark is not None else ""
    for number, (page_name, chapter) in enumerate(sheets):
        style = f"string-set: chapter {css_string(chapter)}, draft {css_string(draft)}"
        if page_name:
            style += f"; page: {page_name}"
        if number + 1 < len(sheets):
            style += "; break-after: page"
        sheet = lxml.html.Element("div", style=style)
        sheet.set("class", "rk-sheet")
        body.append(sheet)
    css = "body { margin: 0 } .rk-sheet { height: 1px; margin: 0; padding: 0 }\n"
    return PieceSource("furniture", _document(tree, body, css), set(), tagged=False, mend=False)


SPACER_CLASS = "rk-part-spacer"
# Taller than any page: placed first on an empty page it overflows it, and the block after
# it goes to the next page by an unforced break.
SPACER = (
    f'<div class="{SPACER_CLASS}" style="height: 2000mm; margin: 0; padding: 0; border: 0"></div>'
)
FOOTNOTE_RESET = re.compile(r"counter-reset: footnote (\d+)")


def flow_blocks(root: HtmlElement) -> list[HtmlElement]:
    """A piece's blocks in reading order: what sections hold, sections unwrapped (the spacer
    of a part is not one)."""
    blocks: list[HtmlElement] = []

    def walk(parent):
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            if child.tag in ("section", "main"):
                walk(child)
            elif SPACER_CLASS not in (child.get("class") or "").split():
                blocks.append(child)

    walk(root)
    return blocks


def chapter_parts(source: PieceSource, cuts: list[str], fingerprint) -> list[PieceSource]:
    """The chapter cut before each block whose fingerprint is in `cuts` (in reading order,
    each found after the one before; those no longer there dropped); a single part, the
    chapter itself, without cuts."""
    if not cuts:
        return [source]
    tree = lxml.html.document_fromstring(source.html)
    main = next(iter(tree.xpath("//body/main")), None)
    if main is None:
        return [source]
    prints = [fingerprint(block) for block in flow_blocks(main)]
    starts, after = [], 1
    for cut in cuts:
        if cut in prints[after:]:
            starts.append(prints.index(cut, after))
            after = starts[-1] + 1
    if not starts:
        return [source]
    parts = []
    for number, (begin, end) in enumerate(zip([0, *starts], [*starts, None], strict=True)):
        html, owned = part_document(tree, begin, end)
        parts.append(
            PieceSource(
                source.name if begin == 0 else f"{source.name}:{number + 1}",
                html,
                owned,
                source.chapter,
                cuttable=True,
                start=prints[begin] if begin > 0 else None,
                part_of=source.name,
            )
        )
    return parts


def part_document(tree: HtmlElement, begin: int, end: int | None) -> tuple[str, set[str]]:
    """The piece's document (tree: a chapter's, or a part's) holding its flow blocks from
    `begin` to before `end` only, and the ids that part owns. Cut after its start, the part
    opens with the spacer page and carries on the footnote counter."""
    part = copy.deepcopy(tree)
    main = part.xpath("//body/main")[0]
    blocks = flow_blocks(main)
    notes = sum(len(block.xpath("." + NOTE)) for block in blocks[:begin])
    for index, block in enumerate(blocks):
        if index < begin or (end is not None and index >= end):
            block.getparent().remove(block)  # its tail (whitespace) with it
    _drop_empty_sections(main)
    owned = _ids(main)
    if begin > 0:
        first = blocks[begin]
        owned -= {a.get("id") for a in first.iterancestors() if a.get("id")}
        for spacer in part.find_class(SPACER_CLASS):
            spacer.getparent().remove(spacer)
        first.addprevious(lxml.html.fragment_fromstring(SPACER))
        for style in part.iter("style"):
            base = FOOTNOTE_RESET.search(style.text or "")
            if base is not None:
                reset = f"counter-reset: footnote {int(base.group(1)) + notes}"
                style.text = FOOTNOTE_RESET.sub(reset, style.text, count=1)
                break
    return lxml.html.tostring(part, encoding="unicode", doctype="<!DOCTYPE html>"), owned


def _drop_empty_sections(root: HtmlElement) -> None:
    """Sections left without blocks: gone, as if the part had never held them."""
    for section in reversed(list(root.iter("section"))):
        if not any(isinstance(c.tag, str) for c in section) and not (section.text or "").strip():
            section.getparent().remove(section)
