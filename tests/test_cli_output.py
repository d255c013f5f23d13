"""What the terminal shows during a render: progress, --quiet, --verbose, the summary."""

from __future__ import annotations

import re
import shutil

from tests.conftest import run_reportkit, snapshot


def test_verbose_shows_steps_charts_and_pages(mini):
    shutil.rmtree(mini / ".reportkit")  # a first render: every step runs
    proc = run_reportkit("render", mini, "--verbose")
    assert proc.returncode == 0, proc.stderr
    for step in (
        "prepare: data, charts and generated files",
        "html: pandoc",
        "pdf: page layout (WeasyPrint)",
    ):
        assert step in proc.stderr
    assert re.search(r"chart 2/2: mini-italy", proc.stderr)
    assert re.search(r"\d+ pages: \d+ piece\(s\) laid out, 0 reused", proc.stderr)


def test_a_render_with_nothing_changed_says_so_and_does_nothing(mini):
    before = snapshot(mini / "_output")
    proc = run_reportkit("render", mini, "--verbose")
    assert proc.returncode == 0, proc.stderr
    assert "up to date: nothing changed since the last render" in proc.stdout
    assert "pdf: page layout" not in proc.stderr
    assert snapshot(mini / "_output") == before


def test_summary_names_outputs_sizes_and_time(mini):
    proc = run_reportkit("render", mini)
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"rendered in \d+\.\d s: report\.html \d+ kB, report\.pdf \d+ kB", last)


def test_quiet_prints_nothing_on_success(mini):
    proc = run_reportkit("render", mini, "--quiet", "--to", "html")
    assert proc.returncode == 0
    assert proc.stdout == "" and proc.stderr == ""
