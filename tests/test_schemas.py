"""Typed data files: JSON Schemas generated from the models, shipped, wired into projects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from reportkit.schemas import (
    DATA_FILES,
    MODELINE,
    readme_with_reference,
    schema_text,
    shipped_schema,
)
from tests.conftest import ROOT, run_reportkit


class EditorLoader(yaml.SafeLoader):
    """YAML as editors' language servers read it (YAML 1.2): a date stays a string."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads(shipped_schema(name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def load(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader)


@pytest.mark.parametrize("name", list(DATA_FILES))
def test_shipped_schemas_are_what_the_models_generate(name):
    assert shipped_schema(name).read_text(encoding="utf-8") == schema_text(name), (
        "run python tools/build_schemas.py"
    )


def test_readme_field_reference_is_up_to_date():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_with_reference(readme) == readme, "run python tools/build_schemas.py"
    for field in ("`short-title`", "`sessions[].panellists`", "`charts[].source-priority`"):
        assert field in readme


def test_the_build_tool_checks_and_has_help():
    env_path = str(ROOT / "src")
    help_text = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_schemas.py"), "--help"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path},
        check=True,
    ).stdout
    assert "--check" in help_text
    check = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_schemas.py"), "--check"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path},
        check=False,
    )
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("name", list(DATA_FILES))
def test_the_example_data_files_follow_their_schemas(name):
    path = ROOT / "data" / f"{name}.yml"
    errors = sorted(validator(name).iter_errors(load(path)), key=str)
    assert not errors, [e.message for e in errors]
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"{MODELINE}../.reportkit/schemas/{name}.schema.json"


def test_a_typo_in_a_key_is_rejected_with_its_name():
    people = load(ROOT / "data" / "people.yml")
    people["people"][0]["organization"] = people["people"][0].pop("organisation")
    errors = list(validator("people").iter_errors(people))
    assert len(errors) == 1
    assert "'organization' was unexpected" in errors[0].message
    assert list(errors[0].path) == ["people", 0]


def test_a_wrong_value_is_rejected():
    programme = load(ROOT / "data" / "programme.yml")
    programme["sessions"][0]["kind"] = "workshop"
    message = next(validator("programme").iter_errors(programme)).message
    assert "'workshop' is not one of" in message


def test_a_new_project_wires_the_schemas_for_editors(tmp_path):
    target = tmp_path / "new"
    assert run_reportkit("new", target).returncode == 0
    for name in DATA_FILES:
        data = target / "data" / f"{name}.yml"
        first = data.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(MODELINE), name
        schema_path = (data.parent / first.removeprefix(MODELINE)).resolve()
        assert schema_path == (target / ".reportkit" / "schemas" / f"{name}.schema.json")
        assert schema_path.read_text(encoding="utf-8") == schema_text(name)
        errors = list(validator(name).iter_errors(load(data)))
        assert not errors, (name, [e.message for e in errors])
    # The schemas are the project's own, kept in version control (the cache is not).
    ignored = (target / ".gitignore").read_text().splitlines()
    assert ".reportkit/cache/" in ignored and ".reportkit/" not in ignored


def test_a_render_restores_the_projects_schemas(mini):
    schemas = mini / ".reportkit" / "schemas"
    assert (schemas / "people.schema.json").is_file()
    (schemas / "people.schema.json").write_text("{}", encoding="utf-8")
    assert run_reportkit("prepare", mini).returncode == 0
    assert (schemas / "people.schema.json").read_text(encoding="utf-8") == schema_text("people")
