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
from pathlib import Path

from reportkit.cache import code_digest, file_sha256
from reportkit.errors import Location, ReportError
from reportkit.sandbox import readable_files

RECORD = ".reportkit/last-render.json"
GENERATED = ("_generated/", "_variables.yml")


def inputs_digest(root: Path, request: dict) -> str:
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
    for name in readable_files(root):
        if name.startswith(GENERATED):
            continue
        digest.update(name.encode() + b"\0")
        digest.update(bytes.fromhex(file_sha256(root / name)))
    return digest.hexdigest()


def _stamp(path: Path) -> list[int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns]


def up_to_date(
    root: Path, request: dict, digest: str | None = None
) -> tuple[list[Path], list[ReportError]] | None:
    """The outputs and warnings of the last render when nothing changed since, else None.
    digest: inputs_digest(root, request), when the caller has it."""
    try:
        record = json.loads((root / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("inputs") != (digest or inputs_digest(root, request)):
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


def remember(
    root: Path,
    request: dict,
    outputs: list[Path],
    warnings: list[ReportError],
    digest: str | None = None,
):
    """After a render that succeeded: what it read (digest: the inputs as the render found
    them when it started; an edit saved meanwhile makes the next render work) and wrote."""
    record = {
        "inputs": digest or inputs_digest(root, request),
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
