"""Progress of long work, reported to whoever listens (the CLI), without threading a callback
through every layer: steps, charts drawn out of total, pages laid out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Listener = Callable[[str, str], None]  # (kind, message); kind: "step" | "detail"
_listener: ContextVar[Listener | None] = ContextVar("reportkit_progress", default=None)


def step(message: str) -> None:
    """A stage of the build starts (prepare, html, pdf …)."""
    listener = _listener.get()
    if listener:
        listener("step", message)


def detail(message: str) -> None:
    """Finer news within a stage (chart 3/6, 37 pages laid out …)."""
    listener = _listener.get()
    if listener:
        listener("detail", message)


@contextmanager
def listening(listener: Listener | None) -> Iterator[None]:
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def silence() -> None:
    """No listener in this context (a worker process: its news would go to a copy of the
    parent's terminal display)."""
    _listener.set(None)
