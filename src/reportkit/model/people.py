"""data/people.yml: every speaker, moderator and panellist, once."""

from __future__ import annotations

from pathlib import Path

from reportkit.errors import ReportError
from reportkit.model.organisations import Registry, check_affiliations
from reportkit.model.validation import StrictModel, validate
from reportkit.yamlio import YamlDocument, load_yaml


class Person(StrictModel):
    id: str
    """Unique id that programme.yml refers to, e.g. jorgen-carling."""
    honorific: str | None = None
    """Printed before the name: Mr, Ms, Dr, Professor, Ambassador …"""
    name: str
    """Full name as printed."""
    title: str | None = None
    """Position, printed after the name."""
    organisation: str | None = None
    """Id of the person's organisation in data/organisations.yml (its name and acronym are
    printed after the title; the speakers annex groups by it)."""
    country: str | None = None
    """Country, for a person without an organisation (an organisation has its own)."""

    @property
    def full_name(self) -> str:
        return f"{self.honorific} {self.name}" if self.honorific else self.name


class PeopleFile(StrictModel):
    """data/people.yml: every speaker, moderator and panellist, once."""

    people: list[Person]
    """Everyone who spoke, in any order."""


def load_people(
    path: Path, display: str, registry: Registry
) -> tuple[dict[str, Person], YamlDocument]:
    """People by id, in file order; a duplicate id is an error at its second occurrence, an
    organisation that is no id of the registry an error at its line."""
    doc = load_yaml(path, display)
    people = validate(PeopleFile, doc, doc.data or {}).people
    check_affiliations(doc, people, registry)
    by_id: dict[str, Person] = {}
    for index, person in enumerate(people):
        if person.id in by_id:
            raise doc.error(
                ("people", index, "id"),
                f"duplicate person id '{person.id}'",
                "each person is listed once; give the other person a different id",
            )
        by_id[person.id] = person
    if not by_id:
        raise ReportError("no people listed", doc.location(("people",)), "add at least one person")
    return by_id, doc
