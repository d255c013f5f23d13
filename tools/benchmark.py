"""Time reportkit's main commands on the example report, side by side in one run.

Usage: python tools/benchmark.py [ROUNDS]

Each round runs every case once, in turn, on a fresh copy of the project (so the machine's
load affects all cases alike); prints the median and spread of each, and ratios to the warm
HTML render. No assertions: numbers for humans, not a timed test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = ("_quarto.yml", "report.qmd", "content", "data", "images", "brands", "_extensions")
QUARTO = next(
    (str(p) for p in [ROOT / ".tools/quarto/bin/quarto"] if p.is_file()), shutil.which("quarto")
)


def reportkit(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "reportkit", *args], check=True, capture_output=True)


def fresh_copy(base: Path) -> Path:
    project = Path(tempfile.mkdtemp(dir=base))
    for name in ENTRIES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name)
        else:
            shutil.copy2(source, project / name)
    reportkit("render", str(project), "--to", "html")  # warm the chart cache
    return project


def quarto_copy(base: Path) -> Path | None:
    """A copy rendered once by real Quarto (when installed), for the PDF step on its HTML."""
    if not QUARTO:
        return None
    project = fresh_copy(base)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([QUARTO, "render", str(project)], check=True, capture_output=True, env=env)
    return project


def cases(project: Path, quarto_project: Path | None) -> dict:
    def cold_html(cache: str):
        def run():
            shutil.rmtree(project / ".reportkit" / "cache" / cache, ignore_errors=True)
            reportkit("render", str(project), "--to", "html")

        return run

    found = {
        "check": lambda: reportkit("check", str(project)),
        "render html (charts cached)": lambda: reportkit("render", str(project), "--to", "html"),
        "render html (charts drawn)": cold_html("charts"),
        "render html (font subsets cut)": cold_html("fonts"),
        "render html + pdf": lambda: reportkit("render", str(project)),
        "pdf step, embedded html": lambda: reportkit("pdf", str(project)),
    }
    if quarto_project:
        found["pdf step, quarto html"] = lambda: reportkit("pdf", str(quarto_project))
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rounds", nargs="?", type=int, default=3, help="rounds to run (3)")
    rounds = parser.parse_args(argv).rounds
    base = Path(tempfile.mkdtemp(prefix="reportkit-bench-"))
    try:
        project = fresh_copy(base)
        quarto_project = quarto_copy(base)
        timings: dict[str, list[float]] = {name: [] for name in cases(project, quarto_project)}
        for _ in range(rounds):
            for name, run in cases(project, quarto_project).items():
                started = time.perf_counter()
                run()
                timings[name].append(time.perf_counter() - started)
        reference = statistics.median(timings["render html (charts cached)"])
        print(f"{'case':32} {'median s':>9} {'min':>7} {'max':>7} {'× warm html':>12}")
        for name, values in timings.items():
            median = statistics.median(values)
            print(
                f"{name:32} {median:9.2f} {min(values):7.2f} {max(values):7.2f} "
                f"{median / reference:12.2f}"
            )
        if "pdf step, quarto html" in timings:
            ratio = statistics.median(timings["pdf step, quarto html"]) / statistics.median(
                timings["pdf step, embedded html"]
            )
            print(f"pdf step: quarto html / embedded html = {ratio:.2f}")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
