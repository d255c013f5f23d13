"""Dates, venue, days and times of a conference: on the cover and in the programme annex."""

from __future__ import annotations

import re

import lxml.html

from tests.conftest import run_reportkit
from tests.pdfread import Pdf
from tests.test_errors import assert_clean_failure, replace_in

EVENT = """  dates: {start: 2019-10-14, end: 2019-10-15}
  venue: Hilton Bomonti
"""


def with_event(mini, event: str = EVENT):
    replace_in(
        mini / "data" / "conference.yml", "  country: Turkey\n", "  country: Turkey\n" + event
    )
    return mini


def with_session_fields(mini, fields: str):
    """The mini session with extra programme.yml fields, and the annexes placed."""
    replace_in(
        mini / "data" / "programme.yml",
        "    title: The only session\n",
        "    title: The only session\n" + fields,
    )
    report = mini / "report.qmd"
    report.write_text(report.read_text() + "\n{{< reportkit annexes >}}\n")
    return mini


def words(element) -> str:
    return " ".join(element.text_content().replace("\u2009", " ").split())


def test_the_cover_says_when_and_where(mini):
    proc = run_reportkit("render", with_event(mini))
    assert proc.returncode == 0, proc.stderr
    html = lxml.html.parse(str(mini / "_output" / "report.html")).getroot()
    event = html.xpath("//header[@id='cover']//div[contains(@class,'cover-event')]")
    assert [words(e) for e in event] == ["14 – 15 October 2019 · Hilton Bomonti, Ankara"]
    cover = " ".join(
        Pdf(mini / "_output" / "report.pdf").pages[0].text.replace("\u2009", " ").split()
    )
    assert "October 2019 · Hilton Bomonti, Ankara" in cover


def test_the_programme_annex_gives_each_sessions_day_and_time(mini):
    with_session_fields(mini, "    day: 1\n    time: 09:30-10:15\n")
    proc = run_reportkit("render", mini, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    html = lxml.html.parse(str(mini / "_output" / "report.html")).getroot()
    annex = html.xpath("//section[@id='sec-annex-programme']//table")[0]
    assert [words(th) for th in annex.xpath(".//th")][:2] == ["When", "Session"]
    assert [words(td) for td in annex.xpath(".//tbody/tr[1]/td")][:2] == [
        "Day 1, 09:30–10:15",
        "The only session",
    ]


def test_a_conference_ending_before_it_starts_is_refused(mini):
    with_event(mini, "  dates: {start: 2019-10-15, end: 2019-10-14}\n")
    assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"),
        r"data/conference\.yml:\d+:\d+: .*the conference ends before it starts",
    )


def test_a_session_time_must_read_like_a_time(mini):
    with_session_fields(mini, "    time: after lunch\n")
    message = assert_clean_failure(
        run_reportkit("render", mini, "--to", "html"), r"data/programme\.yml:\d+:\d+: time"
    )
    assert re.search(r"pattern|match", message)


def test_an_unquoted_time_is_read_as_a_time(mini):
    """YAML 1.1 reads 9:30 as the number 570 (base 60); reportkit reads it back as 9:30."""
    with_session_fields(mini, "    time: 9:30\n")
    proc = run_reportkit("render", mini, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    assert "<td>9:30</td>" in (mini / "_output" / "report.html").read_text()
