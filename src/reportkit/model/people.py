"""data/people.yml: every speaker, moderator and panellist, once."""

from __future__ import annotations

from pathlib import Path

from reportkit.errors import ReportError
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
    """Organisation, printed after the title; the speakers annex groups by it."""
    country: str | None = None
    """Country the person came from."""

    @property
    def full_name(self) -> str:
        return f"{self.honorific} {self.name}" if self.honorific else self.name

    @property
    def affiliation(self) -> str:
        """Title and organisation as a reader expects them after the name."""
        return ", ".join(part for part in (self.title, self.organisation) if part)


class PeopleFile(StrictModel):
    """data/people.yml: every speaker, moderator and panellist, once."""

    people: list[Person]
    """Everyone who spoke, in any order."""


def load_people(path: Path, display: str) -> tuple[dict[str, Person], YamlDocument]:
    """People by id, in file order; a duplicate id is an error at its second occurrence."""
    doc = load_yaml(path, display)
    people = validate(PeopleFile, doc, doc.data or {}).people
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
