"""_output/manifest.json: what a build was made from and what it made.

Inputs are the project's own files (config, content, data, brand, images, extension), each
with its sha256; the tools and fonts that shape the output, with their versions; and the
options that change the bytes (final or draft and its date, archive). Their hash, the inputs
hash, is known before anything is printed, so the PDF's XMP carries it (pdfmeta.py); the
manifest adds the sha256 of every output. `reportkit verify` compares a PDF with them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import fontpkg

from reportkit import __version__
from reportkit.cache import file_sha256
from reportkit.project import CONFIG_FILE, Project

MANIFEST = "manifest.json"
# Folders of a project whose every file is a source (besides the files settings name).
SOURCE_DIRS = ("content", "data", "images", "_extensions")
# Python packages whose version changes the bytes of the outputs.
TOOLS = {
    "reportkit": None,
    "pandoc": None,
    "weasyprint": "weasyprint",
    "vl-convert": "vl-convert-python",
    "pikepdf": "pikepdf",
    "fonttools": "fonttools",
}


def sha256(path: Path) -> str:
    return file_sha256(path)


def _files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def source_files(project: Project, brand_file: Path | None) -> list[Path]:
    """Every file the build reads from the project, never its generated or output folders."""
    settings = project.settings
    root = project.root
    named = [CONFIG_FILE, settings.document, *settings.css, *settings.bibliography]
    named += [settings.csl] if settings.csl else []
    named += [settings.conference, settings.people, settings.programme]
    named += [settings.charts, settings.facts]
    files = [root / name for name in named if (root / name).is_file()]
    for folder in (*SOURCE_DIRS, settings.stats):
        files += _files_under(root / folder)
    if brand_file is not None and brand_file.is_relative_to(root):
        files += _files_under(brand_file.parent)
    skipped = (root / "_generated", project.output_dir, root / ".reportkit")
    unique = {p.resolve() for p in files if not any(p.is_relative_to(s) for s in skipped)}
    # A link to a file outside the project is no input: the sandbox refuses it (sandbox.py).
    return sorted(p for p in unique if p.is_relative_to(root.resolve()))


def versions(brand) -> dict[str, str]:
    found = {}
    for name, package in TOOLS.items():
        if name == "reportkit":
            found[name] = __version__
        elif name == "pandoc":
            from reportkit.engines.embedded import pandoc_version

            found[name] = pandoc_version()
        else:
            found[name] = metadata.version(package)
    for family in dict.fromkeys((brand.body_font, brand.heading_font)):
        found[f"font: {family}"] = fontpkg.family(family).version
    found["brand"] = brand.name
    return found


@dataclass
class Inputs:
    files: dict[str, str]  # project-relative path -> sha256
    versions: dict[str, str]
    options: dict[str, object]
    hash: str = field(init=False)

    def __post_init__(self) -> None:
        self.hash = hashlib.sha256(self.canonical().encode()).hexdigest()

    def canonical(self) -> str:
        record = {"files": self.files, "versions": self.versions, "options": self.options}
        return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def collect_inputs(project: Project, brand, brand_file: Path | None, options: dict) -> Inputs:
    root = project.root.resolve()
    files = {
        path.relative_to(root).as_posix(): sha256(path)
        for path in source_files(project, brand_file)
    }
    return Inputs(files, versions(brand), options)


def write_manifest(target: Path, inputs: Inputs, folders: list[Path]) -> None:
    """manifest.json at target: the inputs, their hash, and the sha256 of every file in
    folders (a later folder's file over an earlier one's: staged over published)."""
    outputs = {}
    for folder in folders:
        for path in _files_under(folder):
            if path != target:
                outputs[path.relative_to(folder).as_posix()] = sha256(path)
    outputs = dict(sorted(outputs.items()))
    record = {
        "inputs_hash": inputs.hash,
        "options": inputs.options,
        "versions": inputs.versions,
        "inputs": inputs.files,
        "outputs": outputs,
    }
    text = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False)
    target.write_text(text + "\n", encoding="utf-8")


def read_manifest(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def differences(recorded: dict, current: Inputs) -> list[str]:
    """What changed since the recorded build: files (changed, new, gone), versions, options."""
    found = []
    old_files = recorded.get("inputs", {})
    for path in sorted(set(old_files) | set(current.files)):
        if path not in current.files:
            found.append(f"{path} (removed)")
        elif path not in old_files:
            found.append(f"{path} (new)")
        elif old_files[path] != current.files[path]:
            found.append(f"{path} (changed)")
    old_versions = recorded.get("versions", {})
    for name in sorted(set(old_versions) | set(current.versions)):
        if old_versions.get(name) != current.versions.get(name):
            was, now = old_versions.get(name), current.versions.get(name)
            found.append(f"{name} {was} → {now}")
    old_options = recorded.get("options", {})
    for name in sorted(set(old_options) | set(current.options)):
        if old_options.get(name) != current.options.get(name):
            was, now = old_options.get(name), current.options.get(name)
            found.append(f"option {name}: {was} → {now}")
    return found
