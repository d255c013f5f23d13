"""The PDF's XMP metadata: PDF/UA (and PDF/A) identification, the document information
repeated as XMP, and the hash of the inputs the PDF was built from (manifest.py).

Written whole by reportkit rather than patched onto WeasyPrint's, so that PDF/UA and PDF/A
identification stand side by side, with the extension schemas PDF/A asks for every property
outside the XMP standard (pdfuaid, reportkit), and the same inputs give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf
from lxml import etree

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
    "reportkit": "urn:reportkit:xmp:1.0/",
}
# Property of the reportkit namespace: sha256 of the manifest's inputs (manifest.inputs_hash).
INPUTS_HASH = "inputsHash"

# Schemas outside XMP 2005 that PDF/A requires to be described in the packet itself.
EXTENSION_SCHEMAS = (
    (
        "PDF/UA Universal Accessibility Schema",
        NS["pdfuaid"],
        "pdfuaid",
        (("part", "Integer", "Part of ISO 14289 the document conforms to"),),
    ),
    (
        "reportkit provenance",
        NS["reportkit"],
        "reportkit",
        ((INPUTS_HASH, "Text", "sha256 of the sources listed in the build's manifest.json"),),
    ),
)


@dataclass(frozen=True)
class Identification:
    ua_part: int = 1
    archive: bool = False  # PDF/A-3b
    inputs_hash: str | None = None


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _description(rdf, **namespaces):
    nsmap = {p: NS[p] for p in namespaces}
    element = etree.SubElement(rdf, _q("rdf:Description"), nsmap=nsmap)
    element.set(_q("rdf:about"), "")
    return element


def _text(parent, name: str, value: str) -> None:
    etree.SubElement(parent, _q(name)).text = value


def _lang_alt(parent, name: str, value: str) -> None:
    alt = etree.SubElement(etree.SubElement(parent, _q(name)), _q("rdf:Alt"))
    item = etree.SubElement(alt, _q("rdf:li"))
    item.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")
    item.text = value


def _pdf_date_to_xmp(value: str) -> str | None:
    """D:20170101000000Z → 2017-01-01T00:00:00Z (PDF/A: Info and XMP dates must agree)."""
    digits = value.removeprefix("D:")
    if len(digits) < 14 or not digits[:14].isdigit():
        return None
    stamp = (
        f"{digits[0:4]}-{digits[4:6]}-{digits[6:8]}T{digits[8:10]}:{digits[10:12]}:{digits[12:14]}"
    )
    zone = digits[14:].replace("'", "")
    if zone in ("", "Z"):
        return stamp + "Z"
    return f"{stamp}{zone[:3]}:{zone[3:5] or '00'}"


def xmp_packet(info: dict[str, str], ident: Identification) -> bytes:
    """The XMP packet: Info's entries as XMP, identification, provenance, extension schemas."""
    meta = etree.Element(_q("x:xmpmeta"), nsmap={"x": NS["x"]})
    rdf = etree.SubElement(meta, _q("rdf:RDF"), nsmap={"rdf": NS["rdf"]})

    ids = _description(rdf, pdfuaid=1, pdfaid=1)
    _text(ids, "pdfuaid:part", str(ident.ua_part))
    if ident.archive:
        _text(ids, "pdfaid:part", "3")
        _text(ids, "pdfaid:conformance", "B")

    dc = _description(rdf, dc=1)
    if info.get("Title"):
        _lang_alt(dc, "dc:title", info["Title"])
    if info.get("Author"):
        seq = etree.SubElement(etree.SubElement(dc, _q("dc:creator")), _q("rdf:Seq"))
        etree.SubElement(seq, _q("rdf:li")).text = info["Author"]
    if info.get("Subject"):
        _lang_alt(dc, "dc:description", info["Subject"])

    pdf = _description(rdf, pdf=1)
    if info.get("Producer"):
        _text(pdf, "pdf:Producer", info["Producer"])
    if info.get("Keywords"):
        _text(pdf, "pdf:Keywords", info["Keywords"])

    xmp = _description(rdf, xmp=1)
    if info.get("Creator"):
        _text(xmp, "xmp:CreatorTool", info["Creator"])
    for key, name in (("CreationDate", "xmp:CreateDate"), ("ModDate", "xmp:ModifyDate")):
        date = _pdf_date_to_xmp(info.get(key, ""))
        if date:
            _text(xmp, name, date)

    if ident.inputs_hash:
        _text(_description(rdf, reportkit=1), f"reportkit:{INPUTS_HASH}", ident.inputs_hash)

    extension = _description(rdf, pdfaExtension=1, pdfaSchema=1, pdfaProperty=1)
    bag = etree.SubElement(etree.SubElement(extension, _q("pdfaExtension:schemas")), _q("rdf:Bag"))
    for schema, uri, prefix, properties in EXTENSION_SCHEMAS:
        item = etree.SubElement(bag, _q("rdf:li"))
        item.set(_q("rdf:parseType"), "Resource")
        _text(item, "pdfaSchema:schema", schema)
        _text(item, "pdfaSchema:namespaceURI", uri)
        _text(item, "pdfaSchema:prefix", prefix)
        seq = etree.SubElement(etree.SubElement(item, _q("pdfaSchema:property")), _q("rdf:Seq"))
        for name, value_type, description in properties:
            prop = etree.SubElement(seq, _q("rdf:li"))
            prop.set(_q("rdf:parseType"), "Resource")
            _text(prop, "pdfaProperty:name", name)
            _text(prop, "pdfaProperty:valueType", value_type)
            _text(prop, "pdfaProperty:category", "internal")
            _text(prop, "pdfaProperty:description", description)

    body = etree.tostring(meta, encoding="utf-8", pretty_print=True)
    return (
        b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        + body
        + b'<?xpacket end="w"?>'
    )


def write_metadata(pdf: pikepdf.Pdf, ident: Identification) -> None:
    """Replace the catalog's /Metadata with reportkit's packet (uncompressed, as PDF/A wants)."""
    info = {}
    if "/Info" in pdf.trailer:
        for key, value in pdf.trailer.Info.items():
            info[key.lstrip("/")] = str(value)
    stream = pdf.make_stream(xmp_packet(info, ident))
    stream.Type = pikepdf.Name.Metadata
    stream.Subtype = pikepdf.Name.XML
    pdf.Root.Metadata = stream


def read_identification(pdf: pikepdf.Pdf) -> dict[str, str]:
    """The identification properties of a PDF's XMP (pdfuaid:part, pdfaid:part, inputs hash)."""
    if "/Metadata" not in pdf.Root:
        return {}
    tree = etree.fromstring(pdf.Root.Metadata.read_bytes())
    found = {}
    for name in ("pdfuaid:part", "pdfaid:part", "pdfaid:conformance", "dc:title"):
        element = tree.find(f".//{_q(name)}")
        if element is not None:
            found[name] = "".join(element.itertext()).strip()
    element = tree.find(f".//{_q('reportkit:' + INPUTS_HASH)}")
    if element is not None:
        found["reportkit:" + INPUTS_HASH] = element.text or ""
    return found
