"""A real Oxigraph server for tests: the ``oxigraph`` command of the pinned PyPI package, bound to
127.0.0.1 on a free port, with its data in a temporary folder, stopped with SIGTERM afterwards.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class OxigraphServer:
    """A running server: ``url`` is its base (``http://127.0.0.1:PORT``)."""

    url: str
    location: Path

    @property
    def store(self) -> str:
        """The Graph Store Protocol endpoint."""
        return f"{self.url}/store"

    def select(self, query: str, *, union: bool = True) -> str:
        """Run a SPARQL SELECT and return the CSV text."""
        suffix = "?union-default-graph" if union else ""
        request = urllib.request.Request(
            f"{self.url}/query{suffix}",
            data=query.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return str(response.read().decode("utf-8"))


def oxigraph_command() -> str:
    """The ``oxigraph`` executable beside this Python (the pinned PyPI package)."""
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    if found is None:
        pytest.fail(
            "the oxigraph server command is missing: pip install -r requirements/pinned.txt",
            pytrace=False,
        )
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def oxigraph_server(location: Path) -> Iterator[OxigraphServer]:
    """Start a server on ``location``; yield it once it answers; stop it."""
    port = _free_port()
    log = location.with_suffix(".log")
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                oxigraph_command(),
                "serve",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = OxigraphServer(f"http://127.0.0.1:{port}", location)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                server.select("ASK { }")
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"oxigraph did not start:\n{log.read_text()}", pytrace=False)
                time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
