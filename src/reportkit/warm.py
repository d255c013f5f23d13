"""A warm start for the commands an editor repeats (render, check, pdf).

A command's own work after an edit is small; most of its cost is the Python it imports
(pandas, WeasyPrint in the printer's workers, reportkit's pipeline: about a CPU-second). The
first command starts, after it has finished, a background process that imports all that once
and then waits. Each later command hands itself over to it: the warm process forks a copy of
itself, which runs the command exactly as it would have run here: with the caller's
arguments, folder, environment, umask, and terminal (its stdin, stdout and stderr are passed
over the socket), and returns its exit status. Every command runs in a fresh fork, so
nothing of one command is left for the next, and the outputs are the same bytes. vl-convert,
whose engine cannot be forked once started, waits in a spare chart helper (Serving): the
next command that draws a chart takes it instead of starting vl-convert itself.

Only this module is imported before a command is handed over: it is the console script's
entry (main), so that a handed-over command does not pay for click or rich.

The warm process serves one user, one Python and one installation of reportkit: its socket
lives in a folder only the user can open, named by a hash of the interpreter, the import
path and reportkit's files, so after an upgrade or an edit of reportkit's code a new one
starts. It ends after IDLE_SECONDS without a command, and notes each command it ran in a
log beside its socket. It is not used under CI, nor where REPORTKIT_WARM=0
(REPORTKIT_WARM=1 forces it on), nor away from Linux.

A handed-over command's CPU time and memory are spent in the warm process's fork, not in
the caller: where REPORTKIT_USAGE_FILE names a file, the caller appends them there (for the
benchmark).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import struct
import sys

SERVED = ("render", "check", "pdf")  # the commands an editor repeats
IDLE_SECONDS = 15 * 60  # REPORTKIT_WARM_IDLE may say otherwise
PATIENCE = 120.0  # seconds to wait for a warm process to take a command (it may be importing)

# Read by the interpreter or by libraries as they are imported: a warm process serves only
# callers that agree on them. Everything else of the caller's environment is the command's.
IMPORT_TIME_VARIABLES = ("PYTHON", "LANG", "LC_", "OPENBLAS", "OMP_", "MKL_", "FONTCONFIG")

# What a render imports: the warm process imports it once, so each fork has it.
PIPELINE = (
    "reportkit.cli",
    "reportkit.build",
    "reportkit.check",
    "reportkit.prepare",
    "reportkit.statistics",
    "reportkit.engines.embedded",
    "reportkit.charts.publish",
    "reportkit.charts.export",
    "reportkit.charts.spec_template",
    "reportkit.data.facts",
    "reportkit.data.package",
    "reportkit.manifest",
    "reportkit.pdf",
    "reportkit.pdfmerge",
    "reportkit.printworker",  # WeasyPrint: the printer's workers are forked with it
)


def enabled() -> bool:
    wanted = os.environ.get("REPORTKIT_WARM", "")
    if wanted in ("0", "1"):
        return wanted == "1" and sys.platform == "linux"
    under_ci = os.environ.get("CI", "").lower() not in ("", "0", "false")
    return sys.platform == "linux" and not under_ci


def served(argv: list[str]) -> bool:
    """Whether the command is one a warm process runs: its name is the first argument that
    is not an option (--debug may come before it)."""
    if "--help" in argv or "--version" in argv:
        return False
    for argument in argv:
        if not argument.startswith("-"):
            return argument in SERVED
    return False


def _folder() -> str | None:
    """The user's folder for warm processes' sockets, or None if it is not the user's alone."""
    base = os.environ.get("XDG_RUNTIME_DIR") or "/tmp"
    folder = os.path.join(base, f"reportkit-{os.getuid()}")
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    info = os.lstat(folder)
    import stat

    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return folder


def import_path() -> list[str]:
    """Where a warm process imports from: the caller's path without its folder, which
    `python -m` puts first (a project's folder is content, not code)."""
    path = list(sys.path)
    if path and path[0] in ("", os.getcwd()):
        path.pop(0)
    return path


def identity() -> str:
    """What a warm process must share with its callers: the interpreter, the import path
    (and when its folders last changed: an install or upgrade), reportkit's files, and the
    environment read at import time."""
    package = os.path.dirname(os.path.abspath(__file__))
    parts: list = [sys.executable, sys.version, import_path()]
    for entry in import_path():
        try:
            parts.append(os.stat(entry or ".").st_mtime_ns)
        except OSError:
            parts.append(None)
    for folder, _, files in sorted(os.walk(package)):
        for name in sorted(files):
            if name.endswith((".py", ".lua", ".css", ".html", ".yml", ".json")):
                info = os.stat(os.path.join(folder, name))
                parts.append((folder[len(package) :], name, info.st_size, info.st_mtime_ns))
    parts.append(
        sorted((k, v) for k, v in os.environ.items() if k.startswith(IMPORT_TIME_VARIABLES))
    )
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:20]


def socket_path() -> str | None:
    folder = _folder()
    return None if folder is None else os.path.join(folder, identity() + ".sock")


# The caller --------------------------------------------------------------------------------


def hand_over(argv: list[str], path: str) -> int | None:
    """The command run by the warm process at `path`: its exit status, or None when there
    is no warm process to take it (the caller runs it itself)."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
    except OSError:
        connection.close()
        return None
    request = json.dumps(
        {
            "argv": argv,
            "cwd": os.getcwd(),
            "environ": dict(os.environ),
            "umask": _umask(),
            "encoding": [
                getattr(sys.stdout, "encoding", None),
                getattr(sys.stderr, "encoding", None),
            ],
        }
    ).encode()
    with connection:
        connection.settimeout(PATIENCE)
        try:
            socket.send_fds(connection, [struct.pack("!Q", len(request))], [0, 1, 2])
            connection.sendall(request)
            answers = connection.makefile("rb")
            started = answers.readline()  # b"pid N": the command has started
        except OSError:
            return None
        if not started.startswith(b"pid "):
            return None  # it did not take the command: run it here
        pid = int(started.split()[1])
        connection.settimeout(None)  # the command takes as long as it takes
        forwarded = _forward_signals(pid)
        try:
            ended = answers.readline()
        except OSError:
            ended = b""
    if not ended.startswith(b"exit "):
        if forwarded:  # it was stopped, as asked
            return 128 + forwarded[-1]
        print("reportkit: the command's process ended without an exit status", file=sys.stderr)
        return 1
    _, code, usage = ended.decode().split(" ", 2)
    if os.environ.get("REPORTKIT_USAGE_FILE"):
        with open(os.environ["REPORTKIT_USAGE_FILE"], "a", encoding="utf-8") as out:
            out.write(usage)  # CPU seconds and peak kB, for the benchmark
    return int(code)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _forward_signals(pid: int) -> list[int]:
    """Ctrl-C and termination reach the command's process as they would have reached this
    one (it runs in no terminal's process group). Returns the signals forwarded, as they
    come."""
    forwarded: list[int] = []

    def forward(number, _frame):
        forwarded.append(number)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, number)

    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, forward)
    return forwarded


def start_warm_process(path: str) -> None:
    """A warm process for the next commands, in the background, detached from this one."""
    import subprocess

    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}  # no thread pool to fork past
    with contextlib.suppress(OSError):  # no warm process: the next command runs itself
        subprocess.Popen(  # from /, importing from the caller's path (not from its folder)
            [sys.executable, "-m", "reportkit.warm", path, json.dumps(import_path())],
            cwd="/",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
            env=environment,
        )


def main() -> None:
    """The console script: the command handed over to a warm process where one serves it,
    else run here (and a warm process started for the next one)."""
    argv = sys.argv[1:]
    path = socket_path() if enabled() and served(argv) else None
    if path is not None:
        code = hand_over(argv, path)
        if code is not None:
            sys.stdout.flush()
            os._exit(code)
    from reportkit.cli import run

    code = run(argv)
    if path is not None:
        start_warm_process(path)
    os._exit(code)


# The warm process --------------------------------------------------------------------------


def serve(path: str) -> None:
    """Listen at `path`, import the pipeline, and run each command handed over in a fork,
    until IDLE_SECONDS pass without one. A second warm process for the same path leaves."""
    import fcntl
    import importlib

    global _lock, _log_path
    _lock = open(path + ".lock", "w")  # noqa: SIM115 - held for the process's life
    try:
        fcntl.flock(_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    listener.bind(path)
    listener.listen(16)  # callers wait in the queue while the pipeline is imported
    _log_path = path + ".log"
    try:
        for name in PIPELINE:
            importlib.import_module(name)
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the commands' processes reap themselves
        Serving(listener).run(float(os.environ.get("REPORTKIT_WARM_IDLE", IDLE_SECONDS)))
    finally:
        os.unlink(path)
        listener.close()


class Serving:
    """The warm process's loop. It keeps a spare chart helper (workers.Helper) with
    vl-convert started, which cannot be forked once started (its engine's threads): the
    spare is lent to one command at a time, and when that command has taken it, a new one
    is started once the command has ended, so that its start takes no CPU from it."""

    def __init__(self, listener: socket.socket):
        self.listener = listener
        self.ended, self.ending = os.pipe()  # each command's fork: "pid:used|kept"
        self.spare = self._new_spare()
        self.lent_to: int | None = None

    def run(self, idle: float) -> None:
        import select

        while True:
            ready = select.select([self.listener, self.ended], [], [], idle)[0]
            if not ready and not self._lent():
                return  # idle (a command still holding the spare keeps it alive)
            if self.ended in ready:
                self._returned(os.read(self.ended, 4096).decode().split())
            if self.listener in ready:
                connection, _ = self.listener.accept()
                try:
                    self._take(connection)
                except OSError:
                    pass
                finally:
                    connection.close()

    def _new_spare(self):
        from reportkit.workers import Helper

        return Helper(prepare=self._start_spare)

    def _start_spare(self) -> None:
        """In the spare: the warm process's sockets and lock left to it; vl-convert started."""
        self._leave()
        os.close(self.ended)
        os.close(self.ending)
        from reportkit.charts.export import start_vl_convert

        start_vl_convert()

    def _lent(self) -> bool:
        """Whether the spare is lent to a command still running (one killed says nothing)."""
        if self.lent_to is None:
            return False
        try:
            os.kill(self.lent_to, 0)
            return True
        except ProcessLookupError:
            self._returned([f"{self.lent_to}:used"])
            return False

    def _returned(self, notes: list[str]) -> None:
        for note in notes:
            pid, how = note.split(":")
            if int(pid) != self.lent_to:
                continue
            self.lent_to = None
            if how == "used":
                self.spare.close()  # the command stopped it; if it could not, now
                self.spare = self._new_spare()

    def _take(self, connection: socket.socket) -> None:
        credentials = connection.getsockopt(
            socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")
        )
        _, uid, _ = struct.unpack("3i", credentials)
        if uid != os.getuid():
            return
        connection.settimeout(10)
        header, fds, _, _ = socket.recv_fds(connection, 8, 3)
        try:
            header += _receive(connection, 8 - len(header))
            request = json.loads(_receive(connection, struct.unpack("!Q", header)[0]))
            if len(fds) != 3:
                return
            lend = not self._lent()
            pid = os.fork()
            if pid == 0:
                self._leave()
                os.close(self.ended)  # it only tells, on self.ending
                from reportkit import workers

                workers.spare = self.spare if lend else None
                _run_forked(connection, fds, request, lambda: self._end(lend))
            if lend:
                self.lent_to = pid
        finally:
            for fd in fds:
                os.close(fd)

    def _leave(self) -> None:
        """In a fork of the warm process: its socket and lock left to it (a command or a spare
        outliving it must not keep its lock)."""
        self.listener.close()
        _lock.close()

    def _end(self, lent: bool) -> str:
        """In a command's fork, as it ends: whether it took the spare, told the loop."""
        from reportkit import workers

        how = "used" if lent and workers.spare is None else "kept"
        os.write(self.ending, f"{os.getpid()}:{how} ".encode())
        return how


def _receive(connection: socket.socket, size: int) -> bytes:
    """Exactly `size` bytes (a caller that hangs up early: OSError)."""
    data = b""
    while len(data) < size:
        more = connection.recv(min(1 << 16, size - len(data)))
        if not more:
            raise ConnectionError("the caller hung up")
        data += more
    return data


def _run_forked(connection: socket.socket, fds: list[int], request: dict, ending) -> None:
    """In the fork: become the caller's command, run it, answer its exit status (`ending()`
    tells the warm process first, and says what became of the spare, for the log)."""
    code, spare = 1, ""
    try:
        connection.sendall(f"pid {os.getpid()}\n".encode())  # before its exit status
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.environ.clear()
        os.environ.update(request["environ"])
        import tempfile
        import time

        time.tzset()  # the caller's TZ
        tempfile.tempdir = None  # the caller's TMPDIR
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        out, err = request["encoding"]
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding=out or "utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding=err or "utf-8", closefd=False)  # noqa: SIM115
        from reportkit import cli

        cli.use_terminal()
        code = cli.run(request["argv"])
    except KeyboardInterrupt:
        code = 130
    except BaseException:  # noqa: BLE001 - whatever happens, the caller gets a status
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            connection.settimeout(10)
            spare = ending()
            connection.sendall(f"exit {code} {_usage()}\n".encode())
            _note(request, code, spare)
        except BaseException:  # noqa: BLE001
            pass
        os._exit(code)


def _usage() -> str:
    """This process's CPU seconds with those of the processes it waited for (its workers),
    and the largest peak memory among them (kB)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    waited = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + waited.ru_utime + waited.ru_stime
    return f"{cpu:.3f} {max(own.ru_maxrss, waited.ru_maxrss)}"


def _note(request: dict, code: int, spare: str) -> None:
    """One line in the warm process's log: when, where, what, and how it ended."""
    import time

    line = json.dumps(
        {
            "time": time.time(),
            "pid": os.getpid(),
            "cwd": request["cwd"],
            "argv": request["argv"],
            "exit": code,
            "spare helper": spare,
        }
    )
    with open(_log_path, "a", encoding="utf-8") as log:
        log.write(line + "\n")


_log_path = os.devnull  # set by serve: the socket's path + ".log"
_lock = None  # set by serve: held while it serves


if __name__ == "__main__":
    sys.path[:] = json.loads(sys.argv[2])
    serve(sys.argv[1])
