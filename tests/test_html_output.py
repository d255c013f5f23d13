"""The HTML report, read with an HTML parser: structure, links, and nothing from the network."""

from __future__ import annotations

import re

import lxml.html
import pytest

RESOURCE_ATTRIBUTES = {
    "link": "href",
    "script": "src",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "object": "data",
}


@pytest.fixture(scope="module")
def doc(example):
    return lxml.html.parse(str(example.html)).getroot()


def ids(doc) -> set[str]:
    return {el.get("id") for el in doc.xpath("//*[@id]")}


def test_document_language_and_title(doc):
    assert doc.get("lang") == "en-GB"
    assert doc.findtext(".//title").startswith("Promoting innovative ideas")


def test_chapters_are_numbered_in_order(doc):
    numbered = [
        h.xpath("string(span[@class='header-section-number'])")
        for h in doc.xpath("//main//h1")
        if h.xpath("span[@class='header-section-number']")
    ]
    assert numbered == [str(n) for n in range(1, len(numbered) + 1)]
    assert len(numbered) >= 3
    sections = [
        h.xpath("string(span[@class='header-section-number'])")
        for h in doc.xpath("//section[@id='sec-presentations']//h2")
    ]
    assert sections[:3] == ["2.1", "2.2", "2.3"]


def test_every_contents_link_resolves_to_a_section(doc):
    links = doc.xpath("//nav[@id='TOC']//a/@href")
    assert len(links) >= 15
    known = ids(doc)
    missing = [href for href in links if href.lstrip("#") not in known]
    assert not missing


def test_every_internal_link_and_cross_reference_resolves(doc):
    known = ids(doc)
    internal = [href for href in doc.xpath("//a/@href") if href.startswith("#")]
    assert [h for h in internal if h[1:] not in known] == []
    xrefs = doc.xpath("//a[contains(@class,'quarto-xref')]")
    assert xrefs and all(
        re.match(r"(Section|Figure|Table)\u00a0\d", a.text_content()) for a in xrefs
    )


def test_footnotes_link_both_ways(doc):
    refs = doc.xpath("//a[contains(@class,'footnote-ref')]")
    notes = doc.xpath("//section[contains(@class,'footnotes')]//li")
    assert len(refs) == len(notes) >= 8
    known = ids(doc)
    assert all(a.get("href")[1:] in known for a in refs)


def test_lettered_lists_keep_their_parentheses(doc):
    lists = doc.xpath("//div[contains(@class,'list-two-parens')]/ol[@type='a']")
    assert len(lists) >= 5
    css = doc.base_url or ""
    assert css is not None


def test_block_quotes_and_tables_survive(doc):
    assert doc.xpath("//main//table")


def test_cover_and_imprint_come_from_conference_data(doc):
    cover = doc.xpath("string(//header[@id='cover'])")
    assert "Promoting innovative ideas" in cover
    assert "Deniz Karcı Korfalı" in cover
    imprint = doc.xpath("string(//section[@id='imprint'])")
    assert "1211 Geneva 19" in imprint


def test_nothing_is_loaded_from_the_network(doc, example):
    for tag, attribute in RESOURCE_ATTRIBUTES.items():
        for element in doc.iter(tag):
            value = element.get(attribute) or ""
            assert not re.match(r"^(https?:)?//", value), f"<{tag} {attribute}={value}>"
    assets = example.html.parent / "assets"
    for css in assets.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), css
        assert not re.search(r"@import\s+(url\()?['\"]?(https?:)?//", text), css
    for element in doc.xpath("//link[@rel='stylesheet']"):
        assert (example.html.parent / element.get("href")).is_file()


def test_fonts_are_served_from_the_output_folder(example):
    css = (example.html.parent / "assets" / "fonts.css").read_text(encoding="utf-8")
    urls = re.findall(r'url\("([^"]+)"\)', css)
    assert urls
    for url in urls:
        assert (example.html.parent / "assets" / url).is_file()
