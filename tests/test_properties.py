"""Property-based tests: whatever the input, a result or a clean ReportError — never a crash.

Loaders of YAML and CSV data, the shortcode parser, the include resolver and the
cross-reference resolver are fed generated text; each must return or raise ReportError.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportkit.data.package import load_package
from reportkit.engines.assemble import Assembler
from reportkit.errors import ReportError
from reportkit.yamlio import parse_yaml
from tests.conftest import FIXTURES

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text made of the characters that matter to each parser, and anything else now and then.
yaml_text = st.text(
    alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"#\n  \t,?%@`0129.") + ["\u00e9", "\x00"]),
    max_size=200,
)
markdown_text = st.text(
    alphabet=st.sampled_from(list("{}<>@#-:/.[]()!`*_ \nabcfigsectbl0123") + ["\u00a0"]),
    max_size=300,
)


def outcome(call):
    """Run call; a ReportError is a clean answer, anything else fails the property."""
    try:
        return call()
    except ReportError as error:
        assert str(error)  # it says something
        return error


@FAST
@given(yaml_text)
def test_yaml_loader_answers_every_text(text):
    outcome(lambda: parse_yaml(text, Path("x.yml"), "x.yml"))


@FAST
@given(st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=6))
def test_yaml_aliases_are_bounded_whatever_the_fan_out(depth, fan):
    lines = ["a0: &a0 [x]"]
    for level in range(1, depth + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * fan)}]")
    result = outcome(lambda: parse_yaml("\n".join(lines), Path("x.yml"), "x.yml"))
    if not isinstance(result, ReportError):
        assert fan**depth <= 200_000 or depth * fan <= 50


csv_cell = st.text(alphabet=st.sampled_from(list('ab1,;"\n\t é') + ["\x00"]), max_size=12)


@SLOW
@given(st.lists(st.lists(csv_cell, min_size=1, max_size=10), min_size=0, max_size=6))
def test_csv_loader_answers_every_table(tmp_path_factory, rows):
    stats = tmp_path_factory.mktemp("stats")
    shutil.copytree(FIXTURES / "mini" / "data" / "stats", stats, dirs_exist_ok=True)
    body = "\n".join(",".join(row) for row in rows)
    (stats / "geographies.csv").write_text("geo_id,name,kind\n" + body + "\n", encoding="utf-8")
    outcome(lambda: load_package(stats, "data/stats"))


def assembler(root: Path, problems=None) -> Assembler:
    return Assembler(root, {"facts": {"a": "1"}}, {"title": "T"}, problems)


@FAST
@given(markdown_text)
def test_shortcode_parser_answers_every_text(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("doc")
    document = root / "report.qmd"
    document.write_text(text, encoding="utf-8")
    outcome(lambda: assembler(root).assemble(document))
    problems: list[ReportError] = []
    result = outcome(lambda: assembler(root, problems).assemble(document))
    assert all(isinstance(p, ReportError) for p in problems)
    assert result is not None


include_path = st.lists(
    st.sampled_from(["..", ".", "a", "b.qmd", "/", "c", "~", "%2e%2e", "a.qmd"]),
    min_size=1,
    max_size=6,
).map("/".join)


@FAST
@given(include_path)
def test_include_resolver_never_reads_outside_the_project(tmp_path_factory, path):
    base = tmp_path_factory.mktemp("base")
    root = base / "project"
    (root / "a").mkdir(parents=True)
    (root / "a" / "a.qmd").write_text("Inside.\n", encoding="utf-8")
    (root / "b.qmd").write_text("Inside too.\n", encoding="utf-8")
    (base / "b.qmd").write_text("OUTSIDE\n", encoding="utf-8")
    (base / "a.qmd").write_text("OUTSIDE\n", encoding="utf-8")
    document = root / "report.qmd"
    document.write_text(f"{{{{< include {path} >}}}}\n", encoding="utf-8")
    result = outcome(lambda: assembler(root).assemble(document))
    if not isinstance(result, ReportError):
        assert "OUTSIDE" not in result.text


reference_text = st.lists(
    st.sampled_from(
        [
            "# A {#sec-a}\n",
            "## B {#sec-b}\n",
            "See @sec-a.\n",
            "See @fig-x and @tbl-y.\n",
            "[-@sec-b]\n",
            "@Fig-x\n",
            "![Cap](img.svg){#fig-x}\n",
            "| a |\n|---|\n| 1 |\n\n: Cap {#tbl-y}\n",
            "@eq-z\n",
            "::: {#fig-d}\nText\n\nCap\n:::\n",
            "[see @sec-c]\n",
            "\n",
        ]
    ),
    max_size=8,
).map("".join)


@SLOW
@given(reference_text)
def test_cross_reference_resolver_answers_every_document(tmp_path_factory, text):
    """The embedded engine's pandoc run with its filters: HTML or a clean error."""
    from click.testing import CliRunner

    from reportkit.cli import app
    from tests.conftest import copy_project

    root = copy_project(FIXTURES / "mini", tmp_path_factory.mktemp("xref") / "mini")
    (root / "img.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    intro = root / "content" / "intro.qmd"
    intro.write_text(intro.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    result = CliRunner().invoke(app, ["render", str(root), "--to", "html", "-q"])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if result.exit_code:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
