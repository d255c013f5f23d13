"""A content-addressed store under .reportkit/cache/: results kept by a hash of their inputs.

Every step that costs time (a chart drawn, a chapter laid out, the HTML converted) keeps its
result here under a key made of everything it depends on — the inputs' bytes, the settings
and the versions of the tools — so a render that finds its key skips the step, and the same
inputs always give the same bytes whether a step ran now or earlier.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from reportkit import __version__

CACHE_DIR = ".reportkit/cache"


def user_cache() -> Path:
    """reportkit's cache of what depends only on installed packages, shared by projects (the
    fonts' base subsets, pandoc's version)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reportkit"


@functools.cache
def code_digest() -> str:
    """reportkit's own code and templates: a result made by other code is not reused."""
    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".lua", ".css", ".html", ".js", ".yml"):
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


_file_hashes: dict[tuple[str, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """The file's sha256, hashed once per process while its size and time stay (the render
    hashes its inputs to know whether it is up to date, and again for the manifest)."""
    status = path.stat()
    stamp = (str(path), status.st_size, status.st_mtime_ns)
    if stamp not in _file_hashes:
        _file_hashes[stamp] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _file_hashes[stamp]


def key(*parts: Any) -> str:
    """A stable hash of the parts (bytes, text, or anything JSON can write) and of
    reportkit's code."""
    digest = hashlib.sha256(code_digest().encode())
    for part in parts:
        if isinstance(part, bytes):
            data = part
        elif isinstance(part, str):
            data = part.encode("utf-8")
        else:
            data = json.dumps(part, sort_keys=True, ensure_ascii=False, default=str).encode()
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:32]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Store:
    """One kind of result (pdf pieces, html, charts …) in its own folder."""

    def __init__(self, root: Path, kind: str):
        self.folder = root / CACHE_DIR / kind

    def path(self, name: str) -> Path:
        return self.folder / name

    def get(self, name: str) -> bytes | None:
        try:
            return self.path(name).read_bytes()
        except OSError:
            return None

    def get_json(self, name: str) -> Any:
        data = self.get(name)
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return None

    def put(self, name: str, data: bytes) -> None:
        """Write atomically: a render killed midway never leaves half a result."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, self.path(name))
        except OSError:
            pass  # a cache that cannot be written only costs time

    def put_json(self, name: str, value: Any) -> None:
        self.put(name, json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8"))
