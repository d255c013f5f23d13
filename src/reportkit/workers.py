"""Processes forked at the start of a render, to work on the machine's other core.

The printer's workers (PrintPool) import WeasyPrint there while the report is prepared; they
are started from here, not from pdf.py, so that the render forks before it imports what
printing needs itself (lxml, pikepdf). The helper imports nothing: it starts what one step
needs when told to (vl-convert's JavaScript engine, half a second, for the charts) and then
takes that step's work by mail, so that the charts are drawn without waiting for
WeasyPrint's import in a printer's worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import wait

from reportkit import progress
from reportkit.errors import ReportError


def max_workers() -> int:
    """Processes a render may fork besides itself: 1 renders in this process alone (a clean
    serial build; or several projects rendered side by side, each given one core). Read when
    asked: a render forked from a warm process (warm.py) has the caller's environment."""
    return int(os.environ.get("REPORTKIT_WORKERS", "2"))


PATIENCE = 600.0  # seconds a helper's job may take (drawing a report's charts takes one)

_mailbox = None  # in a helper: what its job is told (Helper.tell)

# A helper with vl-convert already started, left by the warm process (warm.py) for the
# command it forked; start_helper takes it.
spare: Helper | None = None


def told():
    """In a helper: the next thing its job is told (None when there is nothing more)."""
    return _mailbox.get()


def can_fork() -> bool:
    """Forking is safe from a single-threaded process only: no Python thread (preview's server
    and watcher), and no native one either (vl-convert's JavaScript engine runs in threads
    of its own once it has drawn a chart in this process: a fork would inherit the engine
    without them and wait for it forever)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    return threading.active_count() == 1 and _native_threads() <= 1


def _native_threads() -> int:
    """The process's threads as the kernel counts them (1 where it cannot tell)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def die_with_parent(parent: int) -> None:
    """A killed render must not leave its workers waiting forever for work (Linux only)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


class Helper:
    """One forked process that runs one job at a time, handed to it by mail: the job starts
    when given (start) and may read what it is told next (told) until it is told None.

    A plain fork, not a process pool: it is forked before the printer's pool, whose thread
    would make a later fork unsafe, and it must not run the pool's WeasyPrint import."""

    def __init__(self, prepare=None):
        """`prepare()` runs in the helper first, before any job (a spare's start)."""
        context = multiprocessing.get_context("fork")
        self.inbox = context.SimpleQueue()
        self.answers, answering = context.Pipe(duplex=False)
        self.owner = os.getpid()
        self.process = context.Process(
            target=_serve, args=(os.getpid(), self.inbox, answering, prepare), daemon=True
        )
        self.process.start()
        answering.close()

    def start(self, function, *arguments) -> None:
        """`function(*arguments)` run in the helper from now (its result: result())."""
        self.inbox.put((function, arguments))

    def tell(self, message) -> None:
        """To the running job: the next thing it reads (told)."""
        self.inbox.put(message)

    def result(self):
        """The job's return value, once it has ended; its error as a ReportError."""
        if not wait([self.answers, self.process.sentinel], timeout=PATIENCE):
            self.close()
            raise ReportError(f"a helper process did not answer in {PATIENCE:.0f} s")
        try:
            done, value = self.answers.recv()
        except EOFError:  # it died without answering
            if self.owner != os.getpid():
                raise ReportError("a helper process stopped") from None
            self.process.join()
            raise ReportError(
                f"a helper process stopped (exit code {self.process.exitcode})"
            ) from None
        if not done:
            raise ReportError(value)
        return value

    def close(self) -> None:
        """The helper stopped, whatever it was doing. Whether it still runs is read from its
        sentinel, not from waitpid: a spare is not its command's child, and the warm
        process that forked it lets the kernel reap its children (a reaped pid may be
        another process's already)."""
        if not wait([self.process.sentinel], timeout=0):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
        if self.owner == os.getpid():
            self.process.join()
        self.answers.close()


def _serve(parent: int, inbox, answers, prepare) -> None:
    global _mailbox
    _mailbox = inbox
    die_with_parent(parent)
    progress.silence()
    if prepare is not None:
        prepare()
    while (job := inbox.get()) is not None:
        function, arguments = job
        try:
            answer = (True, function(*arguments))
        except ReportError as error:
            answer = (False, str(error))
        except Exception as error:  # noqa: BLE001 - reported by the parent, with its type
            answer = (False, f"{type(error).__name__}: {error}")
        answers.send(answer)


def start_helper() -> Helper | None:
    """A helper, where one can help: two cores or more, and a process that may fork (or
    the warm process's spare, already started)."""
    global spare
    if (os.cpu_count() or 1) < 2 or max_workers() < 2:
        return None
    if spare is not None:
        taken, spare = spare, None
        return taken
    return Helper() if can_fork() else None


def _warm_up(parent: int) -> None:
    die_with_parent(parent)
    progress.silence()
    import reportkit.printworker  # WeasyPrint imported while the parent works

    reportkit.printworker.FORK_WRITES = True


class PrintPool:
    """Worker processes that lay out pieces (pdf.Printing). Started at the beginning of a
    render, they import WeasyPrint on the other core while the report is prepared and
    converted."""

    def __init__(self, workers: int):
        context = multiprocessing.get_context("fork")
        self.workers = workers
        self.executor = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_warm_up, initargs=(os.getpid(),)
        )
        for _ in range(workers):
            self.executor.submit(progress.silence)

    def close(self) -> None:
        self.executor.shutdown(cancel_futures=True)


def start_print_pool(wanted: int | None = None) -> PrintPool | None:
    """Workers for a render's PDF, or None where they cannot help: one core, or a process
    that must not fork (the PDF is then printed in this process)."""
    cores = os.cpu_count() or 1
    if cores < 2 or max_workers() < 2 or not can_fork():
        return None
    most = max_workers()
    return PrintPool(max(1, min(wanted or most, cores, most)))
