"""PDF/A-3b with the data attached, the build manifest, and `reportkit verify`."""

from __future__ import annotations

import hashlib
import json
import shutil

import pikepdf
import pytest

from tests.conftest import copy_project, run_reportkit
from tests.matterhorn import failures
from tests.test_errors import replace_in

ATTACHED = {
    "data/stats/datapackage.yaml": "/Data",
    "data/stats/arrivals.csv": "/Data",
    "data/stats/dead_missing.csv": "/Data",
    "data/stats/detections.csv": "/Data",
    "data/stats/geographies.csv": "/Data",
    "data/stats/sources.csv": "/Data",
    "data/stats/turkey_enforcement.csv": "/Data",
    "_generated/sources.csv": "/Data",
    "data/charts.yml": "/Source",
    "data/facts.yml": "/Source",
}


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def xmp_values(path) -> dict:
    with pikepdf.open(path) as pdf, pdf.open_metadata() as xmp:
        return {
            key: xmp.get(key)
            for key in ("pdfuaid:part", "pdfaid:part", "pdfaid:conformance", "dc:title")
        } | {"inputs": pdf.Root.Metadata.read_bytes().decode()}


@pytest.fixture(scope="module")
def archived(example, tmp_path_factory):
    """The example with `reportkit: pdf-archive: true` (caches copied: a quick render)."""
    root = tmp_path_factory.mktemp("archived") / "report"
    shutil.copytree(example.root, root, ignore=shutil.ignore_patterns("_output"))
    replace_in(root / "_quarto.yml", "  page-size: A4", "  page-size: A4\n  pdf-archive: true")
    proc = run_reportkit("render", root)
    assert proc.returncode == 0, proc.stderr
    return root


def test_the_archive_carries_the_data_package_byte_for_byte(archived):
    with pikepdf.open(archived / "_output" / "report.pdf") as pdf:
        attached = {
            name: (spec.get_file().read_bytes(), str(spec.obj.AFRelationship))
            for name, spec in pdf.attachments.items()
        }
        media = {name: str(spec.obj.EF.F.Subtype) for name, spec in pdf.attachments.items()}
        associated = [spec.objgen for spec in pdf.Root.AF]
        assert len(associated) == len(set(associated)) == len(ATTACHED)
    assert {name: kind for name, (_, kind) in attached.items()} == ATTACHED
    for name, kind in media.items():
        assert kind == ("/text/csv" if name.endswith(".csv") else "/application/yaml"), name
    for name, (data, _) in attached.items():
        assert data == (archived / name).read_bytes(), f"{name} differs from the project's file"
    sources = attached["_generated/sources.csv"][0].decode()
    assert sources.startswith("kind,id,title,source_id,organisation,source_title,url\n")
    assert "chart,sea-arrivals-by-country," in sources and "\nfact," in sources


def test_the_archive_is_pdf_a_3b_and_pdf_ua_1(archived):
    path = archived / "_output" / "report.pdf"
    values = xmp_values(path)
    assert values["pdfaid:part"] == "3" and values["pdfaid:conformance"] == "B"
    assert values["pdfuaid:part"] == "1"
    # PDF/A asks every property outside XMP 2005 to be described in the packet.
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in values["inputs"]
    with pikepdf.open(path) as pdf:
        assert pikepdf.Name("/GTS_PDFA1") == pdf.Root.OutputIntents[0].S
        assert all(annot.F == 4 for page in pdf.pages for annot in page.get("/Annots", []))
    assert failures(path) == []


def test_a_plain_render_attaches_nothing(example):
    with pikepdf.open(example.pdf) as pdf:
        assert len(pdf.attachments) == 0 and "/AF" not in pdf.Root
    assert xmp_values(example.pdf)["pdfaid:part"] is None


def test_a_final_render_archives(mini):
    proc = run_reportkit("render", mini, "--final")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    path = mini / "_output" / "report.pdf"
    assert xmp_values(path)["pdfaid:part"] == "3"
    with pikepdf.open(path) as pdf:
        names = set(pdf.attachments)
    assert "data/stats/datapackage.yaml" in names and "data/charts.yml" in names


# --- manifest ------------------------------------------------------------------------------


def test_the_manifest_records_inputs_versions_and_outputs(example):
    output = example.root / "_output"
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    inputs = manifest["inputs"]
    for name in (
        "_quarto.yml",
        "report.qmd",
        "content/background.qmd",
        "data/conference.yml",
        "data/stats/arrivals.csv",
        "brands/harbour/_brand.yml",
        "images/cover.svg",
        "_extensions/reportkit/lists.lua",
    ):
        assert inputs[name] == sha256(example.root / name), name
    assert not [n for n in inputs if n.startswith(("_generated/", "_output/", ".reportkit/"))]
    versions = manifest["versions"]
    for tool in ("reportkit", "pandoc", "weasyprint", "vl-convert", "font: IBM Plex Serif"):
        assert versions[tool], tool
    assert versions["brand"] == "Harbour"
    assert manifest["outputs"]["report.pdf"] == sha256(output / "report.pdf")
    assert manifest["outputs"]["report.html"] == sha256(output / "report.html")
    # The PDF names the inputs it was built from.
    assert f">{manifest['inputs_hash']}<" in xmp_values(example.pdf)["inputs"]


# --- verify --------------------------------------------------------------------------------


@pytest.fixture
def project(example, tmp_path):
    """A private copy of the rendered example (caches and output included)."""
    return copy_project(example.root, tmp_path / "report")


def test_verify_accepts_the_untouched_pdf(project):
    proc = run_reportkit("verify", project / "_output" / "report.pdf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "was built from the current sources" in proc.stdout


def test_verify_rebuilds_to_accept_the_pdf_without_a_manifest(project, tmp_path):
    (project / "_output" / "manifest.json").unlink()
    proc = run_reportkit("verify", project / "_output" / "report.pdf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "rebuilt and compared byte for byte" in proc.stdout


def test_verify_rejects_a_pdf_altered_by_one_byte(project, tmp_path):
    altered = tmp_path / "altered.pdf"
    data = bytearray((project / "_output" / "report.pdf").read_bytes())
    data[len(data) // 2] ^= 0x01
    altered.write_bytes(bytes(data))
    proc = run_reportkit("verify", altered, "--project", project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "changed after it was built" in proc.stderr


def test_verify_names_the_source_changed_since_the_build(project):
    replace_in(project / "data" / "charts.yml", "Sea arrivals", "Arrivals by sea")
    proc = run_reportkit("verify", project / "_output" / "report.pdf")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "was not built from the current sources" in proc.stderr
    assert "data/charts.yml (changed)" in proc.stderr
    assert "content/" not in proc.stderr, "only the changed file is named"


def test_verify_refuses_a_pdf_reportkit_did_not_make_in_one_line(project, tmp_path):
    import weasyprint

    other = tmp_path / "other.pdf"
    weasyprint.HTML(string="<p>Someone else's PDF</p>").write_pdf(other)
    proc = run_reportkit("verify", other, "--project", project)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "carries no reportkit inputs hash" in proc.stderr and "Traceback" not in proc.stderr
