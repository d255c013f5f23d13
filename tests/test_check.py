"""`reportkit check`: exact, clickable problem lines; exit codes; --strict; --format json."""

from __future__ import annotations

import json

from tests.conftest import ROOT, copy_project, run_reportkit

BROKEN_CONTENT = """
## Empty part {#sec-empty}

## Findings {#sec-findings}

See @fig-nowhere and @sec-intro, a note[^undefined] and {{< var facts.unknown >}}.

![](images/missing.png)

{{< include missing.qmd >}}
"""

EXPECTED = [
    "content/intro.qmd:13:1: warning: section 'Empty part' is empty (write its text or remove the heading)",
    "content/intro.qmd:17:5: error: no fig with id 'fig-nowhere' for this reference (check the id or add {#fig-nowhere} to its target)",
    "content/intro.qmd:17:40: error: footnote 'undefined' is never defined (add a line '[^undefined]: …')",
    "content/intro.qmd:17:57: error: unknown var key 'facts.unknown' (define it in data/facts.yml)",
    "content/intro.qmd:19:1: error: image 'images/missing.png' does not exist (fix the path; it is relative to the project root)",
    "content/intro.qmd:19:1: warning: image 'images/missing.png' has no alt text (add fig-alt=\"…\" describing what it shows)",
    "content/intro.qmd:21: error: included file 'missing.qmd' does not exist (create it, or fix the path: relative to the rendered document (as in Quarto, also inside included files), '/' is the project root)",
    "data/people.yml:7:5: warning: person 'idle' is not in any session of data/programme.yml (add them to a session or remove them)",
]


def broken(mini):
    with (mini / "content" / "intro.qmd").open("a", encoding="utf-8") as f:
        f.write(BROKEN_CONTENT)
    with (mini / "data" / "people.yml").open("a", encoding="utf-8") as f:
        f.write("  - id: idle\n    name: Idle Person\n")
    return mini


def test_the_example_report_is_ready_to_publish(tmp_path):
    root = copy_project(
        ROOT,
        tmp_path / "example",
        ("_quarto.yml", "report.qmd", "content", "data", "images", "brands"),
    )
    # The English edition; the Turkish one is a draft (tests/test_editions.py).
    proc = run_reportkit("check", "--final", "--edition", "en", root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "" and "no problems found" in proc.stderr


def test_every_problem_is_one_exact_line(mini):
    proc = run_reportkit("check", broken(mini))
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == EXPECTED
    assert "5 error(s), 3 warning(s)" in proc.stderr


def test_warnings_alone_pass_unless_strict(mini):
    with (mini / "data" / "people.yml").open("a", encoding="utf-8") as f:
        f.write("  - id: idle\n    name: Idle Person\n")
    assert run_reportkit("check", mini).returncode == 0
    strict = run_reportkit("check", "--strict", mini)
    assert strict.returncode == 1
    assert strict.stdout.splitlines() == [EXPECTED[-1]]


def test_json_output_for_tools(mini):
    proc = run_reportkit("check", "--format", "json", broken(mini))
    assert proc.returncode == 1
    problems = json.loads(proc.stdout)
    assert len(problems) == len(EXPECTED)
    first = problems[1]
    assert first == {
        "path": "content/intro.qmd",
        "line": 17,
        "column": 5,
        "severity": "error",
        "message": "no fig with id 'fig-nowhere' for this reference",
        "hint": "check the id or add {#fig-nowhere} to its target",
    }


def test_data_errors_are_reported_too(mini):
    path = mini / "data" / "stats" / "arrivals.csv"
    path.write_text(path.read_text().replace("grc,2016,,173450", "grc,2016,,12O5"))
    proc = run_reportkit("check", mini)
    assert proc.returncode == 1
    assert (
        'data/stats/arrivals.csv:row 3:column value: error: "12O5" is not an integer' in proc.stdout
    )


def test_check_does_not_render(mini):
    (mini / "_output" / "report.html").unlink()
    assert run_reportkit("check", mini).returncode == 0
    assert not (mini / "_output" / "report.html").exists()


def test_charts_never_placed_and_facts_never_quoted_are_warnings(mini):
    intro = mini / "content" / "intro.qmd"
    text = intro.read_text()
    text = text.replace("{{< reportkit chart mini-italy >}}", "")
    intro.write_text(text.replace("{{< var facts.greece_2016 >}}", "173,450"))
    proc = run_reportkit("check", mini)
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == [
        "data/charts.yml: warning: chart 'mini-italy' is never placed in the report "
        "(add {{< reportkit chart mini-italy >}} where it belongs)",
        "data/facts.yml: warning: fact 'greece_2016' is never quoted in the text "
        "(quote it with {{< var facts.greece_2016 >}} or remove it)",
    ]


def test_duplicate_ids_and_unnumbered_reference_kinds_are_errors(mini):
    with (mini / "content" / "intro.qmd").open("a", encoding="utf-8") as f:
        f.write("\n## Again {#sec-intro}\n\nText, and see @eq-energy.\n")
    proc = run_reportkit("check", mini)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert any(
        "error: duplicate id 'sec-intro' (first used at content/intro.qmd:" in line
        for line in lines
    ), lines
    assert any(
        "error: cross-reference '@eq-energy' is not supported by the embedded engine" in line
        for line in lines
    ), lines


def test_a_session_never_placed_is_reported(mini):
    report = (mini / "report.qmd").read_text(encoding="utf-8")
    (mini / "report.qmd").write_text(
        report.replace("{{< reportkit session s1 >}}", ""), encoding="utf-8"
    )
    proc = run_reportkit("check", "--strict", mini)
    assert proc.returncode == 1
    assert (
        "data/programme.yml: warning: session 's1' is never placed in the report (add "
        "{{< reportkit session s1 >}} and {{< include content/sessions/s1.qmd >}} to report.qmd)"
    ) in proc.stdout.splitlines()
