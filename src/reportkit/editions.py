"""Editions in other languages: one project, one data package, one report per language.

`_quarto.yml` lists them (`reportkit: editions: [en, tr]`, the source edition first). Each
other edition has:

- its content in `content/<tag>/`, mirroring `content/` file for file;
- its data strings (titles, captions, alt text, people's titles, organisation names …) in
  `translations/<tag>.yml`, keyed by data file and key path, each with the hash of the
  source text it translates, so that a changed source shows the translation as outdated;
- its output in `_output/<tag>/`.

People, programme, statistics, charts and facts stay in the source's data files: the
edition is the project with its words swapped. An edition is rendered from a materialised
copy of the project (`.reportkit/editions/<tag>/`): the content files replaced by their
translations (an untranslated one kept in the source language inside a marked div), the
data files with the translated strings put in and the conference's `language` set to the
edition's. The single-edition pipeline then renders it as it renders any project, writing
into `_output/<tag>/`; errors found in the copy are reported at the files they came from.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from reportkit.errors import Location, ReportError, did_you_mean
from reportkit.i18n import TRANSLATIONS_DIR, labels_for
from reportkit.project import Project
from reportkit.sandbox import readable_files
from reportkit.yamlio import YamlDocument, load_yaml

EDITIONS_DIR = ".reportkit/editions"
CONTENT_DIR = "content"
CONTENT_SUFFIXES = (".qmd", ".md")
HASH_LENGTH = 12

# The data strings a reader sees, by data file setting: key paths with [*] for any list item
# (named by its id where items have one) and * for any mapping key.
TRANSLATABLE: dict[str, tuple[str, ...]] = {
    "conference": (
        "title",
        "subtitle",
        "short-title",
        "conference.name",
        "conference.city",
        "conference.country",
        "conference.venue",
        "organisers[*]",
        "funder",
        "project",
        "authors[*].affiliation",
        "authors[*].country",
        "publisher.name",
        "disclaimer",
        "mission",
        "edition",
        "copyright",
        "rights",
        "citation",
        "cover.alt",
        "cover.credit",
        "photo.alt",
        "photo.credit",
        "key-messages[*]",
    ),
    "people": ("people[*].honorific", "people[*].title", "people[*].country"),
    "organisations": ("organisations[*].name", "organisations[*].country"),
    "programme": ("sessions[*].title",),
    "glossary": ("acronyms.*",),
    "charts": (
        "charts[*].title",
        "charts[*].caption",
        "charts[*].alt",
        "charts[*].source",
        "charts[*].*.title",
        "charts[*].*.labels.*",
        "charts[*].annotations[*].label",
    ),
}
# Data package tables whose names a reader sees (chart legends): [row id].column.
TRANSLATABLE_COLUMNS = ("name",)


def text_hash(text: str) -> str:
    """The fingerprint a translation records of the source text it follows."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:HASH_LENGTH]


@dataclass(frozen=True)
class Edition:
    tag: str  # the language tag, e.g. "tr": also the output folder's name
    source: bool  # the first edition: the project as written

    @property
    def content_dir(self) -> str:
        return f"{CONTENT_DIR}/{self.tag}"

    @property
    def translations(self) -> str:
        return f"{TRANSLATIONS_DIR}/{self.tag}.yml"

    def output_dir(self, project: Project) -> Path:
        base = project.root / project.settings.output_dir
        return base if self.source else base / self.tag

    def html_href(self, edition: Edition) -> str:
        """The href of edition's report.html from this edition's report.html."""
        up = "" if self.source else "../"
        return f"{up}report.html" if edition.source else f"{up}{edition.tag}/report.html"


def editions_of(project: Project) -> list[Edition]:
    tags = project.settings.editions
    return [Edition(tag, index == 0) for index, tag in enumerate(tags)]


def select_editions(project: Project, which: str | None) -> list[Edition]:
    """The editions `--edition` names: None the source one, 'all' every one, or one tag."""
    editions = editions_of(project)
    if which is None:
        return editions[:1] or [Edition("", True)]
    if not editions:
        raise ReportError(
            f"the project has no editions to choose '{which}' from",
            project.config.location(("reportkit",)),
            "list them in _quarto.yml, e.g. 'reportkit: editions: [en, tr]'",
        )
    if which == "all":
        return editions
    for edition in editions:
        if edition.tag == which:
            return [edition]
    tags = [e.tag for e in editions]
    raise ReportError(
        f"no edition '{which}'",
        project.config.location(("reportkit", "editions")),
        did_you_mean(which, tags) or f"editions: {', '.join(tags)}, or all",
    )


# ---------------------------------------------------------------- key paths

KEY_PART = re.compile(r"(?P<key>[^.\[\]]*)(?P<items>(?:\[[^\]]+\])*)")


def split_key(key_path: str) -> list[str | tuple[str]]:
    """'sessions[panel-1].title' → ['sessions', ('panel-1',), 'title']: a tuple selects a
    list item by its id (or its index)."""
    parts: list[str | tuple[str]] = []
    for piece in re.split(r"\.(?![^\[]*\])", key_path):
        match = KEY_PART.fullmatch(piece)
        if match is None:
            raise ValueError(key_path)
        if match["key"]:
            parts.append(match["key"])
        parts += [(item,) for item in re.findall(r"\[([^\]]+)\]", match["items"])]
    return parts


def _item_name(item: Any, index: int) -> str:
    return str(item["id"]) if isinstance(item, dict) and "id" in item else str(index)


def string_paths(data: Any, prefix: str = "") -> Iterator[tuple[str, tuple, str]]:
    """(key path, YAML key path, text) of every string in data."""

    def walk(value: Any, path: str, raw: tuple) -> Iterator[tuple[str, tuple, str]]:
        if isinstance(value, str):
            yield path, raw, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, f"{path}.{key}" if path else str(key), (*raw, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, f"{path}[{_item_name(item, index)}]", (*raw, index))

    yield from walk(data, prefix, ())


def _pattern(pattern: str) -> re.Pattern:
    escaped = re.escape(pattern).replace(r"\[\*\]", r"\[[^\]]+\]").replace(r"\*", r"[^.\[\]]+")
    return re.compile(escaped + r"\Z")


def translatable_strings(data: Any, patterns: tuple[str, ...]) -> dict[str, tuple[tuple, str]]:
    """key path → (YAML key path, source text) of the strings a reader sees."""
    compiled = [_pattern(p) for p in patterns]
    return {
        path: (raw, text)
        for path, raw, text in string_paths(data)
        if text.strip() and any(p.match(path) for p in compiled)
    }


def csv_strings(text: str) -> dict[str, tuple[tuple, str]]:
    """'[row id].column' → ((row, column), text) of a table's readable columns."""
    reader = list(csv.reader(io.StringIO(text)))
    if not reader:
        return {}
    header, rows = reader[0], reader[1:]
    found = {}
    for column in TRANSLATABLE_COLUMNS:
        if column not in header[1:]:
            continue
        at = header.index(column)
        for number, row in enumerate(rows, start=1):
            if len(row) > at and row[at].strip():
                found[f"[{row[0]}].{column}"] = ((number, at), row[at])
    return found


# ---------------------------------------------------------------- the translations file


@dataclass
class Translations:
    """translations/<tag>.yml: which content files are translated from which source text, and
    the translated data strings."""

    edition: str
    doc: YamlDocument | None
    content: dict[str, str] = field(default_factory=dict)  # source path → source hash
    strings: dict[str, dict[str, tuple[str, str | None]]] = field(default_factory=dict)

    def location(self, *key_path) -> Location:
        if self.doc is None:
            return Location(f"{TRANSLATIONS_DIR}/{self.edition}.yml")
        return self.doc.location(tuple(key_path))


TOP_KEYS = ("content", "strings", "labels")


def load_translations(root: Path, edition: str) -> Translations:
    path = root / TRANSLATIONS_DIR / f"{edition}.yml"
    if not path.is_file():
        return Translations(edition, None)
    display = f"{TRANSLATIONS_DIR}/{edition}.yml"
    doc = load_yaml(path, display)
    data = doc.data or {}
    if not isinstance(data, dict):
        raise ReportError(f"{display} must be a mapping", Location(display, 1))
    for key in data:
        if key not in TOP_KEYS:
            hint = did_you_mean(str(key), TOP_KEYS) or f"known: {', '.join(TOP_KEYS)}"
            raise doc.error((key,), f"unknown section '{key}'", hint)
    translations = Translations(edition, doc)
    content = data.get("content") or {}
    if not isinstance(content, dict):
        raise doc.error(("content",), "'content' must map source files to their hash")
    for source, digest in content.items():
        translations.content[str(source)] = None if digest is None else str(digest)
    strings = data.get("strings") or {}
    if not isinstance(strings, dict):
        raise doc.error(("strings",), "'strings' must map data files to their strings")
    for file, entries in strings.items():
        if not isinstance(entries, dict):
            raise doc.error(("strings", file), f"the strings of {file} must be a mapping")
        for key, entry in entries.items():
            where = ("strings", file, key)
            if isinstance(entry, str):
                entry = {"text": entry}
            if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
                raise doc.error(
                    where, f"'{key}' needs a text", "write 'text: …' (and 'source: HASH')"
                )
            unknown = set(entry) - {"text", "source"}
            if unknown:
                raise doc.error(where, f"unknown field '{sorted(unknown)[0]}' in '{key}'")
            source = entry.get("source")
            translations.strings.setdefault(str(file), {})[str(key)] = (
                entry["text"],
                None if source is None else str(source),
            )
    return translations


# ---------------------------------------------------------------- what a project translates


@dataclass(frozen=True)
class SourceString:
    file: str
    key: str
    text: str
    raw: tuple  # YAML key path, or (row, column) in a CSV


def data_files(project: Project) -> dict[str, tuple[str, ...] | None]:
    """Data file → its translatable patterns (None for a CSV table)."""
    settings = project.settings
    files: dict[str, tuple[str, ...] | None] = {}
    for setting, patterns in TRANSLATABLE.items():
        name = getattr(settings, setting)
        if project.path(name).is_file():
            files[name] = patterns
    stats = project.path(settings.stats)
    if stats.is_dir():
        for table in sorted(stats.glob("*.csv")):
            files[table.relative_to(project.root).as_posix()] = None
    return files


def source_strings(project: Project) -> dict[str, dict[str, SourceString]]:
    """Every data string a reader sees, by data file and key path."""
    found: dict[str, dict[str, SourceString]] = {}
    for name, patterns in data_files(project).items():
        path = project.path(name)
        if patterns is None:
            entries = csv_strings(path.read_text(encoding="utf-8"))
        else:
            entries = translatable_strings(load_yaml(path, name).data, patterns)
        strings = {key: SourceString(name, key, text, raw) for key, (raw, text) in entries.items()}
        if strings:
            found[name] = strings
    return found


def source_content(project: Project, editions: list[Edition]) -> list[str]:
    """The source edition's content files (project-relative), editions' folders left out."""
    folder = project.path(CONTENT_DIR)
    if not folder.is_dir():
        return []
    skip = {project.path(e.content_dir) for e in editions if not e.source}
    return sorted(
        path.relative_to(project.root).as_posix()
        for path in folder.rglob("*")
        if path.is_file()
        and path.suffix in CONTENT_SUFFIXES
        and not any(path.is_relative_to(s) for s in skip)
    )


def translated_path(edition: Edition, source: str) -> str:
    return f"{edition.content_dir}/{source.removeprefix(CONTENT_DIR + '/')}"


@dataclass(frozen=True)
class Untranslated:
    """A content file or data string of an edition that is missing or older than its source."""

    edition: str
    what: str  # "content" or "string"
    name: str  # the source file, or "file: key path"
    state: str  # "missing" or "outdated"
    location: Location
    hint: str

    @property
    def message(self) -> str:
        if self.state == "missing":
            return f"{self.edition} edition: {self.name} is not translated yet"
        return f"{self.edition} edition: the translation of {self.name} is older than its source"


def translation_status(project: Project, edition: Edition) -> list[Untranslated]:
    """What the edition lacks: every content file or data string not yet translated, or
    translated from an older source text than the project's."""
    if edition.source:
        return []
    editions = editions_of(project)
    translations = load_translations(project.root, edition.tag)
    found: list[Untranslated] = []
    mark = f"reportkit translated {edition.tag} "
    for source in source_content(project, editions):
        target = translated_path(edition, source)
        digest = text_hash(project.path(source).read_text(encoding="utf-8"))
        if not project.path(target).is_file():
            found.append(
                Untranslated(
                    edition.tag,
                    "content",
                    source,
                    "missing",
                    Location(source),
                    f"write {target}, then run '{mark}{source}'",
                )
            )
        elif translations.content.get(source) != digest:
            found.append(
                Untranslated(
                    edition.tag,
                    "content",
                    source,
                    "outdated",
                    Location(target, 1),
                    f"bring {target} up to date with {source}, then run '{mark}{source}'",
                )
            )
    strings = source_strings(project)
    for file, entries in strings.items():
        translated = translations.strings.get(file, {})
        for key, string in entries.items():
            entry = translated.get(key)
            name = f"{file}: {key}"
            if entry is None:
                found.append(
                    Untranslated(
                        edition.tag,
                        "string",
                        name,
                        "missing",
                        translations.location("strings"),
                        f"add it to {edition.translations} under strings: {file}: {key}",
                    )
                )
            elif entry[1] != text_hash(string.text):
                found.append(
                    Untranslated(
                        edition.tag,
                        "string",
                        name,
                        "outdated",
                        translations.location("strings", file, key),
                        f"bring it up to date, then run '{mark}{file}:{key}'",
                    )
                )
    return found


def translation_errors(project: Project, edition: Edition) -> list[ReportError]:
    """Translations of strings or files the source does not have (a misspelt key path)."""
    if edition.source:
        return []
    translations = load_translations(project.root, edition.tag)
    strings = source_strings(project)
    errors = []
    for file, entries in translations.strings.items():
        if file not in strings:
            errors.append(
                ReportError(
                    f"'{file}' has no strings to translate",
                    translations.location("strings", file),
                    did_you_mean(file, list(strings)) or f"data files: {', '.join(strings)}",
                )
            )
            continue
        for key in entries:
            if key not in strings[file]:
                errors.append(
                    ReportError(
                        f"{file} has no translatable '{key}'",
                        translations.location("strings", file, key),
                        did_you_mean(key, list(strings[file])) or "check the key path",
                    )
                )
    return errors


def mark_translated(project: Project, edition: Edition, items: list[str]) -> list[str]:
    """Record the current source hash of each item (a content file, or 'file:key path') as
    the one its translation follows; with no items, of every translated one. Rewrites
    translations/<tag>.yml line by line, so its comments and layout stay."""
    path = project.path(edition.translations)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"# The {edition.tag} edition: translated content files and data strings.\n",
            encoding="utf-8",
        )
    translations = load_translations(project.root, edition.tag)
    editions = editions_of(project)
    strings = source_strings(project)
    if not items:
        items = [
            s
            for s in source_content(project, editions)
            if project.path(translated_path(edition, s)).is_file()
        ]
        items += [f"{file}:{key}" for file, keys in translations.strings.items() for key in keys]
    lines = path.read_text(encoding="utf-8").splitlines()
    done = []
    for item in items:
        if ":" in item and not item.endswith((".qmd", ".md")):
            file, key = item.split(":", 1)
            key = key.strip()
            if file not in strings or key not in strings[file]:
                raise ReportError(f"'{item}' is no translatable data string of the project")
            if key not in translations.strings.get(file, {}):
                raise ReportError(
                    f"'{item}' has no translation in {edition.translations}",
                    hint=f"add it under strings: {file}: {key}: text: …",
                )
            digest = text_hash(strings[file][key].text)
            lines = _set_source_hash(lines, translations.doc, ("strings", file, key), digest)
        else:
            if not project.path(item).is_file() or not item.startswith(CONTENT_DIR + "/"):
                raise ReportError(f"'{item}' is no content file of the project")
            if not project.path(translated_path(edition, item)).is_file():
                raise ReportError(
                    f"{translated_path(edition, item)} does not exist", hint="translate it first"
                )
            digest = text_hash(project.path(item).read_text(encoding="utf-8"))
            lines = _set_content_hash(lines, translations.doc, item, digest)
        done.append(item)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        translations = load_translations(project.root, edition.tag)
    return done


def _set_source_hash(lines: list[str], doc: YamlDocument, key: tuple, digest: str) -> list[str]:
    source = doc.positions.get((*key, "source"))
    if source:
        index = source[0] - 1
        lines[index] = re.sub(r"(source:\s*)\S*", rf"\g<1>{digest}", lines[index], count=1)
        return lines
    text = doc.positions.get((*key, "text"))
    if text is None:  # a bare string: make it a mapping
        index = doc.positions[key][0] - 1
        indent = len(lines[index]) - len(lines[index].lstrip())
        name, value = lines[index].split(":", 1)
        lines[index : index + 1] = [
            f"{name}:",
            f"{' ' * (indent + 2)}source: {digest}",
            f"{' ' * (indent + 2)}text:{value}",
        ]
        return lines
    index, column = text[0] - 1, text[1] - 1
    if "{" in lines[index][:column]:  # a flow mapping: {text: …}
        lines[index] = f"{lines[index][:column]}source: {digest}, {lines[index][column:]}"
        return lines
    indent = len(lines[index]) - len(lines[index].lstrip())
    lines.insert(index, f"{' ' * indent}source: {digest}")
    return lines


def _set_content_hash(lines: list[str], doc: YamlDocument, source: str, digest: str) -> list[str]:
    if doc is not None and ("content", source) in doc.positions:
        index = doc.positions[("content", source)][0] - 1
        lines[index] = re.sub(r"(:\s*)\S*\s*$", rf"\g<1>{digest}", lines[index], count=1)
        return lines
    if doc is not None and ("content",) in doc.positions:
        index = doc.positions[("content",)][0] - 1
        lines.insert(index + 1, f"  {source}: {digest}")
        return lines
    return [*lines, "content:", f"  {source}: {digest}"]


# ---------------------------------------------------------------- the edition's project


@dataclass
class Materialised:
    """The edition's copy of the project, and where each of its files came from."""

    project: Project
    # copy-relative path → (source-relative path, line map: copy line → source line, or None)
    origins: dict[str, tuple[str, list[int] | None]] = field(default_factory=dict)


def alternates(project: Project, edition: Edition) -> tuple[tuple[str, str, str], ...]:
    """The other editions as this one's HTML links them."""
    editions = editions_of(project)
    if len(editions) < 2:
        return ()
    return tuple(
        (other.tag, edition.html_href(other), labels_for(other.tag)("language-name"))
        for other in editions
        if other != edition
    )


def mark_untranslated(text: str, language: str, label: str) -> tuple[str, list[int]]:
    """A source text kept in an edition that lacks its translation: each stretch between
    top-level headings wrapped in a marked div in the source language (headings stay outside,
    so sections and the contents are unchanged). Returns the text and its line map."""
    out: list[str] = []
    origin: list[int] = []
    stretch: list[tuple[int, str]] = []
    depth, fence = 0, None
    opening = f'::: {{.untranslated lang="{language}" dir="ltr" label="{label}"}}'

    def flush() -> None:
        while stretch and not stretch[-1][1].strip():
            out.append(stretch[-1][1])
            origin.append(stretch.pop()[0])
        if any(line.strip() for _, line in stretch):
            first = stretch[0][0]
            out.append(opening)
            origin.append(first)
            for number, line in stretch:
                out.append(line)
                origin.append(number)
            out.append(":::")
            origin.append(stretch[-1][0])
        else:
            for number, line in stretch:
                out.append(line)
                origin.append(number)
        stretch.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        marker = re.match(r"\s*(`{3,}|~{3,})", line)
        if marker and (fence is None or line.strip().startswith(fence)):
            fence = None if fence else marker.group(1)
        elif fence is None:
            if re.match(r"^\s{0,3}:{3,}\s*\S", line):
                depth += 1
            elif re.match(r"^\s{0,3}:{3,}\s*$", line):
                depth = max(depth - 1, 0)
            elif depth == 0 and re.match(r"^#{1,6}\s", line):
                flush()
                out.append(line)
                origin.append(number)
                continue
        stretch.append((number, line))
    flush()
    return "\n".join(out) + "\n", origin


def _set(data: Any, raw: tuple, value: str) -> None:
    target = data
    for key in raw[:-1]:
        target = target[key]
    target[raw[-1]] = value


def translated_data(
    project: Project, file: str, strings: dict[str, tuple[str, str | None]], tag: str
) -> str | None:
    """The data file's text with the translated strings put in (None if it has none)."""
    settings = project.settings
    is_conference = file == settings.conference
    if not strings and not is_conference:
        return None
    path = project.path(file)
    source = source_strings(project).get(file, {})
    if path.suffix == ".csv":
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        for key, (text, _) in strings.items():
            if key in source:
                row, column = source[key].raw
                rows[row][column] = text
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue()
    data = load_yaml(path, file).data
    for key, (text, _) in strings.items():
        if key in source:
            _set(data, source[key].raw, text)
    if is_conference and isinstance(data, dict):
        data["language"] = tag
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def materialise(project: Project, edition: Edition, draft: bool = True) -> Materialised:
    """Write the edition's copy of the project under .reportkit/editions/<tag>/ and return it
    as a Project whose output folder is _output/<tag>/."""
    root = project.root
    copy = root / EDITIONS_DIR / edition.tag
    if copy.exists():
        shutil.rmtree(copy)
    copy.mkdir(parents=True)
    cache = root / ".reportkit" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    (copy / ".reportkit").mkdir()
    os.symlink(cache, copy / ".reportkit" / "cache")  # charts drawn once for every edition

    editions = editions_of(project)
    translations = load_translations(root, edition.tag)
    for error in translation_errors(project, edition):
        raise error
    other_content = [project.path(e.content_dir) for e in editions if not e.source]
    conference = load_yaml(project.path(project.settings.conference)).data
    language = (conference or {}).get("language") or project.settings.lang or "en"
    label = labels_for(edition.tag)("untranslated").replace('"', "'")
    translations_path = project.path(edition.translations)
    result = Materialised(project)

    def write(relative: str, text: str, inputs: list[Path], lines: list[int] | None) -> None:
        target = copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        # The newest of its inputs: the draft date stays that of the sources (reportkit.draft).
        newest = max(p.stat().st_mtime for p in inputs if p.is_file())
        os.utime(target, (newest, newest))

    for relative in readable_files(root):
        path = root / relative
        if relative.startswith(("_generated/", "_output/")) or relative == "_variables.yml":
            continue
        if any(path.is_relative_to(folder) for folder in other_content):
            continue
        target = copy / relative
        if relative in translations.strings or relative == project.settings.conference:
            text = translated_data(
                project, relative, translations.strings.get(relative, {}), edition.tag
            )
            write(relative, text, [path, translations_path], None)
            result.origins[relative] = (relative, None)
            continue
        if relative.startswith(CONTENT_DIR + "/") and path.suffix in CONTENT_SUFFIXES:
            translated = project.path(translated_path(edition, relative))
            if translated.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(translated, target)
                result.origins[relative] = (translated_path(edition, relative), None)
            elif draft:
                text, lines = mark_untranslated(path.read_text(encoding="utf-8"), language, label)
                write(relative, text, [path], lines)
                result.origins[relative] = (relative, lines)
            else:
                raise ReportError(
                    f"{edition.tag} edition: {relative} is not translated yet",
                    Location(relative),
                    f"write {translated_path(edition, relative)}, or render a draft",
                )
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    settings = replace(
        project.settings,
        output_dir=str(edition.output_dir(project)),
        lang=edition.tag,
        editions=project.settings.editions,
        alternates=alternates(project, edition),
        edition=edition.tag,
    )
    result.project = Project(copy, project.config, settings)
    return result


def relocated(error: ReportError, materialised: Materialised) -> ReportError:
    """An error found in the edition's copy, pointed at the file it came from."""
    copy = str(materialised.project.root)
    root = str(materialised.project.root.parents[2])
    message = error.message.replace(copy + "/", "").replace(copy, root)
    location = error.location
    if location is not None:
        shown = str(location.path).replace(copy + "/", "")
        if shown in materialised.origins:
            source, lines = materialised.origins[shown]
            line = location.line
            if lines is not None and line is not None and 0 < line <= len(lines):
                line = lines[line - 1]
            elif lines is None and source == shown and shown.endswith((".yml", ".csv")):
                line = None  # a data file rewritten with its translations: lines moved
            location = Location(source, line, location.column if line else None)
        else:
            location = Location(shown, location.line, location.column)
    return ReportError(message, location, error.hint)


@contextmanager
def edition_project(project: Project, edition: Edition, draft: bool = True) -> Iterator[Project]:
    """The project as the single-edition pipeline renders this edition: the project itself
    (with its links to the other editions) for the source edition, else its edition's copy.
    Errors raised inside are reported at the files the edition's copy came from."""
    if edition.source:
        yield Project(
            project.root,
            project.config,
            replace(project.settings, alternates=alternates(project, edition)),
        )
        return
    materialised = materialise(project, edition, draft)
    try:
        yield materialised.project
    except ReportError as error:
        raise relocated(error, materialised) from None
