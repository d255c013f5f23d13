"""data/programme.yml: the sessions in report order, cross-checked against people.yml."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pydantic import Field, field_validator

from reportkit.errors import ReportError, did_you_mean
from reportkit.model.organisations import Organisation, Registry, load_organisations
from reportkit.model.people import Person, load_people
from reportkit.model.validation import StrictModel, validate
from reportkit.sandbox import project_path
from reportkit.yamlio import YamlDocument, load_yaml


class SessionKind(StrEnum):
    opening = "opening"
    keynote = "keynote"
    national_experience = "national-experience"
    panel = "panel"
    closing = "closing"


class Session(StrictModel):
    id: str
    """Unique id: the section id (@sec-ID) and {{< reportkit session ID >}}."""
    kind: SessionKind
    """What kind of session: opening, keynote, national-experience, panel or closing."""
    title: str
    """The session's heading."""
    content: str
    """The session's text, a .qmd file relative to the project root."""
    moderator: str | None = None
    """Person id (people.yml) of the moderator."""
    panellists: list[str] = []
    """Person ids of the panellists, in order (a panel needs at least one)."""
    speakers: list[str] = []
    """Person ids of the speakers, in order."""
    day: int | None = Field(default=None, ge=1)
    """Day of the conference: 1, 2, … (the programme annex gains a When column)."""
    time: str | None = Field(default=None, pattern=r"^\d{1,2}:\d{2}(\s*[–-]\s*\d{1,2}:\d{2})?$")
    """Time or time span, e.g. '09:30' or '09:30–10:15'."""

    @field_validator("time", mode="before")
    @classmethod
    def _sexagesimal(cls, value: object) -> object:
        # YAML 1.1 (PyYAML) reads an unquoted 9:30 as 570, minutes in base 60.
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value // 60}:{value % 60:02d}"
        return value


class ProgrammeFile(StrictModel):
    """data/programme.yml: the sessions in the order they appear in the report."""

    sessions: list[Session]
    """The sessions, in report order."""


@dataclass
class Programme:
    sessions: list[Session]
    people: dict[str, Person]
    organisations: Registry
    warnings: list[ReportError] = field(default_factory=list)

    def person(self, person_id: str) -> Person:
        return self.people[person_id]

    def organisation(self, person: Person) -> Organisation | None:
        return self.organisations[person.organisation] if person.organisation else None

    def affiliation(self, person: Person) -> str:
        """Title and organisation (its acronym where it has one), as read after the name."""
        organisation = self.organisation(person)
        short = organisation.short_name if organisation else None
        return ", ".join(part for part in (person.title, short) if part)

    def roles(self, session: Session) -> list[tuple[str, list[Person]]]:
        """The session's people by role ("moderator", "panellists", "speaker" …: the label
        keys of reportkit.i18n), in display order, roles without people left out."""
        roles = [
            ("moderator", [session.moderator] if session.moderator else []),
            ("panellists" if len(session.panellists) != 1 else "panellist", session.panellists),
            ("speakers" if len(session.speakers) != 1 else "speaker", session.speakers),
        ]
        return [(label, [self.people[p] for p in ids]) for label, ids in roles if ids]

    def sessions_of(self, person_id: str) -> list[Session]:
        return [
            s
            for s in self.sessions
            if person_id == s.moderator or person_id in s.panellists or person_id in s.speakers
        ]


def _check_references(doc: YamlDocument, sessions: list[Session], people: dict) -> None:
    for index, session in enumerate(sessions):
        refs = [(("moderator",), session.moderator)] if session.moderator else []
        refs += [(("panellists", i), p) for i, p in enumerate(session.panellists)]
        refs += [(("speakers", i), p) for i, p in enumerate(session.speakers)]
        for key_path, person_id in refs:
            if person_id not in people:
                raise doc.error(
                    ("sessions", index, *key_path),
                    f"unknown person '{person_id}' in session '{session.id}'",
                    did_you_mean(person_id, people) or "add the person to data/people.yml",
                )


def load_programme(
    root: Path, programme_file: str, people_file: str, organisations_file: str
) -> Programme:
    """Load organisations, people and programme and check every reference between them and
    to content files."""
    registry = load_organisations(root / organisations_file, organisations_file)
    people, people_doc = load_people(root / people_file, people_file, registry)
    doc = load_yaml(root / programme_file, programme_file)
    sessions = validate(ProgrammeFile, doc, doc.data or {}).sessions
    seen: set[str] = set()
    for index, session in enumerate(sessions):
        if session.id in seen:
            raise doc.error(
                ("sessions", index, "id"),
                f"duplicate session id '{session.id}'",
                "session ids become section ids and must be unique",
            )
        seen.add(session.id)
        if session.kind is SessionKind.panel and not session.panellists:
            raise doc.error(
                ("sessions", index),
                f"panel '{session.id}' has no panellists",
                "list them under 'panellists:'",
            )
        content = project_path(
            root, session.content, "content file", doc.location(("sessions", index, "content"))
        )
        if not content.is_file():
            raise doc.error(
                ("sessions", index, "content"),
                f"content file '{session.content}' of session '{session.id}' does not exist",
                "create it, or fix the path: it is relative to the project root",
            )
    _check_references(doc, sessions, people)
    programme = Programme(sessions, people, registry)
    for index, person_id in enumerate(people):
        if not programme.sessions_of(person_id):
            programme.warnings.append(
                people_doc.error(
                    ("people", index, "id"),
                    f"person '{person_id}' is not in any session of {programme_file}",
                    "add them to a session or remove them",
                )
            )
    return programme
