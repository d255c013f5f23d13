"""Bad input: one clear line naming file and line, non-zero exit, last good output intact."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_reportkit, snapshot


def assert_clean_failure(proc, pattern: str) -> str:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    message = proc.stderr.strip()
    assert "Traceback" not in message
    assert len(message.splitlines()) == 1, message
    assert re.search(pattern, message), message
    return message


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_missing_quarto_yml(mini):
    before = snapshot(mini / "_output")
    (mini / "_quarto.yml").unlink()
    proc = run_reportkit("render", mini)
    assert_clean_failure(proc, r"error: no _quarto\.yml in .*mini.*reportkit new")
    assert snapshot(mini / "_output") == before


def test_chapter_listed_but_missing(mini):
    before = snapshot(mini / "_output")
    replace_in(
        mini / "report.qmd",
        "{{< include content/intro.qmd >}}",
        "{{< include content/intro.qmd >}}\n\n{{< include content/missing.qmd >}}",
    )
    proc = run_reportkit("render", mini)
    assert_clean_failure(
        proc, r"report\.qmd:8: included file 'content/missing\.qmd' does not exist"
    )
    assert snapshot(mini / "_output") == before


def test_invalid_yaml_names_line_and_column(mini):
    before = snapshot(mini / "_output")
    replace_in(mini / "_quarto.yml", "  html:\n    toc: true", "  html:\n    toc: true\n   bad: [")
    proc = run_reportkit("render", mini)
    assert_clean_failure(proc, r"_quarto\.yml:\d+:\d+: invalid YAML")
    assert snapshot(mini / "_output") == before


def test_unknown_format_option_suggests_the_right_one(mini):
    before = snapshot(mini / "_output")
    replace_in(mini / "_quarto.yml", "    toc: true", "    tocc: true")
    proc = run_reportkit("render", mini)
    assert_clean_failure(
        proc, r"_quarto\.yml:14:5: unknown html format option 'tocc' \(did you mean 'toc'\?\)"
    )
    assert snapshot(mini / "_output") == before


def test_unknown_page_size(mini):
    replace_in(mini / "_quarto.yml", "page-size: A4", "page-size: A3")
    proc = run_reportkit("render", mini)
    assert_clean_failure(
        proc, r"_quarto\.yml:\d+:\d+: unknown page size 'A3' \(use one of A4, Letter\)"
    )


def test_failure_late_in_the_render_keeps_the_last_good_output(mini):
    """A network image fails only after pandoc has run: _output/ must still be untouched."""
    before = snapshot(mini / "_output")
    with (mini / "content" / "intro.qmd").open("a", encoding="utf-8") as f:
        f.write("\n![A remote picture](https://example.org/picture.png)\n")
    proc = run_reportkit("render", mini)
    assert_clean_failure(
        proc,
        r"content/intro\.qmd:13:\d+: image https://example\.org/picture\.png would load from the network",
    )
    assert snapshot(mini / "_output") == before
    assert not list(mini.glob(".reportkit-staging-*"))


def test_unknown_cross_reference_points_at_its_line(mini):
    with (mini / "content" / "intro.qmd").open("a", encoding="utf-8") as f:
        f.write("\nAs @fig-nowhere shows.\n")
    proc = run_reportkit("render", mini)
    assert_clean_failure(proc, r"content/intro\.qmd:13:4: no fig with id 'fig-nowhere'")


def test_unsupported_shortcode_is_named(mini):
    with (mini / "content" / "intro.qmd").open("a", encoding="utf-8") as f:
        f.write("\n{{< video https://example.org/v.mp4 >}}\n")
    proc = run_reportkit("render", mini)
    assert_clean_failure(proc, r"content/intro\.qmd:13:1: shortcode 'video' is not supported")


def test_debug_shows_the_traceback(mini):
    (mini / "_quarto.yml").unlink()
    proc = run_reportkit("--debug", "render", mini)
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr


def test_quarto_engine_without_quarto_fails_clearly(mini, tmp_path):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    import sys
    from pathlib import Path

    path = f"{empty_bin}:{Path(sys.executable).parent}"
    proc = run_reportkit("render", mini, "--engine", "quarto", env={"PATH": path})
    assert_clean_failure(proc, r"--engine quarto needs the Quarto CLI, and 'quarto' is not on PATH")


@pytest.mark.parametrize("engine", ["embedded"])
def test_render_is_byte_for_byte_reproducible(mini, engine):
    first = snapshot(mini / "_output")
    proc = run_reportkit("render", mini, "--engine", engine)
    assert proc.returncode == 0, proc.stderr
    assert snapshot(mini / "_output") == first


def test_duplicate_figure_id_stops_the_render_at_its_line(mini):
    intro = mini / "content" / "intro.qmd"
    text = intro.read_text(encoding="utf-8")
    (mini / "x.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    intro.write_text(text + "\n![Again](x.svg){#fig-mini-arrivals}\n", encoding="utf-8")
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"content/intro\.qmd:\d+:\d+: duplicate id 'fig-mini-arrivals'",
    )


def test_include_of_a_generated_file_names_the_shortcode_to_use(mini):
    intro = mini / "content" / "intro.qmd"
    replace_in(
        intro,
        "{{< reportkit chart mini-arrivals >}}",
        "{{< include /_generated/charts/mini-arrivals.qmd >}}",
    )
    message = assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"content/intro\.qmd:\d+: '/_generated/charts/mini-arrivals\.qmd' is written by "
        r"`reportkit prepare`: Quarto cannot include it",
    )
    assert "{{< reportkit chart ID >}}" in message


def test_unknown_chart_id_suggests_the_right_one(mini):
    replace_in(
        mini / "content" / "intro.qmd",
        "{{< reportkit chart mini-arrivals >}}",
        "{{< reportkit chart mini-arrival >}}",
    )
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"content/intro\.qmd:\d+: unknown chart 'mini-arrival' \(did you mean 'mini-arrivals'\?\)",
    )


@pytest.mark.parametrize("place", ["_quarto.yml", "report.qmd"])
def test_crossref_option_the_engine_does_not_honour_is_refused(mini, place):
    path = mini / place
    text = path.read_text(encoding="utf-8")
    if place == "_quarto.yml":
        path.write_text(text + "crossref:\n  chapters: true\n", encoding="utf-8")
    else:
        path.write_text(text.replace("---\n", "---\ncrossref:\n  chapters: true\n", 1))
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        rf"{re.escape(place)}:\d+(:\d+)?: crossref option 'chapters' is not supported by the "
        r"embedded "
        r"engine",
    )


def test_other_lua_filters_are_refused(mini):
    replace_in(mini / "_quarto.yml", "  - reportkit\n", "  - reportkit\n  - my-filter.lua\n")
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"_quarto\.yml:\d+(:\d+)?: the embedded engine runs no Lua filters but reportkit's own",
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("isbn: 978-3-16-148410-1", r"ISBN '978-3-16-148410-1' has a wrong check digit"),
        ("isbn: 12345", r"'12345' is not an ISBN-13"),
        ("issn: 2049-3631", r"ISSN '2049-3631' has a wrong check digit"),
    ],
)
def test_publication_identifiers_are_checked(mini, line, message):
    conference = mini / "data" / "conference.yml"
    conference.write_text(conference.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"), rf"data/conference\.yml:\d+:\d+: .*{message}"
    )


def test_valid_identifiers_reach_the_imprint(mini):
    conference = mini / "data" / "conference.yml"
    conference.write_text(
        conference.read_text(encoding="utf-8") + "isbn: 978-3-16-148410-0\nissn: 2049-3630\n",
        encoding="utf-8",
    )
    proc = run_reportkit("render", mini, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    html = (mini / "_output" / "report.html").read_text()
    assert "ISBN 978-3-16-148410-0" in html and "ISSN 2049-3630" in html
