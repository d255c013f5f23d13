"""Every bad input gets one clean line, leaks nothing and changes nothing (tests/bad_inputs/).

The cases run in this process through click's test runner (the same command-line code a user
runs, without starting Python 70 times), each on a fresh copy of the rendered mini project.
"""

from __future__ import annotations

import ast
import os
import stat
import zipfile
from pathlib import Path

import pypdf
import pytest
import yaml
from click.testing import CliRunner

from reportkit.cli import app
from tests.conftest import copy_project, snapshot

CATALOGUE = Path(__file__).parent / "bad_inputs" / "cases.yaml"
CASES = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["cases"]
MARKER = "RKLEAK-7F3A"

# Secrets beside the project, each carrying the marker; evil.py leaves a file if it ever runs.
SECRETS = {
    "secret.qmd": f"# Secret\n\n{MARKER}\n",
    "secret.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">'
        f'<text x="4" y="20">{MARKER}</text></svg>'
    ),
    "secret.css": f"/* {MARKER} */ body::after {{ content: '{MARKER}'; }}\n",
    "secret.json": (
        '{"data": {"values": [{"a": 1}]}, "mark": "bar", '
        f'"encoding": {{"x": {{"field": "a"}}}}, "title": "{MARKER}"}}'
    ),
    "secret.csv": f"geo_id,name,kind\n{MARKER.lower()},{MARKER},country\n",
    "secret.bib": f"@book{{secret, title = {{{MARKER}}}, author = {{A}}, year = 2000}}\n",
    "secret.yml": f"title: {MARKER}\n",
    "secret_brand.yml": f"meta:\n  name: {MARKER}\ncolor:\n  primary: '#123456'\n",
    "evil.py": (
        "from pathlib import Path\n"
        "Path(__file__).with_name('EXECUTED').write_text('ran')\n"
        "def chart(package):\n    return {'mark': 'bar'}\n"
    ),
}


def target(project: Path, name: str) -> Path:
    return (
        project.parent / name.removeprefix("@outside/")
        if name.startswith("@outside/")
        else (project / name)
    )


def apply(project: Path, name: str, change) -> None:
    path = target(project, name)
    if isinstance(change, str):
        change = {"text": change}
    path.parent.mkdir(parents=True, exist_ok=True)
    if "text" in change:
        path.write_text(change["text"], encoding="utf-8")
    if "append" in change:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(change["append"])
    if "replace" in change:
        old, new = change["replace"]
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{name} lacks {old!r}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    if "bytes" in change:
        path.write_bytes(ast.literal_eval(change["bytes"]))
    if "repeat" in change:
        text, count = change["repeat"]
        path.write_text(text * count, encoding="utf-8")
    if "symlink" in change:
        path.unlink(missing_ok=True)
        path.symlink_to(target(project, change["symlink"]))
    if "include_chain" in change:
        count = change["include_chain"]
        for number in range(count):
            link = (
                f"{{{{< include content/chain/{number + 1}.qmd >}}}}\n"
                if number + 1 < count
                else ""
            )
            (project / "content" / "chain").mkdir(parents=True, exist_ok=True)
            (project / "content" / "chain" / f"{number}.qmd").write_text(
                f"Part {number}.\n\n{link}", encoding="utf-8"
            )
    if change.get("delete"):
        path.unlink()
    if "mode" in change:
        path.chmod(int(str(change["mode"]), 8))


def outside_files(project: Path) -> set[str]:
    return {
        str(p.relative_to(project.parent))
        for p in project.parent.rglob("*")
        if not p.is_relative_to(project)
    }


def leaked(project: Path) -> list[str]:
    """Outputs of the project that carry the marker, read as a reader or a machine would."""
    found = []
    for folder in ("_output", "_generated"):
        for path in sorted((project / folder).rglob("*")) if (project / folder).is_dir() else []:
            if not path.is_file():
                continue
            data = path.read_bytes()
            texts = [data.decode("utf-8", "replace")]
            if path.suffix == ".pdf":
                texts += [page.extract_text() or "" for page in pypdf.PdfReader(path).pages]
            if path.suffix == ".docx":
                with zipfile.ZipFile(path) as archive:
                    texts += [
                        archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                    ]
            if any(MARKER in text or MARKER.lower() in text for text in texts):
                found.append(str(path.relative_to(project)))
    return found


def make_writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR | stat.S_IXUSR | stat.S_IRUSR)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_bad_input(case, rendered_mini, tmp_path):
    if case.get("unless_root") and os.geteuid() == 0:
        pytest.skip(case["unless_root"])
    project = copy_project(rendered_mini, tmp_path / "project")
    for name, text in SECRETS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    before_outside = outside_files(project)
    try:
        for name, change in (case.get("files") or {}).items():
            apply(project, name, change)
        before = snapshot(project / "_output")
        result = CliRunner().invoke(
            app,
            [*case.get("command", ["render", "--to", "html"]), str(project)],
            catch_exceptions=False,
        )
    finally:
        make_writable(project)
    expected_exit = case.get("exit", 1)
    stderr = result.stderr.strip()
    assert result.exit_code == expected_exit, result.stdout + stderr
    assert "Traceback" not in stderr + result.stdout
    if "message" in case:
        lines = [line for line in stderr.splitlines() if line.startswith("error:")]
        assert lines == [f"error: {case['message']}"], stderr
    for line in case.get("stdout", []):
        assert line in result.stdout.splitlines(), result.stdout
    if expected_exit:
        assert snapshot(project / "_output") == before, "a refused command changed _output/"
    assert leaked(project) == []
    assert outside_files(project) == before_outside, "something was written outside the project"
    assert not (tmp_path / "EXECUTED").exists(), "code outside the project ran"
    assert os.path.isdir(project)
