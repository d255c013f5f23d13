"""Nothing changed, nothing to do: a render whose inputs and outputs are as the last render
left them says so and stops, in the time it takes to read the project's files.

The inputs are every file of the project that a render may read (sandbox.readable_files,
generated and output folders aside), by content; the request (formats, final) and reportkit's
own code. The outputs are checked by size and modification time, so that an output replaced
or deleted since is made again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from reportkit.cache import code_digest, file_sha256
from reportkit.errors import Location, ReportError
from reportkit.sandbox import readable_files

RECORD = ".reportkit/last-render.json"
GENERATED = ("_generated/", "_variables.yml")


@dataclass(frozen=True)
class Inputs:
    """What a render reads, as it found it when it started."""

    digest: str  # of everything below, reportkit's code, the request and its environment
    files: dict[str, str] = field(default_factory=dict)  # project-relative name -> sha256


def read_inputs(root: Path, request: dict) -> Inputs:
    files = {
        name: file_sha256(root / name)
        for name in readable_files(root)
        if not name.startswith(GENERATED)
    }
    return Inputs(_digest(files, request), files)


def _digest(files: dict[str, str], request: dict) -> str:
    digest = hashlib.sha256(code_digest().encode())
    digest.update(json.dumps(request, sort_keys=True).encode())
    digest.update(
        json.dumps(
            {
                k: v
                for k, v in os.environ.items()
                if k.startswith(("REPORTKIT_", "SOURCE_DATE_EPOCH"))
            },
            sort_keys=True,
        ).encode()
    )
    for name, sha in files.items():
        digest.update(name.encode() + b"\0")
        digest.update(bytes.fromhex(sha))
    return digest.hexdigest()


def _stamp(path: Path) -> list[int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns]


def _record(root: Path) -> dict:
    try:
        record = json.loads((root / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def up_to_date(
    root: Path, request: dict, inputs: Inputs | None = None
) -> tuple[list[Path], list[ReportError]] | None:
    """The outputs and warnings of the last render when nothing changed since, else None.
    inputs: read_inputs(root, request), when the caller has them."""
    record = _record(root)
    if not record or record.get("inputs") != (inputs or read_inputs(root, request)).digest:
        return None
    outputs = []
    for name, stamp in record.get("outputs", {}).items():
        path = root / name  # absolute where the output folder lies outside the root
        if _stamp(path) != stamp:
            return None
        outputs.append(path)
    warnings = [
        ReportError(m, Location(p, line, column) if p else None, h)
        for m, p, line, column, h in record.get("warnings", [])
    ]
    return outputs, warnings


def changed_files(root: Path, inputs: Inputs) -> list[str] | None:
    """The files added, changed or removed since the last render that succeeded, by name
    (None when it is not known: no render, or one of another version of reportkit)."""
    record = _record(root)
    before = record.get("files")
    if not isinstance(before, dict) or record.get("code") != code_digest():
        return None
    names = before.keys() | inputs.files.keys()
    return sorted(name for name in names if before.get(name) != inputs.files.get(name))


def remember(
    root: Path,
    request: dict,
    outputs: list[Path],
    warnings: list[ReportError],
    inputs: Inputs | None = None,
):
    """After a render that succeeded: what it read (inputs: as the render found them when it
    started; an edit saved meanwhile makes the next render work) and wrote."""
    inputs = inputs or read_inputs(root, request)
    record = {
        "inputs": inputs.digest,
        "files": inputs.files,
        "code": code_digest(),
        "outputs": {
            (p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p)): _stamp(p)
            for p in outputs
            if _stamp(p) is not None
        },
        "warnings": [
            [
                w.message,
                str(w.location.path) if w.location else None,
                w.location.line if w.location else None,
                w.location.column if w.location else None,
                w.hint,
            ]
            for w in warnings
        ],
    }
    try:
        path = root / RECORD
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass


def forget(root: Path) -> None:
    (root / RECORD).unlink(missing_ok=True)
