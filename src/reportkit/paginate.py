"""Print pagination: the report laid out piece by piece, then mended as a typesetter would.

WeasyPrint lays out a document in one go and knows no page floats. reportkit splits the print
DOM into pieces that start on a new page anyway (the front matter, then each chapter), lays
them out one after another with the page and footnote counters carried on, and joins their
pages into one document. After a piece is laid out its pages are read back and mended, each
round of mends costing one more layout of that piece only:

- a footnote pushed off its call's page: the block that crowded it out starts the next page;
- a figure that did not fit and left its page more than a quarter empty: the text after it
  flows in first (the figure moves down, as a page float would), unless that takes it more
  than a page away from where it is first referred to;
- a speakers box, callout or table that would leave a page more than a quarter empty may
  break across the pages.

A round that does not make the pages better is undone. The contents page is laid out last,
with the page numbers the chapters ended up on.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import lxml.html
from lxml.html import HtmlElement

from reportkit import progress
from reportkit.pieces import SPACER_CLASS, flow_blocks, part_document

FLOW_ID = "data-rk-flow"
MAX_WHITE = 0.22  # the most of a page left empty, but before a chapter (readers allow 25%)
MAX_ROUNDS = 4  # rounds of mends per piece, each one more layout of that piece
PART_PAGES = 4  # a chapter is cut into parts of at least this many pages ...
LAST_PART_PAGES = 2  # ... the last of them at least this long
KEEP_WITH_NEXT_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SPLITTABLE_TAGS = {"p", "ul", "ol", "dl", "blockquote", "pre"}
BREAKABLE_TAGS = {"aside", "table", "div"}  # kept whole by print.css, may break if they must


def _classes(element) -> list[str]:
    return (element.get("class") or "").split()


def keeps_with_next(element) -> bool:
    """Headings and speakers boxes stay with what follows them (print.css)."""
    return element.tag in KEEP_WITH_NEXT_TAGS or "session-people" in _classes(element)


def is_figure(element) -> bool:
    return element.tag == "figure"


def fingerprint(element: HtmlElement) -> str:
    """What a block is, to find it again in the next render (flow numbers may change): its
    tag, id and opening words, so that an edit further on in a paragraph keeps its mends."""
    text = " ".join(element.text_content().split())[:120]
    digest = hashlib.sha256(f"{element.tag}|{element.get('id', '')}|{text}".encode())
    return digest.hexdigest()[:20]


# ---------------------------------------------------------------------------------------------
# Reading laid-out pages


@dataclass
class PageFacts:
    """What the mends need to know of one laid-out page."""

    height: float  # of the text area, CSS px
    space: float  # empty at the bottom of the text area, CSS px
    blocks: list[tuple[str, float]]  # (flow id, height on this page), top to bottom
    continued: set[str]  # flow ids continuing from the previous page
    misplaced_note: bool = False  # a note whose call is here was pushed to a later page
    starts_chapter: bool = False  # the page opens with a chapter heading
    anchors: set[str] = field(default_factory=set)
    links: set[str] = field(default_factory=set)

    @property
    def white(self) -> float:
        return self.space / self.height if self.height else 0.0

    def starting(self) -> list[str]:
        return [flow for flow, _ in self.blocks if flow not in self.continued]


def _outer_flow_boxes(page_box) -> tuple[dict[str, object], float | None]:
    """The outermost box of each flow block on the page, and the footnote area's top."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    boxes: dict[str, object] = {}
    notes_top = None
    for box in page_box.descendants():
        if isinstance(box, FootnoteAreaBox):
            if box.children:
                notes_top = box.position_y
            continue
        element = getattr(box, "element", None)
        if element is None or getattr(box, "element_tag", None) != element.tag:
            continue
        if SPACER_CLASS in (element.get("class") or ""):
            return {}, page_box.content_box_y()  # a part's spacer page: full, never mended
        flow = element.get(FLOW_ID)
        if flow is not None and flow not in boxes:
            boxes[flow] = box
    return boxes, notes_top


def misplaced_note_pages(document) -> set[int]:
    """Pages holding a footnote call whose note WeasyPrint moved to a later page.

    WeasyPrint may "report" a note to the next page to make room for a line at the page
    bottom (allowed by GCPM); a reader would have to turn the page to read it.
    """
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    call_pages, note_pages = {}, {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            if (getattr(box, "element_tag", None) or "").endswith("::footnote-call"):
                call_pages.setdefault(id(box.element), number)
            elif isinstance(box, FootnoteAreaBox):
                for note in box.children:
                    note_pages.setdefault(id(note.element), number)
    return {page for key, page in call_pages.items() if note_pages.get(key, page) != page}


def read_pages(document) -> list[PageFacts]:
    misplaced = misplaced_note_pages(document)
    facts: list[PageFacts] = []
    previous: set[str] = set()
    for number, page in enumerate(document.pages):
        page_box = page._page_box
        top = page_box.content_box_y()
        boxes, notes_top = _outer_flow_boxes(page_box)
        limit = notes_top if notes_top is not None else top + page_box.height
        ordered = sorted(boxes.items(), key=lambda item: item[1].position_y)
        fresh = [box for flow, box in ordered if flow not in previous]
        lowest = max((box.border_box_y() + box.border_height() for _, box in ordered), default=top)
        facts.append(
            PageFacts(
                height=page_box.height,
                space=max(0.0, limit - lowest),
                blocks=[(flow, box.margin_height()) for flow, box in ordered],
                continued=set(boxes) & previous,
                misplaced_note=number in misplaced,
                starts_chapter=bool(fresh) and fresh[0].element.tag == "h1",
                anchors=set(page.anchors),
                links={link[1] for link in page.links if link[0] == "internal"},
            )
        )
        previous = set(boxes)
    return facts


# ---------------------------------------------------------------------------------------------
# Mends


@dataclass(frozen=True)
class Mend:
    """One change to the print DOM, by fingerprints so that a later render can replay it.

    kind: "move" (figures after the anchor block), "lift" (a figure before the anchor block),
    "break" (a block starts a page) or "split" (a block may break across pages)."""

    kind: str
    blocks: tuple[str, ...]
    anchor: str | None = None


class Piece:
    """A part of the print DOM that starts on a new page, laid out as a document of its own."""

    def __init__(self, name: str, root: HtmlElement):
        self.name = name
        self.root = root

    def flow_blocks(self) -> list[HtmlElement]:
        """The piece's blocks in reading order: what sections hold, sections unwrapped."""
        return flow_blocks(self.root)

    def find(self, print_of: str) -> HtmlElement | None:
        return next((b for b in self.flow_blocks() if fingerprint(b) == print_of), None)


def apply(piece: Piece, mend: Mend) -> bool:
    """Make a mend in the master tree; False when its blocks are no longer there."""
    targets = [piece.find(print_of) for print_of in mend.blocks]
    if any(t is None for t in targets):
        return False
    if mend.kind in ("move", "lift"):
        anchor = piece.find(mend.anchor or "")
        if anchor is None or any(t is anchor for t in targets):
            return False
        for figure in targets:
            if mend.kind == "move":
                _move_after(figure, anchor)
                anchor = figure
            else:
                _move_before(figure, anchor)
        return True
    declaration = {"break": "break-before: page", "split": "break-inside: auto"}[mend.kind]
    for target in targets:
        style = target.get("style", "")
        if declaration not in style:
            target.set("style", f"{style}; {declaration}".lstrip("; "))
    return True


def _detach(element: HtmlElement) -> None:
    parent = element.getparent()
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + (element.tail or "")
    else:
        parent.text = (parent.text or "") + (element.tail or "")
    parent.remove(element)


def _move_after(element: HtmlElement, anchor: HtmlElement) -> None:
    _detach(element)
    element.tail = anchor.tail
    anchor.tail = "\n"
    anchor.addnext(element)


def _move_before(element: HtmlElement, anchor: HtmlElement) -> None:
    _detach(element)
    element.tail = "\n"
    anchor.addprevious(element)


class Planner:
    """Decides the mends of one piece from its laid-out pages."""

    def __init__(self, piece: Piece, first_page: int, reference_pages: dict[str, int]):
        self.piece = piece
        self.first_page = first_page  # the piece's first page in the whole document, 0-based
        self.reference_pages = reference_pages  # id -> page of its first reference, so far
        self.tried: set[Mend] = set()

    def mends(self, pages: list[PageFacts]) -> list[Mend]:
        blocks = self.piece.flow_blocks()
        by_flow = {b.get(FLOW_ID): b for b in blocks}
        order = [b.get(FLOW_ID) for b in blocks]
        for index, page in enumerate(pages[:-1]):
            if page.misplaced_note:
                mend = self._start_next_page(page, pages[index + 1], order, by_flow)
                # One note at a time: everything after it moves.
                return [mend] if mend and mend not in self.tried else []
        mends = []
        for index in over_empty(pages):
            heights: dict[str, float] = {}
            for later in pages[index + 1 : index + 4]:
                for flow, height in later.blocks:
                    heights[flow] = heights.get(flow, 0.0) + height
            mend = self._fill(pages[index], pages[index + 1], order, by_flow, heights)
            if mend and mend not in self.tried:
                mends.append(mend)
        return mends

    def _start_next_page(self, page, following, order, by_flow) -> Mend | None:
        """The block that runs over from the page (or else its last) starts the next one,
        with the heading or speakers box kept with it."""
        on_page = [flow for flow, _ in page.blocks]
        running_over = [flow for flow in on_page if flow in following.continued]
        flow = running_over[-1] if running_over else (on_page[-1] if on_page else None)
        if flow is None:
            return None
        position = order.index(flow)
        while position > 0 and keeps_with_next(by_flow[order[position - 1]]):
            position -= 1
        return Mend("break", (fingerprint(by_flow[order[position]]),))

    def _fill(self, page, following, order, by_flow, heights) -> Mend | None:
        """The first untried mend for a page left too empty by what starts the next one."""
        for mend in self._candidates(page, following, order, by_flow, heights):
            if mend not in self.tried:
                return mend
        return None

    def _candidates(self, page, following, order, by_flow, heights):
        starting = following.starting()
        if not starting:
            return  # the next page continues a block
        position = order.index(starting[0])
        while position < len(order) and keeps_with_next(by_flow[order[position]]):
            position += 1
        if position >= len(order):
            return
        content = by_flow[order[position]]
        if is_figure(content):
            figures = []
            while position < len(order) and is_figure(by_flow[order[position]]):
                figures.append(by_flow[order[position]])
                position += 1
            prints = tuple(fingerprint(f) for f in figures)
            # The text after the figures flows in before them ...
            after = self._text_to_flow_in(order, position, by_flow, heights, page)
            if after is not None:
                yield Mend("move", prints, fingerprint(after))
            # ... or the first figure goes up, before the last blocks of this page.
            before = self._blocks_to_follow(
                page, order, by_flow, heights.get(order[order.index(content.get(FLOW_ID))], 0.0)
            )
            if before is not None:
                yield Mend("lift", prints[:1], fingerprint(before))
        # A speakers box never breaks: its heading would stand at a page foot without text.
        elif content.tag in BREAKABLE_TAGS:
            yield Mend("split", (fingerprint(content),))

    @staticmethod
    def _blocks_to_follow(page, order, by_flow, figure_height) -> HtmlElement | None:
        """The first of the page's last blocks that, moved after the figure, make room for it
        on this page (with the heading they are kept with); None when there is no such run."""
        need = figure_height - page.space
        freed, first = 0.0, None
        for flow, height in reversed(page.blocks):
            if flow in page.continued or by_flow[flow].tag == "h1":
                break
            first = flow
            freed += height
            if freed >= need:
                break
        if first is None or freed < need:
            return None
        position = order.index(first)
        while position > 0 and keeps_with_next(by_flow[order[position - 1]]):
            position -= 1
            if order[position] in page.continued or by_flow[order[position]].tag == "h1":
                return None
        return by_flow[order[position]]

    @staticmethod
    def _text_to_flow_in(order, position, by_flow, heights, page) -> HtmlElement | None:
        """The last block of the text that goes before the figures: what fills the empty
        space, ending on a paragraph that can run over; never a heading, never past a chapter
        or another figure."""
        used, chosen = 0.0, None
        for flow in order[position:]:
            element = by_flow[flow]
            height = heights.get(flow)
            if is_figure(element) or element.tag == "h1" or height is None:
                break
            if keeps_with_next(element):
                used += height
                continue
            if used + height <= page.space:
                used += height
                chosen = element
                continue
            if element.tag in SPLITTABLE_TAGS:
                chosen = element  # it runs over the page's end: the space is filled
            break
        return chosen

    def figures_too_far(self, pages: list[PageFacts], moved: list[Mend]) -> set[str]:
        """Moved figures now more than a page from their first reference."""
        far = set()
        for mend in moved:
            for print_of in mend.blocks:
                element = self.piece.find(print_of)
                ident = element.get("id") if element is not None else None
                if not ident:
                    continue
                page = next((i for i, p in enumerate(pages) if ident in p.anchors), None)
                reference = self.reference_pages.get(ident)
                if page is None:
                    continue
                if reference is None:
                    local = [i for i, p in enumerate(pages) if ident in p.links]
                    reference = self.first_page + local[0] if local else None
                if reference is not None and abs(self.first_page + page - reference) > 1:
                    far.add(print_of)
        return far


def over_empty(pages: list[PageFacts]) -> list[int]:
    """Pages more than a quarter empty, but for a piece's last page and a chapter's end."""
    return [
        index
        for index, page in enumerate(pages[:-1])
        if page.white > MAX_WHITE and not pages[index + 1].starts_chapter
    ]


def score(pages: list[PageFacts]) -> tuple[int, int, float]:
    """Lower is better: misplaced notes, over-empty pages, their excess emptiness."""
    notes = sum(p.misplaced_note for p in pages)
    over = [pages[index].white - MAX_WHITE for index in over_empty(pages)]
    return notes, len(over), round(sum(over), 4)


# ---------------------------------------------------------------------------------------------
# Laying out one piece


@dataclass
class PieceLayout:
    """What laying out one piece gave: its PDF and what the joined report needs of it."""

    pdf: bytes
    page_names: list[str]  # the @page name of each page ("" for the default)
    anchors: dict[str, int]  # id -> page (0-based within the piece)
    layouts: int
    mends: list[Mend]
    start: str | None = None  # a cut made in this layout: the fingerprint of its first block
    white_end: float = 0.0  # how empty its last page is
    bookmarks: list[int] = field(default_factory=list)  # the level of each bookmark, in order


def flow_root(tree: HtmlElement) -> HtmlElement:
    """What a piece's mends may rearrange: its main (a chapter), else its body."""
    main = next(iter(tree.xpath("//body/main")), None)
    return main if main is not None else tree.find("body")


@dataclass
class Laid:
    """A piece's pages as laid out so far: WeasyPrint's pages and what the mends read of
    them. A mend re-lays out only from a page where the piece may be cut (a later part of
    it laid out alone, pieces.part_document), so the pages may come from several layouts:
    `joins` are the pages where a later one takes over."""

    sheets: list  # WeasyPrint pages (a part's spacer page left out)
    facts: list[PageFacts]
    joins: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, laid_out: tuple) -> Laid:
        """From (document, pages to skip): a part's first page is its spacer's."""
        document, skip = laid_out
        return cls(list(document.pages[skip:]), read_pages(document)[skip:])

    def followed_by(self, join: int, laid_out: tuple) -> Laid:
        """These pages up to `join`, then those laid out from there."""
        tail = Laid.of(laid_out)
        joins = {j for j in self.joins if j < join} | {join}
        return Laid(self.sheets[:join] + tail.sheets, self.facts[:join] + tail.facts, joins)


def lay_out_piece(
    html: str,
    lay_out: Callable[[str], object],
    remembered: list[Mend],
    write: Callable,
    mend: bool = True,
    cut: bool = False,
) -> list[PieceLayout]:
    """Lay out a piece's document and mend its pages, round by round (undoing a round that
    made them worse); `write(groups)` turns groups of WeasyPrint pages of the final layout
    into PDF bytes, one PDF a group. The front matter and the page furniture are laid out
    as they are (mend=False): they hold no flowing text. With `cut` (a chapter or a part of
    one), the pages are written in parts that later renders can lay out alone, one layout
    each (choose_cuts); and a round of mends lays out again only from the last page before
    them where the piece may be cut."""
    tree = lxml.html.document_fromstring(html)
    piece = Piece("piece", flow_root(tree))
    for number, block in enumerate(piece.flow_blocks()):
        block.set(FLOW_ID, str(number))
    replayed = [mend for mend in remembered if apply(piece, mend)]

    def render(begin: int = 0) -> tuple:
        """The piece laid out from its flow block `begin` on: (document, spacer pages)."""
        if begin == 0:
            text = lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
            return lay_out(text), 1 if tree.find_class(SPACER_CLASS) else 0
        return lay_out(part_document(tree, begin, None)[0]), 1

    if mend:
        laid, layouts, made = _mend_piece(piece, render, cut)
    else:
        document, _ = render()
        laid, layouts, made = Laid(list(document.pages), []), 1, []
    cuts = choose_cuts(piece, laid.facts, laid.joins) if cut else []
    mends = [*replayed, *made]
    bounds = list(zip([0, *cuts], [*cuts, len(laid.sheets)], strict=True))
    pdfs = write([laid.sheets[begin:end] for begin, end in bounds])
    parts = []
    for (begin, end), pdf in zip(bounds, pdfs, strict=True):
        written = laid.sheets[begin:end]
        anchors: dict[str, int] = {}
        for number, page in enumerate(written):
            for anchor in page.anchors:
                anchors.setdefault(anchor, number)
        flows = {flow for page in laid.facts[begin:end] for flow, _ in page.blocks}
        parts.append(
            PieceLayout(
                pdf,
                [getattr(p._page_box.page_type, "name", "") or "" for p in written],
                anchors,
                layouts if begin == 0 else 0,
                [m for m in mends if not cuts or _flow_of(piece, m) in flows],
                fingerprint(_first_block(piece, laid.facts[begin])) if begin else None,
                laid.facts[end - 1].white if laid.facts else 0.0,
                [level for page in written for level, *_ in page.bookmarks],
            )
        )
    return parts


def _flow_of(piece: Piece, mend: Mend) -> str | None:
    element = piece.find(mend.blocks[0])
    return element.get(FLOW_ID) if element is not None else None


def _first_block(piece: Piece, page: PageFacts) -> HtmlElement:
    flow = page.blocks[0][0]
    return next(b for b in piece.flow_blocks() if b.get(FLOW_ID) == flow)


def cut_points(piece: Piece, pages: list[PageFacts]) -> list[int]:
    """The pages (indexes) the piece may be cut before — a later part laid out alone from
    there lays out as here: a page that starts with a block of its own (nothing runs over
    onto it, no note was pushed onto it) after a page not left too empty, which no mend
    moved anything across, whose fingerprint no earlier block of the piece has
    (pieces.chapter_parts finds it by fingerprint)."""
    blocks = piece.flow_blocks()
    order = [int(b.get(FLOW_ID)) for b in blocks]
    position = {flow: index for index, flow in enumerate(order)}
    prints = [fingerprint(b) for b in blocks]
    before_max, after_min = [], []
    highest = -1
    for flow in order:
        before_max.append(highest)
        highest = max(highest, flow)
    lowest = len(order)
    for flow in reversed(order):
        lowest = min(lowest, flow)
        after_min.append(lowest)
    after_min.reverse()
    points = []
    for index in range(1, len(pages)):
        page, previous = pages[index], pages[index - 1]
        if page.continued or not page.blocks or previous.misplaced_note:
            continue
        if previous.white > MAX_WHITE:
            continue
        at = position[int(page.blocks[0][0])]
        if before_max[at] < after_min[at] and prints[at] not in prints[:at]:
            points.append(index)
    return points


def choose_cuts(piece: Piece, pages: list[PageFacts], joins: set[int]) -> list[int]:
    """Where the piece's pages are written apart (and laid out apart by later renders): the
    joins of its layouts, and a cut point every PART_PAGES pages or so."""
    cuts, last = [], 0
    for index in cut_points(piece, pages):
        if index in joins or (index - last >= PART_PAGES and len(pages) - index >= LAST_PART_PAGES):
            cuts.append(index)
            last = index
    return sorted(set(cuts) | joins)


def _first_page_changed(piece: Piece, pages: list[PageFacts], mends: list[Mend]) -> int:
    """The first page whose content the mends may change: the page before the first block
    they touch (what follows may now fit at its foot), or that block's page."""
    flows = set()
    for mend in mends:
        for print_of in (*mend.blocks, mend.anchor):
            element = piece.find(print_of) if print_of else None
            if element is not None:
                flows.add(element.get(FLOW_ID))
    pages_of = [i for i, page in enumerate(pages) if flows & {flow for flow, _ in page.blocks}]
    return max(0, min(pages_of, default=0) - 1)


def _mend_piece(piece: Piece, render, cut: bool):
    planner = Planner(piece, 0, {})
    laid = Laid.of(render())
    layouts = 1
    best = score(laid.facts)
    made: list[Mend] = []
    for _ in range(MAX_ROUNDS):
        mends = planner.mends(laid.facts)
        if not mends:
            break
        changed = _first_page_changed(piece, laid.facts, mends)
        join = max((i for i in cut_points(piece, laid.facts) if i <= changed), default=0)
        join = join if cut else 0
        saved = copy.deepcopy(piece.root)
        applied = [m for m in mends if apply(piece, m)]
        planner.tried.update(mends)
        if not applied:
            break
        progress.detail(f"{len(applied)} mend(s), laying out again")
        if join:
            start = _first_block(piece, laid.facts[join])
            begin = piece.flow_blocks().index(start)
            trial = laid.followed_by(join, render(begin))
        else:
            trial = Laid.of(render())
        layouts += 1
        moved = [m for m in applied if m.kind in ("move", "lift")]
        too_far = planner.figures_too_far(trial.facts, moved)
        trial_score = score(trial.facts)
        if too_far or trial_score >= best:
            _restore(piece, saved)  # its mends stay tried: the next round tries others
            continue
        laid, best = trial, trial_score
        made += applied
    return laid, layouts, made


def _restore(piece: Piece, saved: HtmlElement) -> None:
    parent = piece.root.getparent()
    saved.tail = piece.root.tail
    parent.replace(piece.root, saved)
    piece.root = saved
