"""Shared fixtures: the example report rendered once per test session, and a mini project."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# Each command the suite runs runs alone: test_warm.py turns the warm start on for itself.
os.environ["REPORTKIT_WARM"] = "0"

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECT_ENTRIES = (
    "_quarto.yml",
    "report.qmd",
    "content",
    "data",
    "images",
    "brands",
    "_extensions",
    "translations",
)


def run_reportkit(*args: str | Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "reportkit", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def copy_project(source: Path, dest: Path, entries=None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in entries or [p.name for p in source.iterdir()]:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def snapshot(directory: Path) -> dict[str, str]:
    """Hash of every file under directory, to prove a failed render touched nothing."""
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@dataclass
class Rendered:
    root: Path
    stdout: str

    @property
    def html(self) -> Path:
        return self.root / "_output" / "report.html"

    @property
    def pdf(self) -> Path:
        return self.root / "_output" / "report.pdf"


@pytest.fixture(scope="session")
def example(tmp_path_factory) -> Rendered:
    """The Istanbul 2017 example report, rendered from a copy of the repository's project."""
    root = copy_project(ROOT, tmp_path_factory.mktemp("example"), PROJECT_ENTRIES)
    proc = run_reportkit("render", root)
    assert proc.returncode == 0, proc.stderr
    return Rendered(root, proc.stdout)


@pytest.fixture(scope="session")
def rendered_mini(tmp_path_factory) -> Path:
    """The mini fixture project, rendered once; tests copy it before breaking it."""
    root = copy_project(FIXTURES / "mini", tmp_path_factory.mktemp("mini") / "mini")
    proc = run_reportkit("render", root)
    assert proc.returncode == 0, proc.stderr
    return root


@pytest.fixture
def mini(rendered_mini, tmp_path) -> Path:
    """A private copy of the rendered mini project (with its _output/)."""
    return copy_project(rendered_mini, tmp_path / "mini")
