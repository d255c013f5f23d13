"""Quarto's HTML, made into reportkit's: the post-render step of `quarto render`.

Quarto's page keeps Quarto's chrome (Bootstrap, sidebar) on screen but gains what reportkit's
own page has: the brand's fonts served from the output, the interactive charts, and stable
ids (Quarto stamps a random UUID into every figure caption's id, which would make two renders
of the same project differ).

For print, the same content is lifted into reportkit's print DOM (cover, imprint, contents,
main) without Quarto's stylesheets and scripts: WeasyPrint would otherwise apply Bootstrap as
an author stylesheet over reportkit's print styles and work through 430 kB of it. The
structure left inside <main> is Quarto's (numbered sections, footnotes, figures), rewritten
only where reportkit's stylesheets expect its own markup.
"""

from __future__ import annotations

import re

import lxml.html
from lxml.html import HtmlElement

CAPTION_UUID = re.compile(r"(-caption)-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")
SCREEN_ASSETS_MARK = "reportkit-assets"


def is_quarto_html(html: str) -> bool:
    return 'name="generator" content="quarto-' in html


def stable_ids(html: str) -> str:
    """Quarto's random caption ids made stable (the figure id is unique already)."""
    return CAPTION_UUID.sub(r"\1", html)


def draft_element(draft: str) -> HtmlElement:
    mark = _element("aside", class_="draft-mark", aria_label="Status")
    mark.text = draft
    return mark


def with_screen_assets(
    html: str, charts: bool, draft: str | None = None, logo: str | None = None
) -> str:
    """Link reportkit's fonts, the look of its parts (components.css: cover, sessions, lists,
    figures), brand colours and chart scripts into Quarto's page <head>; put the brand logo
    on the cover, as reportkit's own page has it."""
    if SCREEN_ASSETS_MARK in html:
        return html
    links = [
        f'<meta name="{SCREEN_ASSETS_MARK}" content="fonts, brand, charts">',
        '<link rel="stylesheet" href="assets/fonts.css">',
        '<link rel="stylesheet" href="assets/components.css">',
        '<link rel="stylesheet" href="assets/brand.css">',
        '<link rel="stylesheet" href="assets/quarto.css">',
    ]
    if charts:
        links += [
            '<script src="assets/charts.js" defer></script>',
        ]
    html = html.replace("</head>", "\n".join(links) + "\n</head>", 1)
    if draft:
        banner = lxml.html.tostring(draft_element(draft), encoding="unicode")
        html = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + banner, html, count=1)
    if logo:
        image = lxml.html.tostring(_element("img", class_="cover-logo", src=logo, alt=""))
        html = re.sub(
            r'(<div class="cover">)',
            lambda m: m.group(1) + "\n" + image.decode(),
            html,
            count=1,
        )
    return html


def _classes(element: HtmlElement) -> list[str]:
    return (element.get("class") or "").split()


def _first(root: HtmlElement, xpath: str) -> HtmlElement | None:
    found = root.xpath(xpath)
    return found[0] if found else None


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _detach(element: HtmlElement | None) -> HtmlElement | None:
    if element is not None and element.getparent() is not None:
        element.getparent().remove(element)
    return element


def _adopt(target: HtmlElement, source: HtmlElement) -> HtmlElement:
    """Move source's text and children into target (lxml keeps text outside the children)."""
    target.text = source.text
    for child in list(source):
        target.append(child)
    return target


def _element(tag: str, **attributes: str) -> HtmlElement:
    element = lxml.html.Element(tag)
    for name, value in attributes.items():
        element.set(name.rstrip("_").replace("_", "-"), value)
    return element


def _figures_as_reportkit(main: HtmlElement) -> None:
    """Quarto's float (div#fig-x > figure > div + figcaption "Figure 1: …") as reportkit's
    figure#fig-x with a figcaption whose label is a span.fig-number."""
    for float_div in main.xpath(f".//div[{_has_class('quarto-float')}][@id]"):
        figure = _first(float_div, "./figure")
        if figure is None:
            continue
        new = lxml.html.Element("figure")
        new.set("id", float_div.get("id"))
        kept = [c for c in _classes(float_div) if not c.startswith("quarto-") and c != "anchored"]
        if kept:
            new.set("class", " ".join(kept))
        for child in list(figure):
            if child.tag == "div" and child.get("aria-describedby"):
                new.text = child.text
                for grandchild in list(child):
                    new.append(grandchild)
            elif child.tag == "figcaption":
                caption = lxml.html.Element("figcaption")
                text = (child.text or "").lstrip()
                label = re.match(r"((?:\S+)\xa0\S+?:)\s*", text)
                if label:
                    number = lxml.html.Element("span")
                    number.set("class", "fig-number")
                    number.text = label.group(1).replace("\xa0", " ")
                    number.tail = " " + text[label.end() :]
                    caption.append(number)
                else:
                    caption.text = text
                for grandchild in list(child):
                    caption.append(grandchild)
                new.append(caption)
            else:
                new.append(child)
        new.tail = float_div.tail
        float_div.getparent().replace(float_div, new)


def _callouts_as_reportkit(main: HtmlElement) -> None:
    """Quarto's callout (div.callout > header + body) as reportkit's aside.callout."""
    for callout in main.xpath(f".//div[{_has_class('callout')}]"):
        kind = next((c for c in _classes(callout) if re.fullmatch(r"callout-[a-z]+", c)), None)
        if kind is None or kind in ("callout-titled", "callout-style-default"):
            kind = next((c for c in _classes(callout) if c.startswith("callout-")), "callout-note")
        aside = _element("aside", class_=f"callout {kind}")
        for part, name in (
            ("callout-title-container", "callout-title"),
            ("callout-body-container", "callout-body"),
        ):
            found = _first(callout, f".//div[{_has_class(part)}]")
            if found is not None:
                aside.append(_adopt(_element("div", class_=name), found))
        aside.tail = callout.tail
        callout.getparent().replace(callout, aside)


def _contents(tree: HtmlElement, title: str) -> HtmlElement | None:
    """Quarto's sidebar contents as reportkit's nav#TOC with toc-section-number spans."""
    toc = _first(tree, "//nav[@id='TOC']")
    if toc is None:
        return None
    items = _first(toc, "./ul")
    nav = _element("nav", id="TOC", class_="toc", role="doc-toc", aria_labelledby="toc-title")
    heading = _element("h2", id="toc-title")
    heading.text = title
    nav.append(heading)
    if items is not None:
        for link in items.xpath(".//a"):
            for attribute in ("class", "data-scroll-target"):
                link.attrib.pop(attribute, None)
        for number in items.xpath(f".//span[{_has_class('header-section-number')}]"):
            number.set("class", "toc-section-number")
        for element in items.iter():
            if element.tag == "ul":
                element.attrib.pop("class", None)
        nav.append(items)
    return nav


def print_document(
    html: str,
    stylesheets: list[str],
    *,
    logo: str | None,
    toc_title: str,
    body_class: str,
    draft: str | None = None,
) -> str:
    """reportkit's print DOM (cover, imprint, contents, main) holding Quarto's content."""
    tree = lxml.html.document_fromstring(stable_ids(html))
    main = _first(tree, "//main")
    if main is None:
        return html
    _detach(_first(main, "./header[@id='title-block-header']"))
    cover = _detach(_first(main, f".//div[{_has_class('cover')}]"))
    imprint = _detach(_first(main, f".//div[{_has_class('imprint')}]"))
    _figures_as_reportkit(main)
    _callouts_as_reportkit(main)
    for anchor in main.xpath(".//a[@class='anchorjs-link']"):
        _detach(anchor)

    document = lxml.html.document_fromstring("<html><head></head><body></body></html>")
    lang = tree.get("lang")
    if lang:
        document.set("lang", lang)
    head, body = document.find("head"), document.find("body")
    for meta in tree.xpath("//head/meta[@charset] | //head/title | //head/meta[@name]"):
        if meta.get("name") not in (None, "author", "description", "keywords", "generator"):
            continue
        head.append(meta)
    for href in stylesheets:
        head.append(_element("link", rel="stylesheet", href=href))
    body.set("class", body_class)
    if draft:
        body.append(draft_element(draft))
    if cover is not None:
        header = _adopt(_element("header", class_="cover", id="cover"), cover)
        # A page finished before (reportkit pdf run again) has its logo already.
        if logo and not header.xpath(".//img[contains(@class, 'cover-logo')]"):
            header.insert(0, _element("img", class_="cover-logo", src=logo, alt=""))
        body.append(header)
    if imprint is not None:
        body.append(
            _adopt(
                _element("section", class_="imprint", id="imprint", aria_label="Imprint"), imprint
            )
        )
    contents = _contents(tree, toc_title)
    if contents is not None:
        body.append(contents)
    body.append(_adopt(_element("main", id="main"), main))
    return lxml.html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>")
