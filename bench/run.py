"""reportkit's benchmark: whole commands timed side by side in one run, medians and ratios.

    .venv/bin/python bench/run.py [--rounds 3] [--sizes 40,120,500] [--skip-scale]

Not part of the tests (machines are noisy): numbers for people. Each round runs every case
once, in turn, so a loaded machine slows all cases alike. Cases on the example report:

- cold: HTML + PDF of a fresh copy (no project cache; the user cache holds the Vega bundle,
  built once per installed vl-convert). The commands are handed to a warm process
  (reportkit/warm.py), as they are after an editor's first command; its CPU and memory are
  counted. Cold and the CSV edit are also run without one (REPORTKIT_WARM=0);
- no change: the same again; one sentence: a sentence of one session edited; one CSV value:
  one value of a dataset that one chart draws; check (after that render, and after an edit
  no render has seen); --to html after a sentence edit;
- raw baseline: the same pandoc call, WeasyPrint's own command on the same print HTML, and
  vl-convert on the same chart specs, each run directly as its own process;
- preview: an edit to one session until the running preview has rebuilt the page;
- the PDF step (`reportkit pdf`) on the embedded engine's HTML and, where real Quarto is
  installed (`.tools/quarto` or PATH), on Quarto's HTML of the same project (issue 9's ratio);
- scale: synthetic conferences of about 40, 120 and 500 pages (bench/synthetic.py), cold,
  with wall, CPU, peak memory, layouts and the growth exponent, each beside its raw baseline.

Wall and CPU are seconds; CPU counts every process of the command (workers included).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parent.parent
QUARTO = next(
    (str(p) for p in [ROOT / ".tools/quarto/bin/quarto"] if p.is_file()), shutil.which("quarto")
)


@dataclass
class Measure:
    wall: float
    cpu: float
    rss_mb: float
    out: str


def measure(command: list[str], env: dict, cwd: Path | None = None) -> Measure:
    """One command as a process: wall time, CPU of it and its children, peak memory."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{text}")
    return Measure(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


def reportkit(env: dict, *args) -> Measure:
    """A reportkit command, with what it spent in the warm process that ran it, if one did."""
    usage = Path(env["XDG_RUNTIME_DIR"]) / "usage.txt"
    usage.unlink(missing_ok=True)
    result = measure([PYTHON, "-m", "reportkit", *map(str, args)], env)
    if usage.is_file():
        cpu, peak_kb = usage.read_text().split()
        result.cpu += float(cpu)
        result.rss_mb = max(result.rss_mb, int(peak_kb) / 1024)
    return result


def stop_warm_processes(run: Path) -> None:
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"reportkit.warm" in command and str(run).encode() in command:
            os.kill(int(entry.name), 15)


def raw_baseline(project: Path, env: dict, work: Path) -> dict[str, Measure]:
    """pandoc, WeasyPrint and vl-convert run directly on the content reportkit gave them."""
    work.mkdir(parents=True, exist_ok=True)
    script = work / "raw_inputs.py"
    script.write_text(RAW_INPUTS, encoding="utf-8")
    subprocess.run([PYTHON, str(script), str(project), str(work)], check=True, env=env)
    args = json.loads((work / "pandoc-args.json").read_text())
    pandoc = measure(
        [*args, "--output", str(work / "raw.html")],
        env,
        cwd=project,
    )
    weasy = measure(
        [
            PYTHON,
            "-m",
            "weasyprint",
            str(project / "_output" / "raw-print.html"),
            str(work / "raw.pdf"),
        ],
        env,
    )
    charts = measure([PYTHON, "-c", VL_CONVERT, str(project)], env)
    return {"pandoc": pandoc, "weasyprint": weasy, "vl-convert": charts}


RAW_INPUTS = r"""
import json, sys
from pathlib import Path
from reportkit.engines.embedded import assemble_document, pandoc_arguments, pandoc_binary
from reportkit.pdf import inline_footnotes
from reportkit.prepare import prepare
from reportkit.project import find_project
import yaml
project = find_project(Path(sys.argv[1])); work = Path(sys.argv[2])
prepared = prepare(project)
assembled, metadata, settings = assemble_document(project, prepared)
meta = work / "meta.yml"
meta.write_text(yaml.safe_dump(metadata, allow_unicode=True))
(work / "report.md").write_text(assembled.text)
args = [pandoc_binary(), *pandoc_arguments(project, meta, "html5", settings)]
args.append(str(work / "report.md"))
(work / "pandoc-args.json").write_text(json.dumps(args))
import lxml.html
from reportkit.pdf import print_fonts
from reportkit.printdom import print_ready
html = project.root / "_output" / "report.html"
tree = lxml.html.document_fromstring(print_ready(inline_footnotes(html.read_text())))
print_fonts(tree, html.parent)  # the installed font files, as reportkit prints them
text = lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
(project.root / "_output" / "raw-print.html").write_text(text)
"""

VL_CONVERT = r"""
import json, sys
from pathlib import Path
import vl_convert as vlc
from reportkit.fonts import font_faces
for family in ("Fira Sans", "IBM Plex Serif"):
    for face in font_faces(family):
        vlc.register_font_directory(str(face.path.parent))
for spec in sorted(Path(sys.argv[1], "_generated", "charts").glob("*.vl.json")):
    vlc.vegalite_to_svg(json.loads(spec.read_text()))
"""


def edit_sentence(project: Path, round_number: int, file: str = "sessions/panel-2.qmd") -> None:
    """A sentence of one content file edited: by default a session of the longest chapter
    (22 of the example's 41 pages), which is laid out again whole."""
    session = project / "content" / file
    text = session.read_text(encoding="utf-8")
    text = re.sub(r" \(edit \d+\)", "", text, count=1)
    first = text.index(". ") + 1
    session.write_text(text[:first] + f" (edit {round_number})" + text[first:], "utf-8")


def edit_csv_value(project: Path, round_number: int) -> None:
    """A Frontex detections value (one chart draws it), nudged up and down by turns."""
    path = project / "data" / "stats" / "detections.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    value = header.index("value")
    row = lines[1].split(",")
    row[value] = str(int(row[value]) + (1 if round_number % 2 else -1))
    lines[1] = ",".join(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def preview_latency(project: Path, env: dict, rounds: int) -> list[float]:
    """Seconds from a saved edit until the running preview serves the rebuilt page."""
    process = subprocess.Popen(
        [PYTHON, "-m", "reportkit", "preview", str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    url = None
    for line in process.stdout:
        match = re.search(r"serving (http://\S+)", line)
        if match:
            url = match.group(1)
            break
    results = []
    try:
        for number in range(rounds):
            status = json.load(urllib.request.urlopen(url + "__reportkit__/status"))
            edit_sentence(project, 1000 + number)
            started = time.perf_counter()
            while True:
                now = json.load(urllib.request.urlopen(url + "__reportkit__/status"))
                if now["version"] > status["version"]:
                    break
                time.sleep(0.01)
            results.append(time.perf_counter() - started)
            time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return results


def pdf_steps(work: Path, env: dict, rounds: int, add) -> None:
    """`reportkit pdf` on the embedded HTML and on real Quarto's HTML, rounds interleaved."""
    embedded = synthetic.copy_example(work / "pdf-embedded")
    reportkit(env, "render", embedded, "--to", "html", "-q")
    quarto = None
    if QUARTO:
        quarto = synthetic.copy_example(work / "pdf-quarto")
        path = f"{Path(PYTHON).parent}{os.pathsep}{env['PATH']}"
        measure([QUARTO, "render", str(quarto)], {**env, "PATH": path}, cwd=quarto)
    for _ in range(rounds):
        for name, project in (("embedded", embedded), ("Quarto's", quarto)):
            if project is not None:
                cache = project / ".reportkit" / "cache" / "pdf"
                shutil.rmtree(cache, ignore_errors=True)  # the step itself, not the cache
                add(f"pdf step, {name} HTML", reportkit(env, "pdf", project))


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def layout_line(out: str) -> str:
    match = re.search(r"pdf: (\d+) pages, (\d+) layouts", out)
    return f"{match.group(1)} pages, {match.group(2)} layouts" if match else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="40,120,500")
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reportkit-bench-"))
    run = work / "run"
    run.mkdir(mode=0o700)
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(work / "user-cache"),
        "XDG_RUNTIME_DIR": str(run),  # this run's own warm process
        "REPORTKIT_WARM": "1",
        "REPORTKIT_USAGE_FILE": str(run / "usage.txt"),
    }
    alone = {**env, "REPORTKIT_WARM": "0"}
    try:
        run_cases(args, work, env, alone)
    finally:
        stop_warm_processes(run)
    shutil.rmtree(work, ignore_errors=True)


def run_cases(args, work: Path, env: dict, alone: dict) -> None:
    # The Vega bundle, once per installed vl-convert (as on a user's machine), and the warm
    # process an editor's first command leaves (ready once a command has been handed to it).
    warm = synthetic.copy_example(work / "warm")
    reportkit(env, "render", warm, "--to", "html", "-q")
    reportkit(env, "check", warm)
    cases: dict[str, list[Measure]] = {}

    def add(name: str, value: Measure) -> None:
        cases.setdefault(name, []).append(value)

    for number in range(args.rounds):
        print(f"round {number + 1}/{args.rounds}", file=sys.stderr)
        project = synthetic.copy_example(work / f"example-{number}")
        add("cold html + pdf", reportkit(env, "render", project, "-q"))
        add("no change", reportkit(env, "render", project, "-q"))
        edit_sentence(project, number)
        add("one sentence edited", reportkit(env, "render", project, "-q"))
        edit_sentence(project, number, "analysis.qmd")
        add("one sentence edited (9-page chapter)", reportkit(env, "render", project, "-q"))
        edit_csv_value(project, number)
        add("one CSV value changed", reportkit(env, "render", project, "-q"))
        add("check", reportkit(env, "check", project))
        edit_sentence(project, number + 100)
        add("--to html (after an edit)", reportkit(env, "render", project, "--to", "html", "-q"))
        edit_sentence(project, number + 200)
        add("check (after an edit, before a render)", reportkit(env, "check", project))
        # The same without a warm process: each command imports everything itself.
        project = synthetic.copy_example(work / f"alone-{number}")
        add("cold html + pdf, no warm process", reportkit(alone, "render", project, "-q"))
        edit_csv_value(project, number)
        add("one CSV value changed, no warm process", reportkit(alone, "render", project, "-q"))
        raw = raw_baseline(project, env, work / f"raw-{number}")
        for tool, value in raw.items():
            add(f"raw: {tool}", value)
        add(
            "raw baseline",
            Measure(
                *(sum(getattr(v, f) for v in raw.values()) for f in ("wall", "cpu")),
                max(v.rss_mb for v in raw.values()),
                "",
            ),
        )
    pdf_steps(work, env, args.rounds, add)
    preview_project = synthetic.copy_example(work / "preview")
    reportkit(env, "render", preview_project, "--to", "html", "-q")
    latency = preview_latency(preview_project, env, max(3, args.rounds))

    cold = median([m.cpu for m in cases["cold html + pdf"]])
    cold_wall = median([m.wall for m in cases["cold html + pdf"]])
    raw_cpu = median([m.cpu for m in cases["raw baseline"]])
    raw_wall = median([m.wall for m in cases["raw baseline"]])
    alone_wall = median([m.wall for m in cases["cold html + pdf, no warm process"]])
    targets = {
        "cold html + pdf": (
            "× raw",
            lambda c, w: f"{w / raw_wall:.2f} wall, {c / raw_cpu:.2f} CPU",
            "≤ 1.25 × raw",
        ),
        "no change": ("× cold", lambda c, w: f"{w / cold_wall:.2f}", "≤ 0.10 × cold"),
        "one sentence edited": ("× cold", lambda c, w: f"{w / cold_wall:.2f}", "≤ 0.35 × cold"),
        "one sentence edited (9-page chapter)": (
            "× cold",
            lambda c, w: f"{w / cold_wall:.2f}",
            "≤ 0.35 × cold",
        ),
        "one CSV value changed": ("× cold", lambda c, w: f"{w / cold_wall:.2f}", "≤ 0.35 × cold"),
        "cold html + pdf, no warm process": (
            "× raw",
            lambda c, w: f"{w / raw_wall:.2f} wall, {c / raw_cpu:.2f} CPU",
            "≤ 1.25 × raw",
        ),
        "one CSV value changed, no warm process": (
            "× cold",
            lambda c, w: f"{w / alone_wall:.2f} × its cold",
            "",
        ),
        "check": ("s", lambda c, w: f"{w:.2f} s", "≤ 1 s"),
        "check (after an edit, before a render)": ("s", lambda c, w: f"{w:.2f} s", "≤ 1 s"),
        "--to html (after an edit)": ("× cold", lambda c, w: f"{w / cold_wall:.2f}", ""),
    }
    if "pdf step, Quarto's HTML" in cases:
        embedded_wall = median([m.wall for m in cases["pdf step, embedded HTML"]])
        targets["pdf step, Quarto's HTML"] = (
            "× embedded",
            lambda c, w: f"{w / embedded_wall:.2f} × embedded",
            "≈ 1 × embedded",
        )
    print(f"\nreportkit benchmark, {args.rounds} round(s), medians; {os.cpu_count()} cores\n")
    print("| case | wall s | CPU s | peak MB | ratio | target |")
    print("|---|---|---|---|---|---|")
    for name, values in cases.items():
        wall = median([m.wall for m in values])
        cpu = median([m.cpu for m in values])
        rss = max(m.rss_mb for m in values)
        _, ratio, target = targets.get(name, ("", lambda c, w: "", ""))
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {ratio(cpu, wall)} | {target} |")
    print(f"| preview: edit to page rebuilt | {median(latency):.2f} | | | | < 1 s |")
    print(
        f"\ncold = {cold_wall:.2f} s wall, {cold:.2f} s CPU; raw = {raw_wall:.2f} s wall, "
        f"{raw_cpu:.2f} s CPU"
    )
    if args.skip_scale:
        return
    print("\n| pages | wall s | CPU s | peak MB | layouts | raw wall s | × raw |")
    print("|---|---|---|---|---|---|---|")
    points = []
    for size in [int(s) for s in args.sizes.split(",")]:
        project = synthetic.make(work / f"size-{size}", synthetic.days_for(size))
        run = reportkit(env, "render", project)
        raw = raw_baseline(project, env, work / f"raw-size-{size}")
        raw_wall = sum(m.wall for m in raw.values())
        pages = int(re.search(r"pdf: (\d+) pages", run.out).group(1))
        layouts = re.search(r"(\d+) layouts", run.out).group(1)
        points.append((pages, run.wall, raw_wall))
        print(
            f"| {pages} | {run.wall:.1f} | {run.cpu:.1f} | {run.rss_mb:.0f} | {layouts} | "
            f"{raw_wall:.1f} | {run.wall / raw_wall:.2f} |"
        )
    if len(points) >= 2:
        xs = [math.log(p) for p, _, _ in points]
        ys = [math.log(w) for _, w, _ in points]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mean_x) ** 2 for x in xs
        )
        print(f"\ngrowth exponent of wall time with pages: {slope:.2f} (1.0 is linear)")


if __name__ == "__main__":
    main()
