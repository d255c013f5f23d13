"""The rough edges a new user met (issue 13): each one, fixed, stays fixed."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from reportkit.scaffold import template_dir
from tests.conftest import FIXTURES, ROOT, run_reportkit, snapshot
from tests.test_errors import assert_clean_failure, replace_in

TOOLS = sorted((ROOT / "tools").glob("*.py"))
DATA_PACKAGES = {
    "example": ROOT / "data" / "stats" / "datapackage.yaml",
    "template": template_dir() / "data" / "stats" / "datapackage.yaml",
    "mini fixture": FIXTURES / "mini" / "data" / "stats" / "datapackage.yaml",
}


def test_readme_says_how_to_run_the_cli_after_make_report():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/reportkit" in readme
    assert "source .venv/bin/activate" in readme


@pytest.mark.parametrize(
    "tool", [t for t in TOOLS if t.name != "__init__.py"], ids=lambda t: t.name
)
def test_every_tool_prints_help_and_does_nothing_else(tool, tmp_path):
    proc = subprocess.run(
        [sys.executable, str(tool), "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT / "src")},
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage:"), proc.stdout
    assert "read " not in proc.stdout and "wrote" not in proc.stdout
    assert list(tmp_path.iterdir()) == []


def test_every_command_has_help():
    commands = ("render", "check", "preview", "new", "prepare", "pdf", "post-render")
    for command in (*commands, "review", "import"):
        proc = run_reportkit(command, "--help")
        assert proc.returncode == 0 and "Usage: reportkit" in proc.stdout, command


@pytest.mark.parametrize("name", list(DATA_PACKAGES))
def test_every_csv_resource_declares_its_dialect(name):
    descriptor = yaml.safe_load(DATA_PACKAGES[name].read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        assert resource["encoding"] == "utf-8", resource["name"]
        assert resource["dialect"]["delimiter"] == ",", resource["name"]
        assert resource["dialect"]["quoteChar"] == '"', resource["name"]
    assert "do not edit" not in DATA_PACKAGES[name].read_text(encoding="utf-8").lower()


def test_a_new_projects_data_package_invites_editing(tmp_path):
    target = tmp_path / "new"
    assert run_reportkit("new", target).returncode == 0
    text = (target / "data" / "stats" / "datapackage.yaml").read_text(encoding="utf-8")
    assert "Edit it by hand" in text and "do not edit" not in text.lower()


def semicolon_notes(mini) -> None:
    """Notes full of '; ', quoted where they hold commas: a separator sniffer takes ';'."""
    path = mini / "data" / "stats" / "arrivals.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [lines[0]]
    for number, line in enumerate(lines[1:], start=1):
        note = "; ".join(["see table 2", "p. 4", "revised"]) + ", " * number + "UNHCR"
        rows.append(line.rsplit(",", 1)[0] + f',"{note}"')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_notes_with_semicolons_are_read_as_declared(mini):
    semicolon_notes(mini)
    proc = run_reportkit("check", mini)
    assert "error" not in proc.stdout, proc.stdout


def test_a_semicolon_separated_csv_is_one_message_naming_the_separator(mini):
    path = mini / "data" / "stats" / "arrivals.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    proc = run_reportkit("check", mini)
    errors = [line for line in proc.stdout.splitlines() if "arrivals.csv" in line]
    assert errors == [
        "data/stats/arrivals.csv:row 1: error: columns are separated by semicolons, not commas "
        '(save it as comma-separated CSV, or declare dialect: {delimiter: ";"} for '
        "'arrivals' in datapackage.yaml)"
    ]
    before = snapshot(mini / "_output")
    assert_clean_failure(
        run_reportkit("render", mini), r"arrivals\.csv:row 1: columns are separated by semicolons"
    )
    assert snapshot(mini / "_output") == before


def test_a_csv_in_another_encoding_is_one_message_naming_it(mini):
    path = mini / "data" / "stats" / "geographies.csv"
    text = path.read_text(encoding="utf-8") + "tur,Türkiye,country\n"
    path.write_bytes(text.encode("cp1254"))
    assert_clean_failure(
        run_reportkit("render", mini),
        r"data/stats/geographies\.csv:row \d+: the file is not utf-8: byte 0xfc cannot be read "
        r"\(save it as UTF-8",
    )


def test_data_errors_are_listed_by_row_number(mini):
    path = mini / "data" / "stats" / "arrivals.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    extra = [
        f"sea_arrivals,grc,{year},,1000,persons,unhcr-test,verified,x" for year in range(2000, 2008)
    ]
    lines = [lines[0], *[line.replace("grc,2016,,173450", "grc,2016,,12O5") for line in lines[1:]]]
    lines += extra + ["sea_arrivals,grc,2010,,1X,persons,unhcr-test,verified,x"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_reportkit("check", mini)
    rows = [line.split(":")[1] for line in proc.stdout.splitlines() if "arrivals.csv:row" in line]
    assert rows == ["row 3", "row 14"]


def test_an_unknown_figure_in_a_cross_reference_suggests_the_right_one(mini):
    replace_in(mini / "content" / "intro.qmd", "(@fig-mini-arrivals)", "(@fig-mini-arrival)")
    hint = r"no fig with id 'fig-mini-arrival' for this reference \(did you mean 'fig-mini-arrivals'\?\)"
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"), r"intro\.qmd:7:\d+: " + hint
    )
    assert "intro.qmd:7:" in run_reportkit("check", mini).stdout
    assert "did you mean 'fig-mini-arrivals'?" in run_reportkit("check", mini).stdout


def test_an_unknown_section_in_a_cross_reference_suggests_the_right_one(mini):
    replace_in(mini / "content" / "intro.qmd", "See @sec-s1 for", "See @sec-s2 for")
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"no sec with id 'sec-s2' for this reference \(did you mean 'sec-s1'\?\)",
    )


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        (
            "field: value",
            "field: valeu",
            r"data/facts\.yml:\d+:\d+: unknown field 'valeu' in fact 'greece_2016' \(did you mean 'value'\?\)",
        ),
        (
            "dataset: arrivals",
            "dataset: arrival",
            r"data/facts\.yml:\d+:\d+: unknown dataset 'arrival' \(did you mean 'arrivals'\?\)",
        ),
        (
            "geo_id: grc",
            "geo_id: gcr",
            r"data/facts\.yml:\d+:\d+: fact 'greece_2016' matches no rows of arrivals: no row has "
            r"geo_id = gcr .*\(correct or widen the filter: did you mean 'grc'\? values there: "
            r"grc, ita\)",
        ),
        (
            "year: 2016",
            "year: 2061",
            r"fact 'greece_2016' matches no rows of arrivals: no row has year = 2061 among the rows "
            r"the conditions before it keep \(correct or widen the filter: did you mean '2016'\? "
            r"values there: 2015, 2016\)",
        ),
    ],
)
def test_fact_mistakes_name_the_close_value(mini, old, new, pattern):
    facts = mini / "data" / "facts.yml"
    if old == "field: value":
        replace_in(facts, "dataset: arrivals", "dataset: arrivals\n    field: value")
    replace_in(facts, old, new)
    assert_clean_failure(run_reportkit("render", mini, "--to", "html"), pattern)


def test_a_chart_filter_matching_nothing_lists_the_values_there(mini):
    replace_in(mini / "data" / "charts.yml", "geo_id: ita, month: null", "geo_id: itl, month: null")
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"data/charts\.yml:\d+:\d+: chart 'mini-italy' matches no rows of arrivals: no row has "
        r"geo_id = itl .*\(correct or widen the filter: did you mean 'ita'\? values there: "
        r"grc, ita\)",
    )


def add_second_sources(mini) -> None:
    """Two points given by two other editions each: the sample point names its own."""
    path = mini / "data" / "stats"
    with (path / "arrivals.csv").open("a") as f:
        f.write("sea_arrivals,grc,2015,,850000,persons,edition-2018,verified,revised\n")
        f.write("sea_arrivals,ita,2016,,181000,persons,edition-2019,verified,revised\n")
    with (path / "sources.csv").open("a") as f:
        f.write("edition-2018,IOM,Edition 2018,https://example.org/2018\n")
        f.write("edition-2019,IOM,Edition 2019,https://example.org/2019\n")


def test_duplicate_sources_name_the_editions_of_that_point_and_suggest_a_priority(mini):
    add_second_sources(mini)
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"chart 'mini-arrivals' has several values for year=2015, geo_id=grc "
        r"\(sources edition-2018, unhcr-test\) \(pick one source per series with a 'source_id' "
        r"filter, or rank them: source-priority: \[edition-2018, edition-2019, unhcr-test\]\)",
    )


def test_an_unknown_source_in_source_priority_suggests_the_right_one(mini):
    add_second_sources(mini)
    replace_in(
        mini / "data" / "charts.yml",
        "    type: grouped-bar\n",
        "    source-priority: [unhcr-tset, edition-2018, edition-2019]\n    type: grouped-bar\n",
    )
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"data/charts\.yml:\d+:\d+: chart 'mini-arrivals': unknown source 'unhcr-tset' in "
        r"source-priority \(did you mean 'unhcr-test'\?\)",
    )


def test_a_chart_vega_cannot_draw_is_one_line_at_its_entry(mini):
    (mini / "broken.json").write_text(
        '{"data": {"values": [{"a": 1}]}, "mark": "nonsense",'
        ' "encoding": {"x": {"field": "a", "type": "quantitative"}}}',
        encoding="utf-8",
    )
    with (mini / "data" / "charts.yml").open("a", encoding="utf-8") as f:
        f.write(
            "  - id: broken\n    title: Broken\n    caption: A spec Vega cannot draw.\n"
            "    alt: A chart whose mark does not exist.\n    vega-lite: broken.json\n"
        )
    before = snapshot(mini / "_output")
    message = assert_clean_failure(
        run_reportkit("render", mini),
        r"data/charts\.yml:25:5: chart 'broken' cannot be drawn: .+ \(check the chart's type",
    )
    assert " at " not in message.split("(")[0] and "node_modules" not in message
    assert snapshot(mini / "_output") == before


def test_a_chart_loading_data_from_the_network_is_refused_at_its_entry(mini):
    (mini / "remote.json").write_text(
        '{"data": {"url": "https://cdn.example.org/cars.json"}, "mark": "point",'
        ' "encoding": {"x": {"field": "a", "type": "quantitative"}}}',
        encoding="utf-8",
    )
    with (mini / "data" / "charts.yml").open("a", encoding="utf-8") as f:
        f.write(
            "  - id: remote\n    title: Remote\n    caption: Data from the network.\n"
            "    alt: Points loaded from a remote file.\n    vega-lite: remote.json\n"
        )
    assert_clean_failure(
        run_reportkit("render", mini),
        r"data/charts\.yml:25:5: chart 'remote' loads data from 'https://cdn\.example\.org/"
        r"cars\.json' \(charts take their data from the data package",
    )
