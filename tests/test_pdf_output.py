"""The printed report, read back from the PDF as a reader would see it."""

from __future__ import annotations

import re

import lxml.html
import pypdf
import pytest

from tests.pdfread import Pdf


@pytest.fixture(scope="module")
def pdf(example) -> Pdf:
    return Pdf(example.pdf)


@pytest.fixture(scope="module")
def html(example):
    return lxml.html.parse(str(example.html)).getroot()


def normalise(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def test_contents_lists_every_chapter_with_the_page_it_starts_on(pdf, html):
    entries = pdf.contents()
    chapters = [normalise(h.text_content()) for h in html.xpath("//main//h1")]
    titles = [title for title, _ in entries]
    assert len(chapters) >= 5
    for chapter in chapters:
        assert chapter in titles, f"{chapter!r} missing from the contents page"
    for title, page_number in entries:
        page = pdf.pages[page_number - 1]
        assert title in normalise(page.heading_text()), (
            f"contents says {title!r} starts on page {page_number}, "
            f"but that page's headings are {page.heading_text()!r}"
        )


def test_each_chapter_starts_at_the_top_of_a_new_page(pdf, html):
    for title, page_number in pdf.contents():
        if title[0].isdigit() and "." not in title.split()[0] or title.startswith("Annex"):
            page = pdf.pages[page_number - 1]
            headings = normalise(page.heading_text())
            assert headings.startswith(title), f"{title!r} is not the first heading on its page"


def test_every_footnote_is_printed_on_the_page_of_its_reference_mark(pdf, html):
    expected = len(html.xpath("//section[contains(@class,'footnotes')]//li"))
    assert expected >= 8
    call_pages, note_pages = {}, {}
    for page in pdf.pages:
        for number in page.footnote_calls():
            call_pages[number] = page.number
        for number in page.footnote_numbers():
            note_pages[number] = page.number
    assert sorted(call_pages) == list(range(1, expected + 1))
    assert call_pages == note_pages


def test_footnote_text_matches_the_html_note(pdf, html):
    notes = html.xpath("//section[contains(@class,'footnotes')]//li")
    first_note_words = " ".join(normalise(notes[0].text_content()).split()[:4])
    page_text = normalise(" ".join(p.text for p in pdf.pages))
    assert f"1. {first_note_words}" in page_text


def test_every_font_is_embedded(example):
    reader = pypdf.PdfReader(example.pdf)
    fonts = {}
    for page in reader.pages:
        for ref in (page["/Resources"].get("/Font") or {}).values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            fonts[str(font["/BaseFont"])] = embedded
    assert fonts, "no fonts found"
    assert all(fonts.values()), f"fonts not embedded: {[f for f, e in fonts.items() if not e]}"
    # Only the brand's families: a system fallback font would mean a missing glyph.
    strays = [f for f in fonts if not f.split("+")[-1].startswith(("IBM-Plex-Serif", "Fira-Sans"))]
    assert strays == [], f"fonts outside the brand (fallback for a missing glyph?): {strays}"


def test_metadata_has_title_author_and_language(example):
    reader = pypdf.PdfReader(example.pdf)
    meta = reader.metadata
    assert meta.title.startswith("Promoting innovative ideas")
    assert "Jørgen Carling" in meta.author and "Ahmet İçduygu" in meta.author
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_pages_are_a4(example):
    for page in pypdf.PdfReader(example.pdf).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)


def test_cover_has_title_and_authors_but_no_running_header_or_page_number(pdf):
    cover = pdf.pages[0]
    text = normalise(cover.text)
    assert "Promoting innovative ideas" in text
    for name in ("Jørgen Carling", "Ahmet İçduygu", "Deniz Karcı Korfalı"):
        assert name in text
    assert "International Organization for Migration" in text and "2018" in text
    # The top holds only the draft mark (the example is rendered as a draft).
    top = cover.band(0, 0.07)
    assert re.fullmatch(r"Draft — \d{1,2} \w+ \d{4}", top), top
    assert cover.band(0.95, 1) == ""


def test_imprint_page_follows_the_cover(pdf):
    imprint = normalise(pdf.pages[1].text)
    assert "17 route des Morillons" in imprint
    assert "© 2018 International Organization for Migration (IOM)" in imprint
    # The suggested citation is made from conference.yml; the edition note dates the data.
    assert (
        "Suggested citation: Jørgen Carling, Ahmet İçduygu and Deniz Karcı Korfalı (2018). "
        "Promoting innovative ideas" in imprint
    )
    assert "adds statistics published up to 2024, after the print edition" in imprint


def test_body_pages_carry_running_header_and_their_page_number(pdf):
    contents = dict(pdf.contents())
    first_body_page = min(contents.values())
    for page in pdf.pages[first_body_page - 1 :]:
        header = normalise(page.band(0, 0.075))
        footer = normalise(page.band(0.93, 1))
        assert header.startswith("Istanbul Regional Conference on Counter Migrant Smuggling 2017")
        assert footer.endswith(str(page.number)), f"page {page.number} footer: {footer!r}"


def test_running_header_names_the_current_chapter(pdf):
    for title, page_number in pdf.contents():
        if title.startswith("2 "):
            header = normalise(pdf.pages[page_number - 1].band(0, 0.075))
            assert header.endswith(title)


def test_bookmarks_follow_the_chapters(example, html):
    reader = pypdf.PdfReader(example.pdf)
    top_level = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    chapters = [normalise(h.text_content()) for h in html.xpath("//main//h1")]
    assert [normalise(t) for t in top_level] == chapters


def test_no_heading_is_stranded_at_the_bottom_of_a_page(pdf):
    for page in pdf.pages[3:]:
        headings = [w for w in page.words if w["size"] >= 11.4]
        body = [w for w in page.words if abs(w["size"] - 10.5) < 0.1 or abs(w["size"] - 9) < 0.1]
        if headings and body:
            last_heading = max(w["bottom"] for w in headings)
            assert any(w["top"] > last_heading for w in body), (
                f"page {page.number}: a heading has no text after it"
            )


def test_no_session_block_is_stranded_at_the_bottom_of_a_page(pdf):
    """A session's heading and speakers box are followed on their page by its first lines."""
    roles = {"MODERATOR", "SPEAKER", "SPEAKERS", "PANELLISTS"}
    pages_with_blocks = 0
    for page in pdf.pages[3:]:
        labels = [w for w in page.words if w["text"] in roles]
        if not labels:
            continue
        pages_with_blocks += 1
        last_label = max(w["bottom"] for w in labels)
        body = [w for w in page.words if abs(w["size"] - 10.5) < 0.1 and w["top"] > last_label]
        assert body, f"page {page.number}: a session block has none of its text after it"
    assert pages_with_blocks >= 8


def test_lettered_lists_print_lower_case_letters_in_parentheses(pdf):
    text = normalise(" ".join(page.text for page in pdf.pages))
    assert "(a) to generate innovative ideas" in text
    assert "(b) to examine how new models of cooperation" in text
    assert "(A) to generate" not in text


def body_lines(page) -> list[tuple[str, float]]:
    """(text, width) of each line of body text on a page, top to bottom."""
    lines: dict[int, list[dict]] = {}
    for word in page.words:
        if abs(word["size"] - 10.5) < 0.1:
            lines.setdefault(round(word["top"]), []).append(word)
    result = []
    for top in sorted(lines):
        words = sorted(lines[top], key=lambda w: w["x0"])
        result.append((" ".join(w["text"] for w in words), words[-1]["x1"] - words[0]["x0"]))
    return result


def test_body_text_has_a_readable_measure(pdf):
    """About 65–80 characters a line, the measure of a well-set book page."""
    lines = [line for page in pdf.pages[3:] for line in body_lines(page)]
    widest = max(width for _, width in lines)
    full = sorted(len(text) for text, width in lines if width > 0.95 * widest)
    median = full[len(full) // 2]
    assert len(full) > 500 and 65 <= median <= 80, median


def test_no_more_than_two_hyphenated_lines_in_a_row(pdf):
    for page in pdf.pages[3:]:
        run = 0
        for text, _ in body_lines(page):
            run = run + 1 if re.search(r"\w-$", text) else 0
            assert run <= 2, f"page {page.number}: three hyphenated lines in a row ({text!r})"
