"""The conference as data: every session and panel person of the source, rendered once each."""

from __future__ import annotations

import re

import lxml.html
import pytest
import yaml

from tests.conftest import ROOT
from tests.pdfread import Pdf
from tests.source_report import cases_from_source, panel_people, require_source, session_titles


def normalise(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def doc(example):
    return lxml.html.parse(str(example.html)).getroot()


@pytest.fixture(scope="module")
def pdf_text(example) -> str:
    return normalise(" ".join(page.text for page in Pdf(example.pdf).pages))


@pytest.fixture(scope="module")
def people():
    return yaml.safe_load((ROOT / "data" / "people.yml").read_text(encoding="utf-8"))["people"]


def session_section(doc, title: str):
    for h2 in doc.xpath("//section[contains(@class,'session')]/h2"):
        text = normalise(h2.text_content())
        if re.sub(r"^[\d.]+\s+", "", text) == title:
            return h2.getparent()
    raise AssertionError(f"no session section titled {title!r}")


def test_the_source_has_the_expected_sessions():
    require_source()
    titles = session_titles()
    assert len(titles) == 9 and titles[0] == "Opening remarks" and titles[-1] == "Closing remarks"


@pytest.mark.parametrize("title", cases_from_source(session_titles()))
def test_every_source_session_has_a_section_with_its_generated_header(doc, title):
    require_source()
    section = session_section(doc, title)
    header = section.xpath("./div[contains(@class,'session-people')]")
    assert header, f"{title}: no generated header"
    labels = {normalise(x) for x in header[0].xpath(".//span[@class='session-role-label']//text()")}
    assert labels & {"Moderator", "Speaker", "Speakers", "Panellists"}
    body = section.xpath("./p")
    assert body and len(normalise(body[0].text_content())) > 80, f"{title}: no summary text"


@pytest.mark.parametrize("panel", cases_from_source(sorted(panel_people())))
def test_every_panel_person_is_in_people_yml_and_in_the_panel_header(doc, pdf_text, people, panel):
    require_source()
    names = panel_people()[panel]
    assert len(names) >= 4, names
    known = {p["name"] for p in people}
    header = normalise(
        session_section(doc, panel)
        .xpath("./div[contains(@class,'session-people')]")[0]
        .text_content()
    )
    for name in names:
        assert name in known, f"{name} missing from people.yml"
        assert name in header, f"{name} missing from the HTML header of {panel}"
    # In the PDF the header sits between the panel heading and its first paragraph.
    # The role labels are set in capitals by the stylesheet.
    starts = [m.end() for m in re.finditer(re.escape(panel) + " MODERATOR", pdf_text)]
    assert len(starts) == 1, f"{panel}: heading followed by its header not found once in the PDF"
    block = pdf_text[starts[0] : starts[0] + 1500]
    assert "PANELLISTS" in block
    for name in names:
        assert name in block, f"{name} missing from the PDF header of {panel}"


def test_programme_annex_lists_every_session(doc):
    require_source()
    annex = doc.xpath("//section[@id='sec-annex-programme']")[0]
    rows = annex.xpath(".//tbody/tr")
    assert [normalise(r.xpath("string(td[1])")) for r in rows] == session_titles()


def test_speakers_annex_lists_every_person_once(doc, people):
    annex = normalise(doc.xpath("//section[@id='sec-annex-speakers']")[0].text_content())
    for person in people:
        assert annex.count(person["name"]) == 1, person["name"]


def test_annexes_are_in_the_pdf_contents(example):
    titles = [t for t, _ in Pdf(example.pdf).contents()]
    assert "Annex 1: Conference programme" in titles
    assert "Annex 2: Speakers by organisation" in titles


def test_turkish_names_keep_their_letters_in_the_pdf(pdf_text):
    for name in (
        "Ahmet İçduygu",
        "Mustafa Çana",
        "Ayselin Yıldız",
        "Deniz Karcı Korfalı",
        "Burçe Dündar Arı",
        "Tamer Kılıç",
    ):
        assert name in pdf_text, name


def test_cover_imprint_and_metadata_come_from_conference_yml(doc):
    conference = yaml.safe_load((ROOT / "data" / "conference.yml").read_text(encoding="utf-8"))
    assert doc.findtext(".//title") == conference["title"]
    cover = normalise(doc.xpath("string(//header[@id='cover'])"))
    assert conference["title"] in cover and conference["subtitle"] in cover
    for author in conference["authors"]:
        assert f"{author['name']}, {author['affiliation']}" in cover
    imprint = normalise(doc.xpath("string(//section[@id='imprint'])"))
    assert conference["copyright"] in imprint
    assert conference["cover"]["credit"] in imprint


def test_no_title_or_author_is_typed_in_the_content():
    conference = yaml.safe_load((ROOT / "data" / "conference.yml").read_text(encoding="utf-8"))
    for path in [ROOT / "report.qmd", *sorted((ROOT / "content").rglob("*.qmd"))]:
        text = path.read_text(encoding="utf-8")
        assert conference["title"].lower() not in text.lower(), path
        assert conference["subtitle"].lower() not in text.lower(), path
