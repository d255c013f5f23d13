"""Statistics: validated data package, charts in HTML and PDF, facts bound to the data."""

from __future__ import annotations

import json
import re

import lxml.html
import pandas as pd
import pdfplumber
import pytest
import yaml

from tests.conftest import ROOT, run_reportkit
from tests.test_errors import assert_clean_failure, replace_in


def normalise(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def chart_ids(root) -> list[str]:
    return [c["id"] for c in yaml.safe_load((root / "data" / "charts.yml").read_text())["charts"]]


@pytest.fixture(scope="module")
def doc(example):
    return lxml.html.parse(str(example.html)).getroot()


def test_the_example_has_at_least_six_charts():
    assert len(chart_ids(ROOT)) >= 6


def test_every_chart_appears_once_in_the_html_as_svg_with_its_data_table(doc, example):
    for chart in chart_ids(ROOT):
        figures = doc.xpath(f"//figure[@id='fig-{chart}']")
        assert len(figures) == 1, chart
        figure = figures[0]
        drawing = figure.xpath(".//div[@class='chart-drawing']")
        assert len(drawing) == 1 and drawing[0].get("role") == "img"
        assert len(drawing[0].xpath("./*[local-name()='svg']")) == 1
        assert len(drawing[0].get("aria-label")) > 40, "the drawing is named by its alt text"
        link = figure.xpath(".//a[@download]")
        assert link and link[0].text == "Download data (CSV)"
        caption = normalise(figure.xpath("string(.//figcaption)"))
        assert re.match(r"Figure \d+:", caption) and "Source:" in caption, caption
        # The data table holds the CSV's rows, value for value.
        csv = pd.read_csv(example.root / "_output" / link[0].get("href"))
        table = figure.xpath(".//details[@class='chart-data']//table")
        assert len(table) == 1, chart
        rows = table[0].xpath("./tbody/tr")
        assert len(rows) == len(csv), chart
        headings = [normalise(h.text_content()) for h in table[0].xpath("./thead//th")]
        assert all(h.get("scope") == "col" for h in table[0].xpath("./thead//th"))
        values = [
            int(normalise(cell.text_content()).replace(",", ""))
            for cell in table[0].xpath("./tbody/tr/td[@class='number']")
            if re.fullmatch(r"[\d,]+", normalise(cell.text_content()))
        ]
        assert set(csv["value"].dropna().astype(int)) <= set(values), (chart, headings)


def test_charts_need_no_chart_library_in_the_browser(doc, example):
    """The SVG is the chart; charts.js only adds tooltips (the page stays light and offline)."""
    scripts = doc.xpath("//script/@src")
    assert "assets/charts.js" in scripts and "assets/vega.js" not in scripts
    assert (example.html.parent / "assets" / "charts.js").stat().st_size < 5_000
    assert not doc.xpath("//script[@class='vega-spec']")


def test_figure_references_match_figure_numbers_in_html_and_pdf(doc, example):
    numbers = {}
    for figure in doc.xpath("//figure[starts-with(@id,'fig-')]"):
        label = figure.xpath("string(.//span[@class='fig-number'])")
        numbers[figure.get("id")] = re.search(r"\d+", label).group()
    assert list(numbers.values()) == [str(n) for n in range(1, len(numbers) + 1)]
    xrefs = doc.xpath("//a[@class='quarto-xref'][starts-with(@href,'#fig-')]")
    assert len(xrefs) >= len(numbers), "every chart is referred to in the text"
    for link in xrefs:
        assert normalise(link.text_content()) == f"Figure {numbers[link.get('href')[1:]]}"
    text = normalise(" ".join(p.extract_text() or "" for p in pdfplumber.open(example.pdf).pages))
    for number in numbers.values():
        assert f"Figure {number}:" in text
        assert re.search(rf"Figure {number}\b(?!:)", text), f"no reference to Figure {number}"


def test_charts_are_vector_graphics_in_the_pdf(example):
    with pdfplumber.open(example.pdf) as pdf:
        chart_pages = [p for p in pdf.pages if re.search(r"Figure \d+:", p.extract_text() or "")]
        assert len(chart_pages) >= 3
        for page in chart_pages:
            assert page.images == [], f"page {page.page_number} holds a raster image"
            assert len(page.rects) + len(page.curves) + len(page.lines) > 5
            fonts = {c["fontname"].split("+")[-1] for c in page.chars}
            assert any(f.startswith("Fira-Sans") for f in fonts)


def test_every_fact_equals_the_value_recomputed_with_pandas(example):
    facts = yaml.safe_load((ROOT / "data" / "facts.yml").read_text())["facts"]
    variables = yaml.safe_load((example.root / "_variables.yml").read_text())["facts"]
    assert set(variables) == set(facts) and len(facts) >= 5
    for name, fact in facts.items():
        frame = pd.read_csv(
            ROOT / "data" / "stats" / f"{fact['dataset']}.csv", dtype=str, keep_default_na=False
        )
        for column, wanted in (fact.get("filter") or {}).items():
            if wanted is None:
                frame = frame[frame[column] == ""]
            elif isinstance(wanted, list):
                frame = frame[frame[column].isin([str(w) for w in wanted])]
            else:
                frame = frame[frame[column] == str(wanted)]
        values = frame[fact.get("field", "value")].astype(int)
        aggregate = fact.get("aggregate", "value")
        expected = values.iloc[0] if aggregate == "value" else getattr(values, aggregate)()
        assert aggregate != "value" or len(values) == 1
        assert variables[name] == f"{int(expected):,}", name


def test_the_text_quotes_facts_not_typed_numbers(example, doc):
    variables = yaml.safe_load((example.root / "_variables.yml").read_text())["facts"]
    body = normalise(doc.xpath("string(//main)"))
    for value in variables.values():
        assert value in body
    used = set()
    for path in (ROOT / "content").rglob("*.qmd"):
        used |= set(re.findall(r"\{\{< var facts\.(\w+) >\}\}", path.read_text()))
    assert used == set(variables), f"facts defined but not quoted: {set(variables) - used}"


def test_changing_a_csv_value_changes_chart_and_number_and_nothing_else(mini):
    generated = mini / "_generated" / "charts"
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in generated.iterdir()}
    replace_in(mini / "data" / "stats" / "arrivals.csv", "grc,2016,,173450", "grc,2016,,173999")
    proc = run_reportkit("render", mini)
    assert proc.returncode == 0, proc.stderr
    assert "charts: 1 drawn, 1 unchanged" in proc.stdout
    html = (mini / "_output" / "report.html").read_text()
    assert "In 2016, 173,999 people arrived in Greece" in html
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in generated.iterdir()}
    changed = {name for name in after if after[name][1] != before[name][1]}
    assert changed == {f"mini-arrivals.{ext}" for ext in ("svg", "vl.json", "html", "csv")}
    untouched = [n for n in after if n.startswith("mini-italy")]
    assert untouched and all(after[n][0] == before[n][0] for n in untouched), "rewrote mini-italy"
    svg = (generated / "mini-arrivals.svg").read_text()
    assert "173999" in (generated / "mini-arrivals.csv").read_text() and "<svg" in svg


def recall_italy_2015(mini) -> None:
    """Mark one data point of the mini project as recalled (unverified)."""
    replace_in(
        mini / "data" / "stats" / "arrivals.csv",
        "ita,2015,,153842,persons,unhcr-test,verified",
        "ita,2015,,153842,persons,unhcr-test,recalled",
    )


def test_a_recalled_value_is_flagged_in_its_chart(mini):
    recall_italy_2015(mini)
    proc = run_reportkit("render", mini, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    html = (mini / "_output" / "report.html").read_text()
    assert "Pale marks are recalled figures" in html
    charts = mini / "_generated" / "charts"
    assert "#b8c7d9" in (charts / "mini-italy.vl.json").read_text()  # pale colour, one series
    assert '"opacity"' in (charts / "mini-arrivals.vl.json").read_text()  # pale, several series
    assert 'fill="#b8c7d9"' in (charts / "mini-italy.svg").read_text()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "grc,2016,,173450",
            "grc,2016,,12O5",
            r'data/stats/arrivals\.csv:row 3:column value: "12O5" is not an integer',
        ),
        (
            "ita,2016,,181436",
            "ita,2015,,181436",
            r"data/stats/arrivals\.csv:row 5: duplicate key \(indicator, geo_id, year, month, source_id\)",
        ),
        (
            "ita,2016,,181436",
            "itx,2016,,181436",
            r"data/stats/arrivals\.csv:row 5: unknown geography code 'itx' \(did you mean 'ita'\?\)",
        ),
        (
            "grc,2016,,173450",
            "grc,2016,,-5",
            r'data/stats/arrivals\.csv:row 3:column value: "-5" breaks a constraint',
        ),
    ],
)
def test_bad_data_names_file_row_and_column(mini, old, new, message):
    replace_in(mini / "data" / "stats" / "arrivals.csv", old, new)
    assert_clean_failure(run_reportkit("render", mini), message)


def test_a_bad_value_after_a_good_render_fails_it_and_keeps_the_last_report(mini):
    """The package is validated while pandoc converts the text (statistics.ChartDrawing): a
    value pandas reads but the schema refuses must still stop the render before anything
    is published; the corrected value needs no Altair, and one drawing."""
    assert run_reportkit("render", mini).returncode == 0
    outputs = {p.name: p.read_bytes() for p in (mini / "_output").glob("report.*")}
    assert {"report.html", "report.pdf"} <= set(outputs)
    replace_in(mini / "data" / "stats" / "arrivals.csv", "grc,2016,,173450", "grc,2016,,-5")
    for _ in range(2):  # nothing of the failed render was remembered as good
        assert_clean_failure(
            run_reportkit("render", mini),
            r'data/stats/arrivals\.csv:row 3:column value: "-5" breaks a constraint',
        )
    assert {p.name: p.read_bytes() for p in (mini / "_output").glob("report.*")} == outputs
    replace_in(mini / "data" / "stats" / "arrivals.csv", "grc,2016,,-5", "grc,2016,,173451")
    proc = run_reportkit("render", mini, "-v")
    assert proc.returncode == 0, proc.stderr
    # A changed value: both specs from their templates (no Altair), and only the chart that
    # draws the value drawn again (mini-italy draws no Greek row).
    counted = re.findall(r"chart \d+/\d+: ([\w-]+)(.*)$", proc.stderr, re.MULTILINE)
    assert counted == [
        (name, " (spec from its template)") for name in ("mini-arrivals", "mini-italy")
    ]
    assert "charts: 1 drawn, 1 unchanged" in proc.stdout + proc.stderr


def test_missing_column_is_named(mini):
    path = mini / "data" / "stats" / "arrivals.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:-1]) for line in lines) + "\n")
    assert_clean_failure(
        run_reportkit("render", mini), r"data/stats/arrivals\.csv.*missing column.*note"
    )


def test_unknown_fact_key_names_the_file_and_line_where_it_is_used(mini):
    replace_in(mini / "content" / "intro.qmd", "facts.greece_2016", "facts.greece_2061")
    assert_clean_failure(
        run_reportkit("render", mini),
        r"content/intro\.qmd:7:10: unknown var key 'facts\.greece_2061' \(did you mean 'facts\.greece_2016'\?\)",
    )


def test_a_fact_matching_several_rows_is_refused(mini):
    replace_in(mini / "data" / "facts.yml", "year: 2016, ", "")
    assert_clean_failure(
        run_reportkit("render", mini),
        r"data/facts\.yml:4:5: fact 'greece_2016' matches 2 rows, not one",
    )


def test_a_chart_without_alt_text_is_refused(mini):
    replace_in(
        mini / "data" / "charts.yml",
        "    alt: Grouped bars of sea arrivals in Greece and Italy in 2015 and 2016.\n",
        "",
    )
    assert_clean_failure(
        run_reportkit("render", mini), r"data/charts\.yml:2:5: required field 'alt' is missing"
    )


def test_a_chart_mixing_two_sources_asks_for_one(mini):
    path = mini / "data" / "stats"
    with (path / "arrivals.csv").open("a") as f:
        f.write("sea_arrivals,ita,2016,,181000,persons,other-test,verified,second source\n")
    with (path / "sources.csv").open("a") as f:
        f.write("other-test,IOM,Another test source,https://example.org/other\n")
    assert_clean_failure(
        run_reportkit("render", mini),
        r"data/charts\.yml:\d+:\d+: chart 'mini-arrivals' has several values for year=2016, geo_id=ita "
        r"\(sources other-test, unhcr-test\) \(pick one source per series",
    )


def main_layer(spec: dict) -> dict:
    """The data layer of a chart spec (annotated charts are layered)."""
    return spec["layer"][0] if "layer" in spec else spec


def test_a_single_series_is_drawn_in_the_brand_colour(rendered_mini):
    svg = (rendered_mini / "_generated" / "charts" / "mini-italy.svg").read_text()
    assert 'stroke="#0b3d6e"' in svg  # Harbour navy, not Vega's default #4c78a8
    assert "#4c78a8" not in svg


def test_verified_and_recalled_points_have_their_own_legend_entries(mini):
    recall_italy_2015(mini)
    proc = run_reportkit("render", mini, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    spec = json.loads((mini / "_generated" / "charts" / "mini-italy.vl.json").read_text())
    scale = main_layer(spec)["encoding"]["color"]["scale"]
    assert scale["domain"] == ["verified", "recalled"]
    assert len(set(scale["range"])) == len(scale["range"])


def test_tooltips_name_the_source_not_its_id(rendered_mini):
    spec = json.loads((rendered_mini / "_generated" / "charts" / "mini-italy.vl.json").read_text())
    tooltip = main_layer(spec)["encoding"]["tooltip"]
    fields = {t["title"]: t["field"] for t in tooltip}
    assert fields["Source"] == "source_name"
    rows = [row for values in spec["datasets"].values() for row in values]
    names = {row["source_name"] for row in rows if "source_name" in row}
    sources = pd.read_csv(rendered_mini / "data" / "stats" / "sources.csv")
    assert names and names <= set(sources["organisation"])


def test_every_series_colour_stands_out_from_the_chart_background(example):
    """WCAG 2.2 1.4.11: graphics a reader needs have 3:1 contrast with their background."""
    from reportkit.charts.theme import contrast

    specs = sorted((example.root / "_generated" / "charts").glob("*.vl.json"))
    assert len(specs) >= 6
    for path in specs:
        config = json.loads(path.read_text())["config"]
        colours = [*config["range"]["category"], config["mark"]["color"]]
        low = [c for c in colours if contrast(c, config["background"]) < 3]
        assert low == [], f"{path.name}: {low}"


def monthly_italy_bars(mini, annotation: str) -> None:
    """mini-italy as bars by month on a time axis, from two months of 2017."""
    with (mini / "data" / "stats" / "arrivals.csv").open("a") as csv:
        csv.write("sea_arrivals,ita,2017,1,4468,persons,unhcr-test,verified,test month\n")
        csv.write("sea_arrivals,ita,2017,2,8971,persons,unhcr-test,verified,test month\n")
    replace_in(
        mini / "data" / "charts.yml",
        "filter: {indicator: sea_arrivals, geo_id: ita, month: null}\n    type: line\n"
        "    x: {field: year, title: Year}",
        "filter: {indicator: sea_arrivals, geo_id: ita, year: 2017}\n    type: bar\n"
        "    x: {field: date, type: temporal, title: Month}",
    )
    replace_in(mini / "data" / "charts.yml", "{x: 2016, label: Annotated year}", annotation)


def test_bars_on_a_time_axis_span_their_month(mini):
    monthly_italy_bars(mini, '{x: "2017-02-01", label: Annotated month}')
    proc = run_reportkit("render", mini, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    svg = (mini / "_generated" / "charts" / "mini-italy.svg").read_text()
    widths = [float(w) for w in re.findall(r'<path[^>]*d="M[\d.]+,[\d.]+h([\d.]+)v', svg)]
    bars = [w for w in widths if 0 < w < 400]  # the plot background is a path too
    assert len(bars) == 2 and min(bars) > 50, widths  # half the plot each, not hairlines


def test_an_annotation_that_is_no_date_on_a_time_axis_is_refused(mini):
    monthly_italy_bars(mini, "{x: 2017, label: Annotated month}")
    proc = run_reportkit("render", mini, "--to", "html")
    assert_clean_failure(
        proc, r"data/charts\.yml:\d+:\d+: annotation at 2017 is not a date on the time axis 'date'"
    )


@pytest.mark.parametrize("brand", ["harbour", "sandstone"])
def test_both_brands_give_chart_colours_and_text_their_contrast(brand):
    """Series colours 3:1 against the chart background (graphics), brand text colours 4.5:1
    against white (text); axe-core checks the rendered text of the page in both brands."""
    from reportkit.brand import load_brand
    from reportkit.charts.theme import ChartTheme, contrast

    style = load_brand(ROOT, f"brands/{brand}/_brand.yml")
    theme = ChartTheme.from_brand(style)
    assert len(theme.palette) >= 6
    assert [c for c in theme.palette if contrast(c, "#ffffff") < 3] == []
    for colour in (style.text, style.muted, style.primary, theme.text_colour, theme.muted_colour):
        assert contrast(colour, "#ffffff") >= 4.5, colour


def test_a_spec_filled_from_its_template_is_the_one_altair_builds():
    """A changed value takes its chart's spec from a template (charts/spec_template.py), not
    from Altair: for every declarative chart of the example, the template made from its rows
    and filled with other values gives, key order included, the spec Altair builds from
    those values, so the drawings and their cache names are the same either way."""
    from reportkit.brand import load_brand
    from reportkit.charts.build import vega_lite_spec
    from reportkit.charts.catalogue import load_charts
    from reportkit.charts.rows import chart_rows, with_source_names
    from reportkit.charts.spec_template import fill, make_template, measure
    from reportkit.charts.theme import ChartTheme
    from reportkit.data.package import load_package
    from reportkit.project import find_project

    project = find_project(ROOT)
    package = load_package(project.path("data/stats"), "data/stats")
    charts, doc = load_charts(project.path("data/charts.yml"), "data/charts.yml")
    theme = ChartTheme.from_brand(load_brand(ROOT, project.settings.brand))
    templated = []
    for index, chart in enumerate(charts):
        if not chart.type:
            continue
        rows = with_source_names(chart_rows(chart, package, doc, index), package)
        spec, _ = vega_lite_spec(chart, package, doc, index, ROOT, theme, False, rows)
        template = make_template(spec, rows)
        if measure(chart, rows) is None:
            continue
        assert template is not None, chart.id
        changed = rows.copy()
        column = measure(chart, rows)
        changed[column] = changed[column] + 1 if len(changed) else changed[column]
        changed.loc[changed.index[0], column] = changed[column].iloc[0] * 3
        built, _ = vega_lite_spec(chart, package, doc, index, ROOT, theme, False, changed)
        filled = fill(template, changed)
        assert json.dumps(filled) == json.dumps(built), chart.id
        assert json.dumps(filled) != json.dumps(spec)
        templated.append(chart.id)
    assert len(templated) >= 5, templated
