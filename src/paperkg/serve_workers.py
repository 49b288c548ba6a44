"""Worker processes for ``paperkg serve``: each holds the store folder open read-only and
answers one call at a time, so a query that outlives the timeout can be stopped by killing its
process (pyoxigraph cannot cancel a running query) while the others go on answering.
"""

from __future__ import annotations

import os
import pickle
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any

from .errors import PaperkgError, StoreError
from .store import PaperStore

__all__ = ["Answer", "Call", "RefusedError", "WorkerPool"]

#: Seconds a worker process may take to start (it imports paperkg and opens the store).
_START_SECONDS = 120.0

#: An answer: HTTP status, media type, body, and any further headers (name, value).
Answer = tuple[int, str, bytes, tuple[tuple[str, str], ...]]
#: What a worker runs: a module-level function, given the store first, and its arguments.
Call = tuple[Callable[..., Answer], tuple[Any, ...]]


class RefusedError(Exception):
    """A request answered with an error status and one line of text."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


# --- the worker processes ------------------------------------------------------------------------

#: A worker's first lines: give up the network (Linux: a user and a network namespace of its own,
#: with nothing in it) so that no query it runs can reach another host or a port here, whatever
#: slips past the SERVICE check; then import paperkg (whose numpy starts a thread, after which
#: the namespaces can no longer be changed) and answer calls.
_BOOT = """
import ctypes
try:
    ctypes.CDLL(None, use_errno=True).unshare(0x10000000 | 0x40000000)
except (OSError, AttributeError):
    pass
from paperkg.serve_workers import _work
_work()
"""


class WorkerPool:
    """Worker processes that answer one call at a time; one that overruns is killed and
    replaced in the background, so the others keep answering meanwhile.
    """

    def __init__(self, location: str, size: int, timeout: float) -> None:
        self.location = location
        self.size = size
        self.timeout = timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._running: set[_Worker] = set()
        self._closing = False
        try:
            starting = [self._spawn() for _ in range(size)]  # in parallel: each takes seconds
            for worker in starting:
                worker.wait_ready(_START_SECONDS)
                self._idle.put(worker)
        except BaseException:
            self.close()
            raise

    def run(self, call: Call, where: str) -> Answer:
        """Answer ``call`` in a free worker within the timeout, or refuse with a 503."""
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise RefusedError(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"{where}: no query worker came free within {self.timeout:g} s ({self.size} in "
                "all); try again later, or start paperkg serve with more --workers",
            ) from None
        try:
            reply = worker.ask(call, self.timeout)
        except TimeoutError:
            self._replace(worker)
            raise RefusedError(
                HTTPStatus.SERVICE_UNAVAILABLE,
                f"{where}: cut off after {self.timeout:g} s; narrow it down (LIMIT, more "
                "specific patterns) or start paperkg serve with a longer --timeout",
            ) from None
        except (OSError, EOFError) as error:
            self._replace(worker)
            if self._closing:
                raise RefusedError(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    f"{where}: the server is stopping; try again once it is back",
                ) from None
            code = worker.process.returncode
            raise RuntimeError(f"query worker ended on its own (exit code {code})") from error
        self._idle.put(worker)
        if reply[0] == "answer":
            headers = tuple((str(name), str(value)) for name, value in reply[4])
            return int(reply[1]), str(reply[2]), bytes(reply[3]), headers
        if reply[0] == "refused":
            raise RefusedError(int(reply[1]), str(reply[2]))
        raise RuntimeError(f"worker: {reply[1]}")

    def close(self) -> None:
        """Stop every worker and wait for it; none is left running."""
        with self._lock:
            self._closing = True
            workers = list(self._running)
            self._running.clear()
        for worker in workers:
            worker.stop()

    def _spawn(self) -> _Worker:
        with self._lock:
            if self._closing:
                raise StoreError(self.location, "the server is stopping", "start it again")
            worker = _Worker(self.location)
            self._running.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._running.discard(worker)
        worker.stop()
        threading.Thread(target=self._refill, daemon=True).start()

    def _refill(self) -> None:
        try:
            worker = self._spawn()
            worker.wait_ready(_START_SECONDS)
        except OSError as error:  # StoreError included
            if not self._closing:
                sys.stderr.write(f"{error}\n")
            return
        self._idle.put(worker)


class _Worker:
    """One worker process and its two pipes: a call goes in, one framed pickle comes out."""

    def __init__(self, location: str) -> None:
        self.location = location
        source = str(Path(__file__).resolve().parents[1])  # the paperkg this server runs
        path = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH")) if p)
        command = [sys.executable, "-c", _BOOT]
        try:
            self.process = subprocess.Popen(
                [*command, location, str(os.getpid())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                bufsize=0,
                env={**os.environ, "PYTHONPATH": path},
            )
        except OSError as error:
            raise StoreError(
                location, f"cannot start a query worker: {error}", "free some resources"
            ) from error
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self._in = self.process.stdin.fileno()
        self._out = self.process.stdout.fileno()

    def wait_ready(self, within: float) -> None:
        """Wait for the worker to have the store open; a one-line error if it cannot."""
        try:
            reply = self._receive(within)
        except (TimeoutError, OSError, EOFError) as error:
            self.stop()
            raise StoreError(
                self.location,
                f"a query worker did not start ({type(error).__name__})",
                "see the messages above; check the store opens with: paperkg stats",
            ) from error
        if reply[0] != "ready":
            self.stop()
            raise StoreError(
                self.location, f"a query worker cannot open it ({reply[1]})", "check the store"
            )

    def ask(self, call: Call, within: float) -> tuple[Any, ...]:
        """Send ``call`` and wait for its reply; :class:`TimeoutError` after ``within`` s."""
        _write(self._in, pickle.dumps(call, protocol=pickle.HIGHEST_PROTOCOL))
        return self._receive(within)

    def _receive(self, within: float) -> tuple[Any, ...]:
        poller = select.poll()
        poller.register(self._out, select.POLLIN)
        if not poller.poll(within * 1000):
            raise TimeoutError
        reply = pickle.loads(_read(self._out))  # noqa: S301 - our own child's reply
        assert isinstance(reply, tuple)
        return reply

    def stop(self) -> None:
        """End the process (whatever it is running: the store is only read) and reap it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


def _write(fd: int, payload: bytes) -> None:
    """One frame: the length in 8 bytes, then the payload."""
    view = memoryview(len(payload).to_bytes(8, "big") + payload)
    while view:
        view = view[os.write(fd, view) :]


def _read(fd: int) -> bytes:
    """One frame's payload; :class:`EOFError` when the other side has gone."""

    def exactly(size: int) -> bytes:
        chunks = bytearray()
        while len(chunks) < size:
            chunk = os.read(fd, min(size - len(chunks), 1 << 20))
            if not chunk:
                raise EOFError
            chunks += chunk
        return bytes(chunks)

    return exactly(int.from_bytes(exactly(8), "big"))


def _work() -> None:
    """A worker's main loop (``python -c``; argv: store folder, server pid): open the store
    read-only, then answer one call after another until the server closes the pipe.
    """
    location, server = sys.argv[1], int(sys.argv[2])
    # Ctrl-C reaches the whole process group; the server is the one to stop us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    replies = os.dup(1)
    os.dup2(2, 1)  # anything printed goes to stderr, not into the replies
    threading.Thread(target=_exit_when_orphaned, args=(server,), daemon=True).start()
    try:
        store = PaperStore.open_existing(location)
    except PaperkgError as error:
        _write(replies, pickle.dumps(("failed", str(error))))
        return
    _write(replies, pickle.dumps(("ready",)))
    while True:
        try:
            function, args = pickle.loads(_read(0))  # noqa: S301 - from the server that started us
        except EOFError:
            return
        try:
            status, media, data, headers = function(store, *args)
            reply: tuple[Any, ...] = ("answer", int(status), media, data, headers)
        except RefusedError as refusal:
            reply = ("refused", int(refusal.status), refusal.message)
        except Exception as error:  # noqa: BLE001 - reported to the server, which logs it
            reply = ("failed", repr(error))
        _write(replies, pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


def _exit_when_orphaned(server: int) -> None:
    """End this worker if the server died without stopping it (killed with SIGKILL, say)."""
    while os.getppid() == server:
        time.sleep(1)
    os._exit(1)
