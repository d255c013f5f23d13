"""PDF/UA-1: what WeasyPrint's tagged PDF lacks, added with pikepdf after printing.

WeasyPrint 70 tags the document (Document → Sect, H1–H6, P, L/LI, Table, Figure, Link) and
sets /Lang and DisplayDocTitle. It leaves a few things to do, done here:

- page furniture (running header, page number, footer) is marked content whose structure
  element hangs outside the tree: it becomes a /Pagination artifact;
- an image with empty alt text (the cover logo) is tagged /Figure without /Alt: decorative,
  so it becomes an artifact and leaves the tree;
- table header cells get /Scope (Column in the head, Row elsewhere);
- footnotes (tagged /Note and /Reference while printing, see `footnote_tags`) get an /ID and
  move to follow their call, so a screen reader reads each note where it is called;
- a link annotation owned by a span inside a link moves to the /Link element, and an internal
  link's /Contents names its target's heading or caption;
- pages with links get /Tabs /S (tab order follows the structure).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pikepdf
from pikepdf import Array, Dictionary, Name

from reportkit.printdom import NOTE_ELEMENT


@contextmanager
def footnote_tags() -> Iterator[None]:
    """While printing: a footnote is tagged /Note, its call /Reference, its number /Lbl.

    WeasyPrint maps HTML elements to PDF tags by name only (tags._get_pdf_tag), so the print
    DOM gives footnotes an element name of their own (printdom.NOTE_ELEMENT).
    """
    from weasyprint.pdf import tags as weasyprint_tags

    original = weasyprint_tags._get_pdf_tag

    def pdf_tag(tag):
        if tag == NOTE_ELEMENT:
            return "Note"
        if tag and tag.endswith("::footnote-call"):
            return "Reference"
        if tag and tag.endswith("::footnote-marker"):
            return "Lbl"
        return original(tag)

    weasyprint_tags._get_pdf_tag = pdf_tag
    try:
        yield
    finally:
        weasyprint_tags._get_pdf_tag = original


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _is_element(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj


def structure_elements(pdf: pikepdf.Pdf) -> list[Dictionary]:
    """Every structure element reachable from the root, in document (reading) order."""
    found = []

    def walk(element):
        found.append(element)
        for kid in _kids(element):
            if _is_element(kid):
                walk(kid)

    for top in _kids(pdf.Root.StructTreeRoot):
        if _is_element(top):
            walk(top)
    return found


def _remove_kid(parent, element) -> None:
    parent.K = Array([k for k in _kids(parent) if not _same(k, element)])


def _same(kid, element) -> bool:
    return _is_element(kid) and kid.objgen == element.objgen


def _decorative(element) -> bool:
    return Name.Figure == element.S and "/Alt" not in element and "/ActualText" not in element


def _artifact_mcids(pdf: pikepdf.Pdf, reachable: set) -> dict[int, dict[int, str]]:
    """Page index → {MCID: kind} of marked content that is no part of the document's structure."""
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    pages = {
        int(p.obj.StructParents): i for i, p in enumerate(pdf.pages) if "/StructParents" in p.obj
    }
    artifacts: dict[int, dict[int, str]] = {}
    for index in range(0, len(nums), 2):
        page, parents = pages.get(int(nums[index])), nums[index + 1]
        if page is None or not isinstance(parents, Array):
            continue
        for mcid, parent in enumerate(parents):
            if not _is_element(parent):
                continue
            if parent.objgen not in reachable:
                artifacts.setdefault(page, {})[mcid] = "Pagination"
            elif _decorative(parent):
                artifacts.setdefault(page, {})[mcid] = "Decorative"
    return artifacts


def _mark_artifacts(pdf: pikepdf.Pdf, page_index: int, mcids: dict[int, str]) -> None:
    page = pdf.pages[page_index]
    instructions = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "BDC" and isinstance(operands[1], Dictionary):
            mcid = operands[1].get("/MCID")
            kind = mcids.get(int(mcid)) if mcid is not None else None
            if kind == "Pagination":
                operands = [Name.Artifact, Dictionary(Type=Name.Pagination)]
            elif kind is not None:
                operands, operator = [Name.Artifact], pikepdf.Operator("BMC")
        instructions.append((operands, operator))
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))


def artifacts(pdf: pikepdf.Pdf, elements: list[Dictionary] | None = None) -> None:
    """Page furniture and decorative images out of the structure, marked as artifacts.
    `elements`: structure_elements(pdf), when the caller has them."""
    elements = structure_elements(pdf) if elements is None else elements
    reachable = {e.objgen for e in elements}
    found = _artifact_mcids(pdf, reachable)
    for page_index, mcids in sorted(found.items()):
        _mark_artifacts(pdf, page_index, mcids)
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    keys = {
        i: int(p.obj.StructParents) for i, p in enumerate(pdf.pages) if "/StructParents" in p.obj
    }
    by_key = {int(nums[index]): nums[index + 1] for index in range(0, len(nums), 2)}
    for page, mcids in found.items():
        parents = by_key.get(keys[page])
        for mcid in mcids if isinstance(parents, Array) else ():
            parents[mcid] = None
    for element in elements:
        if _decorative(element) and "/P" in element:
            _remove_kid(element.P, element)


def scoped_headers(pdf: pikepdf.Pdf, elements: list[Dictionary] | None = None) -> None:
    """/Scope on every TH: Column for header rows (THead), Row for a header cell in a body row."""
    for element in structure_elements(pdf) if elements is None else elements:
        if element.S != Name.TH:
            continue
        row = element.get("/P")
        section = row.get("/P") if row is not None else None
        in_head = section is not None and section.get("/S") == Name.THead
        attributes = element.get("/A")
        if not isinstance(attributes, Dictionary):
            attributes = Dictionary(O=Name.Table)
            element.A = attributes
        attributes.Scope = Name.Column if in_head else Name.Row


def notes_at_their_calls(pdf: pikepdf.Pdf, elements: list[Dictionary] | None = None) -> int:
    """Each /Note gets a unique /ID and moves right after its /Reference (its call).

    Notes and calls pair up in order: WeasyPrint prints every note on its call's page, and
    the call comes first in the page's structure. Returns the number of notes.
    """
    elements = structure_elements(pdf) if elements is None else elements
    notes = [e for e in elements if Name.Note == e.S]
    calls = [e for e in elements if Name.Reference == e.S]
    for number, note in enumerate(notes, start=1):
        note.ID = pikepdf.String(f"note-{number}")
    if len(notes) != len(calls):
        return len(notes)
    emptied = []
    for note, call in zip(notes, calls, strict=True):
        old_parent = note.P
        _remove_kid(old_parent, note)
        if not _kids(old_parent):
            emptied.append(old_parent)
        parent = call.P
        kids = _kids(parent)
        position = next(i for i, k in enumerate(kids) if _is_element(k) and k.objgen == call.objgen)
        kids.insert(position + 1, note)
        parent.K = Array(kids)
        note.P = parent
    for element in emptied:
        if "/P" in element and not _kids(element):
            _remove_kid(element.P, element)
    return len(notes)


def _refers_to(kid, annotation) -> bool:
    """Whether kid is the object reference (OBJR) to annotation."""
    return (
        isinstance(kid, Dictionary)
        and kid.get("/Type") == Name.OBJR
        and kid.Obj.objgen == annotation.objgen
    )


def links_in_link_elements(pdf: pikepdf.Pdf) -> None:
    """Every link annotation belongs to a /Link element (Matterhorn 28-011).

    WeasyPrint gives a span inside a link (the section number in a contents entry) its own
    annotation, owned by the span's /Span element: it moves up to the enclosing /Link.
    """
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    index = {int(nums[i]): i + 1 for i in range(0, len(nums), 2)}
    for page in pdf.pages:
        for annot in page.obj.get("/Annots") or []:
            position = index.get(int(annot.get("/StructParent", -1)))
            if position is None:
                continue
            owner = nums[position]
            if not _is_element(owner) or Name.Link == owner.S:
                continue
            link = owner.get("/P")
            while _is_element(link) and Name.Link != link.S:
                link = link.get("/P")
            if not _is_element(link):
                continue
            moved = [k for k in _kids(owner) if _refers_to(k, annot)]
            owner.K = Array([k for k in _kids(owner) if not _refers_to(k, annot)])
            link.K = Array([*_kids(link), *moved])
            nums[position] = link


def describe_links(pdf: pikepdf.Pdf, targets: dict[str, str]) -> None:
    """A link's /Contents (its alternate description, Matterhorn 28-012) names where it leads:
    the heading, caption or text of its target, not the target's id as WeasyPrint writes it."""
    for page in pdf.pages:
        for annot in page.obj.get("/Annots") or []:
            destination = annot.get("/Dest")
            if isinstance(destination, pikepdf.String) and str(destination) in targets:
                annot.Contents = pikepdf.String(f"Go to {targets[str(destination)]}")


def tab_order(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        if "/Annots" in page.obj:
            page.obj.Tabs = Name.S


def associated_files_once(pdf: pikepdf.Pdf) -> None:
    """The catalog's /AF lists each attached file once (WeasyPrint's PDF/A-3 lists it twice)."""
    if "/AF" not in pdf.Root:
        return
    seen, unique = set(), []
    for spec in pdf.Root.AF:
        if spec.objgen not in seen:
            seen.add(spec.objgen)
            unique.append(spec)
    pdf.Root.AF = Array(unique)


def finish_structure(pdf: pikepdf.Pdf, link_targets: dict[str, str] | None = None) -> None:
    """Everything PDF/UA-1 asks of the structure that WeasyPrint leaves undone."""
    # One walk of the tree for the three (taking out artifacts moves no note, call or TH).
    elements = structure_elements(pdf)
    artifacts(pdf, elements)
    scoped_headers(pdf, elements)
    notes_at_their_calls(pdf, elements)
    links_in_link_elements(pdf)
    describe_links(pdf, link_targets or {})
    tab_order(pdf)
    associated_files_once(pdf)
    pdf.Root.MarkInfo = Dictionary(Marked=True, Suspects=False)
