"""The Matterhorn Protocol 1.1 checkpoints (PDF/UA-1) a machine can decide, read with pikepdf.

Each check returns the failures it found as "checkpoint: what"; `failures(path)` runs them all.
Checkpoints that need a human (is the alt text right, is this really a heading) are not here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pikepdf
from lxml import etree
from pikepdf import Array, Dictionary, Name

# ISO 32000-1 14.8.4 standard structure types (02-001: anything else needs a RoleMap entry).
STANDARD_TYPES = {
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI", "Index",
    "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L", "LI", "Lbl",
    "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span", "Quote", "Note",
    "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB", "RT", "RP", "Warichu", "WT",
    "WP", "Figure", "Formula", "Form",
}  # fmt: skip
PAINTING = {"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do"}
XMP_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
}


def kids(element) -> list:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def is_element(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj


def tag(element) -> str:
    return str(element.S)[1:]


class Checked:
    """One PDF, opened once, with its structure elements in reading order."""

    def __init__(self, path: Path):
        self.pdf = pikepdf.open(path)
        self.root = self.pdf.Root
        self.elements: list[Dictionary] = []
        self.parents: dict[tuple, Dictionary] = {}
        if "/StructTreeRoot" in self.root:
            for top in kids(self.root.StructTreeRoot):
                if is_element(top):
                    self._walk(top, None)
        self.reachable = {e.objgen for e in self.elements}

    def _walk(self, element, parent) -> None:
        self.elements.append(element)
        if parent is not None:
            self.parents[element.objgen] = parent
        for kid in kids(element):
            if is_element(kid):
                self._walk(kid, element)

    def of_type(self, name: str) -> list[Dictionary]:
        return [e for e in self.elements if tag(e) == name]

    def parent_tree(self) -> dict[int, object]:
        nums = self.root.StructTreeRoot.ParentTree.Nums
        return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def metadata(c: Checked) -> list[str]:
    """06-001 XMP stream present, 06-002 pdfuaid:part, 06-003 dc:title."""
    if "/Metadata" not in c.root:
        return ["06-001: no XMP metadata stream in the catalog"]
    tree = etree.fromstring(c.root.Metadata.read_bytes())
    part = tree.find(".//pdfuaid:part", XMP_NS)
    if part is None:
        part = tree.find(".//rdf:Description[@pdfuaid:part]", XMP_NS)
        value = part.get(f"{{{XMP_NS['pdfuaid']}}}part") if part is not None else None
    else:
        value = part.text
    problems = [] if value == "1" else [f"06-002: pdfuaid:part is {value!r}, not 1"]
    title = tree.find(".//dc:title//rdf:li", XMP_NS)
    if title is None or not (title.text or "").strip():
        problems.append("06-003: no dc:title in the XMP")
    return problems


def display_title(c: Checked) -> list[str]:
    """07-001 / 07-002: ViewerPreferences DisplayDocTitle true."""
    prefs = c.root.get("/ViewerPreferences")
    if prefs is None or prefs.get("/DisplayDocTitle") is not True:
        return ["07-001: DisplayDocTitle missing or false"]
    return []


def language(c: Checked) -> list[str]:
    """11-001..006: the natural language is declared (catalog /Lang)."""
    lang = str(c.root.get("/Lang", ""))
    return (
        [] if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]+)*", lang) else [f"11-006: /Lang {lang!r}"]
    )


def marked(c: Checked) -> list[str]:
    """01-007 Suspects not true; the document is marked (MarkInfo /Marked true)."""
    info = c.root.get("/MarkInfo")
    if info is None or info.get("/Marked") is not True:
        return ["01: MarkInfo /Marked is not true"]
    return ["01-007: Suspects is true"] if info.get("/Suspects") is True else []


def standard_types(c: Checked) -> list[str]:
    """02-001: every structure type is standard or role-mapped to one."""
    role_map = c.root.StructTreeRoot.get("/RoleMap") or {}
    odd = {tag(e) for e in c.elements} - STANDARD_TYPES - {str(k)[1:] for k in role_map}
    return [f"02-001: non-standard structure type {t}" for t in sorted(odd)]


def content_marking(c: Checked) -> list[str]:
    """01-003, 01-004, 01-005 (and the parent tree): all page content is either an artifact or
    marked content whose MCID leads to a structure element in the tree."""
    problems = []
    tree = c.parent_tree()
    for number, page in enumerate(c.pdf.pages):
        stack: list[str] = []
        parents = tree.get(int(page.obj.get("/StructParents", -1)))
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                kind = str(operands[0])[1:]
                if kind == "Artifact" and any(s != "Artifact" for s in stack):
                    problems.append(f"01-003: page {number + 1}: artifact inside tagged content")
                if kind != "Artifact" and "Artifact" in stack:
                    problems.append(f"01-004: page {number + 1}: tagged content in an artifact")
                if op == "BDC" and kind != "Artifact":
                    props = operands[1]
                    mcid = props.get("/MCID") if isinstance(props, Dictionary) else None
                    if mcid is not None:
                        owner = parents[int(mcid)] if isinstance(parents, Array) else None
                        if not is_element(owner) or owner.objgen not in c.reachable:
                            problems.append(
                                f"01-005: page {number + 1}: MCID {mcid} has no structure element "
                                "in the tree"
                            )
                stack.append(kind)
            elif op == "EMC":
                stack.pop()
            elif op in PAINTING and not stack:
                problems.append(f"01-005: page {number + 1}: '{op}' outside marked content")
        # Nor does the parent tree keep elements outside the structure (left-over furniture).
        for owner in parents if isinstance(parents, Array) else []:
            if is_element(owner) and owner.objgen not in c.reachable:
                problems.append(f"01-005: page {number + 1}: parent tree names a lost element")
    return problems


def figures(c: Checked) -> list[str]:
    """13-004: every Figure has alternative text."""
    return [
        f"13-004: a Figure without /Alt (page of {e.get('/Pg')})"
        for e in c.of_type("Figure")
        if not str(e.get("/Alt", "")).strip() and "/ActualText" not in e
    ]


def headings(c: Checked) -> list[str]:
    """14-002 the first numbered heading is H1; 14-003 no level is skipped going down."""
    levels = [int(tag(e)[1]) for e in c.elements if re.fullmatch(r"H[1-6]", tag(e))]
    if not levels:
        return []
    problems = [] if levels[0] == 1 else [f"14-002: the first heading is H{levels[0]}"]
    deepest = levels[0]
    for level in levels[1:]:
        if level > deepest + 1:
            problems.append(f"14-003: H{level} follows H{deepest}")
        deepest = level
    return problems


def tables(c: Checked) -> list[str]:
    """09-004 table structure; 15-003 every TH has a Scope (or cells name their Headers)."""
    problems = []
    for row in c.of_type("TR"):
        odd = [tag(k) for k in kids(row) if is_element(k) and tag(k) not in ("TH", "TD")]
        if odd:
            problems.append(f"09-004: TR holds {odd}")
    for header in c.of_type("TH"):
        attributes = header.get("/A")
        scope = attributes.get("/Scope") if isinstance(attributes, Dictionary) else None
        if scope not in (Name.Row, Name.Column, Name.Both):
            problems.append("15-003: a TH without /Scope")
    return problems


def lists(c: Checked) -> list[str]:
    """09-005: L holds LI (or L, Caption); LI holds Lbl and LBody."""
    problems = []
    for element in c.of_type("L"):
        odd = {tag(k) for k in kids(element) if is_element(k)} - {"LI", "L", "Caption"}
        if odd:
            problems.append(f"09-005: L holds {sorted(odd)}")
    for item in c.of_type("LI"):
        odd = {tag(k) for k in kids(item) if is_element(k)} - {"Lbl", "LBody"}
        if odd:
            problems.append(f"09-005: LI holds {sorted(odd)}")
    return problems


def notes(c: Checked) -> list[str]:
    """19-003 every Note has an ID; 19-004 IDs are unique."""
    ids = [str(n.get("/ID", "")) for n in c.of_type("Note")]
    problems = ["19-003: a Note without /ID" for i in ids if not i]
    duplicates = {i for i in ids if i and ids.count(i) > 1}
    return problems + [f"19-004: Note ID {i} used twice" for i in sorted(duplicates)]


def annotations(c: Checked) -> list[str]:
    """28-008/009 Tabs /S where there are annotations; 28-011 each link annotation is the kid
    of a Link element; 28-012 each has Contents."""
    problems = []
    tree = c.parent_tree()
    for number, page in enumerate(c.pdf.pages):
        annots = page.obj.get("/Annots") or []
        if annots and page.obj.get("/Tabs") != Name.S:
            problems.append(f"28-009: page {number + 1} has annotations but no /Tabs /S")
        for annot in annots:
            if annot.get("/Subtype") != Name.Link:
                continue
            if not str(annot.get("/Contents", "")).strip():
                problems.append(f"28-012: page {number + 1}: a link without /Contents")
            owner = tree.get(int(annot.get("/StructParent", -1)))
            if not is_element(owner) or tag(owner) != "Link" or owner.objgen not in c.reachable:
                problems.append(f"28-011: page {number + 1}: a link outside a Link element")
    return problems


def fonts(c: Checked) -> list[str]:
    """31-009 every font embedded; 10-001 every font maps its glyphs to Unicode (ToUnicode)."""
    problems = []
    seen = set()
    for page in c.pdf.pages:
        for font in (page.Resources.get("/Font") or {}).values():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            name = str(font.get("/BaseFont"))
            described = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            if descriptor is None or not any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                problems.append(f"31-009: font {name} is not embedded")
            if "/ToUnicode" not in font:
                problems.append(f"10-001: font {name} has no ToUnicode map")
    return problems


def embedded_files(c: Checked) -> list[str]:
    """21-001: every embedded file's specification has F and UF."""
    problems = []
    names = c.root.get("/Names")
    files = names.get("/EmbeddedFiles") if names is not None else None
    if files is None:
        return []
    entries = files.get("/Names") or []
    for spec in list(entries)[1::2]:
        if "/F" not in spec or "/UF" not in spec:
            problems.append("21-001: a file specification without F and UF")
    return problems


def security(c: Checked) -> list[str]:
    """26-001: not encrypted in a way that keeps assistive technology out."""
    return ["26-001: the file is encrypted"] if c.pdf.is_encrypted else []


CHECKS: tuple[Callable[[Checked], list[str]], ...] = (
    metadata,
    display_title,
    language,
    marked,
    standard_types,
    content_marking,
    figures,
    headings,
    tables,
    lists,
    notes,
    annotations,
    fonts,
    embedded_files,
    security,
)


def failures(path: Path) -> list[str]:
    checked = Checked(path)
    found = []
    for check in CHECKS:
        found += check(checked)
    return found
