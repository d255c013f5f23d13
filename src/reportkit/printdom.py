"""The HTML WeasyPrint prints, made ready for a tagged PDF (PDF/UA-1).

The screen page and the printed page share one DOM; these few changes are for print only:
the imprint goes back to page two (on screen it closes the report, so that the tab order
follows what is drawn), each chart's SVG carries its alt text as <title> (WeasyPrint's /Alt
for an SVG figure), the contents' title is an H1, and each footnote becomes an element of
its own that pdfua.footnote_tags maps to a PDF /Note.
"""

from __future__ import annotations

import lxml.html

SVG = "{http://www.w3.org/2000/svg}"
# The element a printed footnote becomes: a name of its own, so that the PDF tagging can tell it
# from any other span (pdfua.footnote_tags maps it to /Note and its call to /Reference).
NOTE_ELEMENT = "rk-note"


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def imprint_after_cover(tree) -> None:
    """Print order: cover, imprint, contents, report (the screen page has the imprint last)."""
    imprint = tree.find(".//section[@id='imprint']")
    contents = tree.find(".//nav[@id='TOC']")
    cover = tree.find(".//header[@id='cover']")
    anchor = cover if cover is not None else contents
    if imprint is None or anchor is None:
        return
    imprint.getparent().remove(imprint)
    if anchor is cover:
        cover.addnext(imprint)
    else:
        contents.addprevious(imprint)


def chart_titles(tree) -> None:
    """Give each chart's inline SVG its alt text as <title>, the text WeasyPrint tags as /Alt."""
    for drawing in tree.xpath(f"//div[{_has_class('chart-drawing')}][@aria-label]"):
        svg = next((c for c in drawing if c.tag in ("svg", f"{SVG}svg")), None)
        if svg is None or svg.find("title") is not None:
            continue
        title = lxml.html.Element("title")
        title.text = drawing.get("aria-label")
        svg.insert(0, title)


def contents_title_as_h1(tree) -> None:
    """The contents' title is the first heading of the PDF: an H1, so that heading levels
    start at 1 and never skip (PDF/UA; Matterhorn 14-002). On screen it stays an h2."""
    for heading in tree.xpath("//nav[@id='TOC']/h2[@id='toc-title']"):
        heading.tag = "h1"


def notes_as_note_elements(tree) -> None:
    for note in tree.xpath(f"//span[{_has_class('footnote')}]"):
        note.tag = NOTE_ELEMENT


def link_targets(html: str, limit: int = 120) -> dict[str, str]:
    """The text of every element an internal link may point at, by id: what a link in the PDF
    says it leads to (its /Contents), instead of the bare id."""
    tree = lxml.html.document_fromstring(html)
    targets = {}
    for element in tree.xpath("//*[@id]"):
        heading = element.find("./*[1]") if element.tag == "section" else None
        source = heading if heading is not None and heading.tag[:1] == "h" else element
        if element.tag == "figure":
            source = element.find(".//figcaption")
        if source is None:
            continue
        text = " ".join(source.text_content().split())
        if text:
            targets[element.get("id")] = text if len(text) <= limit else text[: limit - 1] + "…"
    return targets


def print_ready(html: str) -> str:
    """The print DOM (footnotes already at their calls: pdf.inline_footnotes)."""
    tree = lxml.html.document_fromstring(html)
    imprint_after_cover(tree)
    chart_titles(tree)
    contents_title_as_h1(tree)
    notes_as_note_elements(tree)
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
