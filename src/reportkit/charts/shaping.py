"""Chart text in scripts that join (Arabic): shaped and put in visual order in the static SVG.

WeasyPrint draws SVG text letter by letter, so Arabic letters printed from a chart's SVG
would stand apart and run left to right. Each such <text> is given its joined letter forms
(arabic-reshaper) in visual order (python-bidi) and told to be drawn as written
(direction ltr, bidi-override), which browsers and WeasyPrint both honour. The interactive
chart that replaces the SVG on screen is drawn from the spec, in logical order; the chart's
alt text stays what assistive technology reads.
"""

from __future__ import annotations

import html
import re

import arabic_reshaper
from bidi import get_display

JOINING = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]")
TEXT = re.compile(r"<text(?P<attrs>[^>]*)>(?P<body>[^<]*)</text>")


def shaped_svg(svg: str) -> str:
    """svg with every text in a joining script shaped and in visual order."""

    def shape(match: re.Match) -> str:
        body = html.unescape(match["body"])
        if not JOINING.search(body):
            return match.group(0)
        visual = get_display(arabic_reshaper.reshape(body))
        attrs = match["attrs"] + ' direction="ltr" unicode-bidi="bidi-override"'
        return f"<text{attrs}>{html.escape(visual, quote=False)}</text>"

    return TEXT.sub(shape, svg)
