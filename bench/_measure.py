"""Timing and memory for the benchmarks: wall time of one call, and the resident memory of this
process and every process it started (build workers, a Dask cluster), which ``getrusage`` does
not see: pool workers are children of a forkserver, Dask workers of a nanny.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

__all__ = ["DescendantsPeak", "own_peak_mib", "run_peak", "timed"]

T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds one call took, and its value."""
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def own_peak_mib() -> float:
    """The peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: Runs argv[1:] as a grandchild and prints its peak: Linux counts, in a child's peak, the memory
#: of the process it was forked from, so the fork must come from this small interpreter.
_PEAK_OF = """import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_peak(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of ``command`` (its first item a path) in a
    process of its own: the step's memory alone, not this process's heap from earlier steps."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_OF, *command], stdout=subprocess.PIPE, text=True, check=True
    )
    return time.perf_counter() - start, int(done.stdout.split()[-1]) / 1024


def _status(pid: str) -> dict[str, str] | None:
    try:
        text = (Path("/proc") / pid / "status").read_text(encoding="utf-8")
    except OSError:
        return None
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def _kib(fields: dict[str, str], name: str) -> float:
    return int(fields.get(name, "0 kB").split()[0]) / 1024


def _pss(pid: int) -> float:
    """The proportional set size of ``pid`` (MiB): pages shared with other processes (a
    forkserver's imports in each worker forked from it) counted once over all of them.
    """
    try:
        text = (Path("/proc") / str(pid) / "smaps_rollup").read_text(encoding="utf-8")
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


class DescendantsPeak:
    """Samples, while the block runs, the processes this one started (directly or not):
    ``peak`` is the largest resident memory any of them reached (VmHWM), ``total_peak`` the
    largest sum of resident memory of this process and all of them at one sample (a page
    shared by several counted in each), ``pss_peak`` the largest sum of their proportional
    set sizes (each shared page counted once), ``phase_peaks`` the resident sum's peak per
    ``phase`` (set it as the run goes) and ``phase_pss_peaks`` the proportional sum's, and
    ``process_peaks`` each process's own peaks (pid: role, resident MiB, proportional MiB).
    Reads ``/proc``; zeros elsewhere.
    """

    def __init__(self, every: float = 0.1) -> None:
        self.peak = 0.0
        self.total_peak = 0.0
        self.pss_peak = 0.0
        self.phase = ""
        self.phase_peaks: dict[str, float] = {}
        self.phase_pss_peaks: dict[str, float] = {}
        self.process_peaks: dict[int, tuple[str, float, float]] = {}
        self._every = every
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> DescendantsPeak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        me = os.getpid()
        while not self._done.wait(self._every):
            parents: dict[int, int] = {}
            statuses: dict[int, dict[str, str]] = {}
            for entry in Path("/proc").glob("[0-9]*"):
                fields = _status(entry.name)
                if fields is not None:
                    parents[int(entry.name)] = int(fields.get("PPid", "0"))
                    statuses[int(entry.name)] = fields
            total = _kib(statuses.get(me, {}), "VmRSS")
            pss = _pss(me)
            self._note(me, parents, total, pss)
            for pid, fields in statuses.items():
                ancestor = parents.get(pid, 0)
                while ancestor > 1 and ancestor != me:
                    ancestor = parents.get(ancestor, 0)
                if ancestor == me:
                    self.peak = max(self.peak, _kib(fields, "VmHWM"))
                    resident, share = _kib(fields, "VmRSS"), _pss(pid)
                    total += resident
                    pss += share
                    self._note(pid, parents, resident, share)
            self.total_peak = max(self.total_peak, total)
            self.pss_peak = max(self.pss_peak, pss)
            phase = self.phase
            self.phase_peaks[phase] = max(self.phase_peaks.get(phase, 0.0), total)
            self.phase_pss_peaks[phase] = max(self.phase_pss_peaks.get(phase, 0.0), pss)

    def _note(self, pid: int, parents: dict[int, int], resident: float, share: float) -> None:
        role, old_resident, old_share = self.process_peaks.get(pid, ("", 0.0, 0.0))
        role = role or _role(pid, parents)
        self.process_peaks[pid] = (role, max(old_resident, resident), max(old_share, share))

    def roles(self) -> str:
        """Each process's peaks on one line, resident / proportional MiB (``process_peaks``)."""
        return ", ".join(
            f"{role} {resident:.0f}/{share:.0f}"
            for role, resident, share in sorted(self.process_peaks.values())
        )


def _role(pid: int, parents: dict[int, int]) -> str:
    """What a process is: this one, a forkserver, a process it forked (a worker), or else the
    last words of its command line.
    """
    if pid == os.getpid():
        return "this"
    try:
        command = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return "?"
    if b"forkserver" in command:
        return "worker" if parents.get(pid) != os.getpid() else "forkserver"
    if b"resource_tracker" in command:
        return "resource-tracker"
    return command.decode("utf-8", "replace").split("/")[-1][:30]
