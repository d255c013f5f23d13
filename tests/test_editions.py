"""Editions in other languages (reportkit.editions): the Turkish edition of the example report
and the Arabic edition of tests/fixtures/arabic, rendered and read back."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import lxml.html
import pdfplumber
import pypdf
import pytest

from reportkit.charts.export import d3_format_locale, d3_time_locale
from reportkit.i18n import labels_for
from tests.conftest import FIXTURES, PROJECT_ENTRIES, ROOT, copy_project, run_reportkit

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def turkish(tmp_path_factory) -> Path:
    root = copy_project(ROOT, tmp_path_factory.mktemp("turkish"), PROJECT_ENTRIES)
    proc = run_reportkit("render", "--edition", "all", root)
    assert proc.returncode == 0, proc.stderr
    return root


@pytest.fixture(scope="module")
def arabic(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("arabic") / "project"
    shutil.copytree(FIXTURES / "arabic", root)
    proc = run_reportkit("render", "--edition", "all", root)
    assert proc.returncode == 0, proc.stderr
    return root


def page(path: Path):
    return lxml.html.parse(str(path)).getroot()


def pdf_fonts(path: Path) -> set[str]:
    fonts = set()
    for pdf_page in pypdf.PdfReader(path).pages:
        for font in (pdf_page.get("/Resources", {}).get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return fonts


def test_turkish_html_is_turkish_and_links_the_english(turkish):
    html = page(turkish / "_output/tr/report.html")
    assert html.get("lang") == "tr" and html.get("dir") == "ltr"
    alternates = html.xpath("//link[@rel='alternate']")
    assert [(a.get("hreflang"), a.get("href")) for a in alternates] == [("en", "../report.html")]
    english = page(turkish / "_output/report.html")
    assert [
        (a.get("hreflang"), a.get("href")) for a in english.xpath("//link[@rel='alternate']")
    ] == [("tr", "tr/report.html")]
    text = html.text_content()
    assert html.xpath("string(//nav[@id='TOC']/h2)") == "İçindekiler"
    assert "Arka plan" in html.xpath("string(//section[@id='sec-background']/h1)")
    assert "Ek 1: Konferans programı" in text and "Ek 2: Kurumlarına göre konuşmacılar" in text
    assert "Temel mesajlar" in text and "Kısaltmalar" in text
    assert "Panel I: Hukuki çerçeveler ve kapasite geliştirme" in text
    assert "Moderatör" in text and "Panelistler" in text
    # Numbers from the data in the edition's locale; cross-reference words translated.
    assert "174.466" in text and "174,466" not in text
    assert f"Şekil{NBSP}3" in text and f"Figure{NBSP}" not in text
    assert "Göçmen kaçakçılığıyla mücadelede yenilikçi fikirler" in html.xpath(
        "string(//div[contains(@class,'cover-title')])"
    )


def test_turkish_charts_use_the_turkish_locale(turkish):
    html = page(turkish / "_output/tr/report.html")
    svg_text = [
        t.text_content() for t in html.xpath("//div[@class='vega-chart']//*[local-name()='text']")
    ]
    assert "800.000" in svg_text and "800,000" not in svg_text
    assert "Yunanistan" in svg_text and "Varış ülkesi" in svg_text
    months = " ".join(svg_text)
    assert re.search(r"\b(Oca|Tem|Eki|Nis) 201[5-7]\b", months), months
    assert "AB–Türkiye mutabakatı, 18 Mart 2016" in svg_text


def test_untranslated_passages_are_marked_in_english(turkish):
    html = page(turkish / "_output/tr/report.html")
    marked = html.xpath("//div[contains(@class,'untranslated')]")
    assert marked and all(d.get("lang") == "en-GB" for d in marked)
    assert marked[0].get("data-label") == labels_for("tr")("untranslated")
    # The translated Background and Panel I carry no mark.
    background = html.xpath("//section[@id='sec-background']")[0]
    assert not background.xpath(".//div[contains(@class,'untranslated')]")
    panel = html.xpath("//section[@id='sec-panel-1']")[0]
    assert not panel.xpath(".//div[contains(@class,'untranslated')]")
    assert "Moderatör" in panel.text_content()


def test_turkish_pdf_is_turkish_with_the_brand_fonts_only(turkish):
    pdf = turkish / "_output/tr/report.pdf"
    reader = pypdf.PdfReader(pdf)
    assert reader.trailer["/Root"]["/Lang"] == "tr"
    assert "Göçmen kaçakçılığıyla" in reader.metadata.title
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Şekil" in text and "İçindekiler" in text and "174.466" in text
    assert re.search(
        r"Taslak — \d{1,2} (Ocak|Şubat|Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos"
        r"|Eylül|Ekim|Kasım|Aralık) \d{4}",
        text,
    )
    fonts = pdf_fonts(pdf)
    assert fonts and all(f.startswith(("IBM-Plex-Serif", "Fira-Sans")) for f in fonts), fonts


def test_arabic_html_is_right_to_left(arabic):
    html = page(arabic / "_output/ar/report.html")
    assert html.get("lang") == "ar" and html.get("dir") == "rtl"
    assert html.xpath("//link[@href='assets/edition.css']")
    css = (arabic / "_output/ar/assets/edition.css").read_text(encoding="utf-8")
    assert '"Amiri"' in css and "@bottom-left { content: counter(page)" in css
    assert "Amiri" in (arabic / "_output/ar/assets/fonts.css").read_text(encoding="utf-8")
    assert "الشكل" in html.text_content() and "المحتويات" in html.text_content()
    title = "string(//aside[contains(@class,'callout-note')]//div[@class='callout-title'])"
    assert html.xpath(title).strip() == "ملاحظة"
    # Latin names stay left to right inside the Arabic.
    assert html.xpath("//span[@dir='ltr'][.='Ayşe Yıldız']")
    # Chart text in Arabic: joined letter forms, drawn as written (charts/shaping.py).
    texts = html.xpath(
        "//div[@class='vega-chart']//*[local-name()='text'][@unicode-bidi='bidi-override']"
    )
    assert texts and all(re.search("[\ufe70-\ufeff]", t.text_content()) for t in texts)


def words_at(pdf_page, top: float, bottom: float) -> list[dict]:
    return [w for w in pdf_page.extract_words() if top <= w["top"] <= bottom]


def test_arabic_pdf_mirrors_running_heads_and_page_numbers(arabic):
    def layout(pdf: Path, page_number: int):
        with pdfplumber.open(pdf) as document:
            body = document.pages[page_number]
            middle = body.width / 2
            head = words_at(body, 0, 80)
            foot = words_at(body, body.height - 60, body.height)
            # The page number is the one at the page's edge: the draft mark's date in the
            # middle ("Draft — 4 December") may hold the same digits.
            number = max(
                (w for w in foot if w["text"] == str(page_number + 1)),
                key=lambda w: abs((w["x0"] + w["x1"]) / 2 - middle),
            )
            footer = next(w for w in foot if w["text"] == "Ankara")
            chapter = next(w for w in head if w["text"] == "1")  # "1 Introduction"
            return number["x0"] < middle, footer["x0"] < middle, chapter["x0"] < middle

    # English: chapter head right, footer left, page number right; Arabic: mirrored.
    assert layout(arabic / "_output/report.pdf", 3) == (False, True, False)
    assert layout(arabic / "_output/ar/report.pdf", 3) == (True, False, True)


def test_arabic_pdf_text_reads_in_order_with_the_arabic_font(arabic):
    pdf = arabic / "_output/ar/report.pdf"
    reader = pypdf.PdfReader(pdf)
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "تقرير قصير له نسخة عربية" in text  # logical order
    assert "الملحق 1: برنامج المؤتمر" in text.replace("\n", " ") or "برنامج المؤتمر" in text
    assert "173,450" in text  # Latin digits, left to right
    fonts = pdf_fonts(pdf)
    assert any(f.startswith("Amiri") for f in fonts)
    assert all(f.startswith(("IBM-Plex-Serif", "Fira-Sans", "Amiri")) for f in fonts), fonts


def test_arabic_table_columns_run_right_to_left(arabic):
    with pdfplumber.open(arabic / "_output/ar/report.pdf") as document:
        words = document.pages[3].extract_words()
    first = next(w for w in words if w["text"] == "2015")
    header = sorted((w for w in words if abs(w["top"] - first["top"]) < 8), key=lambda w: w["x0"])
    # Read right to left: the country column, then 2015, then 2016.
    assert [w["text"] for w in header][:2] == ["2016", "2015"]
    assert not header[-1]["text"].isdigit() and len(header) == 3


def test_translation_status_follows_the_english(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "arabic", root)
    assert run_reportkit("check", root).returncode == 0
    intro = root / "content/intro.qmd"
    intro.write_text(
        intro.read_text(encoding="utf-8").replace("A short report", "A brief report"),
        encoding="utf-8",
    )
    charts = root / "data/charts.yml"
    charts.write_text(
        charts.read_text(encoding="utf-8").replace("title: Persons", "title: People", 1),
        encoding="utf-8",
    )
    (root / "content/ar/sessions.qmd").unlink()
    proc = run_reportkit("check", root)
    lines = proc.stdout.splitlines()
    assert (
        "content/ar/intro.qmd:1: warning: ar edition: the translation of content/intro.qmd is "
        "older than its source (bring content/ar/intro.qmd up to date with content/intro.qmd, "
        "then run 'reportkit translated ar content/intro.qmd')"
    ) in lines
    assert any(
        "ar edition: the translation of data/charts.yml: charts[mini-arrivals].y.title is older"
        in line
        and line.startswith("translations/ar.yml:")
        for line in lines
    ), lines
    assert any("ar edition: content/sessions.qmd is not translated yet" in line for line in lines)
    # --final refuses the edition; the source edition is still ready.
    final = run_reportkit("render", "--final", "--edition", "ar", root)
    assert final.returncode == 1 and "not ready to publish" in final.stderr
    assert not (root / "_output/ar").exists()
    assert run_reportkit("check", "--final", "--edition", "en", root).returncode == 0
    # A draft shows the missing file in English, marked.
    assert run_reportkit("render", "--edition", "ar", "--to", "html", root).returncode == 0
    html = page(root / "_output/ar/report.html")
    marked = html.xpath("//div[contains(@class,'untranslated')]")
    assert [m.get("dir") for m in marked] == ["ltr"] and "one session" in marked[0].text_content()
    # Recording the update clears the entry.
    assert run_reportkit("translated", "ar", "content/intro.qmd", "--project", root).returncode == 0
    after = run_reportkit("check", root).stdout
    assert "content/intro.qmd is older" not in after and "y.title is older" in after


def test_an_error_in_a_translation_points_at_its_file(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "arabic", root)
    intro = root / "content/ar/intro.qmd"
    intro.write_text(
        intro.read_text(encoding="utf-8").replace("@sec-s1", "@sec-nowhere"), encoding="utf-8"
    )
    proc = run_reportkit("render", "--edition", "ar", root)
    assert proc.returncode == 1
    assert "content/ar/intro.qmd:3:" in proc.stderr and ".reportkit" not in proc.stderr


def test_unknown_edition_and_translation_key_are_one_line(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "arabic", root)
    proc = run_reportkit("render", "--edition", "at", root)
    assert (
        proc.returncode == 1 and "no edition 'at'" in proc.stderr and "Traceback" not in proc.stderr
    )
    strings = root / "translations/ar.yml"
    strings.write_text(
        strings.read_text(encoding="utf-8").replace("sessions[s1].title", "sessions[s2].title"),
        encoding="utf-8",
    )
    proc = run_reportkit("check", root)
    assert re.search(
        r"translations/ar\.yml:\d+:\d+: error: data/programme\.yml has no "
        r"translatable 'sessions\[s2\]\.title' \(did you mean",
        proc.stdout,
    ), proc.stdout


def test_built_in_words_and_number_locales():
    assert labels_for("fr-CA")("figure") == "Figure" and labels_for("fr")("table") == "Tableau"
    assert labels_for("tr")("figure") == "Şekil" and labels_for("ar")("figure") == "الشكل"
    assert labels_for("es")("contents") == "Contents"  # unknown language: English
    assert d3_format_locale("fr")["thousands"] == "\u202f"
    assert d3_format_locale("tr")["thousands"] == "."
    assert d3_time_locale("tr")["months"][2] == "Mart" and d3_time_locale("en-GB") is None
