"""One report, two engines: real Quarto renders the project as the embedded engine does.

The example project is copied as a fresh clone would have it (no _generated/, no _output/,
a git repository with its .gitignore) and rendered by `quarto render` alone; the outputs are
read back and compared with the embedded engine's rendering of the same project.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import lxml.html
import pytest
import yaml

from tests.conftest import PROJECT_ENTRIES, ROOT, copy_project, run_reportkit
from tests.pdfread import Pdf
from tests.quarto import quarto_env, require_quarto, run_quarto
from tests.test_front_matter_data import brand_logo, cover_logo_shapes

NBSP = "\u00a0"


def words(element) -> str:
    return " ".join(element.text_content().replace(NBSP, " ").split())


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def fresh_clone(dest: Path) -> Path:
    """The repository's project as `git clone` gives it: tracked files only, committed."""
    copy_project(ROOT, dest, [*PROJECT_ENTRIES, ".gitignore"])
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "clone")
    return dest


@pytest.fixture(scope="module")
def quarto() -> str:
    return require_quarto()


@pytest.fixture(scope="module")
def quarto_example(quarto, tmp_path_factory) -> Path:
    root = fresh_clone(tmp_path_factory.mktemp("quarto") / "clone")
    proc = run_quarto(quarto, root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root


@pytest.fixture(scope="module")
def quarto_html(quarto_example):
    return lxml.html.parse(str(quarto_example / "_output" / "report.html")).getroot()


@pytest.fixture(scope="module")
def embedded_html(example):
    return lxml.html.parse(str(example.html)).getroot()


# --- what a reader of the HTML sees, engine-independent ---------------------------------------


def headings(doc) -> list[tuple[str, str | None, str]]:
    """(level, id, text) of every heading of the report's body, numbers included."""
    found = []
    for h in doc.xpath("//main//*[self::h1 or self::h2 or self::h3]"):
        if h.xpath("ancestor::*[contains(@class,'callout')] | ancestor::header"):
            continue
        if h.getparent().get("id") == "footnotes" or h.get("id") == "footnotes":
            continue  # Quarto titles its notes section; both engines print notes alike
        found.append((h.tag, h.get("id") or h.getparent().get("id"), words(h)))
    return found


def cross_references(doc) -> list[tuple[str, str]]:
    return [
        (a.get("href"), words(a))
        for a in doc.xpath(
            "//main//a[starts-with(@href,'#fig-') or starts-with(@href,'#tbl-')"
            " or starts-with(@href,'#sec-')]"
        )
    ]


def captions(doc) -> list[str]:
    return [words(c) for c in doc.xpath("//main//figcaption | //main//caption")]


def test_quarto_renders_a_fresh_clone_with_no_manual_step(quarto_example):
    output = quarto_example / "_output"
    assert (output / "report.html").is_file() and (output / "report.pdf").is_file()


def test_quarto_leaves_tracked_files_untouched(quarto_example):
    assert git(quarto_example, "status", "--porcelain") == ""


def test_both_engines_give_the_same_headings_and_numbers(quarto_html, embedded_html):
    embedded = headings(embedded_html)
    assert len(embedded) >= 18
    assert headings(quarto_html) == embedded


def test_both_engines_give_the_same_cross_reference_texts(quarto_html, embedded_html):
    embedded = cross_references(embedded_html)
    assert len(embedded) >= 40
    assert cross_references(quarto_html) == embedded


def test_both_engines_give_the_same_figure_and_table_captions(quarto_html, embedded_html):
    embedded = captions(embedded_html)
    assert any(c.startswith("Figure 6:") for c in embedded)
    assert captions(quarto_html) == embedded


def test_both_engines_give_the_same_footnotes(quarto_html, embedded_html):
    def notes(doc):
        return [words(li) for li in doc.xpath("//section[contains(@class,'footnotes')]//li")]

    assert len(notes(embedded_html)) >= 8
    assert notes(quarto_html) == notes(embedded_html)


def test_both_engines_quote_the_same_facts(quarto_example, quarto_html, embedded_html):
    facts = yaml.safe_load((quarto_example / "_variables.yml").read_text())["facts"]
    assert len(facts) >= 10
    for name, value in facts.items():
        count = words(embedded_html.xpath("//main")[0]).count(value)
        assert count >= 1, name
        assert words(quarto_html.xpath("//main")[0]).count(value) == count, name


def test_both_engines_give_the_same_generated_parts(quarto_html, embedded_html):
    for xpath in (
        "//main//div[contains(@class,'session-people')]",
        "//main//*[@id='sec-annex-programme']//tr",
        "//main//*[@id='sec-annex-speakers']//li",
        "//main//*[@id='sec-annex-speakers']//div[contains(@class,'organisation-group')]/p",
        "//main//*[@id='sec-acronyms']//dt | //main//*[@id='sec-acronyms']//dd",
        "//main//*[@id='sec-key-messages']//div[contains(@class,'key-message')]",
    ):
        embedded = [words(e) for e in embedded_html.xpath(xpath)]
        assert embedded, xpath
        assert [words(e) for e in quarto_html.xpath(xpath)] == embedded, xpath


def test_quarto_page_and_pdf_carry_the_brand_logo_on_the_cover(quarto_example, quarto_html):
    src = quarto_html.xpath("//div[contains(@class,'cover')]/img[@class='cover-logo']/@src")
    assert len(src) == 1
    assert (quarto_example / "_output" / src[0]).read_bytes() == brand_logo().read_bytes()
    assert cover_logo_shapes(quarto_example / "_output" / "report.pdf")


def test_quarto_page_is_offline_with_brand_fonts_and_chart_tooltips(quarto_example):
    output = quarto_example / "_output"
    html = (output / "report.html").read_text()
    doc = lxml.html.fromstring(html)
    for url in doc.xpath("//link/@href | //script/@src | //img/@src"):
        assert not re.match(r"(https?:)?//", url), url
        assert (output / url.split("#")[0]).is_file(), url
    assert "assets/fonts.css" in doc.xpath("//link/@href")
    assert "IBM Plex Serif" in (output / "assets" / "fonts.css").read_text()
    assert "assets/charts.js" in doc.xpath("//script/@src")
    downloads = doc.xpath("//a[@download]/@href")
    assert len(downloads) == 6 and all((output / d).is_file() for d in downloads)
    assert not re.search(r"-caption-[0-9a-f]{8}-", html), "Quarto's random ids were left in"


# --- the PDF printed from Quarto's HTML --------------------------------------------------------


@pytest.fixture(scope="module")
def quarto_pdf(quarto_example) -> Pdf:
    return Pdf(quarto_example / "_output" / "report.pdf")


@pytest.fixture(scope="module")
def embedded_pdf(example) -> Pdf:
    return Pdf(example.pdf)


def test_quarto_pdf_has_about_the_embedded_page_count(quarto_pdf, embedded_pdf):
    assert abs(len(quarto_pdf.pages) - len(embedded_pdf.pages)) <= 0.05 * len(embedded_pdf.pages)


def test_quarto_pdf_opens_on_the_cover_with_the_title_once(quarto_pdf, example):
    title = "Promoting innovative ideas"
    cover = quarto_pdf.pages[0].text
    assert title in cover and "Carling" in cover
    assert all(title not in page.text for page in quarto_pdf.pages[1:3])
    assert not any("Published" in page.text for page in quarto_pdf.pages[:3])
    assert all(page.text.strip() for page in quarto_pdf.pages), "a blank page"


def test_quarto_pdf_has_the_same_contents_page(quarto_pdf, embedded_pdf):
    contents = quarto_pdf.contents()
    assert len(contents) >= 10
    assert contents == embedded_pdf.contents()
    for title, page_number in contents:
        assert title in " ".join(quarto_pdf.pages[page_number - 1].heading_text().split())


def test_quarto_pdf_has_the_brand_look(quarto_pdf, embedded_pdf, quarto_example):
    def heading_style(pdf, text):
        for page in pdf.pages:
            for char_run in page.words:
                if char_run["text"] == text and char_run["size"] > 14:
                    return char_run["fontname"].split("+")[-1], round(char_run["size"], 1)
        return None

    assert heading_style(quarto_pdf, "Background") == heading_style(embedded_pdf, "Background")
    assert heading_style(embedded_pdf, "Background") is not None
    fonts = {w["fontname"].split("+")[-1].split("-")[0] for p in quarto_pdf.pages for w in p.words}
    assert fonts <= {"IBM", "Fira"}, fonts
    lettered = [p.number for p in quarto_pdf.pages if re.search(r"\(a\)", p.text)]
    assert lettered == [p.number for p in embedded_pdf.pages if re.search(r"\(a\)", p.text)]
    assert lettered
    running = quarto_pdf.pages[5].text
    assert "IOM · Istanbul 2017" in running


def test_quarto_render_is_byte_for_byte_reproducible(quarto, quarto_example):
    output = quarto_example / "_output"
    names = ("report.html", "report.pdf")
    before = {name: (output / name).read_bytes() for name in names}
    proc = run_quarto(quarto, quarto_example)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in names:
        assert (output / name).read_bytes() == before[name], name


# --- Word and new projects -------------------------------------------------------------------


def test_quarto_word_output_is_reportkits_draft_and_prints_no_pdf(quarto, quarto_example):
    import zipfile

    output = quarto_example / "_output"
    pdf_before = (output / "report.pdf").stat().st_mtime_ns
    proc = run_quarto(quarto, quarto_example, "--to", "docx")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (output / "report.pdf").stat().st_mtime_ns == pdf_before
    with zipfile.ZipFile(output / "report.docx") as docx:
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        styles = docx.read("word/styles.xml").decode()
    assert sum(n.endswith(".png") for n in media) >= 6
    assert not any(n.endswith(".svg") for n in media)
    assert "IBM Plex Serif" in styles  # the brand's reference document
    assert git(quarto_example, "status", "--porcelain") == ""


@pytest.mark.parametrize("edition", ["new", "next"])
def test_quarto_renders_a_new_project(quarto, tmp_path, edition):
    target = tmp_path / "project"
    args = ["new", target] + (["--from", ROOT] if edition == "next" else [])
    proc = run_reportkit(*args)
    assert proc.returncode == 0, proc.stderr
    if edition == "new":
        proc = run_quarto(quarto, target)
    else:  # the same, through reportkit's own front door
        proc = run_reportkit("render", target, "--engine", "quarto", env=quarto_env(quarto))
    assert proc.returncode == 0, proc.stderr[-3000:]
    pdf = Pdf(target / "_output" / "report.pdf")
    assert len(pdf.contents()) >= 3
    from reportkit.scaffold import PROJECT_GITIGNORE

    assert (target / ".gitignore").read_text() == PROJECT_GITIGNORE  # Quarto added nothing


def test_the_projects_quarto_extension_is_the_one_reportkit_ships():
    from reportkit.scaffold import quarto_extension_dir

    shipped = quarto_extension_dir()
    copy = ROOT / "_extensions" / "reportkit"
    names = sorted(p.name for p in shipped.iterdir())
    assert names == sorted(p.name for p in copy.iterdir())
    for name in names:
        assert (copy / name).read_bytes() == (shipped / name).read_bytes(), name
