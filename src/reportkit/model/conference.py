"""data/conference.yml: the report's identity, driving the cover, imprint and metadata."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from reportkit.model.validation import StrictModel, validate
from reportkit.yamlio import load_yaml


class Author(StrictModel):
    name: str
    affiliation: str
    country: str | None = None


class Publisher(StrictModel):
    name: str
    address: list[str] = Field(default_factory=list)
    phone: str | None = None
    fax: str | None = None
    email: str | None = None
    website: str | None = None


class Event(StrictModel):
    name: str
    city: str
    country: str
    year: int
    dates: str | None = None


class Image(StrictModel):
    path: str
    alt: str
    credit: str


class Conference(StrictModel):
    title: str
    subtitle: str | None = None
    short_title: str = Field(alias="short-title")
    conference: Event
    organisers: list[str]
    funder: str | None = None
    project: str | None = None
    authors: list[Author]
    publisher: Publisher
    year: int
    language: str = "en"
    disclaimer: str
    mission: str | None = None
    copyright: str
    rights: str | None = None
    cover: Image | None = None
    photo: Image | None = None


def load_conference(path: Path, display: str) -> Conference:
    """Read and validate conference.yml."""
    doc = load_yaml(path, display)
    return validate(Conference, doc, doc.data or {})
