"""`reportkit verify`: was this PDF built from the project's current sources?

The PDF's XMP carries the hash of the inputs it was built from (manifest.py). Verify computes
the hash of the project's inputs now: a different hash means the sources changed since, and
the manifest.json of that build names the files. The same hash means the sources are those
of the build; the PDF's own bytes are then compared with the build's record in manifest.json,
or, without one (or with --rebuild), with a fresh build of the sources in a temporary folder:
builds are deterministic, so any difference means the PDF was altered after it was built.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pikepdf
from lxml import etree

from reportkit.errors import ReportError
from reportkit.manifest import MANIFEST, Inputs, differences, read_manifest, sha256
from reportkit.pdfmeta import INPUTS_HASH, read_identification
from reportkit.project import CONFIG_FILE, find_project


@dataclass
class Verdict:
    built_from_sources: bool
    summary: str
    details: list[str] = field(default_factory=list)


def recorded_inputs_hash(pdf_path: Path) -> str:
    try:
        with pikepdf.open(pdf_path) as pdf:
            found = read_identification(pdf).get(f"reportkit:{INPUTS_HASH}")
    except (pikepdf.PdfError, etree.XMLSyntaxError) as exc:
        raise ReportError(f"{pdf_path} is not a readable PDF: {exc}") from None
    if not found:
        raise ReportError(
            f"{pdf_path} carries no reportkit inputs hash in its XMP",
            hint="only PDFs that reportkit rendered can be verified",
        )
    return found


def project_of(pdf_path: Path) -> Path:
    """The project above the PDF (its _quarto.yml), else the current folder."""
    for folder in pdf_path.resolve().parents:
        if (folder / CONFIG_FILE).is_file():
            return folder
    return Path.cwd()


def current_inputs(project_dir: Path, engine: str, final: bool) -> Inputs:
    """The inputs the project's sources give now, for a build by engine, final or draft."""
    from reportkit.build import build_inputs
    from reportkit.prepare import prepare

    project = find_project(project_dir)
    project.settings = replace(project.settings, final=final or project.settings.final)
    return build_inputs(project, prepare(project), engine)


def rebuilt_pdf(project_dir: Path, engine: str, final: bool, workdir: Path) -> Path:
    """The PDF the sources give, built in workdir from a copy of the project (file times kept:
    a draft's date comes from them; the chart and font caches come along)."""
    from reportkit.build import render

    output_dir = find_project(project_dir).settings.output_dir
    skip = {output_dir, "_generated", ".quarto", ".git", "test-artifacts", "node_modules"}
    copy = workdir / project_dir.name
    shutil.copytree(project_dir, copy, ignore=lambda _, names: [n for n in names if n in skip])
    render(copy, engine=engine, formats=("html", "pdf"), final=final)
    return copy / output_dir / "report.pdf"


def verify(pdf_path: Path, project_dir: Path | None = None, rebuild: bool = False) -> Verdict:
    pdf_path = pdf_path.resolve()
    if not pdf_path.is_file():
        raise ReportError(f"{pdf_path} does not exist")
    recorded = recorded_inputs_hash(pdf_path)
    project_dir = (project_dir or project_of(pdf_path)).resolve()
    project = find_project(project_dir)
    manifest = read_manifest(project.output_dir / MANIFEST)
    if manifest is not None and manifest.get("inputs_hash") != recorded:
        manifest = None  # the record of another build says nothing about this PDF
    # The build's engine and final flag: from its manifest, else each possibility in turn.
    builds = [("embedded", False), ("embedded", True), ("quarto", False), ("quarto", True)]
    if manifest is not None:
        options = manifest.get("options", {})
        builds.insert(0, (str(options.get("engine", "embedded")), bool(options.get("final"))))
    matched = None
    for engine, final in builds:
        if current_inputs(project_dir, engine, final).hash == recorded:
            matched = (engine, final)
            break
    if matched is None:
        if manifest is None:
            return Verdict(
                False,
                f"{pdf_path.name} was not built from the current sources of {project_dir}",
                ["no manifest.json of its build is left to name the files that changed"],
            )
        options = manifest.get("options", {})
        engine, final = str(options.get("engine", "embedded")), bool(options.get("final"))
        return Verdict(
            False,
            f"{pdf_path.name} was not built from the current sources; since its build:",
            differences(manifest, current_inputs(project_dir, engine, final)),
        )
    digest = sha256(pdf_path)
    recorded_pdf = (manifest or {}).get("outputs", {}).get("report.pdf")
    if recorded_pdf == digest and not rebuild:
        return Verdict(
            True,
            f"{pdf_path.name} was built from the current sources (inputs {recorded[:12]}, "
            "bytes as recorded in manifest.json)",
        )
    with tempfile.TemporaryDirectory(prefix="reportkit-verify-") as workdir:
        fresh = sha256(rebuilt_pdf(project_dir, *matched, Path(workdir)))
    if fresh == digest:
        return Verdict(
            True,
            f"{pdf_path.name} was built from the current sources (inputs {recorded[:12]}; "
            "rebuilt and compared byte for byte)",
        )
    return Verdict(
        False,
        f"{pdf_path.name} names the current sources, but its bytes differ from what they "
        "build: it was changed after it was built",
        [f"sha256 of the PDF {digest[:16]}…, of the rebuilt PDF {fresh[:16]}…"],
    )
