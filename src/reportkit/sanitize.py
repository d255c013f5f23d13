"""Raw HTML never carries script into the report.

The report goes out under an organisation's name, and its content comes from many hands:
Markdown may hold raw HTML, and raw HTML may hold script (`<script>`, `onerror=`,
`javascript:` links, frames) or pull in remote resources. reportkit's own scripts come from
its assets, pinned by the page's Content-Security-Policy; anything else that would run or
load from elsewhere is refused, naming where it is — unless the project says it trusts its
content (`reportkit: allow-raw-scripts: true`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html

# reportkit's own scripts (templates/report.html); the charts' specs are data, not code.
OWN_SCRIPTS = {"assets/report.js", "assets/vega.js", "assets/charts.js"}
ACTIVE_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "portal",
    "meta",
    "link",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "data",
    "background",
    "cite",
    "srcset",
    "ping",
    "manifest",
    "codebase",
}
# Attributes that load a resource (a link's href only navigates when clicked).
LOADING_ATTRIBUTES = {"src", "poster", "data", "background", "srcset", "manifest", "codebase"}
SCRIPT_SCHEME = re.compile(r"^(javascript|vbscript|livescript|data:text/html)", re.I)
REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*:)?//|^(https?|ftp):", re.I)
CSS_REMOTE = re.compile(r"url\(\s*['\"]?\s*(https?:|//)|@import", re.I)


@dataclass(frozen=True)
class Unsafe:
    needle: str  # text to find in the sources, for the error's file:line
    message: str
    fallback: str | None = None  # tried when the needle is not in the sources as written


def _longest_plain_run(value: str) -> str:
    """The longest piece of a value with no space or control character: what survives of it
    in the source when entities or tabs were used to disguise it."""
    return max(re.split(r"[\x00-\x20]+", value), key=len)


def _own(element) -> bool:
    """reportkit's script elements: its asset scripts and the charts' JSON specs."""
    if element.tag != "script":
        return False
    if element.get("src") in OWN_SCRIPTS and element.getparent().tag == "head":
        return True
    classes = (element.get("class") or "").split()
    return element.get("type") == "application/json" and "vega-spec" in classes


def _clean_url(value: str) -> str:
    # Browsers ignore control characters and spaces inside a scheme ("java\tscript:").
    return re.sub(r"[\x00-\x20]", "", value)


def unsafe_html(html: str) -> list[Unsafe]:
    """What in the page would run script or load from elsewhere, apart from reportkit's own."""
    tree = lxml.html.document_fromstring(html)
    found: list[Unsafe] = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.split("}")[-1].lower()
        in_head = any(a.tag == "head" for a in element.iterancestors())
        if tag in ACTIVE_TAGS and not in_head and not _own(element):
            found.append(Unsafe(f"<{tag}", f"raw HTML <{tag}> may not be part of the report"))
        elif tag == "script" and in_head and not _own(element):
            found.append(Unsafe("<script", "raw HTML <script> may not be part of the report"))
        for name, value in element.attrib.items():
            name = name.split("}")[-1].lower()
            if name.startswith("on"):
                found.append(Unsafe(f"{name}=", f"event handler '{name}' runs script"))
            elif name == "srcdoc":
                found.append(Unsafe("srcdoc=", "'srcdoc' embeds another page"))
            elif name in URL_ATTRIBUTES and SCRIPT_SCHEME.match(clean := _clean_url(value)):
                scheme = clean.split(":")[0].lower()
                message = f"a {scheme}: URL runs script"
                found.append(Unsafe(value.strip()[:40], message, _longest_plain_run(value)[:40]))
            elif name in LOADING_ATTRIBUTES and REMOTE.match(value.strip()):
                found.append(
                    Unsafe(
                        value.strip()[:60],
                        f"'{value.strip()}' would load from the network (reports are offline)",
                    )
                )
            elif name == "style" and CSS_REMOTE.search(value):
                found.append(Unsafe("url(", "a style that loads from the network"))
        if tag == "style" and not in_head and CSS_REMOTE.search(element.text or ""):
            found.append(Unsafe("<style", "a style sheet that loads from the network"))
    return found


HINT = (
    "remove it; reports are static pages. If every author of this project is trusted, set "
    "'allow-raw-scripts: true' under reportkit: in _quarto.yml"
)
