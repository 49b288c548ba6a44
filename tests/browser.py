"""Run a page in a real headless Chromium (Debian's ``chromium``) and read what it reports.

Chromium prints every console message of a page to stderr (with ``--enable-logging=stderr``)
as an INFO line, whatever its level, e.g.::

    [..:INFO:CONSOLE:1] "deliberate-console-error", source: file:///tmp/p.html (1)
    [..:INFO:CONSOLE:1] "Uncaught ReferenceError: f is not defined", source: file:///... (1)

so console.error cannot be told from console.log there. The explorer logs nothing when it works,
so :func:`console_problems` counts every console line of the page as a problem (and any
"Uncaught" line from anywhere); ``tests/test_viz_browser.py`` checks that a page with a deliberate
error is caught.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest

INSTALL_HINT = (
    "headless browser tests need Chromium: install Debian's chromium "
    "(apt-get install chromium) or set PAPERKG_CHROMIUM to its path"
)


def _tool(name: str) -> ModuleType:
    """A module of tools/ (a folder of scripts, not a package), loaded by its path."""
    path = Path(__file__).resolve().parents[1] / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: Chromium's flags and command line, as tools/chromium.py runs it for the pictures in docs/.
_CHROMIUM = _tool("chromium")
#: Beyond those flags: the page's console on stderr (see :func:`console_problems`).
LOGGING = ("--enable-logging=stderr", "--v=0")

TIMEOUT = 60

_CONSOLE = re.compile(r":CONSOLE[:(]")


def chromium() -> str:
    """The Chromium to run; fails the test (not skips) with an install hint if there is none."""
    given = os.environ.get("PAPERKG_CHROMIUM")
    found = shutil.which(given) if given else shutil.which("chromium")
    found = found or (None if given else shutil.which("chromium-browser"))
    if not found:
        pytest.fail(
            INSTALL_HINT + (f" ({given!r} is not a program)" if given else ""), pytrace=False
        )
    return found


@dataclass(frozen=True)
class PageRun:
    """What one headless run of a page left: its DOM, ``<body>`` attributes and log."""

    dom: str
    body: dict[str, str]
    stderr: str
    seconds: float

    def console(self) -> list[str]:
        """Console lines that show a problem (see :func:`console_problems`)."""
        return console_problems(self.stderr)


def _command(address: str, profile: Path, *extra: str) -> list[str]:
    """tools/chromium.py's command line, with the console on stderr."""
    return list(_CHROMIUM.command(chromium(), address, profile, *LOGGING, *extra))


def _run(page: Path, fragment: str, profile: Path, *extra: str) -> tuple[str, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        _command(page.resolve().as_uri() + fragment, profile, *extra),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        pytest.fail(f"chromium exited {done.returncode}:\n{done.stderr[-2000:]}", pytrace=False)
    return done.stdout, done.stderr, seconds


def dump_dom(page: Path, profile: Path, fragment: str = "") -> PageRun:
    """Load ``page`` (with ``fragment``, e.g. ``#selftest``) and return its DOM once settled."""
    dom, stderr, seconds = _run(page, fragment, profile, "--dump-dom")
    return PageRun(dom, body_attributes(dom), stderr, seconds)


def screenshot(
    page: Path, profile: Path, png: Path, fragment: str = "", size: tuple[int, int] = (1280, 800)
) -> str:
    """Save a PNG of ``page`` at ``size``; returns Chromium's log."""
    _, stderr, _ = _run(
        page, fragment, profile, f"--screenshot={png}", f"--window-size={size[0]},{size[1]}"
    )
    if not png.is_file():
        pytest.fail(f"chromium wrote no screenshot:\n{stderr[-2000:]}", pytrace=False)
    return stderr


def console_problems(stderr: str) -> list[str]:
    """Console lines in a Chromium log: any message a page logged, and any uncaught error."""
    return [line for line in stderr.splitlines() if _CONSOLE.search(line) or "Uncaught" in line]


class _Body(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" and self.attrs is None:
            self.attrs = {name: value or "" for name, value in attrs}


def body_attributes(dom: str) -> dict[str, str]:
    """The attributes of the first ``<body>`` element of a serialised DOM."""
    parser = _Body()
    parser.feed(dom)
    parser.close()
    if parser.attrs is None:
        pytest.fail(f"no <body> in the dumped DOM:\n{dom[:500]}", pytrace=False)
    return parser.attrs


def _run_at(address: str, profile: Path, *extra: str) -> tuple[str, str, float]:
    """Like :func:`_run`, for a page at an address (a local server) rather than a file."""
    started = time.monotonic()
    done = subprocess.run(
        _command(address, profile, *extra),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        pytest.fail(f"chromium exited {done.returncode}:\n{done.stderr[-2000:]}", pytrace=False)
    return done.stdout, done.stderr, seconds


def dump_dom_at(address: str, profile: Path) -> PageRun:
    """Load the page at ``address`` (``http://...``) and return its DOM once settled: the
    virtual time budget waits while the page's own requests are pending.
    """
    dom, stderr, seconds = _run_at(address, profile, "--dump-dom")
    return PageRun(dom, body_attributes(dom), stderr, seconds)
