"""The report's language as Babel spells locales ("en-GB" → "en_GB")."""

from __future__ import annotations


def babel_locale(language: str) -> str:
    return language.replace("-", "_")
