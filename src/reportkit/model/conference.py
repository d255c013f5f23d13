"""data/conference.yml: the report's identity, driving the cover, imprint and metadata."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from babel.dates import format_date, format_interval
from pydantic import Field, field_validator, model_validator

from reportkit.locale import babel_locale
from reportkit.model.validation import StrictModel, validate
from reportkit.yamlio import load_yaml


class Author(StrictModel):
    name: str
    """Full name as printed on the cover."""
    affiliation: str
    """Institution, printed after the name."""
    country: str | None = None
    """Country of the affiliation, printed last."""


class Publisher(StrictModel):
    name: str
    """Publishing organisation: on the cover, the imprint page and in the citation."""
    address: list[str] = Field(default_factory=list)
    """Postal address, one line an item (imprint page)."""
    phone: str | None = None
    """Telephone number (imprint page)."""
    fax: str | None = None
    """Fax number (imprint page)."""
    email: str | None = None
    """Contact email, shown as a link (imprint page)."""
    website: str | None = None
    """Website (imprint page)."""


class Dates(StrictModel):
    start: date
    """First day, YYYY-MM-DD."""
    end: date | None = None
    """Last day, YYYY-MM-DD (leave out for a one-day event)."""

    @model_validator(mode="after")
    def _in_order(self) -> Dates:
        if self.end is not None and self.end < self.start:
            raise ValueError("the conference ends before it starts: swap start and end")
        return self


class Event(StrictModel):
    name: str
    """The conference's name (document keywords)."""
    city: str
    """Host city: on the cover and in the keywords."""
    country: str
    """Host country."""
    year: int
    """Year the conference took place."""
    dates: Dates | None = None
    """{start: 2019-10-14, end: 2019-10-15}: shown on the cover."""
    venue: str | None = None
    """Venue, shown on the cover before the city."""

    def when_and_where(self, language: str) -> str:
        """'14–15 October 2019 · Hilton Bomonti, Istanbul' in the report's language."""
        place = ", ".join(p for p in (self.venue, self.city) if p)
        if self.dates is None:
            return place
        locale = babel_locale(language)
        if self.dates.end is None or self.dates.end == self.dates.start:
            when = format_date(self.dates.start, format="long", locale=locale)
        else:
            start, end = self.dates.start, self.dates.end
            # CLDR has month-name intervals without the year ("14–15 October"): add it once.
            if start.year == end.year:
                when = f"{format_interval(start, end, 'MMMMd', locale=locale)} {start.year}"
            else:
                when = format_interval(start, end, "yMMMd", locale=locale)
        return f"{when} · {place}"


class Image(StrictModel):
    path: str
    """Image file, relative to the project root."""
    alt: str
    """What the image shows, for readers who cannot see it."""
    credit: str
    """Photographer or source, printed on the imprint page."""


class Conference(StrictModel):
    """data/conference.yml: the report's identity (cover, imprint page, document metadata)."""

    title: str
    """The report's title (cover, metadata, citation)."""
    subtitle: str | None = None
    """Subtitle under the title."""
    short_title: str = Field(alias="short-title")
    """Short form for the running header of PDF pages."""
    conference: Event
    """The event the report is about."""
    organisers: list[str]
    """Organising bodies: top of the cover and the imprint page."""
    funder: str | None = None
    """Who funded the event or the report (imprint page)."""
    project: str | None = None
    """Project the event belonged to (imprint page)."""
    authors: list[Author]
    """The report's authors, in the order printed."""
    publisher: Publisher
    """Who publishes the report."""
    year: int
    """Year of publication (cover, citation, copyright; the date stamped into outputs)."""
    language: str = "en"
    """BCP 47 language tag of the report, e.g. en-GB or tr-TR: numbers and dates follow it."""
    disclaimer: str
    """Disclaimer paragraph at the top of the imprint page."""
    mission: str | None = None
    """The publisher's mission statement (imprint page)."""
    copyright: str
    """Copyright line, e.g. '© 2018 International Organization for Migration'."""
    rights: str | None = None
    """Licence or reproduction terms (imprint page)."""
    cover: Image | None = None
    """Cover illustration."""
    photo: Image | None = None
    """A photograph credited on the imprint page."""
    isbn: str | None = None
    """ISBN-13, quoted, with or without hyphens; its check digit is verified."""
    issn: str | None = None
    """ISSN, e.g. '2049-3630'; its check digit is verified."""
    edition: str | None = None
    """Edition note for the imprint: which edition this is and how recent its data are."""
    citation: str | None = None
    """Suggested citation, replacing the one made from authors, year, title and publisher."""
    key_messages: list[str] = Field(default_factory=list, alias="key-messages")
    """Short Markdown paragraphs on a page of their own after the contents."""

    @field_validator("key_messages")
    @classmethod
    def _messages_have_text(cls, messages: list[str]) -> list[str]:
        if any(not message.strip() for message in messages):
            raise ValueError("a key message is empty: write it or remove the line")
        return [message.strip() for message in messages]

    @field_validator("isbn", mode="before")
    @classmethod
    def _isbn_check_digit(cls, value: object) -> str | None:
        if value is None:
            return value
        value = str(value)  # YAML reads an unquoted number as an integer
        digits = re.sub(r"[\s-]", "", value)
        if not re.fullmatch(r"97[89]\d{10}", digits):
            raise ValueError(f"'{value}' is not an ISBN-13 (13 digits starting 978 or 979)")
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
        if (10 - total % 10) % 10 != int(digits[12]):
            raise ValueError(f"ISBN '{value}' has a wrong check digit: check the number")
        return value

    @field_validator("issn", mode="before")
    @classmethod
    def _issn_check_digit(cls, value: object) -> str | None:
        if value is None:
            return value
        value = str(value)
        digits = re.sub(r"[\s-]", "", value).upper()
        if not re.fullmatch(r"\d{7}[\dX]", digits):
            raise ValueError(f"'{value}' is not an ISSN (8 characters, e.g. 2049-3630)")
        total = sum(int(d) * (8 - i) for i, d in enumerate(digits[:7]))
        check = (11 - total % 11) % 11
        if ("X" if check == 10 else str(check)) != digits[7]:
            raise ValueError(f"ISSN '{value}' has a wrong check digit: check the number")
        return value

    def suggested_citation(self, and_word: str = "and") -> str:
        """Authors (year). Title: subtitle. Publisher — unless conference.yml gives its own."""
        if self.citation:
            return self.citation.strip()
        names = [a.name for a in self.authors]
        authors = (
            names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {and_word} " + names[-1]
        )
        title = f"{self.title}: {self.subtitle}" if self.subtitle else self.title
        return f"{authors} ({self.year}). *{title}*. {self.publisher.name}."


def load_conference(path: Path, display: str) -> Conference:
    """Read and validate conference.yml."""
    doc = load_yaml(path, display)
    return validate(Conference, doc, doc.data or {})
