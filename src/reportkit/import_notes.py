"""`reportkit import`: a rapporteur's Word (.docx) or ODT notes as the body of a session's .qmd.

pandoc reads the document; a Lua filter (engines/filters/import-notes.lua) keeps the content and
drops Word's styling; images are extracted into images/sessions/ID/ and linked relatively.
Footnote labels get the session's id as prefix, since labels are shared by the whole report.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from reportkit.engines.embedded import package_file, pandoc_binary
from reportkit.errors import ReportError, did_you_mean, relative
from reportkit.model.programme import ProgrammeFile
from reportkit.model.validation import validate
from reportkit.project import find_project
from reportkit.yamlio import load_yaml

READERS = {".docx": "docx", ".odt": "odt"}
# Plain Markdown: nothing that could carry Word's styling into the source.
WRITER = (
    "markdown-raw_html-raw_attribute-native_divs-native_spans-bracketed_spans-fenced_divs"
    "-link_attributes-header_attributes-simple_tables-multiline_tables-smart"
)
NOTE_LABEL = re.compile(r"(?<!\\)\[\^(\d+)\]")


@dataclass
class ImportResult:
    path: Path  # the session's .qmd
    display: str
    images: list[str] = field(default_factory=list)  # project-relative paths written
    dropped_headings: list[str] = field(default_factory=list)
    images_without_alt: list[str] = field(default_factory=list)
    tables: int = 0
    notes: int = 0
    blocks: int = 0  # paragraphs, lists, tables … of the imported text


def session_content(root: Path, programme_file: str, session_id: str) -> str:
    """The content file of a session of programme.yml (which need not exist yet)."""
    path = root / programme_file
    if not path.is_file():
        raise ReportError(f"{programme_file} does not exist", hint="list the sessions there first")
    doc = load_yaml(path, programme_file)
    sessions = validate(ProgrammeFile, doc, doc.data or {}).sessions
    for session in sessions:
        if session.id == session_id:
            return session.content
    ids = [s.id for s in sessions]
    raise ReportError(
        f"unknown session '{session_id}' (not in {programme_file})",
        hint=did_you_mean(session_id, ids) or f"sessions: {', '.join(ids)}",
    )


def import_notes(document: Path, session_id: str, project_dir: Path, force: bool = False):
    """Convert `document` into the body of session `session_id`'s .qmd."""
    project = find_project(project_dir)
    reader = READERS.get(document.suffix.lower())
    if reader is None:
        raise ReportError(
            f"{document.name}: reportkit imports Word (.docx) or OpenDocument (.odt) files",
            hint="save the notes in one of these formats",
        )
    content = session_content(project.root, project.settings.programme, session_id)
    target = project.path(content)
    if target.is_file() and target.read_text(encoding="utf-8").strip() and not force:
        raise ReportError(
            f"{content} already has text: nothing was imported",
            hint="add --force to replace it, or empty the file first",
        )
    image_dir = f"images/sessions/{session_id}"
    with tempfile.TemporaryDirectory(prefix="reportkit-import-") as tmp:
        work = Path(tmp)
        proc = subprocess.run(
            [
                pandoc_binary(),
                str(document.resolve()),
                "--from",
                reader,
                "--to",
                WRITER,
                "--wrap",
                "none",
                "--metadata",
                f"reportkit-image-dir={image_dir}",
                "--lua-filter",
                str(package_file("engines", "filters", "import-notes.lua")),
            ],
            cwd=work,
            capture_output=True,
            check=False,
        )
        messages = proc.stderr.decode("utf-8", "replace")
        if proc.returncode != 0:
            first = next((ln for ln in messages.splitlines() if ln.strip()), "pandoc failed")
            raise ReportError(f"{document.name} could not be read: {first}")
        result = ImportResult(target, content)
        images: list[tuple[str, str]] = []
        for line in messages.splitlines():
            if not line.startswith("reportkit-import\t"):
                continue
            kind, *details = line.split("\t")[1:]
            if kind == "heading":
                result.dropped_headings.append(details[0])
            elif kind == "image":
                images.append((details[0], details[1]))
            elif kind == "no-alt":
                result.images_without_alt.append(f"{image_dir}/{details[0]}")
            elif kind == "table":
                result.tables += 1
            elif kind == "note":
                result.notes += 1
        markdown = proc.stdout.decode("utf-8")
        missing = [src for src, name in images if not (work / name).is_file()]
        if missing:
            raise ReportError(f"{document.name}: image '{missing[0]}' could not be extracted")
        if images:
            destination = project.path(image_dir)
            destination.mkdir(parents=True, exist_ok=True)
            for _, name in images:
                shutil.copyfile(work / name, destination / name)
                result.images.append(f"{image_dir}/{name}")
    markdown = NOTE_LABEL.sub(lambda m: f"[^{session_id}-{m.group(1)}]", markdown).strip() + "\n"
    result.blocks = len([b for b in re.split(r"\n\s*\n", markdown) if b.strip()])
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_target = target.with_suffix(target.suffix + ".tmp")
    tmp_target.write_text(markdown, encoding="utf-8")
    tmp_target.replace(target)
    result.display = relative(target, project.root)
    return result
