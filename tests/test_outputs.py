"""Outputs are one edition: published all together or not at all, never mixed — through a
failed move, a killed render or two renders at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from reportkit import output
from reportkit.output import STAGING_PREFIX, publish, staging
from tests.conftest import copy_project, run_reportkit, snapshot


def test_a_failed_move_puts_every_previous_output_back(tmp_path, monkeypatch):
    out = tmp_path / "_output"
    out.mkdir()
    for name in ("a.html", "b.pdf", "c.docx"):
        (out / name).write_text(f"old {name}")
    before = snapshot(out)
    real_replace = os.replace
    calls = {"n": 0}

    def failing_replace(source, target):
        calls["n"] += 1
        if calls["n"] == 4:  # old a aside, new a in, old b aside, then the new b fails
            raise PermissionError(13, "Permission denied", str(target))
        return real_replace(source, target)

    with staging(out) as stage:
        for name in ("a.html", "b.pdf", "c.docx"):
            (stage / name).write_text(f"new {name}")
        monkeypatch.setattr(output.os, "replace", failing_replace)
        with pytest.raises(Exception, match=r"cannot write _output/b\.pdf: permission denied"):
            publish(stage, out)
        monkeypatch.setattr(output.os, "replace", real_replace)
    assert snapshot(out) == before
    assert not list(tmp_path.glob(f"{STAGING_PREFIX}*"))


def test_the_next_render_removes_a_killed_renders_staging_folder(rendered_mini, tmp_path):
    project = copy_project(rendered_mini, tmp_path / "mini")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = project / f"{STAGING_PREFIX}{dead.pid}-abc"
    (stale / "assets").mkdir(parents=True)
    (stale / "report.pdf").write_bytes(b"x" * 5_000_000)
    live = project / f"{STAGING_PREFIX}{os.getpid()}-live"  # a render still running
    live.mkdir()
    proc = run_reportkit("render", project, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    assert not stale.exists()
    assert live.exists()


def outputs_are_one_edition(project) -> str:
    """'old' or 'new' when _output/ is wholly the one or the other (both valid), else fail."""
    html = (project / "_output" / "report.html").read_text(encoding="utf-8")
    pdf = pypdf.PdfReader(project / "_output" / "report.pdf")
    pdf_text = " ".join(page.extract_text() or "" for page in pdf.pages)
    html_edition = "new" if "Edited for the kill test." in html else "old"
    pdf_edition = "new" if "Edited for the kill test." in " ".join(pdf_text.split()) else "old"
    assert html_edition == pdf_edition, "the HTML and the PDF are of different renders"
    return html_edition


def processes_rendering(project) -> list[int]:
    """Processes whose command line names the project: a render and its printer's workers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"render" in command and str(project).encode() in command:
            found.append(int(entry.name))
    return found


def wait_until_gone(project, bound: float = 60.0) -> list[int]:
    """Orphans still alive after a generous bound (killed parents' workers must follow them)."""
    deadline = time.monotonic() + bound
    while (left := processes_rendering(project)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def test_killed_renders_leave_the_previous_outputs_or_the_new_ones(rendered_mini, tmp_path):
    """SIGKILL at several moments of a render (bounded: five kills, waiting on output, not on
    the clock's precision)."""
    project = copy_project(rendered_mini, tmp_path / "mini")
    intro = project / "content" / "intro.qmd"
    intro.write_text(
        intro.read_text(encoding="utf-8").replace(
            "A short report used by the tests.", "Edited for the kill test."
        ),
        encoding="utf-8",
    )
    seen = set()
    for delay in (0.5, 1.5, 3.0, 4.5, 6.0):
        render = subprocess.Popen(
            [sys.executable, "-m", "reportkit", "render", str(project), "-q"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        render.send_signal(signal.SIGKILL)
        render.wait()
        assert not wait_until_gone(project), "a killed render's workers outlived it"
        seen.add(outputs_are_one_edition(project))
    proc = run_reportkit("render", project)
    assert proc.returncode == 0, proc.stderr
    assert outputs_are_one_edition(project) == "new"
    assert not list(project.glob(f"{STAGING_PREFIX}*")), "staging folders left behind"
    assert seen  # every kill left one whole edition


def test_two_renders_at_once_take_turns_and_both_succeed(rendered_mini, tmp_path):
    project = copy_project(rendered_mini, tmp_path / "mini")
    renders = [
        subprocess.Popen(
            [sys.executable, "-m", "reportkit", "render", str(project), "-q"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for render in renders:
        _, err = render.communicate(timeout=600)
        assert render.returncode == 0, err
    assert outputs_are_one_edition(project) == "old"
    assert len(pypdf.PdfReader(project / "_output" / "report.pdf").pages) > 1
