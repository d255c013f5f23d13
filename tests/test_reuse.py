"""Reuse for the next conference: `reportkit new`, `--from`, brands, and the Quarto path."""

from __future__ import annotations

import re
import shutil

import lxml.html
import pypdf
import pytest
import yaml

from tests.conftest import FIXTURES, ROOT, copy_project, run_reportkit, snapshot
from tests.pdfread import Pdf
from tests.test_errors import assert_clean_failure, replace_in


def pdf_fonts(path) -> set[str]:
    fonts = set()
    for page in pypdf.PdfReader(path).pages:
        for ref in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(ref.get_object()["/BaseFont"]).split("+")[-1])
    return fonts


def test_new_creates_a_project_that_renders_at_once(tmp_path):
    target = tmp_path / "izmir"
    proc = run_reportkit(
        "new",
        target,
        "--title",
        "Izmir Regional Conference",
        "--city",
        "Izmir",
        "--year",
        "2027",
        "--language",
        "tr-TR",
    )
    assert proc.returncode == 0, proc.stderr
    for name in (
        "_quarto.yml",
        "README.md",
        "content/background.qmd",
        "content/sessions/keynote.qmd",
        "content/sessions/panel-1.qmd",
        "content/sessions/panel-2.qmd",
        "content/analysis.qmd",
        "content/recommendations.qmd",
        "data/conference.yml",
        "data/people.yml",
        "data/organisations.yml",
        "data/glossary.yml",
        "data/programme.yml",
        "data/stats/datapackage.yaml",
        "data/charts.yml",
        "data/facts.yml",
        "brands/harbour/_brand.yml",
        "brands/sandstone/_brand.yml",
    ):
        assert (target / name).is_file(), name
    assert "PLACEHOLDER" in (target / "data" / "people.yml").read_text()
    conference = yaml.safe_load((target / "data" / "conference.yml").read_text())
    assert conference["title"] == "Izmir Regional Conference" and conference["year"] == 2027
    proc = run_reportkit("render", target)
    assert proc.returncode == 0, proc.stderr
    html = (target / "_output" / "report.html").read_text()
    assert '<html lang="tr-TR"' in html and "Izmir Regional Conference" in html
    # Numbers follow the report's language: Turkish groups thousands with a dot.
    assert "173.450" in html
    pdf = Pdf(target / "_output" / "report.pdf")
    titles = [t for t, _ in pdf.contents()]
    assert "1 Background" in titles and "4 Recommendations" in titles


def test_new_refuses_a_non_empty_directory(tmp_path):
    target = tmp_path / "existing"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    proc = run_reportkit("new", target)
    assert_clean_failure(proc, r"existing is not empty \(reportkit new never overwrites")
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert (target / "notes.txt").read_text() == "keep me"


def test_next_edition_carries_settings_brand_data_charts_and_facts(tmp_path):
    previous = copy_project(
        ROOT,
        tmp_path / "istanbul-2017",
        ("_quarto.yml", "report.qmd", "content", "data", "images", "brands"),
    )
    target = tmp_path / "istanbul-2019"
    proc = run_reportkit(
        "new", target, "--from", previous, "--title", "Istanbul 2019", "--year", "2019"
    )
    assert proc.returncode == 0, proc.stderr
    for name in (
        "data/charts.yml",
        "data/facts.yml",
        "data/stats/arrivals.csv",
        "brands/harbour/_brand.yml",
    ):
        assert (target / name).read_bytes() == (previous / name).read_bytes(), name
    # The data package is carried over whole; the tool that built the last one is not.
    package = (target / "data" / "stats" / "datapackage.yaml").read_text()
    assert yaml.safe_load(package) == yaml.safe_load(
        (previous / "data" / "stats" / "datapackage.yaml").read_text()
    )
    assert package.startswith("# The report's statistics")
    header = "".join(line for line in package.splitlines(True) if line.startswith("#"))
    assert "Edit it by hand" in header and "build_stats" not in header
    assert "do not edit" not in package.lower()
    # The previous edition's page furniture is reset; every other setting is carried over.
    config = yaml.safe_load((target / "_quarto.yml").read_text())
    before = yaml.safe_load((previous / "_quarto.yml").read_text())
    assert config["reportkit"].pop("footer") == "City 2019"
    assert before["reportkit"].pop("footer") == "IOM · Istanbul 2017"
    assert "running-header" not in config["reportkit"]
    assert config == before
    assert "Samsar" not in (target / "data" / "people.yml").read_text()
    assert "PLACEHOLDER" in (target / "data" / "programme.yml").read_text()
    assert not (target / "content" / "sessions" / "turkish-experiences.qmd").exists()
    proc = run_reportkit("render", target)
    assert proc.returncode == 0, proc.stderr
    html = (target / "_output" / "report.html").read_text()
    charts = yaml.safe_load((previous / "data" / "charts.yml").read_text())["charts"]
    for chart in charts:
        assert f'id="fig-{chart["id"]}"' in html
    pages = Pdf(target / "_output" / "report.pdf").pages
    assert not [p.number for p in pages if "Istanbul 2017" in p.text]


def test_next_edition_carries_organisations_and_glossary_but_not_key_messages(tmp_path):
    previous = copy_project(
        ROOT,
        tmp_path / "istanbul-2017",
        ("_quarto.yml", "report.qmd", "content", "data", "images", "brands"),
    )
    target = tmp_path / "istanbul-2019"
    proc = run_reportkit("new", target, "--from", previous, "--year", "2019")
    assert proc.returncode == 0, proc.stderr
    glossary = (previous / "data" / "glossary.yml").read_bytes()
    assert (target / "data" / "glossary.yml").read_bytes() == glossary
    # The registry is carried whole; the template's placeholder people need its placeholder
    # organisations, which follow under a note.
    before = (previous / "data" / "organisations.yml").read_text()
    after = (target / "data" / "organisations.yml").read_text()
    assert after.startswith(before)
    ids = [o["id"] for o in yaml.safe_load(after)["organisations"]]
    old_ids = [o["id"] for o in yaml.safe_load(before)["organisations"]]
    assert ids[: len(old_ids)] == old_ids and "placeholder-organisation" in ids[len(old_ids) :]
    previous_messages = yaml.safe_load((previous / "data" / "conference.yml").read_text())
    messages = yaml.safe_load((target / "data" / "conference.yml").read_text())["key-messages"]
    assert messages and all("PLACEHOLDER" in m for m in messages)
    assert not set(messages) & set(previous_messages["key-messages"])
    proc = run_reportkit("render", target, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    html = lxml.html.parse(str(target / "_output" / "report.html")).getroot()
    terms = [dt.text_content() for dt in html.xpath("//section[@id='sec-acronyms']//dt")]
    assert "UNHCR" in terms, terms  # from the carried glossary, used in carried captions
    assert "UNODC" not in terms  # in the registry, but this edition's text does not use it yet
    proc = run_reportkit("check", "--final", target)
    assert proc.returncode == 1
    flagged = re.findall(
        r"^data/organisations\.yml:(\d+):\d+: warning: placeholder", proc.stdout, re.M
    )
    assert flagged and min(int(line) for line in flagged) > len(before.splitlines())


@pytest.fixture(scope="module")
def two_brands(tmp_path_factory):
    """The mini project rendered with each built-in brand."""
    rendered = {}
    for brand in ("harbour", "sandstone"):
        root = copy_project(FIXTURES / "mini", tmp_path_factory.mktemp(brand) / "mini")
        shutil.copytree(ROOT / "brands", root / "brands")
        replace_in(
            root / "_quarto.yml", "lang: en-GB", f"brand: brands/{brand}/_brand.yml\nlang: en-GB"
        )
        proc = run_reportkit("render", root)
        assert proc.returncode == 0, proc.stderr
        rendered[brand] = root
    return rendered


def test_switching_the_brand_changes_colours_in_the_html_css(two_brands):
    harbour = (two_brands["harbour"] / "_output" / "assets" / "brand.css").read_text()
    sandstone = (two_brands["sandstone"] / "_output" / "assets" / "brand.css").read_text()
    assert "--rk-primary: #0b3d6e" in harbour and "--rk-primary: #9a3412" in sandstone
    assert '"IBM Plex Serif"' in harbour and '"PT Serif"' in sandstone


def test_switching_the_brand_changes_the_fonts_embedded_in_the_pdf(two_brands):
    harbour = pdf_fonts(two_brands["harbour"] / "_output" / "report.pdf")
    sandstone = pdf_fonts(two_brands["sandstone"] / "_output" / "report.pdf")
    assert {f.split("-")[0] for f in harbour} == {"IBM", "Fira"}
    assert {f.split("-")[0] for f in sandstone} == {"PT", "Lato"}


def test_switching_the_brand_changes_the_chart_svgs(two_brands):
    harbour = (two_brands["harbour"] / "_generated" / "charts" / "mini-arrivals.svg").read_text()
    sandstone = (
        two_brands["sandstone"] / "_generated" / "charts" / "mini-arrivals.svg"
    ).read_text()
    assert 'font-family="Fira Sans"' in harbour and 'font-family="Lato"' in sandstone
    assert 'fill="#0b3d6e"' in harbour and 'fill="#9a3412"' in sandstone


def test_turkish_names_keep_their_glyphs_in_both_brands(two_brands):
    for root in two_brands.values():
        text = " ".join(p.text for p in Pdf(root / "_output" / "report.pdf").pages)
        assert "Ayşe Yıldız" in text


def test_a_brand_naming_an_uninstalled_font_says_which_package_to_add(mini):
    shutil.copytree(ROOT / "brands", mini / "brands")
    replace_in(mini / "brands" / "sandstone" / "_brand.yml", "family: Lato", "family: Comic Neue")
    replace_in(
        mini / "_quarto.yml", "lang: en-GB", "brand: brands/sandstone/_brand.yml\nlang: en-GB"
    )
    assert_clean_failure(
        run_reportkit("render", mini),
        r"font family 'Comic Neue' is not installed \(pip install fontpkg-comic-neue",
    )


def test_prepare_writes_the_files_quarto_needs(mini):
    shutil.rmtree(mini / "_generated")
    (mini / "_variables.yml").unlink()
    proc = run_reportkit("prepare", mini)
    assert proc.returncode == 0, proc.stderr
    metadata = yaml.safe_load((mini / "_generated" / "metadata.yml").read_text())
    assert metadata["title"] == "Mini report" and metadata["lang"] == "en-GB"
    assert "::: {.cover}" in (mini / "_generated" / "front-matter.qmd").read_text()
    session = (mini / "_generated" / "sessions" / "s1.qmd").read_text()
    assert "## The only session {#sec-s1" in session and "{{<" not in session
    assert (
        "::: {#fig-mini-arrivals .chart}"
        in (mini / "_generated" / "charts" / "mini-arrivals.qmd").read_text()
    )
    assert yaml.safe_load((mini / "_variables.yml").read_text()) == {
        "facts": {"greece_2016": "173,450"}
    }
    config = yaml.safe_load((mini / "_quarto.yml").read_text())
    example = yaml.safe_load((ROOT / "_quarto.yml").read_text())
    assert example["project"]["pre-render"] == "reportkit prepare"
    assert example["project"]["post-render"] == "reportkit post-render"
    assert example["metadata-files"] == ["_generated/metadata.yml"]
    assert config["project"]["output-dir"] == "_output"


def test_a_failed_post_render_keeps_the_previous_pdf(mini):
    before = snapshot(mini / "_output")
    (mini / "_output" / "report.html").write_text(
        '<html><body><img src="https://example.org/x.png"></body></html>'
    )
    proc = run_reportkit("pdf", mini)
    assert proc.returncode == 1 and "network" in proc.stderr
    assert snapshot(mini / "_output")["report.pdf"] == before["report.pdf"]


def test_the_project_file_keeps_to_quarto_keys():
    """Top-level keys of _quarto.yml are Quarto's own, plus the one `reportkit:` block."""
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text())
    quarto_keys = {
        "project",
        "format",
        "lang",
        "number-sections",
        "metadata-files",
        "brand",
        "toc",
        "filters",
    }
    assert set(config) - quarto_keys == {"reportkit"}
    assert config["project"]["type"] == "default"
    assert re.fullmatch(r"[\w-]+\.qmd", config["project"]["render"][0])


def test_letter_pages_and_light_cover_come_from_quarto_yml(mini):
    replace_in(mini / "_quarto.yml", "page-size: A4", "page-size: Letter\n  cover-layout: light")
    proc = run_reportkit("render", mini)
    assert proc.returncode == 0, proc.stderr
    for page in pypdf.PdfReader(mini / "_output" / "report.pdf").pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)
    html = (mini / "_output" / "report.html").read_text()
    assert 'class="toc-left cover-light"' in html


def test_unknown_cover_layout_is_refused(mini):
    replace_in(mini / "_quarto.yml", "page-size: A4", "page-size: A4\n  cover-layout: poster")
    assert_clean_failure(
        run_reportkit("render", mini),
        r"_quarto\.yml:\d+:\d+: unknown cover layout 'poster' \(use one of full, light\)",
    )
