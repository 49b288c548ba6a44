"""Headless Chromium as paperkg runs it, for the pictures in docs/ (tools/*_screenshot.py) and
the browser tests (tests/browser.py): the one list of its flags, and a screenshot that is
written whole or not at all.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

__all__ = ["FLAGS", "command", "screenshot"]

#: No window, no sandbox (root in containers), no GPU, nothing fetched or synced in the
#: background, no scrollbars in the picture; the virtual time budget lets a page's scripts and
#: requests settle before the DOM is dumped or the picture taken.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--virtual-time-budget=5000",
)


def command(chromium: str, address: str, profile: str | os.PathLike[str], *extra: str) -> list[str]:
    """The command that opens ``address`` with :data:`FLAGS`, ``extra`` flags and the profile
    folder ``profile`` (a fresh one per run: a profile in use is locked).
    """
    return [chromium, *FLAGS, f"--user-data-dir={os.fspath(profile)}", *extra, address]


def screenshot(
    chromium: str, address: str, png: Path, *, size: str = "1280,800", timeout: float = 120
) -> str | None:
    """Save a PNG of the page at ``address`` in a ``WIDTH,HEIGHT`` window to ``png``: written
    beside it and renamed once whole. Returns ``None``, or what went wrong (Chromium's log).
    """
    partial = png.with_name(png.name + ".partial.png")
    partial.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            command(
                chromium,
                address,
                profile,
                f"--window-size={size}",
                f"--screenshot={partial.resolve()}",
            ),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    if done.returncode != 0 or not partial.is_file():
        return f"chromium wrote no screenshot:\n{done.stderr[-2000:]}"
    os.replace(partial, png)
    return None
