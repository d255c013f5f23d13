"""The Quarto subset the embedded engine must honour (DESIGN.md), read back from real HTML.

Each case is a tiny project built in a temporary directory: the mini fixture's _quarto.yml
(plus a few settings per project) and data/ (without statistics, so no _variables.yml is
generated), and the documents in tests/fixtures/quarto-subset/<project>/. Every project is
rendered once with `reportkit render DIR --to html`, all of them side by side, which keeps
this file fast. Unsupported syntax lives in tests/fixtures/quarto-subset/unsupported/, one
file per construct, each included from a one-chapter report.
"""

from __future__ import annotations

import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
import yaml

from tests.conftest import FIXTURES, run_reportkit

MINI = FIXTURES / "mini"
SUBSET = FIXTURES / "quarto-subset"
NBSP = "\u00a0"

# _quarto.yml settings merged over the mini fixture's, for each project in SUBSET.
PROJECTS = {
    "document": {},
    "crossrefs": {},
    "capitalised": {"crossref": {"sec-prefix": "section"}},
    "numbering": {"format": {"html": {"toc-depth": 3, "number-depth": 2}}},
    "plain": {"number-sections": False, "format": {"html": {"toc": False}}},
    "citations": {"bibliography": "references.bib"},
    "citations-csl": {"bibliography": "references.json", "csl": "numeric.csl"},
    "missing-citation": {"bibliography": "references.bib"},
    "first-heading-level-two": {},
    "document-options": {},
    "crossref-options": {},
    "callout-types": {},
    "float-forms": {},
    "multiline-shortcode": {},
    "document-bibliography": {},
    "table-widths": {},
}

# Unsupported constructs: fixture file -> (text of the offending line, message pattern).
UNSUPPORTED = {
    "python-cell.qmd": ("```{python}", r"executable code cell '\{python\}' is not supported"),
    "panel-tabset.qmd": (
        "::: {.panel-tabset}",
        r"'\.panel-tabset' \(Quarto tabsets\) is not supported",
    ),
    "column-margin.qmd": (
        "::: {.column-margin}",
        r"'\.column-margin' \(Quarto margin content\) is not supported",
    ),
    "layout-ncol.qmd": (
        "::: {layout-ncol=2}",
        r"'layout-ncol' \(Quarto figure layouts\) is not supported",
    ),
    "video.qmd": ("{{< video ", r"shortcode 'video' is not supported"),
    "embed.qmd": ("{{< embed ", r"shortcode 'embed' is not supported"),
    "unknown-reference.qmd": ("@fig-missing", r"no fig with id 'fig-missing'"),
    "equation-reference.qmd": (
        "@eq-",
        r"cross-reference '@eq-energy' \(Quarto equations\) is not supported",
    ),
    "theorem-reference.qmd": (
        "@thm-",
        r"cross-reference '@thm-main' \(Quarto theorems\) is not supported",
    ),
    "fig-cap-attribute.qmd": (
        "fig-cap=",
        r"a 'fig-cap' attribute on an image is ignored by Quarto",
    ),
    "callout-reference.qmd": (
        "@tip-",
        r"cross-reference '@tip-advice' \(Quarto callout references\) is not supported",
    ),
}
# Like panel-tabset.qmd, but prose names the class two lines before the real tabset.
MENTIONED_BEFORE_USE = "mentioned-before-use.qmd"
# The one-chapter report that includes a case (CASE is replaced by its file name).
UNSUPPORTED_REPORT = (
    "# Chapter {#sec-chapter}\n\nBefore the include.\n\n{{< include content/CASE >}}\n"
)


# --- building and rendering the projects ------------------------------------------------------


def merged(base: dict, overrides: dict) -> dict:
    result = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def base_project(root: Path, settings: dict) -> Path:
    """The mini fixture's _quarto.yml (with settings merged in) and data/, minus statistics."""
    config = yaml.safe_load((MINI / "_quarto.yml").read_text(encoding="utf-8"))
    root.mkdir(parents=True)
    (root / "_quarto.yml").write_text(
        yaml.safe_dump(merged(config, settings), sort_keys=False), encoding="utf-8"
    )
    # Without data/facts.yml reportkit leaves a hand-written _variables.yml alone.
    ignore = shutil.ignore_patterns("facts.yml", "charts.yml", "stats")
    shutil.copytree(MINI / "data", root / "data", ignore=ignore)
    # data/programme.yml names this session's content file, so it must exist.
    shutil.copytree(MINI / "content" / "sessions", root / "content" / "sessions")
    return root


def subset_project(root: Path, name: str) -> Path:
    base_project(root, PROJECTS[name])
    shutil.copytree(SUBSET / name, root, dirs_exist_ok=True)
    # Stored as variables.yml: the repository's .gitignore ignores every _variables.yml.
    variables = root / "variables.yml"
    if variables.exists():
        variables.rename(root / "_variables.yml")
    return root


def unsupported_project(root: Path, name: str) -> Path:
    base_project(root, {})
    shutil.copy(SUBSET / "unsupported" / name, root / "content" / name)
    (root / "report.qmd").write_text(UNSUPPORTED_REPORT.replace("CASE", name), encoding="utf-8")
    return root


@dataclass
class Render:
    root: Path
    returncode: int
    stdout: str
    stderr: str

    def html(self):
        assert self.returncode == 0, self.stderr
        return lxml.html.parse(str(self.root / "_output" / "report.html")).getroot()


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> dict[str, Render]:
    """Every project of this file, rendered to HTML in parallel (one process each)."""
    base = tmp_path_factory.mktemp("quarto-subset")
    roots = {name: subset_project(base / name, name) for name in PROJECTS}
    for name in [*UNSUPPORTED, MENTIONED_BEFORE_USE]:
        roots[name] = unsupported_project(base / Path(name).stem, name)

    def render(root: Path):
        return run_reportkit("render", root, "--to", "html")

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        procs = list(pool.map(render, roots.values()))
    return {
        name: Render(root, proc.returncode, proc.stdout, proc.stderr)
        for (name, root), proc in zip(roots.items(), procs, strict=True)
    }


@pytest.fixture(scope="module")
def document(renders):
    return renders["document"].html()


@pytest.fixture(scope="module")
def crossrefs(renders):
    return renders["crossrefs"].html()


@pytest.fixture(scope="module")
def numbering(renders):
    return renders["numbering"].html()


@pytest.fixture(scope="module")
def plain(renders):
    return renders["plain"].html()


@pytest.fixture(scope="module")
def citations(renders):
    return renders["citations"].html()


@pytest.fixture(scope="module")
def citations_csl(renders):
    return renders["citations-csl"].html()


# --- reading the HTML ---------------------------------------------------------------------------


def with_class(name: str) -> str:
    """XPath predicate: the element has this class among others."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def one(doc, xpath: str):
    found = doc.xpath(xpath)
    assert len(found) == 1, f"{len(found)} matches for {xpath}"
    return found[0]


def by_id(doc, ident: str):
    return one(doc, f"//*[@id='{ident}']")


def words(element) -> str:
    """Text with runs of ordinary whitespace collapsed (non-breaking spaces are kept)."""
    return re.sub(r"[ \t\r\n]+", " ", element.text_content()).strip()


def labelled_items(doc, list_id: str) -> dict[str, object]:
    """The items of a '- Label: …' list inside the div with list_id, by label."""
    items = doc.xpath(f"//div[@id='{list_id}']//li")
    return {words(li).split(":")[0]: li for li in items}


def ids(doc) -> set[str]:
    return set(doc.xpath("//@id"))


def section_number(doc, ident: str) -> str | None:
    heading = one(doc, f"//section[@id='{ident}']/*[self::h1 or self::h2 or self::h3 or self::h4]")
    numbers = heading.xpath(f"span[{with_class('header-section-number')}]")
    return words(numbers[0]) if numbers else None


def toc_entries(doc) -> list[tuple[str, str | None]]:
    """(target id, number or None) of every link in the contents, in order."""
    entries = []
    for link in doc.xpath("//nav[@id='TOC']//a"):
        numbers = link.xpath(f"span[{with_class('toc-section-number')}]")
        entries.append((link.get("href").lstrip("#"), words(numbers[0]) if numbers else None))
    return entries


# --- 1. front matter and {{< meta >}} ----------------------------------------------------------


def test_front_matter_key_is_available_to_meta_shortcode(document):
    assert words(by_id(document, "meta-edition")) == "Second edition"


def test_front_matter_overrides_metadata_from_the_data(document):
    assert words(by_id(document, "meta-subtitle")) == "A subtitle from the front matter"
    assert words(by_id(document, "meta-title")) == "Mini report"  # data/conference.yml


def test_no_shortcode_survives_into_the_html(document):
    assert "{{<" not in document.xpath("string(//main)")


# --- 2. {{< include >}} ------------------------------------------------------------------------


def test_includes_nest_with_relative_and_root_relative_paths(document):
    section = by_id(document, "sec-included")
    assert [words(p) for p in section.xpath("p")] == [
        "Included one level deep.",
        "Included two levels deep, by a path relative to the including file.",
        "Included three levels deep, by a root-relative path.",
    ]


def test_included_heading_is_a_numbered_section_in_the_contents(document):
    assert section_number(document, "sec-included") == "1.1"
    assert ("sec-included", "1.1") in toc_entries(document)


# --- 3. {{< var >}} ----------------------------------------------------------------------------


def test_var_reads_hand_written_variables_yml(document):
    assert words(by_id(document, "var-greeting")) == "Hello from _variables.yml"


def test_var_reads_nested_key_with_dotted_name(document):
    assert words(by_id(document, "var-nested")) == "Nested Organisation"


def test_var_prints_boolean_as_yaml_spells_it(document):
    assert words(by_id(document, "var-flag")) == "true"


# --- 4. {{< pagebreak >}} ----------------------------------------------------------------------


def test_pagebreak_becomes_an_empty_pagebreak_div(document):
    pagebreak = one(document, f"//main//div[{with_class('pagebreak')}]")
    assert words(pagebreak) == ""
    # Nothing comes between it and the next chapter, which print starts on a new page.
    assert pagebreak.getnext() is None
    assert pagebreak.xpath("following::*[1]/@id") == ["sec-blocks"]


# --- 5. cross-references, figures and tables ---------------------------------------------------


def test_sections_are_numbered_like_quarto(crossrefs):
    numbers = {
        ident: section_number(crossrefs, ident)
        for ident in ("sec-figures", "sec-image-figures", "sec-figure-divs", "sec-tables")
    }
    assert numbers == {
        "sec-figures": "1",
        "sec-image-figures": "1.1",
        "sec-figure-divs": "1.2",
        "sec-tables": "2",
    }


def test_image_figure_is_numbered_and_captioned(crossrefs, renders):
    figure = one(crossrefs, "//figure[@id='fig-a']")
    assert figure.xpath("string(.//img/@src)") == "images/a.svg"
    caption = one(figure, "figcaption")
    assert words(one(caption, "span[@class='fig-number']")) == f"Figure{NBSP}1:"
    assert words(caption) == f"Figure{NBSP}1: Caption of the image figure"
    assert (renders["crossrefs"].root / "_output" / "images" / "a.svg").is_file()


def test_image_figure_alt_text_comes_from_fig_alt(crossrefs):
    img = one(crossrefs, "//figure[@id='fig-a']//img")
    assert img.get("alt") == "A grey rectangle standing for a chart"


def test_figure_div_becomes_a_numbered_figure_with_its_last_paragraph_as_caption(crossrefs):
    figure = one(crossrefs, "//figure[@id='fig-b']")
    assert figure.xpath("string(.//img/@src)") == "images/b.svg"
    assert words(one(figure, "figcaption")) == f"Figure{NBSP}2: Caption of the figure div."
    assert "Caption of the figure div." not in [words(p) for p in figure.xpath(".//p")]


def test_table_caption_label_numbers_the_table(crossrefs):
    table = one(crossrefs, "//table[@id='tbl-arrivals']")
    caption = one(table, "caption")
    assert words(one(caption, "span[@class='tbl-number']")) == f"Table{NBSP}1:"
    assert words(caption) == f"Table{NBSP}1: Caption of the table"
    assert "{#tbl-" not in crossrefs.xpath("string(//main)")
    assert [words(td) for td in table.xpath(".//tbody//td")] == ["Greece", "100", "Italy", "80"]


@pytest.mark.parametrize(
    ("form", "text", "target"),
    [
        ("Chapter", f"Section{NBSP}1", "sec-figures"),
        ("Section", f"Section{NBSP}1.2", "sec-figure-divs"),
        ("Image figure", f"Figure{NBSP}1", "fig-a"),
        ("Figure div", f"Figure{NBSP}2", "fig-b"),
        ("Table", f"Table{NBSP}1", "tbl-arrivals"),
        ("Number only", "2", "fig-b"),
    ],
)
def test_reference_reads_like_quarto_and_links_to_its_target(crossrefs, form, text, target):
    link = one(labelled_items(crossrefs, "xref-forms")[form], "a")
    assert link.text_content() == text
    assert link.get("href") == f"#{target}"
    assert "quarto-xref" in link.classes
    assert target in ids(crossrefs)


def test_two_references_in_one_bracket_are_listed(crossrefs):
    links = labelled_items(crossrefs, "xref-forms")["Two at once"].xpath("a")
    assert [(a.text_content(), a.get("href")) for a in links] == [
        (f"Figure{NBSP}1", "#fig-a"),
        (f"Figure{NBSP}2", "#fig-b"),
    ]


def test_every_cross_reference_link_has_a_target(crossrefs):
    hrefs = crossrefs.xpath("//a[contains(@class, 'quarto-xref')]/@href")
    assert len(hrefs) >= 8
    assert {h.lstrip("#") for h in hrefs} <= ids(crossrefs)


def test_prefix_in_brackets_replaces_the_label(crossrefs):
    link = one(labelled_items(crossrefs, "xref-forms")["Custom prefix"], "a")
    assert link.text_content() == f"Fig.{NBSP}1"


def test_capitalised_references_resolve_with_a_capitalised_label(renders):
    render = renders["capitalised"]
    assert render.returncode == 0, render.stderr
    items = labelled_items(render.html(), "capitalised")
    found = {
        label: (words(li.xpath("a")[0]), li.xpath("a")[0].get("href"))
        for label, li in items.items()
    }
    assert found == {
        "Lower-case section": (f"section{NBSP}1", "#sec-intro"),
        "Capitalised section": (f"Section{NBSP}1", "#sec-intro"),
        "Capitalised figure": (f"Figure{NBSP}1", "#fig-a"),
        "Capitalised table": (f"Table{NBSP}1", "#tbl-a"),
    }


# --- 6. callouts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "title", "body"),
    [
        ("note", "Note", "A note without a title."),
        ("tip", "A titled tip", "A tip with a title attribute."),
        ("warning", "A heading as the title", "A warning whose first heading is its title."),
        ("important", "Important", "An important callout."),
        ("caution", "Mind the step", "A caution with a title attribute."),
    ],
)
def test_callout_is_an_aside_with_a_title(document, kind, title, body):
    aside = one(document, f"//aside[{with_class(f'callout-{kind}')}]")
    assert aside.classes == {"callout", f"callout-{kind}"}
    assert words(one(aside, "div[@class='callout-title']")) == title
    assert words(one(aside, "div[@class='callout-body']")) == body


def test_callout_heading_title_is_not_a_heading(document):
    headings = document.xpath("//main//*[self::h1 or self::h2 or self::h3]")
    assert "A heading as the title" not in [words(h) for h in headings]
    assert "A heading as the title" not in document.xpath("string(//nav[@id='TOC'])")


# --- 7. footnotes ------------------------------------------------------------------------------


def test_footnotes_link_to_numbered_notes_at_the_end(document):
    refs = document.xpath(f"//main//a[{with_class('footnote-ref')}]")
    assert [words(a) for a in refs] == ["1", "2"]
    notes = document.xpath(f"//main/section[{with_class('footnotes')}]//li")
    assert [words(li).rstrip("↩︎") for li in notes] == [
        "The first footnote.",
        "The second footnote.",
    ]
    assert [a.get("href") for a in refs] == [f"#{li.get('id')}" for li in notes]
    backlinks = [li.xpath(f".//a[{with_class('footnote-back')}]/@href")[0] for li in notes]
    assert backlinks == [f"#{a.get('id')}" for a in refs]


# --- 8. number-sections, {.unnumbered}, number-depth, toc, toc-depth ---------------------------


def test_numbered_headings_count_like_quarto(numbering):
    numbers = {
        ident: section_number(numbering, ident)
        for ident in ("sec-one", "sec-one-a", "sec-one-b", "sec-two", "sec-two-a")
    }
    assert numbers == {
        "sec-one": "1",
        "sec-one-a": "1.1",
        "sec-one-b": "1.2",
        "sec-two": "2",
        "sec-two-a": "2.1",
    }


def test_unnumbered_headings_have_no_number_but_stay_in_the_contents(numbering):
    for ident in ("sec-preface", "sec-unnumbered-section"):
        assert section_number(numbering, ident) is None
        assert "unnumbered" in by_id(numbering, ident).classes
        assert (ident, None) in toc_entries(numbering)


def test_headings_below_number_depth_are_unnumbered(numbering):
    assert section_number(numbering, "sec-deep") is None  # h3, number-depth: 2
    assert section_number(numbering, "sec-deeper") is None


def test_contents_follow_toc_depth(numbering):
    assert toc_entries(numbering) == [
        ("sec-preface", None),
        ("sec-one", "1"),
        ("sec-one-a", "1.1"),
        ("sec-deep", None),  # h3: within toc-depth 3, beyond number-depth 2
        ("sec-unnumbered-section", None),
        ("sec-one-b", "1.2"),
        ("sec-two", "2"),
        ("sec-two-a", "2.1"),
    ]  # no sec-deeper (h4) and no callout title


def test_contents_have_their_title(numbering):
    nav = one(numbering, "//nav[@id='TOC']")
    assert words(one(nav, "h2")) == "Contents"


def test_section_references_use_the_printed_numbers(numbering):
    items = labelled_items(numbering, "numbering-refs")
    assert words(items["One B"].xpath("a")[0]) == f"Section{NBSP}1.2"
    assert words(items["Two"].xpath("a")[0]) == f"Section{NBSP}2"


def test_callout_heading_does_not_shift_section_references(numbering):
    link = labelled_items(numbering, "numbering-refs")["Two A"].xpath("a")[0]
    assert words(link) == f"Section{NBSP}{section_number(numbering, 'sec-two-a')}"


def test_without_number_sections_headings_have_no_numbers(plain):
    assert plain.xpath(f"//*[{with_class('header-section-number')}]") == []
    body = "//main/*[not(self::header)]"
    assert [words(h) for h in plain.xpath(f"{body}//h1 | {body}//h2")] == ["One", "One A"]


def test_without_toc_there_is_no_contents(plain):
    assert plain.xpath("//nav[@id='TOC']") == []


def test_figures_are_numbered_without_section_numbers(plain):
    caption = one(plain, "//figure[@id='fig-a']/figcaption")
    assert words(caption).startswith(f"Figure{NBSP}1: ")
    link = one(plain, "//a[@href='#fig-a']")
    assert link.text_content() == f"Figure{NBSP}1"


# --- 9. lettered lists -------------------------------------------------------------------------


def test_two_paren_letters_keep_their_parentheses(document):
    ol = one(document, "//div[@class='list-two-parens list-lower-alpha']/ol")
    assert ol.get("type") == "a"
    assert [words(li) for li in ol.xpath("li")] == [
        "first lettered item",
        "second lettered item",
    ]


def test_one_paren_letters_are_marked_as_such(document):
    ol = one(document, "//div[@class='list-one-paren list-lower-alpha']/ol")
    assert ol.get("type") == "a"
    assert [words(li) for li in ol.xpath("li")] == [
        "first one-paren item",
        "second one-paren item",
    ]


# --- 10. citations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "key", "text"),
    [
        ("Parenthetical", "doe2020", "(Doe 2020)"),
        ("Narrative", "roe2019", "Roe (2019)"),
        ("With a locator", "doe2020", "(Doe 2020, 12)"),
        ("Two works", "doe2020 roe2019", "(Doe 2020; Roe 2019)"),
    ],
)
def test_citation_renders_author_date_by_default(citations, form, key, text):
    citation = one(labelled_items(citations, "citing")[form], "span[@class='citation']")
    assert citation.get("data-cites") == key
    assert words(citation) == text


def test_bibliography_lists_the_cited_works_only(citations):
    refs = by_id(citations, "refs")
    entries = refs.xpath(f"div[{with_class('csl-entry')}]")
    assert [e.get("id") for e in entries] == ["ref-doe2020", "ref-roe2019"]
    assert "Sea Crossings in the Eastern Mediterranean" in words(entries[0])
    assert "Journal of Test Statistics" in words(entries[1])
    assert "Never Cited" not in words(refs)


def test_references_heading_is_unnumbered_and_in_the_contents(citations):
    section = one(citations, "//section[div[@id='refs']]")
    assert words(one(section, "h1")) == "References"
    assert section_number(citations, section.get("id")) is None
    assert (section.get("id"), None) in toc_entries(citations)


@pytest.mark.parametrize(
    ("form", "text"),
    [("First cited", "[1]"), ("Second cited", "[2]"), ("Both", "[1, 2]")],
)
def test_csl_style_numbers_the_citations(citations_csl, form, text):
    citation = one(labelled_items(citations_csl, "citing")[form], "span[@class='citation']")
    assert words(citation) == text


def test_csl_style_formats_a_csl_json_bibliography(citations_csl):
    entries = by_id(citations_csl, "refs").xpath(f"div[{with_class('csl-entry')}]")
    assert [words(e) for e in entries] == [
        "[1] Roe, Counting Arrivals (2019).",
        "[2] Doe, Sea Crossings in the Eastern Mediterranean (2020).",
    ]


def test_unknown_citation_key_is_reported_with_its_location(renders):
    render = renders["missing-citation"]
    assert "nobody2099" in render.stderr
    assert "report.qmd:3" in render.stderr


# --- 11. unsupported syntax fails clearly ------------------------------------------------------


def line_of(name: str, text: str) -> int:
    lines = (SUBSET / "unsupported" / name).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def assert_fails_at(render: Render, location: str, pattern: str) -> None:
    assert render.returncode == 1, render.stdout + render.stderr
    message = render.stderr.strip()
    assert "Traceback" not in message
    assert len(message.splitlines()) == 1, message
    assert re.match(rf"error: {re.escape(location)}(:\d+)?: ", message), message
    assert re.search(pattern, message), message
    assert not (render.root / "_output" / "report.html").exists()


@pytest.mark.parametrize("name", list(UNSUPPORTED))
def test_unsupported_syntax_fails_naming_construct_file_and_line(renders, name):
    construct, pattern = UNSUPPORTED[name]
    assert_fails_at(renders[name], f"content/{name}:{line_of(name, construct)}", pattern)


def test_error_points_at_the_construct_not_an_earlier_mention(renders):
    name = MENTIONED_BEFORE_USE
    location = f"content/{name}:{line_of(name, '::: {.panel-tabset}')}"
    assert_fails_at(renders[name], location, r"'\.panel-tabset'")
