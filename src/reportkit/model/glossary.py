"""data/glossary.yml: acronyms the text uses that are no organisation of the registry.

    acronyms:
      EU: European Union
      NGO: non-governmental organization

With the registry's acronyms they make the Acronyms page, which lists those the report uses.
"""

from __future__ import annotations

from pathlib import Path

from reportkit.model.organisations import Registry
from reportkit.yamlio import load_yaml


def load_glossary(path: Path, display: str, registry: Registry) -> dict[str, str]:
    """Acronym -> expansion: the glossary's (if the file exists) and the registry's."""
    terms = dict(registry.acronyms())
    if not path.is_file():
        return terms
    doc = load_yaml(path, display)
    data = doc.data or {}
    if not isinstance(data, dict):
        raise doc.error((), f"{display} must be a mapping", "start it with 'acronyms:'")
    for key in data:
        if key != "acronyms":
            raise doc.error((key,), f"unknown field '{key}'", "the glossary has one: 'acronyms'")
    acronyms = data.get("acronyms") or {}
    if not isinstance(acronyms, dict):
        raise doc.error(
            ("acronyms",),
            "'acronyms' must map each acronym to its expansion",
            "write one a line, e.g. 'EU: European Union'",
        )
    for acronym, expansion in acronyms.items():
        where = ("acronyms", acronym)
        if not isinstance(acronym, str):
            # YAML 1.1 reads NO, ON, YES as booleans and 1990 as a number.
            raise doc.error(where, f"acronym {acronym!r} is not text", "put it in quotes")
        if not isinstance(expansion, str) or not expansion.strip():
            raise doc.error(
                where, f"acronym '{acronym}' has no expansion", "write what it stands for"
            )
        if acronym in terms:
            raise doc.error(
                where,
                f"acronym '{acronym}' is already that of the organisation '{terms[acronym]}' in "
                f"{registry.display}",
                "define it once: remove it here",
            )
        terms[acronym] = expansion.strip()
    return terms
