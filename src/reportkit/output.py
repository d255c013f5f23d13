"""Outputs are built in a staging folder and moved into place only when everything succeeded."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staging(output_dir: Path) -> Iterator[Path]:
    """A temporary folder beside output_dir (same filesystem, so moves are renames)."""
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".reportkit-staging-", dir=output_dir.parent))
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def publish(stage: Path, output_dir: Path) -> list[Path]:
    """Move every staged entry into output_dir, each replaced by an atomic rename.

    Files and folders in output_dir that this render did not produce (a .docx from an
    earlier run, say) are left alone.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    published = []
    for entry in sorted(stage.iterdir()):
        target = output_dir / entry.name
        if entry.is_dir():
            old = None
            if target.exists():
                old = output_dir / f".{entry.name}.old"
                shutil.rmtree(old, ignore_errors=True)
                os.replace(target, old)
            os.replace(entry, target)
            if old:
                shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(entry, target)
        published.append(target)
    return published
