"""What the terminal shows during a render: progress, --quiet, --verbose, the summary."""

from __future__ import annotations

import re

from tests.conftest import run_reportkit


def test_verbose_shows_steps_charts_and_pages(mini):
    proc = run_reportkit("render", mini, "--verbose")
    assert proc.returncode == 0, proc.stderr
    for step in (
        "prepare: data, charts and generated files",
        "html: pandoc",
        "pdf: page layout (WeasyPrint)",
    ):
        assert step in proc.stderr
    assert re.search(r"chart 2/2: mini-italy", proc.stderr)
    assert re.search(r"\d+ pages laid out", proc.stderr)


def test_summary_names_outputs_sizes_and_time(mini):
    proc = run_reportkit("render", mini)
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"rendered in \d+\.\d s: report\.html \d+ kB, report\.pdf \d+ kB", last)


def test_quiet_prints_nothing_on_success(mini):
    proc = run_reportkit("render", mini, "--quiet", "--to", "html")
    assert proc.returncode == 0
    assert proc.stdout == "" and proc.stderr == ""
