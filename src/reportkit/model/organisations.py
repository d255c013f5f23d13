"""data/organisations.yml: every organisation people belong to, once, with acronym and country.

People refer to an organisation by its id, so the speakers annex groups each organisation
once however its name is spelt, and its acronym joins the Acronyms page wherever the text
uses it. The registry outlives an edition: `reportkit new --from` carries it over.
"""

from __future__ import annotations

import re
from pathlib import Path

from reportkit.errors import ReportError, did_you_mean
from reportkit.model.validation import StrictModel, validate
from reportkit.yamlio import YamlDocument, load_yaml


class Organisation(StrictModel):
    id: str
    """Unique id that people.yml refers to, e.g. unodc."""
    name: str
    """Full name, as the annex heads its group."""
    acronym: str | None = None
    """Acronym or the short name readers know it by (Frontex, Europol); the Acronyms page
    lists it where the text uses it."""
    country: str
    """Where it is based, or International for a body of several states."""

    @property
    def short_name(self) -> str:
        """How a person's line names it: the acronym where there is one."""
        return self.acronym or self.name

    @property
    def full_name(self) -> str:
        """How the speakers annex heads it: 'International Organization for Migration (IOM)'."""
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class OrganisationsFile(StrictModel):
    """data/organisations.yml: every organisation a person came from, once."""

    organisations: list[Organisation]
    """The registry, in any order."""


class Registry:
    """Organisations by id, and where the registry file is, for errors that point into it."""

    def __init__(self, display: str, organisations: dict[str, Organisation] | None = None):
        self.display = display
        self.by_id = organisations or {}

    def __contains__(self, organisation_id: str) -> bool:
        return organisation_id in self.by_id

    def __getitem__(self, organisation_id: str) -> Organisation:
        return self.by_id[organisation_id]

    def acronyms(self) -> dict[str, str]:
        """Acronym -> full name, for the Acronyms page."""
        return {o.acronym: o.name for o in self.by_id.values() if o.acronym}

    def unknown(self, value: str) -> tuple[str, str]:
        """Message and hint for a person's organisation that is no id of the registry."""
        if not self.by_id:
            return (
                f"organisation '{value}' is not in {self.display} (there is no such file)",
                f"create {self.display} with an entry 'id: {slug(value)}', name and country, "
                f"and write 'organisation: {slug(value)}' here",
            )
        # Someone typing the name or acronym instead of the id is the usual slip.
        for organisation in self.by_id.values():
            if value.casefold() in {
                organisation.name.casefold(),
                (organisation.acronym or "").casefold(),
                organisation.full_name.casefold(),
            }:
                return (
                    f"organisation '{value}' is not an id of {self.display}",
                    f"did you mean '{organisation.id}'? people refer to an organisation by its id",
                )
        hint = did_you_mean(value, self.by_id) or did_you_mean(value.casefold(), self.by_id)
        return (
            f"unknown organisation '{value}'",
            hint
            or f"refer to an organisation by its id in {self.display}; add it there "
            "(id, name, country) if it is new",
        )


def slug(text: str) -> str:
    """An id a user could give a free-text organisation: 'Koç University' -> 'koc-university'."""
    ascii_text = text.casefold().translate(str.maketrans("çğıİöşüâéè", "cgiiosuaee"))
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "organisation"


def load_organisations(path: Path, display: str) -> Registry:
    """The registry at path (empty when the file does not exist); ids and acronyms unique."""
    if not path.is_file():
        return Registry(display)
    doc = load_yaml(path, display)
    organisations = validate(OrganisationsFile, doc, doc.data or {}).organisations
    by_id: dict[str, Organisation] = {}
    acronyms: dict[str, str] = {}
    for index, organisation in enumerate(organisations):
        if organisation.id in by_id:
            raise doc.error(
                ("organisations", index, "id"),
                f"duplicate organisation id '{organisation.id}'",
                "each organisation is listed once; people of both entries share that one",
            )
        if organisation.acronym in acronyms:
            raise doc.error(
                ("organisations", index, "acronym"),
                f"acronym '{organisation.acronym}' is also that of "
                f"'{acronyms[organisation.acronym]}'",
                "an acronym stands for one organisation: correct one of them",
            )
        by_id[organisation.id] = organisation
        if organisation.acronym:
            acronyms[organisation.acronym] = organisation.id
    return Registry(display, by_id)


def check_affiliations(doc: YamlDocument, people: list, registry: Registry) -> None:
    """Every person's organisation is an id of the registry; the first that is not, fails."""
    for index, person in enumerate(people):
        if person.organisation is not None and person.organisation not in registry:
            message, hint = registry.unknown(person.organisation)
            raise ReportError(message, doc.location(("people", index, "organisation")), hint)
