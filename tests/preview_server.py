"""Run `reportkit preview` in a subprocess, as an editor would, for the preview tests."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


class PreviewProcess:
    def __init__(self, root: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reportkit", "preview", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self._wait_for_url()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def _wait_for_url(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            match = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
            if match:
                return match.group(1)
        raise AssertionError("preview did not start: " + "".join(self.output))

    def get(self, path: str = "") -> str:
        with urllib.request.urlopen(self.url + path, timeout=5) as response:
            return response.read().decode("utf-8")

    def status(self) -> dict:
        return json.loads(self.get("__reportkit__/status"))

    def wait_for_version(self, version: int, timeout: float = 180) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if status["version"] >= version:
                return status
            time.sleep(0.1)
        raise AssertionError(f"no rebuild within {timeout} s: {''.join(self.output)}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise
        return self.process.returncode
