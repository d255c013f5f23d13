"""The example report is written in our own words: no 12-word run is shared with the source."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.source_report import require_source
from tools.overlap import SOURCE, shared_runs

ROOT = Path(__file__).resolve().parent.parent

# Official titles of instruments, cited exactly as facts; a shared run wholly inside one of
# these is a citation, not copied prose.
OFFICIAL_TITLES = [
    "Convention on Laundering, Search, Seizure and Confiscation of the Proceeds from Crime",
    "Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and "
    "Children",
]


def test_source_is_available():
    require_source()
    assert SOURCE.is_file()


@pytest.mark.parametrize("path", sorted((ROOT / "content").rglob("*.qmd")), ids=lambda p: p.name)
def test_no_run_of_twelve_words_is_shared_with_the_source(path):
    require_source()
    text = path.read_text(encoding="utf-8")
    for title in OFFICIAL_TITLES:
        text = text.replace(title, "«title»")
    runs = shared_runs(text, SOURCE.read_text(encoding="utf-8"), 12)
    assert runs == [], f"{path.name} shares: {runs[:3]}"


def test_key_messages_share_no_run_of_twelve_words_with_the_source():
    require_source()
    conference = yaml.safe_load((ROOT / "data" / "conference.yml").read_text(encoding="utf-8"))
    text = "\n\n".join(conference["key-messages"]).replace("**", "")
    assert shared_runs(text, SOURCE.read_text(encoding="utf-8"), 12) == []
