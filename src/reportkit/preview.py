"""`reportkit preview`: render, serve _output/ on 127.0.0.1, rebuild on change, reload the page.

Rebuilds re-use what did not change: charts come from the cache and generated files are only
rewritten when their text differs; the PDF is left out unless asked for (it is the slow part).
"""

from __future__ import annotations

import html
import json
import sys
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

import watchfiles

from reportkit.errors import ReportError

STATUS_PATH = "/__reportkit__/status"
SCRIPT_PATH = "/__reportkit__/live-reload.js"
WATCHED = ("_quarto.yml", "_brand.yml", "report.qmd", "content", "data", "brands", "images")


class PreviewState:
    """The version of the last build and its error, shared by the watcher and the server."""

    def __init__(self):
        self.lock = threading.Lock()
        self.version = 0
        self.error: str | None = None

    def update(self, error: str | None) -> None:
        with self.lock:
            self.version += 1
            self.error = error

    def snapshot(self) -> dict:
        with self.lock:
            return {"version": self.version, "error": self.error}


def live_reload_script() -> bytes:
    return resources.files("reportkit").joinpath("templates", "live-reload.js").read_bytes()


class PreviewHandler(SimpleHTTPRequestHandler):
    """Static files from _output/, the report page with the live-reload script, the status."""

    state: PreviewState

    def __init__(self, *args, state: PreviewState, directory: str, **kwargs):
        self.state = state
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, format, *args):  # noqa: A002 - quiet: the terminal is for the editor
        pass

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server's naming
        path = self.path.split("?")[0]
        if path == STATUS_PATH:
            return self._send(json.dumps(self.state.snapshot()).encode(), "application/json")
        if path == SCRIPT_PATH:
            return self._send(live_reload_script(), "text/javascript")
        if path in ("/", "/report.html"):
            report = Path(self.directory) / "report.html"
            if not report.is_file():
                message = self.state.snapshot()["error"] or "the report has not been rendered yet"
                page = f"<!DOCTYPE html><title>reportkit</title><p>{html.escape(message)}</p>"
                body = page + f'<script src="{SCRIPT_PATH}"></script>'
            else:
                body = report.read_text(encoding="utf-8")
                tag = f'<script src="{SCRIPT_PATH}"></script>\n</body>'
                body = body.replace("</body>", tag, 1)
            return self._send(body.encode("utf-8"), "text/html; charset=utf-8")
        return super().do_GET()


class PreviewServer(ThreadingHTTPServer):
    """Serves one editor's browser: a dropped connection is one line, never a traceback."""

    daemon_threads = True
    on_event = print

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            self.on_event(f"connection from {client_address[0]} dropped ({type(error).__name__})")
        else:
            self.on_event(f"could not answer {client_address[0]}: {type(error).__name__}: {error}")


def watched_paths(root: Path) -> list[Path]:
    return [root / name for name in WATCHED if (root / name).exists()]


class Preview:
    """Owns the server and the watcher thread; `stop()` ends both."""

    def __init__(self, root: Path, build, host: str = "127.0.0.1", port: int = 0, on_event=print):
        self.root = root.resolve()
        self.build = build  # callable(root) that renders, raising ReportError on bad input
        self.on_event = on_event
        self.state = PreviewState()
        self.stop_event = threading.Event()
        output = self.root / "_output"
        output.mkdir(exist_ok=True)
        handler = partial(PreviewHandler, state=self.state, directory=str(output))
        self.server = PreviewServer((host, port), handler)
        self.server.on_event = on_event
        self.serving = False
        self.watching = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def rebuild(self) -> None:
        try:
            self.build(self.root)
        except ReportError as error:
            self.state.update(str(error))
            self.on_event(f"error: {error}")
        else:
            self.state.update(None)
            self.on_event("rebuilt")

    def _watch(self) -> None:
        # yield_on_timeout: the first (empty) yield says the file watches are in place.
        for changes in watchfiles.watch(
            *watched_paths(self.root),
            stop_event=self.stop_event,
            debounce=50,  # an editor's save is one write: no need to wait for more
            step=50,
            rust_timeout=200,
            yield_on_timeout=True,
            raise_interrupt=False,
        ):
            self.watching.set()
            if not changes:
                continue
            names = sorted({Path(path).name for _, path in changes})
            self.on_event(f"changed: {', '.join(names)}")
            self.rebuild()

    def watch(self, ready_within: float = 60) -> None:
        """Start watching and return once the watches are in place, so that no edit made
        after this call (or during the first build that follows it) goes unnoticed."""
        threading.Thread(target=self._watch, name="reportkit-watch", daemon=True).start()
        self.watching.wait(ready_within)

    def serve(self) -> None:
        self.serving = True
        threading.Thread(
            target=self.server.serve_forever, name="reportkit-serve", daemon=True
        ).start()

    def stop(self) -> None:
        self.stop_event.set()
        if self.serving:  # shutdown() would wait forever for a loop that never started
            self.server.shutdown()
        self.server.server_close()
