"""The prepare step: turn data into ordinary files that both engines (and Quarto) can use.

Writes into _generated/: metadata.yml (title, authors, language) and front-matter.qmd (cover
and imprint as fenced divs), so the content never types a title or author itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reportkit.acronyms import acronyms_part, used_acronyms
from reportkit.brand import BrandStyle, load_brand
from reportkit.engines.assemble import Assembler
from reportkit.errors import ReportError
from reportkit.fonts import font_faces
from reportkit.i18n import Labels, labels_for, project_labels
from reportkit.model.conference import Conference, load_conference
from reportkit.model.glossary import load_glossary
from reportkit.model.programme import Programme, load_programme
from reportkit.partials import (
    GENERATED_NOTE,
    programme_annex,
    session_markdown,
    speakers_annex,
)
from reportkit.project import Project
from reportkit.sandbox import project_path
from reportkit.schemas import install_schemas
from reportkit.yamlio import load_yaml

GENERATED_DIR = "_generated"
CACHE_DIR = ".reportkit/cache"
ACRONYMS_PART = f"{GENERATED_DIR}/acronyms.qmd"
SOURCES_CSV = f"{GENERATED_DIR}/sources.csv"


@dataclass
class Prepared:
    conference: Conference
    programme: Programme
    metadata: dict[str, Any]
    files: dict[str, str]  # project-relative path -> text
    warnings: list[ReportError] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    brand: BrandStyle | None = None
    charts: list[str] = field(default_factory=list)
    charts_built: int = 0
    charts_reused: int = 0
    acronyms: list[tuple[str, str]] = field(default_factory=list)  # used in the text
    labels: Labels = field(default_factory=lambda: labels_for("en"))  # reportkit's own words
    pending_charts: tuple | None = None  # charts being drawn: statistics.complete_charts
    pending_validation: Any = None  # the data package's: statistics.validate_statistics


def metadata_for(conference: Conference) -> dict[str, Any]:
    """Document metadata in Quarto's vocabulary."""
    return {
        "title": conference.title,
        "subtitle": conference.subtitle,
        "pagetitle": conference.title,
        "author": [a.name for a in conference.authors],
        "date": str(conference.year),
        "lang": conference.language,
        "description-meta": conference.subtitle or conference.short_title,
        "keywords": [conference.conference.name, conference.conference.city],
    }


def _div(cls: str, body: str) -> str:
    return f"::: {{.{cls}}}\n{body.strip()}\n:::\n"


def _lines(*lines: str | None) -> str:
    """Markdown lines joined with hard breaks."""
    return "\\\n".join(line for line in lines if line)


def front_matter(conference: Conference, labels: Labels | None = None) -> str:
    """Cover and imprint as Markdown fenced divs (styled by report.css and print.css)."""
    c = conference
    t = labels or labels_for(conference.language)
    authors = "\n\n".join(
        f"**{a.name}**, {a.affiliation}" + (f", {a.country}" if a.country else "")
        for a in c.authors
    )
    cover_parts = [
        _div("cover-organisation", " · ".join(c.organisers)),
        _div("cover-title", c.title),
    ]
    if c.subtitle:
        cover_parts.append(_div("cover-subtitle", c.subtitle))
    if c.conference.dates or c.conference.venue:
        cover_parts.append(_div("cover-event", c.conference.when_and_where(c.language)))
    cover_parts.append(_div("cover-authors", authors))
    if c.cover:
        cover_parts.append(_div("cover-image", f'![]({c.cover.path}){{fig-alt="{c.cover.alt}"}}'))
    cover_parts.append(_div("cover-publisher", f"{c.publisher.name} · {c.year}"))

    p = c.publisher
    contact = [
        f"{t('phone')} {p.phone}" if p.phone else None,
        f"{t('fax')} {p.fax}" if p.fax else None,
        f"{t('email')} <{p.email}>" if p.email else None,
        f"{t('website')} {p.website}" if p.website else None,
    ]
    imprint_parts = [c.disclaimer.strip()]
    if c.mission:
        imprint_parts.append(c.mission.strip())
    imprint_parts.append(f"{t('publisher')} " + _lines(p.name, *p.address, *contact))
    if c.project or c.funder:
        imprint_parts.append(
            _lines(
                f"{t('project')} {c.project}" if c.project else None,
                f"{t('organised-by')} {', '.join(c.organisers)}",
                f"{t('funded-by')} {c.funder}" if c.funder else None,
            )
        )
    if c.cover:
        imprint_parts.append(f"{t('cover-credit')} {c.cover.credit}")
    if c.photo:
        imprint_parts.append(f"{t('photo-credit')} {c.photo.credit}")
    if c.edition:
        imprint_parts.append(c.edition.strip())
    imprint_parts.append(f"{t('citation')} {c.suggested_citation(t('and'))}")
    identifiers = [f"ISBN {c.isbn}" if c.isbn else None, f"ISSN {c.issn}" if c.issn else None]
    if any(identifiers):
        imprint_parts.append(_lines(*identifiers))
    imprint_parts.append(c.copyright)
    if c.rights:
        imprint_parts.append(c.rights.strip())

    return (
        "<!-- Generated by reportkit from data/conference.yml: edit that file. -->\n\n"
        + _div("cover", "\n".join(cover_parts).replace(":::\n::: ", ":::\n\n::: "))
        + "\n"
        + _div("imprint", "\n\n".join(imprint_parts))
    )


def key_messages_part(conference: Conference, source: str, labels: Labels | None = None) -> str:
    """The unnumbered chapter 'Key messages', one block a message (nothing when none)."""
    t = labels or labels_for(conference.language)
    note = GENERATED_NOTE.format(source=source)
    if not conference.key_messages:
        return note
    messages = "\n".join(_div("key-message", message) for message in conference.key_messages)
    return note + f"# {t('key-messages')} {{#sec-key-messages .unnumbered}}\n\n" + messages


def report_text(project: Project, prepared: Prepared) -> str:
    """The report's whole text as the engines assemble it, generated parts taken from memory
    (the Acronyms page, being made from it, left empty). Problems are left to the render."""
    generated = {path: text for path, text in prepared.files.items() if path.endswith(".qmd")}
    generated[ACRONYMS_PART] = ""
    assembler = Assembler(project.root, prepared.variables, prepared.metadata, [], generated)
    try:
        return assembler.assemble(project.path(project.settings.document)).text
    except ReportError:
        return ""


def prepare(project: Project, helper=None) -> Prepared:
    """Load the data the content depends on and compute the generated files (not yet written).

    With a `helper` (workers.Helper) the charts are drawn in it meanwhile: their files are in
    `prepared` after statistics.complete_charts."""
    settings = project.settings
    for key in ("conference", "people", "programme", "stats", "charts", "facts"):
        project.setting_file(("reportkit", key), getattr(settings, key), f"'{key}' setting")
    conference_path = project.path(settings.conference)
    if not conference_path.is_file():
        raise ReportError(
            f"{settings.conference} does not exist",
            hint="create it with title, authors, publisher …, or set reportkit.conference",
        )
    conference = load_conference(conference_path, settings.conference)
    for key in ("cover", "photo"):
        image = getattr(conference, key)
        where = load_yaml(conference_path, settings.conference).location((key, "path"))
        if image and not project_path(project.root, image.path, f"{key} image", where).is_file():
            raise load_yaml(conference_path, settings.conference).error(
                (key, "path"),
                f"{key} image '{image.path}' does not exist",
                "fix the path; it is relative to the project root",
            )
    for name in (settings.people, settings.programme):
        if not project.path(name).is_file():
            raise ReportError(
                f"{name} does not exist", hint="create it or fix reportkit's path setting"
            )
    programme = load_programme(
        project.root, settings.programme, settings.people, settings.organisations
    )
    known_acronyms = load_glossary(
        project.path(settings.glossary), settings.glossary, programme.organisations
    )
    metadata = metadata_for(conference)
    labels = project_labels(project.root, conference.language)
    sources = f"{settings.programme}, {settings.people} and {settings.organisations}"
    files = {
        f"{GENERATED_DIR}/metadata.yml": "# Generated by reportkit prepare from "
        f"{settings.conference}.\n" + yaml.safe_dump(metadata, allow_unicode=True, sort_keys=True),
        f"{GENERATED_DIR}/front-matter.qmd": front_matter(conference, labels),
        f"{GENERATED_DIR}/key-messages.qmd": key_messages_part(
            conference, settings.conference, labels
        ),
        f"{GENERATED_DIR}/annexes.qmd": programme_annex(programme, sources, labels)
        + "\n"
        + speakers_annex(programme, sources, labels),
    }
    for session in programme.sessions:
        files[f"{GENERATED_DIR}/sessions/{session.id}.qmd"] = session_markdown(
            programme, session, sources, labels
        )
    prepared = Prepared(conference, programme, metadata, files, list(programme.warnings))
    prepared.labels = labels
    prepared.brand = load_brand(project.root, settings.brand)
    for family in {prepared.brand.body_font, prepared.brand.heading_font}:
        font_faces(family)  # fail early, naming the fontpkg package to install
    from reportkit.statistics import prepare_statistics

    prepare_statistics(project, prepared, helper)
    # Last: the acronyms are looked for in everything else the reader gets.
    prepared.acronyms = used_acronyms(report_text(project, prepared), known_acronyms)
    prepared.files[ACRONYMS_PART] = acronyms_part(
        prepared.acronyms,
        f"the acronyms of {settings.glossary} and {settings.organisations}",
        labels,
    )
    return prepared


def write_generated(project: Project, prepared: Prepared) -> list[Path]:
    """Write generated files, touching only those whose content changed (keeps watchers calm)."""
    written = []
    for relative_path, text in prepared.files.items():
        path = project.path(relative_path)
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    install_schemas(project.root)  # editors' copy of the data files' schemas, kept current
    # A part left over from a removed session or chart must not be found by its shortcode.
    generated = project.path(GENERATED_DIR)
    for stale in sorted(generated.rglob("*.qmd")) if generated.is_dir() else []:
        if stale.relative_to(project.root).as_posix() not in prepared.files:
            stale.unlink()
    return written


def write_chart_pngs(project: Project, prepared: Prepared) -> list[Path]:
    """_generated/charts/<id>.png for every chart (Word output): see statistics.py."""
    from reportkit.statistics import write_chart_pngs as write

    return write(project, prepared)
