"""Outputs are built in a staging folder and published all together, or not at all.

One render's outputs (report.html with its assets, report.pdf, report.docx) are one edition:
a reader must never find a new HTML beside an old PDF. So publishing moves each previous
output aside, moves each new one in, and if any move fails puts every previous output back.
Renders of one project take turns (a lock file), and a staging folder left by a render that
was killed is removed by the next one.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reportkit.errors import ReportError, relative

STAGING_PREFIX = ".reportkit-staging-"
PREVIOUS = ".previous"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: leave its folder alone
    return True


def remove_stale_staging(folder: Path) -> None:
    """Staging folders of renders that no longer run (killed, or the machine went down)."""
    for stale in folder.glob(f"{STAGING_PREFIX}*"):
        pid = stale.name.removeprefix(STAGING_PREFIX).split("-")[0]
        if stale.is_dir() and (not pid.isdigit() or not _alive(int(pid))):
            shutil.rmtree(stale, ignore_errors=True)


def _cannot_write(path: Path, error: OSError, root: Path) -> ReportError:
    reason = error.strerror or str(error)
    return ReportError(
        f"cannot write {relative(path, root)}: {reason.lower()}",
        hint="make the output folder writable (or remove it) and render again",
    )


_held: dict[Path, int] = {}  # projects this process holds the lock of (re-entrant)


@contextmanager
def render_lock(root: Path) -> Iterator[None]:
    """One render of a project at a time: a second one waits for the first to finish."""
    root = root.resolve()
    if _held.get(root):
        _held[root] += 1
        try:
            yield
        finally:
            _held[root] -= 1
        return
    lock_dir = root / ".reportkit"
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        handle = open(lock_dir / "render.lock", "a")  # noqa: SIM115 - held for the block
    except OSError as error:
        raise _cannot_write(lock_dir, error, root) from None
    with handle:
        # A POSIX record lock belongs to this process alone: the printer's forked workers do
        # not inherit it, so a killed render never leaves its lock held by an orphan.
        fcntl.lockf(handle, fcntl.LOCK_EX)
        _held[root] = 1
        try:
            yield
        finally:
            _held.pop(root, None)
            fcntl.lockf(handle, fcntl.LOCK_UN)


@contextmanager
def staging(output_dir: Path) -> Iterator[Path]:
    """A temporary folder beside output_dir (same filesystem, so moves are renames)."""
    parent = output_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(parent)
        stage = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=parent))
    except OSError as error:
        raise _cannot_write(parent, error, parent) from None
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def publish(stage: Path, output_dir: Path) -> list[Path]:
    """Move every staged entry into output_dir, all of them or none.

    Each previous entry is moved aside into the stage first and put back if any move fails.
    Files in output_dir that this render did not produce (a .docx from an earlier run, say)
    are left alone.
    """
    root = output_dir.parent
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        previous = stage / PREVIOUS
        previous.mkdir(exist_ok=True)
    except OSError as error:
        raise _cannot_write(output_dir, error, root) from None
    entries = sorted(p for p in stage.iterdir() if p.name != PREVIOUS)
    done: list[tuple[Path, Path, bool]] = []  # (new entry, target, had a previous one)
    target = output_dir
    try:
        for entry in entries:
            target = output_dir / entry.name
            had = target.exists() or target.is_symlink()
            if had:
                os.replace(target, previous / entry.name)
            done.append((entry, target, had))
            os.replace(entry, target)
    except OSError as error:
        _restore(done, previous)
        raise _cannot_write(target, error, root) from None
    return [target for _, target, _ in done]


def _restore(done: list[tuple[Path, Path, bool]], previous: Path) -> None:
    """Undo a partial publication: new entries back into the stage, previous ones in place."""
    for entry, target, had in reversed(done):
        try:
            if (target.exists() or target.is_symlink()) and not entry.exists():
                os.replace(target, entry)
            if had:
                os.replace(previous / entry.name, target)
        except OSError:
            continue  # best effort: what cannot be put back stays in the stage
