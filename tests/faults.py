"""Shared by the fault tests (``test_faults*.py``): records to build, a clean build to compare
with, and ``paperkg`` run as a process that pauses at a hook so a test can SIGKILL it there.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from paperkg.build import build
from paperkg.store import PaperStore, validation_graphs

from conftest import REPO

RECORDS = 40
#: Wraps one function of paperkg (``module:Qualified.name:N:before|after``) to pause there.
_HOOKED = """
import importlib, os, sys, time
module, name, nth, when = os.environ["FAULT_AT"].split(":")
owner = importlib.import_module(module)
*path, attr = name.split(".")
for part in path:
    owner = getattr(owner, part)
original, calls = getattr(owner, attr), [0]
def pause():
    open(os.environ["FAULT_MARK"], "w").close()
    while True:
        time.sleep(60)
def hooked(*args, **kwargs):
    calls[0] += 1
    if when == "before" and calls[0] == int(nth):
        pause()
    result = original(*args, **kwargs)
    if when == "after" and calls[0] == int(nth):
        pause()
    return result
setattr(owner, attr, hooked)
from paperkg.cli import main
main(prog_name="paperkg")
"""


def _write_records(folder: Path, count: int) -> None:
    spec = importlib.util.spec_from_file_location("synthetic", REPO / "bench" / "synthetic.py")
    assert spec is not None
    assert spec.loader is not None
    synthetic = importlib.util.module_from_spec(spec)
    sys.modules["synthetic"] = synthetic  # its dataclasses look their module up
    spec.loader.exec_module(synthetic)
    synthetic.write_records(folder, count)


def _contents(path: Path) -> dict[str, frozenset[ox.Quad]]:
    """Each graph's quads, the validation log left out (a validate run adds to it)."""
    with PaperStore.open_existing(path) as store:
        skip = set(validation_graphs(store))
        graphs: dict[str, set[ox.Quad]] = {}
        for quad in store:
            if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name not in skip:
                graphs.setdefault(quad.graph_name.value, set()).add(quad)
        return {name: frozenset(quads) for name, quads in graphs.items()}


def build_corpus(base: Path) -> tuple[Path, Path, dict[str, Any]]:
    """Records, a store cleanly built from them, and its graphs."""
    folder = base / "records"
    _write_records(folder, RECORDS)
    with PaperStore(base / "clean") as store:
        assert build(store, [str(folder)], workers=1, validate=False).ok
    return folder, base / "clean", _contents(base / "clean")


class Hooked:
    """``paperkg ARGS`` in a process, paused at ``at`` (see ``_HOOKED``) or run as it is."""

    def __init__(self, tmp: Path, args: list[str], at: str | None = None) -> None:
        self.mark = tmp / f"paused-{time.monotonic_ns()}"
        env = {**os.environ, "FAULT_AT": at or "", "FAULT_MARK": str(self.mark)}
        command = ["-c", _HOOKED] if at else ["-m", "paperkg"]
        self.process = subprocess.Popen(
            [sys.executable, *command, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def wait_until(self, ready: Callable[[], bool], what: str, within: float = 120.0) -> None:
        """Poll until ``ready()``; fail if the process ends first or it takes too long."""
        deadline = time.monotonic() + within
        while not ready():
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                pytest.fail(f"ended ({self.process.returncode}) before {what}: {err[-2000:]}")
            assert time.monotonic() < deadline, f"waited {within} s for {what}"
            time.sleep(0.02)

    def paused(self) -> None:
        self.wait_until(self.mark.exists, "the hook")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=60)


def hooked_runs(tmp_path: Path) -> Iterator[Callable[..., Hooked]]:
    """What starts :class:`Hooked` processes; every one is killed when the test ends."""
    runs: list[Hooked] = []

    def start(args: list[str], at: str | None = None) -> Hooked:
        runs.append(Hooked(tmp_path, args, at))
        return runs[-1]

    yield start
    for run in runs:
        run.kill()
