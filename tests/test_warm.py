"""The warm start (reportkit/warm.py): a command handed over to a warm process does what it
does run alone: the same bytes, the same output on the caller's stdout and stderr, the same
one-line errors and exit status; it runs in the caller's folder and environment; and the
warm process serves only its user and ends when idle. No test here measures time: the
benchmark does (bench/run.py)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from reportkit import warm
from tests.conftest import PROJECT_ENTRIES, ROOT, copy_project, run_reportkit
from tests.test_errors import assert_clean_failure, replace_in

pytestmark = pytest.mark.skipif(
    not warm.sys.platform.startswith("linux"), reason="the warm start is Linux's only"
)


def wait_for(predicate, bound: float = 180.0) -> bool:
    """Poll until `predicate` holds, within a generous bound (no timing is asserted)."""
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.fixture
def warm_env(tmp_path):
    """The warm start on (the suite turns it off), its sockets in a folder of this test's own;
    its warm processes stopped at the end."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    env = {"REPORTKIT_WARM": "1", "XDG_RUNTIME_DIR": str(run), "REPORTKIT_WARM_IDLE": "300"}
    yield env
    for pid in warm_processes(run):
        os.kill(pid, signal.SIGTERM)


def warm_processes(run: Path) -> list[int]:
    """The warm processes whose socket is in `run`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"reportkit.warm" in command and any(str(run).encode() in a for a in command):
            found.append(int(entry.name))
    return found


def sockets(env: dict) -> list[Path]:
    return sorted(Path(env["XDG_RUNTIME_DIR"]).glob("reportkit-*/*.sock"))


def served(env: dict) -> list[dict]:
    """The commands the warm processes ran, from their logs."""
    return [
        json.loads(line)
        for log in sorted(Path(env["XDG_RUNTIME_DIR"]).glob("reportkit-*/*.log"))
        for line in log.read_text(encoding="utf-8").splitlines()
    ]


def test_a_handed_over_render_gives_the_bytes_and_output_of_one_run_alone(tmp_path, warm_env):
    root = copy_project(ROOT, tmp_path / "example", PROJECT_ENTRIES)
    first = run_reportkit("render", root, env=warm_env)
    assert first.returncode == 0, first.stderr
    assert served(warm_env) == []  # the first ran itself, then started a warm process
    assert wait_for(lambda: sockets(warm_env)), "no warm process started"
    data = root / "data" / "stats" / "dead_missing.csv"
    replace_in(data, "central-med,2014,,3093,", "central-med,2014,,3097,")
    proc = run_reportkit("render", root, "-v", env={**warm_env, "REPORTKIT_WORKERS": "2"})
    assert proc.returncode == 0, proc.stderr
    [entry] = served(warm_env)
    assert entry["argv"] == ["render", str(root), "-v"] and entry["exit"] == 0
    assert entry["spare helper"] == "used"  # the chart drawn by a vl-convert already started
    assert entry["cwd"] == os.getcwd()
    # Its progress and summary reached this caller's stderr and stdout.
    assert "chart 5/6: dead-missing-by-route (spec from its template)" in proc.stderr
    assert "laid out: sec-presentations" in proc.stdout
    assert "rendered in" in proc.stdout
    page = (root / "_output" / "report.html").read_text(encoding="utf-8")
    assert '<td class="number">3,097</td>' in page
    alone = copy_project(root, tmp_path / "alone", PROJECT_ENTRIES)
    proc = run_reportkit("render", alone, env={"REPORTKIT_WARM": "0", "REPORTKIT_WORKERS": "1"})
    assert proc.returncode == 0, proc.stderr
    for name in ("report.html", "report.pdf"):
        assert (alone / "_output" / name).read_bytes() == (root / "_output" / name).read_bytes()


def test_a_handed_over_command_fails_as_one_run_alone_does(mini, warm_env, tmp_path):
    assert run_reportkit("check", mini, env=warm_env).returncode == 0
    assert wait_for(lambda: sockets(warm_env)), "no warm process started"
    include = "{{< include content/intro.qmd >}}"
    replace_in(mini / "report.qmd", include, include + "\n\n{{< include content/missing.qmd >}}")
    handed = run_reportkit("render", mini, env=warm_env)
    alone = run_reportkit("render", mini, env={"REPORTKIT_WARM": "0"})
    message = assert_clean_failure(handed, r"report\.qmd:8: included file .* does not exist")
    assert message == alone.stderr.strip()
    assert [e["exit"] for e in served(warm_env)] == [1]
    # The caller's folder, relative paths and environment are the command's.
    replace_in(mini / "report.qmd", "\n\n{{< include content/missing.qmd >}}", "")
    copy_project(mini, tmp_path / "elsewhere")
    proc = warm_run(["check", "elsewhere"], tmp_path, warm_env)
    assert proc.returncode == 0, proc.stderr
    assert served(warm_env)[-1]["cwd"] == str(tmp_path)


def warm_run(argv: list[str], cwd: Path, env: dict):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "reportkit", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_ctrl_c_stops_the_handed_over_command_and_keeps_the_last_report(tmp_path, warm_env, mini):
    import subprocess
    import sys

    assert run_reportkit("check", mini, env=warm_env).returncode == 0
    assert wait_for(lambda: sockets(warm_env)), "no warm process started"
    run = Path(warm_env["XDG_RUNTIME_DIR"])
    [server] = [p for p in warm_processes(run) if parent_of(p) not in warm_processes(run)]
    spares = set(children_of(server))  # its spare chart helper

    def command() -> list[int]:  # the fork running the render: it has workers of its own
        return [c for c in children_of(server) if c not in spares and children_of(c)]

    root = copy_project(ROOT, tmp_path / "example", PROJECT_ENTRIES)  # a cold render: seconds
    process = subprocess.Popen(
        [sys.executable, "-m", "reportkit", "render", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **warm_env},
    )
    # Its own workers started (an interrupt inside a fork's handlers is lost, run alone too).
    assert wait_for(command), "the command was not handed over"
    [pid] = command()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=300)
    assert process.returncode != 0, err
    assert b"Traceback" not in err
    assert wait_for(lambda: not Path(f"/proc/{pid}").exists()), "the command still runs"
    assert not (root / "_output" / "report.pdf").exists()  # nothing half-made was published


def test_the_warm_process_ends_when_idle(mini, warm_env):
    env = {**warm_env, "REPORTKIT_WARM_IDLE": "1"}
    assert run_reportkit("check", mini, env=env).returncode == 0
    assert wait_for(lambda: warm_processes(Path(env["XDG_RUNTIME_DIR"]))), "none started"
    assert wait_for(lambda: not warm_processes(Path(env["XDG_RUNTIME_DIR"])))
    assert sockets(env) == []


def test_which_commands_are_handed_over():
    assert warm.served(["render", "."]) and warm.served(["--debug", "check"])
    assert warm.served(["pdf"])
    assert not warm.served(["preview"]) and not warm.served(["new", "x"])
    assert not warm.served(["render", "--help"]) and not warm.served(["--version"])


def test_when_the_warm_start_is_on(monkeypatch):
    monkeypatch.delenv("REPORTKIT_WARM", raising=False)
    monkeypatch.setenv("CI", "true")
    assert not warm.enabled()  # CI runs each command alone
    monkeypatch.setenv("REPORTKIT_WARM", "1")
    assert warm.enabled()
    monkeypatch.setenv("REPORTKIT_WARM", "0")
    monkeypatch.delenv("CI")
    assert not warm.enabled()


def test_the_sockets_folder_must_be_the_users_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    folder = tmp_path / f"reportkit-{os.getuid()}"
    assert warm.socket_path().startswith(str(folder) + "/")
    assert folder.stat().st_mode & 0o777 == 0o700
    folder.chmod(0o777)
    assert warm.socket_path() is None  # another user could have put a socket there


def test_a_warm_process_serves_callers_of_its_own_python_environment(monkeypatch):
    before = warm.identity()
    monkeypatch.setenv("EDITOR_ONLY_VARIABLE", "x")  # the command's, not the warm process's
    assert warm.identity() == before
    monkeypatch.setenv("PYTHONHASHSEED", "7")  # read as Python starts
    assert warm.identity() != before
