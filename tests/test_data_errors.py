"""Bad conference data: file:line: message with a suggestion, non-zero exit (or a warning)."""

from __future__ import annotations

from tests.conftest import run_reportkit, snapshot
from tests.test_errors import assert_clean_failure, replace_in


def test_unknown_person_id_suggests_the_nearest(mini):
    before = snapshot(mini / "_output")
    replace_in(
        mini / "data" / "programme.yml", "speakers: [ayse-yildiz]", "speakers: [ayse-yildis]"
    )
    proc = run_reportkit("render", mini)
    assert_clean_failure(
        proc,
        r"data/programme\.yml:5:16: unknown person 'ayse-yildis' in session 's1' "
        r"\(did you mean 'ayse-yildiz'\?\)",
    )
    assert snapshot(mini / "_output") == before


def test_duplicate_person_id(mini):
    with (mini / "data" / "people.yml").open("a", encoding="utf-8") as f:
        f.write("  - id: ayse-yildiz\n    name: Another Person\n")
    proc = run_reportkit("render", mini)
    assert_clean_failure(proc, r"data/people\.yml:7:5: duplicate person id 'ayse-yildiz'")


def test_duplicate_session_id(mini):
    with (mini / "data" / "programme.yml").open("a", encoding="utf-8") as f:
        f.write(
            "  - id: s1\n    kind: closing\n    title: Again\n"
            "    speakers: [ayse-yildiz]\n    content: content/sessions/s1.qmd\n"
        )
    proc = run_reportkit("render", mini)
    assert_clean_failure(proc, r"data/programme\.yml:7:5: duplicate session id 's1'")


def test_session_without_content_file(mini):
    replace_in(mini / "data" / "programme.yml", "    content: content/sessions/s1.qmd\n", "")
    proc = run_reportkit("render", mini)
    assert_clean_failure(
        proc,
        r"data/programme\.yml:2:5: required field 'content' is missing \(add 'content:' here\)",
    )


def test_session_content_file_that_does_not_exist(mini):
    replace_in(
        mini / "data" / "programme.yml", "content/sessions/s1.qmd", "content/sessions/s2.qmd"
    )
    proc = run_reportkit("render", mini)
    assert_clean_failure(
        proc, r"data/programme\.yml:6:5: content file 'content/sessions/s2\.qmd' of session 's1'"
    )


def test_missing_required_person_field(mini):
    replace_in(mini / "data" / "people.yml", "    name: Ayşe Yıldız\n", "")
    proc = run_reportkit("render", mini)
    assert_clean_failure(proc, r"data/people\.yml:2:5: required field 'name' is missing")


def test_misspelt_field_suggests_the_right_one(mini):
    replace_in(mini / "data" / "people.yml", "    organisation:", "    organization:")
    proc = run_reportkit("render", mini)
    assert_clean_failure(
        proc,
        r"data/people\.yml:\d+:5: unknown field 'organization' \(did you mean 'organisation'\?\)",
    )


def test_unknown_session_kind(mini):
    replace_in(mini / "data" / "programme.yml", "kind: keynote", "kind: workshop")
    proc = run_reportkit("render", mini)
    assert_clean_failure(proc, r"data/programme\.yml:3:5: kind: Input should be 'opening'")


def test_person_never_referenced_is_a_warning(mini):
    with (mini / "data" / "people.yml").open("a", encoding="utf-8") as f:
        f.write("  - id: idle-person\n    name: Idle Person\n")
    proc = run_reportkit("render", mini, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    assert (
        "warning: data/people.yml:7:5: person 'idle-person' is not in any session of "
        "data/programme.yml" in proc.stderr
    )


def test_missing_conference_field(mini):
    replace_in(mini / "data" / "conference.yml", "short-title: Mini report\n", "")
    proc = run_reportkit("render", mini)
    assert_clean_failure(proc, r"data/conference\.yml:1:1: required field 'short-title' is missing")
