"""Word output for reviewers: the same assembled Markdown and Lua filters as the HTML, to .docx.

pandoc writes the document with a reference document generated from the brand (fonts, colours,
page size, footer and reportkit's own paragraph styles); charts and other SVG images become
PNGs, since Word before 2016 cannot show SVG. After pandoc, the table of contents is moved
behind the cover and imprint, and the document properties are set.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import zipfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import docx
import vl_convert as vlc
import yaml
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reportkit import __version__
from reportkit.brand import BrandStyle
from reportkit.charts.export import PNG_SCALE, register_fonts, set_png_dpi
from reportkit.charts.publish import CHARTS_DIR
from reportkit.engines.embedded import (
    assemble_document,
    package_file,
    pandoc_arguments,
    pandoc_binary,
    pandoc_version,
    run_pandoc,
)
from reportkit.errors import ReportError
from reportkit.prepare import CACHE_DIR, Prepared, write_chart_pngs
from reportkit.project import Project
from reportkit.sourcemap import NAMESPACE as SOURCE_MAP_NAMESPACE
from reportkit.sourcemap import SourceMap, datastore_item_id, mark_paragraphs

DOCX_FILTER = "docx.lua"
CONTENTS_MARK = "reportkit-contents"  # where docx.lua wants the table of contents
PAGE_SIZES = {"A4": (Mm(210), Mm(297)), "Letter": (Mm(215.9), Mm(279.4))}
SVG_IMAGE = re.compile(r"!\[[^\]]*\]\(<?(?P<src>[^)\s>]+\.svg)>?")

# Order of a paragraph's properties in WordprocessingML (Word rejects them out of order).
PPR_SEQUENCE = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
)
PPR_ORDER = PPR_SEQUENCE.split()


def write_docx(project: Project, prepared: Prepared, out_path: Path) -> Path:
    """Render the project's one document to out_path (a .docx), from the same Markdown as HTML."""
    write_chart_pngs(project, prepared)
    assembled, metadata, settings = assemble_document(project, prepared)
    # Bookmarks at each paragraph's start lead reviewers' changes back to the source lines.
    assembled, source_map = mark_paragraphs(project, assembled)
    metadata["reportkit-docx-images"] = svg_fallbacks(project, prepared, assembled.text)
    reference = reference_document(project, prepared.brand)
    metadata_file = out_path.parent / ".metadata-docx.yml"
    metadata_file.write_text(yaml.safe_dump(metadata, allow_unicode=True, sort_keys=True), "utf-8")
    args = pandoc_arguments(project, metadata_file, "docx", settings) + [
        "--lua-filter",
        str(package_file("engines", "filters", DOCX_FILTER)),
        "--reference-doc",
        str(reference),
        "--resource-path",
        str(project.root),
    ]
    try:
        run_pandoc(args, assembled, project.root, out_path)
    finally:
        metadata_file.unlink(missing_ok=True)
    finish_document(out_path, prepared, source_map)
    return out_path


def svg_fallbacks(project: Project, prepared: Prepared, text: str) -> dict[str, str]:
    """PNGs (cached) for the SVG images outside the charts, such as the cover illustration.

    Returns image path as written in the Markdown -> PNG path, for docx.lua.
    """
    cache = project.path(CACHE_DIR) / "docx"
    fallbacks = {}
    for src in sorted({m["src"] for m in SVG_IMAGE.finditer(text)}):
        source = (project.root / src).resolve()
        if (
            src.startswith(f"{CHARTS_DIR}/")
            or not source.is_relative_to(project.root.resolve())
            or not source.is_file()
        ):
            continue  # charts have their own PNGs; a missing or outside image: normalize.lua
        svg = source.read_text(encoding="utf-8")
        versions = f"{__version__}|{vlc.__version__}|{PNG_SCALE}"
        key = hashlib.sha256(f"{versions}|{svg}".encode()).hexdigest()[:20]
        target = cache / f"{key}.png"
        if not target.is_file():
            brand = prepared.brand
            register_fonts((brand.body_font, brand.heading_font))
            png = set_png_dpi(vlc.svg_to_png(svg, scale=PNG_SCALE), PNG_SCALE * 96)
            cache.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(png)
            tmp.replace(target)
        # Relative to the project (pandoc's working folder): the same bytes in every clone.
        fallbacks[src] = target.relative_to(project.root).as_posix()
    return fallbacks


def reference_document(project: Project, brand: BrandStyle) -> Path:
    """The brand's reference.docx, cached under .reportkit/cache/ by everything it depends on."""
    settings = project.settings
    pandoc = pandoc_binary()
    values = {
        "code": hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12],  # this module
        "pandoc": pandoc_version(),
        "brand": {k: str(v) for k, v in asdict(brand).items() if k not in ("logo", "palette")},
        "page-size": settings.page_size,
        "footer": settings.footer,
    }
    key = hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:20]
    path = project.path(CACHE_DIR) / "docx" / f"reference-{key}.docx"
    if path.is_file():
        return path
    proc = subprocess.run(
        [pandoc, "--print-default-data-file", "reference.docx"], capture_output=True, check=False
    )
    if proc.returncode != 0 or not proc.stdout:
        raise ReportError("pandoc could not provide its default reference.docx")
    document = docx.Document(io.BytesIO(proc.stdout))
    style_document(document, brand, settings.page_size, settings.footer)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    document.save(str(tmp))
    tmp.replace(path)
    return path


def rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#")[:6].upper())


def set_font(style_element, family: str) -> None:
    """Set a style's typeface for every script, dropping theme fonts that would override it."""
    set_rfonts(style_element.get_or_add_rPr().get_or_add_rFonts(), family)


def set_rfonts(rfonts, family: str) -> None:
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "cs"):
        rfonts.set(qn(f"w:{attribute}"), family)


def set_paragraph_property(style, element) -> None:
    """Put a pPr child (borders, shading) into a style, replacing its old one, in schema order."""
    ppr = style.element.get_or_add_pPr()
    for old in ppr.findall(element.tag):
        ppr.remove(old)
    name = element.tag.split("}")[1]
    successors = [f"w:{tag}" for tag in PPR_ORDER[PPR_ORDER.index(name) + 1 :]]
    ppr.insert_element_before(element, *successors)


def border(sides: dict[str, str], size_eighths: int, colour: str, space: int = 6):
    element = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        if side in sides:
            edge = OxmlElement(f"w:{side}")
            edge.set(qn("w:val"), sides[side])
            edge.set(qn("w:sz"), str(size_eighths))
            edge.set(qn("w:space"), str(space))
            edge.set(qn("w:color"), colour.lstrip("#")[:6].upper())
            element.append(edge)
    return element


def shading(colour: str):
    element = OxmlElement("w:shd")
    element.set(qn("w:val"), "clear")
    element.set(qn("w:color"), "auto")
    element.set(qn("w:fill"), colour.lstrip("#")[:6].upper())
    return element


def paragraph_style(document, name: str, base: str):
    styles = document.styles
    style = styles[name] if name in styles else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.quick_style = True
    return style


def style_document(document, brand: BrandStyle, page_size: str, footer: str | None) -> None:
    """pandoc's default reference.docx, restyled in the brand, plus reportkit's own styles."""
    styles = document.styles
    # Theme fonts would win over the brand's: every style names its typeface outright.
    for style in styles:
        rpr = style.element.rPr
        rfonts = rpr.rFonts if rpr is not None else None
        if rfonts is not None and rfonts.get(qn("w:asciiTheme"), "").startswith("major"):
            set_font(style.element, brand.heading_font)
        elif rfonts is not None and rfonts.get(qn("w:asciiTheme")):
            set_font(style.element, brand.body_font)
    for rfonts in styles.element.iterfind(f"{qn('w:docDefaults')}//{qn('w:rFonts')}"):
        set_rfonts(rfonts, brand.body_font)

    for name in ("Normal", "Body Text"):
        set_font(styles[name].element, brand.body_font)
        styles[name].font.color.rgb = rgb(brand.text)
    styles["Normal"].font.size = Pt(11)
    for level in range(1, 10):
        heading = styles[f"Heading {level}"]
        set_font(heading.element, brand.heading_font)
        heading.font.color.rgb = rgb(brand.primary)
    styles["Heading 1"].paragraph_format.page_break_before = True  # chapters start a page
    styles["Heading 1"].font.size = Pt(20)
    styles["Heading 2"].font.size = Pt(15)
    styles["Heading 3"].font.size = Pt(12.5)
    for name in ("Title", "Subtitle", "TOC Heading"):
        set_font(styles[name].element, brand.heading_font)
        styles[name].font.color.rgb = rgb(brand.primary)
    styles["Title"].font.bold = True
    styles["Title"].paragraph_format.space_before = Pt(48)
    styles["Title"].paragraph_format.space_after = Pt(18)
    styles["Subtitle"].paragraph_format.space_after = Pt(30)
    styles["Subtitle"].font.bold = False
    for name in ("Author", "Date"):
        set_font(styles[name].element, brand.body_font)
        styles[name].font.color.rgb = rgb(brand.text)
        styles[name].font.bold = False
    styles["Date"].paragraph_format.space_before = Pt(30)
    styles["Hyperlink"].font.color.rgb = rgb(brand.primary)
    for name in ("Image Caption", "Table Caption"):
        styles[name].font.size = Pt(9.5)
        styles[name].font.color.rgb = rgb(brand.muted)
    styles["Footnote Text"].font.size = Pt(9)

    organisation = paragraph_style(document, "Cover Organisation", "Normal")
    set_font(organisation.element, brand.heading_font)
    organisation.font.color.rgb = rgb(brand.primary)
    organisation.font.all_caps = True
    organisation.font.size = Pt(11)
    organisation.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cover_image = paragraph_style(document, "Cover Image", "Normal")
    cover_image.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cover_image.paragraph_format.space_before = Pt(24)

    imprint = paragraph_style(document, "Imprint", "Normal")
    imprint.font.size = Pt(8.5)
    imprint.font.color.rgb = rgb(brand.muted)
    imprint.paragraph_format.space_after = Pt(6)

    # Session headers: the people of a session, in the heading font beside a brand-coloured rule.
    people = paragraph_style(document, "Session People", "Normal")
    set_font(people.element, brand.heading_font)
    people.font.size = Pt(9.5)
    people.font.color.rgb = rgb(brand.text)
    people.paragraph_format.left_indent = Mm(4)
    people.paragraph_format.space_before = Pt(0)
    people.paragraph_format.space_after = Pt(2)
    people.paragraph_format.keep_together = True
    set_paragraph_property(people, border({"left": "single"}, 18, brand.primary))
    role = paragraph_style(document, "Session Role", "Session People")
    role.font.bold = True
    role.font.small_caps = True
    role.font.color.rgb = rgb(brand.primary)
    role.paragraph_format.space_before = Pt(4)
    role.paragraph_format.keep_with_next = True

    # Callouts: a shaded box with the accent colour down its left side.
    callout = paragraph_style(document, "Callout", "Body Text")
    callout.paragraph_format.left_indent = Mm(4)
    callout.paragraph_format.right_indent = Mm(4)
    callout.paragraph_format.space_before = Pt(0)
    callout.paragraph_format.space_after = Pt(0)
    callout.font.size = Pt(10)
    set_paragraph_property(callout, border({"left": "single"}, 24, brand.accent, space=8))
    set_paragraph_property(callout, shading(brand.surface))
    callout_title = paragraph_style(document, "Callout Title", "Callout")
    set_font(callout_title.element, brand.heading_font)
    callout_title.font.bold = True
    callout_title.font.color.rgb = rgb(brand.primary)
    callout_title.paragraph_format.space_before = Pt(12)
    callout_title.paragraph_format.keep_with_next = True

    section = document.sections[0]
    section.page_width, section.page_height = PAGE_SIZES.get(page_size, PAGE_SIZES["A4"])
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(25))
    section.header_distance = section.footer_distance = Mm(12)
    section.different_first_page_header_footer = True  # no footer on the cover
    paragraph = section.footer.paragraphs[0]
    paragraph.style = styles["Normal"]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if footer:
        paragraph.add_run(f"{footer} · ")
    page_number_field(paragraph)
    for run in paragraph.runs:
        run.font.size = Pt(8.5)
        run.font.color.rgb = rgb(brand.muted)


def page_number_field(paragraph) -> None:
    """A PAGE field: Word shows the number of the page it is on."""
    run = paragraph.add_run()
    begin, separate, end = (OxmlElement("w:fldChar") for _ in range(3))
    for char, kind in ((begin, "begin"), (separate, "separate"), (end, "end")):
        char.set(qn("w:fldCharType"), kind)
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run._r.append(begin)
    run._r.append(instruction)
    run._r.append(separate)
    run.add_text("1")
    run._r.append(end)


def finish_document(path: Path, prepared: Prepared, source_map: SourceMap) -> None:
    """Move the contents to docx.lua's mark (after cover and imprint); set the properties;
    add the source map (a custom XML part, which Word and LibreOffice keep)."""
    document = docx.Document(str(path))
    body = document.element.body
    toc = next(
        (
            sdt
            for sdt in body.iterchildren(qn("w:sdt"))
            if sdt.find(f".//{qn('w:docPartGallery')}[@{qn('w:val')}='Table of Contents']")
            is not None
        ),
        None,
    )
    mark = body.find(f"{qn('w:bookmarkStart')}[@{qn('w:name')}='{CONTENTS_MARK}']")
    if mark is not None:
        if toc is not None:
            mark.addprevious(toc)
        mark_id = mark.get(qn("w:id"))
        for end in body.iterchildren(qn("w:bookmarkEnd")):
            if end.get(qn("w:id")) == mark_id:
                body.remove(end)
                break
        body.remove(mark)

    conference = prepared.conference
    metadata = prepared.metadata
    properties = document.core_properties
    properties.title = conference.title
    properties.subject = conference.subtitle or ""
    properties.author = "; ".join(metadata.get("author") or [])
    properties.keywords = ", ".join(str(k) for k in metadata.get("keywords") or [])
    properties.language = metadata.get("lang") or ""
    published = datetime(conference.year, 1, 1, tzinfo=UTC)
    properties.created = properties.modified = published
    properties.last_modified_by = f"reportkit {__version__}"
    add_source_map(document, source_map)
    document.save(str(path))
    fix_zip_timestamps(path, published)


def add_source_map(document, source_map: SourceMap) -> None:
    """The map as customXml/item1.xml (with its properties part, as Word writes them)."""
    package = document.part.package
    data = source_map.to_xml()
    item = Part(PackURI("/customXml/item1.xml"), CT.XML, data, package)
    properties = Part(
        PackURI("/customXml/itemProps1.xml"),
        CT.OFC_CUSTOM_XML_PROPERTIES,
        (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<ds:datastoreItem ds:itemID="{datastore_item_id(data)}" '
            'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
            f'<ds:schemaRefs><ds:schemaRef ds:uri="{SOURCE_MAP_NAMESPACE}"/></ds:schemaRefs>'
            "</ds:datastoreItem>"
        ).encode(),
        package,
    )
    item.relate_to(properties, RT.CUSTOM_XML_PROPS)
    document.part.relate_to(item, RT.CUSTOM_XML)


def fix_zip_timestamps(path: Path, when: datetime) -> None:
    """Rewrite the .docx (a zip) with every entry dated `when`: same inputs, same bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, data)
    tmp.replace(path)
