"""Synthetic conferences of any size, made from the example: a proceedings volume.

The example's nine sessions (about 22 pages) are repeated as further days of the conference,
each day a chapter of its own, with its own session ids, footnote labels and section ids (so
the volume is one valid report). Charts stay where they are: a day's copy refers to them.
Pages ≈ 41 + 22 × days.
"""

from __future__ import annotations

import argparse
import copy as copy_module
import re
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = (
    "_quarto.yml",
    "report.qmd",
    "content",
    "data",
    "images",
    "brands",
    "_extensions",
    "translations",
)
PAGES_PER_DAY = 22
BASE_PAGES = 41


def copy_example(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in ENTRIES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target / name)
    return target


def days_for(pages: int) -> int:
    return max(0, round((pages - BASE_PAGES) / PAGES_PER_DAY))


def _renamed(text: str, suffix: str) -> str:
    """A session's text for another day: its own note labels and ids, no chart of its own."""
    text = re.sub(r"^\{\{< reportkit chart [\w-]+ >\}\}\n", "", text, flags=re.M)
    text = re.sub(r"\[\^([^\]\s]+)\]", lambda m: f"[^{m.group(1)}-{suffix}]", text)
    return re.sub(r"\{#(sec-[\w-]+)", lambda m: f"{{#{m.group(1)}-{suffix}", text)


def make(target: Path, days: int) -> Path:
    """The example at target, with `days` more days of sessions."""
    project = copy_example(target)
    programme_path = project / "data" / "programme.yml"
    header, _, _ = programme_path.read_text(encoding="utf-8").partition("sessions:")
    programme = yaml.safe_load(programme_path.read_text(encoding="utf-8"))
    sessions = list(programme["sessions"])
    report = (project / "report.qmd").read_text(encoding="utf-8")
    chapters = []
    for day in range(2, days + 2):
        suffix = f"day{day}"
        lines = [f"# Sessions of day {day} {{#sec-{suffix}}}", ""]
        lines.append(f"The sessions of the conference's day {day}, as a test of scale.")
        lines.append("")
        for session in programme["sessions"]:
            copy = copy_module.deepcopy(session)  # shared lists would be written as aliases
            copy["id"] = f"{session['id']}-{suffix}"
            copy["title"] = f"{session['title']} (day {day})"
            source = project / session["content"]
            content = source.with_name(f"{source.stem}-{suffix}.qmd")
            content.write_text(_renamed(source.read_text(encoding="utf-8"), suffix), "utf-8")
            copy["content"] = content.relative_to(project).as_posix()
            sessions.append(copy)
            lines += [f"{{{{< reportkit session {copy['id']} >}}}}", ""]
            lines += [f"{{{{< include {copy['content']} >}}}}", ""]
        chapters.append("\n".join(lines))
    programme["sessions"] = sessions
    programme_path.write_text(
        header + yaml.safe_dump(programme, allow_unicode=True, sort_keys=False), "utf-8"
    )
    marker = "{{< include content/analysis.qmd >}}"
    report = report.replace(marker, "\n\n".join([*chapters, marker]))
    (project / "report.qmd").write_text(report, encoding="utf-8")
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, help="folder to create the project in")
    parser.add_argument("--pages", type=int, default=120, help="about how many pages")
    args = parser.parse_args()
    project = make(args.target, days_for(args.pages))
    print(f"wrote {project} (about {BASE_PAGES + PAGES_PER_DAY * days_for(args.pages)} pages)")


if __name__ == "__main__":
    main()
