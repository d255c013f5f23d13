"""Organisations registry, Acronyms page, key messages and the cover logo, read back from the
example's HTML and PDF, and the one-line errors for a bad registry."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.etree
import lxml.html
import pdfplumber
import pytest
import yaml

from tests.conftest import ROOT, run_reportkit
from tests.pdfread import Pdf
from tests.test_errors import assert_clean_failure, replace_in


def words(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def load(name: str):
    return yaml.safe_load((ROOT / "data" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def html(example):
    return lxml.html.parse(str(example.html)).getroot()


@pytest.fixture(scope="module")
def pdf(example) -> Pdf:
    return Pdf(example.pdf)


@pytest.fixture(scope="module")
def registry() -> dict[str, dict]:
    return {o["id"]: o for o in load("organisations.yml")["organisations"]}


@pytest.fixture(scope="module")
def people() -> list[dict]:
    return load("people.yml")["people"]


def heading(organisation: dict) -> str:
    """How the speakers annex heads an organisation: full name, acronym and country."""
    name = organisation["name"]
    if organisation.get("acronym"):
        name += f" ({organisation['acronym']})"
    return f"{name} · {organisation['country']}"


# --- the organisations registry ------------------------------------------------------------


def test_speakers_annex_lists_each_organisation_once_with_its_country(html, registry, people):
    annex = html.xpath("//section[@id='sec-annex-speakers']")[0]
    groups = annex.xpath(".//div[contains(@class,'organisation-group')]")
    headings = [words(g.xpath("./p[1]")[0].text_content()) for g in groups]
    used = {p["organisation"] for p in people if p.get("organisation")}
    assert sorted(headings) == sorted([heading(registry[o]) for o in used] + ["Independent"])
    assert len(set(headings)) == len(headings)
    members = {
        words(g.xpath("./p[1]")[0].text_content()): words(g.xpath("string(.//ul)")) for g in groups
    }
    # The organisations the source spells two ways are one group each.
    unodc = members[heading(registry["unodc"])]
    assert "Annalisa Pauciullo" in unodc and "Cecilia Manzotti" in unodc
    ministry = members[heading(registry["mfa-turkey"])]
    assert "Mehmet Samsar" in ministry and "Ece Acarsoy" in ministry
    assert "Arezo Malakooti" in members["Independent"]


def test_speakers_annex_in_the_pdf_names_each_organisation_and_country_once(pdf, registry, people):
    start = next(p.number for p in pdf.pages if "Annex 2: Speakers by organisation" in p.text)
    annex = words(" ".join(page.text for page in pdf.pages[start - 1 :]))
    for organisation_id in {p["organisation"] for p in people if p.get("organisation")}:
        expected = heading(registry[organisation_id])
        assert annex.count(expected) == 1, expected


def test_session_blocks_name_the_organisation_by_its_acronym(html, registry, people):
    lines = [
        words(li.text_content())
        for li in html.xpath("//div[contains(@class,'session-people')]//li")
    ]
    for person in people:
        if not person.get("organisation"):
            continue
        organisation = registry[person["organisation"]]
        short = organisation.get("acronym") or organisation["name"]
        mine = [
            line for line in lines if line.startswith(f"{person['honorific']} {person['name']},")
        ]
        assert mine and all(line.endswith(f", {short}") for line in mine), (person["id"], mine)


def test_an_unknown_organisation_id_is_one_line_with_did_you_mean(mini):
    replace_in(
        mini / "data" / "people.yml",
        "organisation: test-university",
        "organisation: test-universty",
    )
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"^error: data/people\.yml:6:5: unknown organisation 'test-universty' "
        r"\(did you mean 'test-university'\?\)$",
    )


def test_a_free_text_organisation_is_refused_with_the_id_to_use(mini):
    replace_in(
        mini / "data" / "people.yml",
        "organisation: test-university",
        "organisation: Test University",
    )
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"data/people\.yml:6:5: .*'Test University' is not an id of data/organisations\.yml "
        r"\(did you mean 'test-university'\?",
    )


def test_without_a_registry_the_error_says_how_to_start_one(mini):
    (mini / "data" / "organisations.yml").unlink()
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"data/people\.yml:6:5: organisation 'test-university' is not in "
        r"data/organisations\.yml \(there is no such file\) \(create data/organisations\.yml",
    )


def test_a_duplicate_organisation_id_points_at_its_second_entry(mini):
    registry = mini / "data" / "organisations.yml"
    registry.write_text(
        registry.read_text() + "  - id: test-university\n    name: Other\n    country: Chad\n"
    )
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"data/organisations\.yml:5:\d+: duplicate organisation id 'test-university'",
    )


def test_the_registry_path_is_a_reportkit_setting(mini):
    (mini / "data" / "organisations.yml").rename(mini / "data" / "bodies.yml")
    replace_in(
        mini / "_quarto.yml", "reportkit:\n", "reportkit:\n  organisations: data/bodies.yml\n"
    )
    proc = run_reportkit("render", mini, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    annex = (mini / "_generated" / "annexes.qmd").read_text()
    assert "**Test University** · Turkey" in annex


# --- the Acronyms page ---------------------------------------------------------------------


def reader_text(html) -> str:
    """The report's text as a reader meets it, without the Acronyms page itself (and without
    charts' drawn labels and scripts)."""
    main = lxml.html.fromstring(lxml.html.tostring(html.xpath("//main")[0]))
    for element in main.xpath(
        "//section[@id='sec-acronyms'] | //svg | //*[local-name()='svg'] | //script"
    ):
        element.getparent().remove(element)
    return words(main.text_content())


def test_acronyms_page_lists_exactly_the_acronyms_the_text_uses(html, registry):
    known = dict(load("glossary.yml")["acronyms"])
    known.update({o["acronym"]: o["name"] for o in registry.values() if o.get("acronym")})
    text = reader_text(html)
    used = {a for a in known if re.search(rf"(?<!\w){re.escape(a)}s?(?!\w)", text)}
    listed = [
        (words(dt.text_content()), words(dt.getnext().text_content()))
        for dt in html.xpath("//section[@id='sec-acronyms']//dt")
    ]
    assert len(listed) >= 10
    assert [a for a, _ in listed] == sorted(used, key=lambda a: (a.casefold(), a))
    assert all(known[a] == expansion for a, expansion in listed)
    # An entry the text never uses stays off the page.
    assert "GCM" in known and "GCM" not in used


def test_acronyms_and_key_messages_pages_follow_the_contents_in_the_pdf(pdf):
    contents = pdf.contents()
    titles = [title for title, _ in contents]
    assert titles[:3] == ["Acronyms", "Key messages", "1 Background"]
    pages = dict(contents)
    contents_page = next(p.number for p in pdf.pages if p.text.lstrip().startswith("Contents"))
    assert contents_page < pages["Acronyms"] < pages["Key messages"] < pages["1 Background"]
    acronyms = pdf.pages[pages["Acronyms"] - 1].text
    lines = [line.split(" ", 1) for line in acronyms.splitlines()]
    assert ["IOM", "International Organization for Migration"] in lines
    assert ["UNODC", "United Nations Office on Drugs and Crime"] in lines
    assert ["NGO", "non-governmental organization"] in lines
    assert "GCM" not in acronyms
    messages = words(pdf.pages[pages["Key messages"] - 1].text)
    for message in load("conference.yml")["key-messages"]:
        lead = re.match(r"\*\*(.+?)\*\*", message).group(1)
        assert lead in messages, lead
    assert "Key messages" not in words(pdf.pages[pages["Acronyms"] - 1].text)


def test_key_messages_come_from_conference_yml(html):
    blocks = html.xpath("//section[@id='sec-key-messages']//div[contains(@class,'key-message')]")
    # As pandoc sets them: no Markdown emphasis marks, typographic apostrophes.
    expected = [
        words(m.replace("**", "").replace("'", "\u2019"))
        for m in load("conference.yml")["key-messages"]
    ]
    assert 3 <= len(expected) <= 6
    assert [words(b.text_content()) for b in blocks] == expected


def test_glossary_entries_and_key_messages_appear_in_a_rendered_mini(mini):
    replace_in(
        mini / "content" / "intro.qmd",
        "See @sec-s1 for the session.",
        "See @sec-s1 for the session. The EU and the UN took part.",
    )
    (mini / "data" / "glossary.yml").write_text(
        "acronyms:\n  UN: United Nations\n  EU: European Union\n  GCM: Global Compact for Migration\n"
    )
    replace_in(
        mini / "data" / "conference.yml",
        "\nyear: 2026\n",
        "\nyear: 2026\nkey-messages:\n  - First *key* message.\n",
    )
    replace_in(
        mini / "report.qmd",
        "{{< reportkit front-matter >}}\n",
        "{{< reportkit front-matter >}}\n\n{{< reportkit acronyms >}}\n\n"
        "{{< reportkit key-messages >}}\n",
    )
    proc = run_reportkit("render", mini, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    doc = lxml.html.parse(str(mini / "_output" / "report.html")).getroot()
    terms = [words(dt.text_content()) for dt in doc.xpath("//section[@id='sec-acronyms']//dt")]
    assert terms == ["EU", "UN"]
    message = doc.xpath("//section[@id='sec-key-messages']//div[@class='key-message']")
    assert [words(m.text_content()) for m in message] == ["First key message."]


def test_an_acronym_in_the_glossary_that_is_an_organisations_is_refused(mini):
    replace_in(
        mini / "data" / "organisations.yml",
        "    country: Turkey\n",
        "    acronym: TU\n    country: Turkey\n",
    )
    (mini / "data" / "glossary.yml").write_text("acronyms:\n  TU: Technical University\n")
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"data/glossary\.yml:2:3: acronym 'TU' is already that of the organisation "
        r"'Test University' in data/organisations\.yml \(define it once",
    )


def test_key_messages_written_but_not_placed_is_a_warning(mini):
    replace_in(
        mini / "data" / "conference.yml",
        "\nyear: 2026\n",
        "\nyear: 2026\nkey-messages: [Read me.]\n",
    )
    proc = run_reportkit("check", "--final", mini)
    assert proc.returncode == 1
    assert re.search(
        r"^data/conference\.yml:\d+:1: warning: the key messages are never placed",
        proc.stdout,
        re.M,
    )


# --- the brand logo on the cover -----------------------------------------------------------

BRAND_DIR = ROOT / "brands" / "harbour"


def brand_logo() -> Path:
    brand = yaml.safe_load((BRAND_DIR / "_brand.yml").read_text())
    return BRAND_DIR / brand["logo"]["images"][brand["logo"]["small"]]


def cover_logo_shapes(pdf_path: Path) -> list[dict]:
    """Shapes on page one with the SVG logo's proportions and fill colour, above the organiser
    line: WeasyPrint draws an SVG logo as vector shapes, not as an image."""
    svg = lxml.etree.parse(str(brand_logo())).getroot()
    _, _, width, height = (float(v) for v in svg.get("viewBox").split())
    fill = svg[0].get("fill").lstrip("#")
    rgb = tuple(round(int(fill[i : i + 2], 16) / 255, 2) for i in (0, 2, 4))
    with pdfplumber.open(pdf_path) as document:
        page = document.pages[0]
        organiser = next(w for w in page.extract_words() if w["text"] == "INTERNATIONAL")
        return [
            s
            for s in page.curves + page.rects
            if s["height"] > 5
            and abs(s["width"] / s["height"] - width / height) < 0.05
            and tuple(round(c, 2) for c in s.get("non_stroking_color") or ()) == rgb
            and s["bottom"] < organiser["top"]
        ]


def test_the_cover_carries_the_brand_logo_in_html_and_pdf(example, html):
    src = html.xpath("//header[@id='cover']/img[contains(@class,'cover-logo')]/@src")
    assert len(src) == 1
    assert (example.html.parent / src[0]).read_bytes() == brand_logo().read_bytes()
    assert cover_logo_shapes(example.pdf), "no shape with the logo's proportions and colour"
