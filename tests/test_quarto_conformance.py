"""Differential conformance: every Quarto-subset fixture rendered by both engines, compared.

Each project of tests/test_quarto_subset.py is rendered to HTML by the embedded engine and by
real Quarto (its pre-render step, `reportkit prepare`, included), and the two pages are
compared as a reader sees them: headings and their numbers, cross-reference texts and
targets, figure and table captions, callout kinds and titles, footnotes, citations and the
text that shortcodes resolved to. README's list of supported syntax is checked against the
fixtures here, so a construct cannot be claimed without being compared.
"""

from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import lxml.html
import pytest
import yaml

from tests.conftest import ROOT, run_reportkit
from tests.quarto import require_quarto, run_quarto
from tests.test_quarto_subset import PROJECTS, subset_project

# A construct the embedded engine refuses instead of rendering: fixture -> what it says.
REFUSED = {"missing-citation": "unknown citation key"}
COMPARED = [name for name in PROJECTS if name not in REFUSED]


def words(element) -> str:
    return " ".join(element.text_content().replace("\u00a0", " ").split())


def reader_view(path: Path) -> dict[str, list]:
    doc = lxml.html.parse(str(path)).getroot()
    main = doc.xpath("//main")[0]

    def callout_kind(element) -> str:
        return next(
            c
            for c in element.get("class").split()
            if re.fullmatch(r"callout-[a-z]+", c)
            and c not in ("callout-titled", "callout-style-default")
        )

    return {
        "title": [
            words(e)
            for e in doc.xpath(
                "//header[@id='title-block-header']//h1"
                "|//header[@id='title-block-header']//*[contains(@class,'subtitle')]"
            )
        ],
        "headings": [
            (h.tag, h.get("id") or h.getparent().get("id"), words(h))
            for h in main.xpath(".//*[self::h1 or self::h2 or self::h3 or self::h4]")
            if not h.xpath("ancestor::*[contains(@class,'callout')] | ancestor::header")
            and "footnotes" not in (h.getparent().get("id"), h.get("id"))
        ],
        "contents": [(a.get("href"), words(a)) for a in doc.xpath("//nav[@id='TOC']//a[@href]")],
        "references": [
            (a.get("href"), words(a), doc.get_element_by_id(a.get("href")[1:], None) is not None)
            for a in main.xpath(
                ".//a[starts-with(@href,'#fig-') or starts-with(@href,'#tbl-')"
                " or starts-with(@href,'#sec-')]"
            )
        ],
        "captions": [words(c) for c in main.xpath(".//figcaption | .//caption")],
        "callouts": [
            (
                callout_kind(c),
                words(c.xpath(".//*[contains(@class,'callout-title')]")[0])
                if c.xpath(".//*[contains(@class,'callout-title')]")
                else "",
            )
            for c in main.xpath(".//*[contains(concat(' ', @class, ' '), ' callout ')]")
        ],
        "footnotes": [words(li) for li in doc.xpath("//section[contains(@class,'footnotes')]//li")],
        "citations": [words(c) for c in main.xpath(".//*[contains(@class,'citation')]")]
        + [words(e) for e in doc.xpath("//*[contains(@class,'csl-entry')]")],
        "column widths": [
            [col.get("style") for col in table.xpath("./colgroup/col")]
            for table in main.xpath(".//table")
        ],
        "shortcodes": [
            (s.get("id"), words(s))
            for s in main.xpath(".//span[@id]")
            if s.get("id").startswith(("meta-", "var-"))
        ],
    }


def quarto_ready(root: Path) -> Path:
    """The fixture as a Quarto project of reportkit's: pre-render and generated metadata."""
    config = yaml.safe_load((root / "_quarto.yml").read_text())
    config["project"]["pre-render"] = "reportkit prepare"
    config["metadata-files"] = ["_generated/metadata.yml"]
    config.setdefault("reportkit", {})["pdf"] = False
    (root / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    shutil.copytree(ROOT / "_extensions", root / "_extensions")
    return root


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory):
    quarto = require_quarto()
    base = tmp_path_factory.mktemp("conformance")
    pairs = {
        name: (
            quarto_ready(subset_project(base / "embedded" / name, name)),
            quarto_ready(subset_project(base / "quarto" / name, name)),
        )
        for name in [*COMPARED, *REFUSED]
    }

    def render(job):
        engine, root = job
        if engine == "embedded":
            return run_reportkit("render", root, "--to", "html")
        return run_quarto(quarto, root, "--to", "html")

    jobs = [
        (engine, pair[i])
        for pair in pairs.values()
        for i, engine in enumerate(("embedded", "quarto"))
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        procs = list(pool.map(render, jobs))
    results = {}
    for index, name in enumerate(pairs):
        results[name] = (pairs[name], procs[2 * index], procs[2 * index + 1])
    return results


@pytest.mark.parametrize("name", COMPARED)
def test_both_engines_render_the_construct_alike(both_engines, name):
    (embedded_root, quarto_root), embedded, quarto = both_engines[name]
    assert embedded.returncode == 0, embedded.stderr
    assert quarto.returncode == 0, quarto.stderr[-3000:]
    ours = reader_view(embedded_root / "_output" / "report.html")
    theirs = reader_view(quarto_root / "_output" / "report.html")
    assert any(ours.values())
    for aspect in ours:
        assert ours[aspect] == theirs[aspect], f"{name}: {aspect} differ"


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_construct_that_would_differ_is_refused_by_name(both_engines, name):
    _, embedded, _ = both_engines[name]
    assert embedded.returncode == 1 and REFUSED[name] in embedded.stderr


def test_readme_lists_exactly_the_compared_constructs():
    readme = (ROOT / "README.md").read_text()
    table = re.search(r"<!-- conformance -->\n(.*?)<!-- /conformance -->", readme, re.S)
    assert table, "README.md lacks the conformance table"
    rows = re.findall(r"^\| `([\w-]+)/` \| [^|]+ \| (same|refused) \|", table.group(1), re.M)
    listed = dict(rows)
    expected = {**dict.fromkeys(COMPARED, "same"), **dict.fromkeys(REFUSED, "refused")}
    assert listed == expected
