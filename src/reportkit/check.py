"""`reportkit check`: every problem in the project, one clickable line each, without rendering."""

from __future__ import annotations

import json
import re
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote

from reportkit.draft import source_files, unfinished_text
from reportkit.editions import (
    edition_project,
    select_editions,
    translation_errors,
    translation_status,
)
from reportkit.engines.assemble import Assembled
from reportkit.engines.embedded import ContentVetting, assemble_document
from reportkit.errors import Location, ReportError, did_you_mean, natural_key
from reportkit.prepare import prepare, write_generated
from reportkit.project import find_project
from reportkit.sandbox import project_path
from reportkit.statistics import package_problems_cached
from reportkit.yamlio import load_yaml

ID_ATTRIBUTE = re.compile(r"\{[^}]*#([A-Za-z][\w:.-]*)")
REFERENCE = re.compile(r"(?:^|(?<=[\s(\[;-]))@((?:sec|fig|tbl)-[\w-]*\w)")
IMAGE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?:\s+\"[^\"]*\")?\)(?P<attrs>\{[^}]*\})?"
)
# Quarto reference kinds the embedded engine does not number (crossref.lua refuses them too).
UNNUMBERED_REFERENCE = re.compile(
    r"(?:^|(?<=[\s(\[;-]))@((?:eq|thm|lem|cor|prp|cnj|def|exm|exr|sol|rem|lst|nte|tip|wrn|imp|cau)"
    r"-[\w-]*\w)"
)
NOTE_CALL = re.compile(r"\[\^([^\]\s]+)\](?!:)")
NOTE_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*(\{[^}]*\})?\s*$")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    column: int | None
    severity: str  # "error" or "warning"
    message: str
    hint: str | None = None

    @classmethod
    def from_error(cls, error: ReportError, severity: str = "error") -> Problem:
        loc = error.location or Location("_quarto.yml")
        return cls(str(loc.path), loc.line, loc.column, severity, error.message, error.hint)

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.path, self.line, self.column) if p is not None)
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


def _code_lines(text: str) -> set[int]:
    """1-based numbers of lines inside fenced code blocks."""
    inside, fence, lines = False, "", set()
    for number, line in enumerate(text.splitlines(), start=1):
        marker = re.match(r"\s*(`{3,}|~{3,})", line)
        if marker and (not inside or line.strip().startswith(fence)):
            inside, fence = (not inside), marker.group(1)
            lines.add(number)
        elif inside:
            lines.add(number)
    return lines


def _outside(root: Path, src: str) -> ReportError | None:
    try:
        project_path(root, unquote(src.split("#")[0]), "image", None)
    except ReportError as error:
        return error
    return None


def lint_content(assembled: Assembled, root: Path) -> list[Problem]:
    """Cross-references, images, alt text, footnotes and empty sections of the whole text."""
    problems: list[Problem] = []
    lines = assembled.text.splitlines()
    code = _code_lines(assembled.text)
    ids = set(ID_ATTRIBUTE.findall(assembled.text))
    definitions = {m.group(1) for line in lines if (m := NOTE_DEFINITION.match(line))}

    def at(number: int, column: int) -> tuple[str, int | None, int | None]:
        origin = assembled.origin(number)
        return (str(origin.path), origin.line, column) if origin else ("?", None, None)

    first_use: dict[str, tuple] = {}
    level = 0  # of the last heading, to catch a skipped level
    for number, line in enumerate(lines, start=1):
        if number in code:
            continue
        heading = HEADING.match(line)
        if heading:
            depth = len(heading.group(1))
            if level and depth > level + 1:
                problems.append(
                    Problem(
                        *at(number, 1),
                        "warning",
                        f"heading level {depth} follows level {level}: a level is skipped",
                        f"use {'#' * (level + 1)} here, or add the missing level above",
                    )
                )
            level = depth
        for match in ID_ATTRIBUTE.finditer(line):
            where = at(number, match.start(1))
            previous = first_use.setdefault(match.group(1), where)
            if previous is not where:
                problems.append(
                    Problem(
                        *where,
                        "error",
                        f"duplicate id '{match.group(1)}' (first used at "
                        f"{previous[0]}:{previous[1]})",
                        "each section, figure and table needs its own id",
                    )
                )
        for match in UNNUMBERED_REFERENCE.finditer(line):
            problems.append(
                Problem(
                    *at(number, match.start() + 1),
                    "error",
                    f"cross-reference '@{match.group(1)}' is not supported by the embedded engine",
                    "refer to a section, figure or table, or render with --engine quarto",
                )
            )
        for match in REFERENCE.finditer(line):
            if match.group(1) not in ids:
                kind = match.group(1).split("-")[0]
                same_kind = [i for i in ids if i.startswith(f"{kind}-")]
                problems.append(
                    Problem(
                        *at(number, match.start() + 1),
                        "error",
                        f"no {kind} with id '{match.group(1)}' for this reference",
                        did_you_mean(match.group(1), same_kind)
                        or f"check the id or add {{#{match.group(1)}}} to its target",
                    )
                )
        for match in IMAGE.finditer(line):
            src, attrs = match["src"], match["attrs"] or ""
            where = at(number, match.start() + 1)
            if re.match(r"^(https?:)?//", src):
                problems.append(
                    Problem(
                        *where,
                        "error",
                        f"image {src} would load from the network",
                        "save it in the project and link it relatively",
                    )
                )
            elif (outside := _outside(root, src)) is not None:
                problems.append(Problem(*where, "error", outside.message, outside.hint))
            elif not (root / unquote(src)).is_file():
                problems.append(
                    Problem(
                        *where,
                        "error",
                        f"image '{src}' does not exist",
                        "fix the path; it is relative to the project root",
                    )
                )
            if not match["alt"].strip() and "fig-alt=" not in attrs:
                problems.append(
                    Problem(
                        *where,
                        "warning",
                        f"image '{src}' has no alt text",
                        'add fig-alt="…" describing what it shows',
                    )
                )
        for match in NOTE_CALL.finditer(line):
            if match.group(1) not in definitions:
                problems.append(
                    Problem(
                        *at(number, match.start() + 1),
                        "error",
                        f"footnote '{match.group(1)}' is never defined",
                        f"add a line '[^{match.group(1)}]: …'",
                    )
                )
        heading = HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            following = next(
                (ln for ln in lines[number:] if ln.strip() and not ln.lstrip().startswith("<!--")),
                None,
            )
            next_heading = HEADING.match(following) if following else None
            if following is None or (next_heading and len(next_heading.group(1)) <= level):
                problems.append(
                    Problem(
                        *at(number, 1),
                        "warning",
                        f"section '{heading.group(2)}' is empty",
                        "write its text or remove the heading",
                    )
                )
    return problems


def unused_definitions(project, prepared, assembled: Assembled) -> list[Problem]:
    """Charts never placed and facts never quoted: work that no reader will see."""
    problems = []
    text = assembled.text
    for chart_id in prepared.charts:
        if f"{{#fig-{chart_id} .chart}}" not in text:  # the figure its partial brings in
            problems.append(
                Problem(
                    project.settings.charts,
                    None,
                    None,
                    "warning",
                    f"chart '{chart_id}' is never placed in the report",
                    f"add {{{{< reportkit chart {chart_id} >}}}} where it belongs",
                )
            )
    placed = {path.resolve() for path in assembled.files}
    for session in prepared.programme.sessions:
        header = project.path(f"_generated/sessions/{session.id}.qmd").resolve()
        if header not in placed or project.path(session.content).resolve() not in placed:
            problems.append(
                Problem(
                    project.settings.programme,
                    None,
                    None,
                    "warning",
                    f"session '{session.id}' is never placed in the report",
                    f"add {{{{< reportkit session {session.id} >}}}} and "
                    f"{{{{< include {session.content} >}}}} to {project.settings.document}",
                )
            )
    problems += unplaced_front_matter(project, prepared, placed)
    # Shortcodes are already resolved in the assembled text: look in the source files.
    sources = "\n".join(path.read_text(encoding="utf-8") for path in assembled.files)
    for name in prepared.variables.get("facts") or {}:
        if not re.search(r"\{\{<\s*var\s+facts\." + re.escape(name) + r"\s*>\}\}", sources):
            problems.append(
                Problem(
                    project.settings.facts,
                    None,
                    None,
                    "warning",
                    f"fact '{name}' is never quoted in the text",
                    f"quote it with {{{{< var facts.{name} >}}}} or remove it",
                )
            )
    return problems


def unplaced_front_matter(project, prepared, placed: set[Path]) -> list[Problem]:
    """Key messages written but never placed, or placed but never written; acronyms used
    with no Acronyms page."""
    problems = []
    settings = project.settings
    document = project.path(settings.document).read_text(encoding="utf-8").splitlines()

    def shortcode_line(part: str) -> int | None:
        pattern = re.compile(r"\{\{<\s*reportkit\s+" + re.escape(part) + r"\s*>\}\}")
        return next((n for n, line in enumerate(document, 1) if pattern.search(line)), None)

    def is_placed(part: str) -> bool:
        return project.path(f"_generated/{part}.qmd").resolve() in placed

    messages = prepared.conference.key_messages
    if messages and not is_placed("key-messages"):
        where = load_yaml(project.path(settings.conference), settings.conference)
        loc = where.location(("key-messages",))
        problems.append(
            Problem(
                str(loc.path),
                loc.line,
                loc.column,
                "warning",
                "the key messages are never placed in the report",
                f"add {{{{< reportkit key-messages >}}}} after the front matter in "
                f"{settings.document}",
            )
        )
    if not messages and is_placed("key-messages"):
        problems.append(
            Problem(
                settings.document,
                shortcode_line("key-messages"),
                1,
                "warning",
                f"the key messages page is empty: {settings.conference} has no key-messages",
                "write them there (a list of short paragraphs) or remove the shortcode",
            )
        )
    if prepared.acronyms and not is_placed("acronyms"):
        problems.append(
            Problem(
                settings.document,
                None,
                None,
                "warning",
                f"the text uses {len(prepared.acronyms)} acronym(s) of {settings.glossary} and "
                f"{settings.organisations} but the report has no Acronyms page",
                "add {{< reportkit acronyms >}} after the front matter",
            )
        )
    return problems


def unfinished_problems(project) -> list[Problem]:
    """Template placeholders and editors' notes (TODO, FIXME) left in the sources."""
    problems = []
    for path in source_files(project.root):
        display = str(path.relative_to(project.root))
        for line, column, word in unfinished_text(path):
            if word == "PLACEHOLDER":
                message, hint = (
                    "placeholder text from the template",
                    "replace it with the report's own",
                )
            else:
                message, hint = (
                    f"editor's note '{word}' left in the text",
                    "resolve it and remove it",
                )
            problems.append(Problem(display, line, column, "warning", message, hint))
    return problems


def translation_problems(project, which: str | None) -> list[Problem]:
    """Per edition: translations of things the source lacks (errors), and every content file
    or data string not yet translated or older than its source (warnings: a draft shows the
    source text, marked; --final refuses)."""
    if not project.settings.editions or which is None:
        return []
    problems = []
    for edition in select_editions(project, which):
        try:
            problems += [Problem.from_error(e) for e in translation_errors(project, edition)]
            for item in translation_status(project, edition):
                loc = item.location
                problems.append(
                    Problem(str(loc.path), loc.line, loc.column, "warning", item.message, item.hint)
                )
        except ReportError as error:
            problems.append(Problem.from_error(error))
    return problems


def check_project(root: Path, edition: str | None = "all") -> list[Problem]:
    """Validate configuration, data and content; never renders, never stops at the first.

    edition: whose translation status to list (reportkit.editions): 'all' (the default),
    one edition's tag, or None for none."""
    problems: list[Problem] = []
    try:
        project = find_project(root)
    except ReportError as error:
        return [Problem.from_error(error)]
    prepared = None
    stats = project.path(project.settings.stats)
    data_problems = package_problems_cached(project, stats) if stats.is_dir() else []
    # A bad data package would stop prepare at its first row: list every bad row instead.
    problems += [Problem.from_error(error) for error in data_problems]
    try:
        prepared = prepare(project)
        write_generated(project, prepared)
        problems += [Problem.from_error(w, "warning") for w in prepared.warnings]
    except ReportError as error:
        if not data_problems:
            problems.append(Problem.from_error(error))
    if prepared is None:
        return _sorted(problems)  # content cannot be assembled without its data
    # What pandoc finds (images by their real path, unsafe raw HTML), said once. Vetted as
    # `render` converts it (the source edition, with its links to the others), so content a
    # render converted already is not converted again; pandoc converts it while the other
    # checks run.
    vetted: list[ReportError] = []
    with ExitStack() as stack:
        vetting = None
        try:
            (source,) = select_editions(project, None)
            as_rendered = stack.enter_context(edition_project(project, source))
            vetting = ContentVetting(as_rendered, prepared)
            stack.callback(vetting.close)
        except ReportError as error:
            vetted.append(error)
        problems += _content_problems(project, prepared)
        problems += unfinished_problems(project)
        try:
            problems += translation_problems(project, edition)
        except ReportError as error:
            problems.append(Problem.from_error(error))
        try:
            if vetting is not None:
                vetting.finish(vetted)
        except ReportError as error:
            vetted.append(error)
    said = {_gist(p) for p in problems}
    problems += [p for p in map(Problem.from_error, vetted) if _gist(p) not in said]
    return _sorted(problems)


def _content_problems(project, prepared) -> list[Problem]:
    """What the assembled text says wrong of itself (lint, unused definitions, shortcodes)."""
    problems: list[Problem] = []
    content: list[ReportError] = []
    try:
        assembled, _, _ = assemble_document(project, prepared, content)
        problems += lint_content(assembled, project.root)
        if prepared:
            problems += unused_definitions(project, prepared, assembled)
    except ReportError as error:
        content.append(error)
    return problems + [Problem.from_error(e) for e in content]


def _gist(problem: Problem) -> tuple:
    """Where a problem is and what it says before any detail: the same problem found by two
    checks (the text's and pandoc's) is said once."""
    return problem.path, problem.line, re.split(r" \(|: ", problem.message)[0]


def _sorted(problems: list[Problem]) -> list[Problem]:
    # Natural order: data errors name "file.csv:row 2:column x" in their path; row 2 comes
    # before row 10.
    return sorted(
        set(problems),
        key=lambda p: (natural_key(p.path), p.line or 0, p.column or 0, p.message),
    )


def format_problems(problems: list[Problem], style: str) -> str:
    if style == "json":
        return json.dumps([asdict(p) for p in problems], indent=2, ensure_ascii=False)
    return "\n".join(str(p) for p in problems)
