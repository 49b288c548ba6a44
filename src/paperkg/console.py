"""Where the CLI's output goes: results to stdout, messages to stderr, by level.

One object decides what ``--quiet`` and ``--verbose`` show, whether stdout gets colour and
whether stderr gets a progress bar, so every command behaves the same. Progress bars and colour
appear only on a terminal: piped and CI output stays plain and stable.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import click

__all__ = ["Console", "Progress"]


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return False


class Progress:
    """A one-line progress display on stderr: a bar when the total is known, else a count.

    Disabled (does nothing) when stderr is not a terminal, so nothing leaks into logs.
    """

    def __init__(
        self, label: str, total: int | None, stream: IO[str], *, enabled: bool, unit: str = ""
    ) -> None:
        self.label = label
        self.total = total
        self.stream = stream
        self.enabled = enabled
        self.unit = unit
        self.done = 0
        self._item = ""
        self._drawn_at = 0.0
        self._shown = False

    def advance(self, item: str = "", steps: int = 1) -> None:
        """Count ``steps`` units of work done, the last being ``item``."""
        self.update(self.done + steps, self.total, item)

    def update(self, done: int, total: int | None = None, item: str = "") -> None:
        """Set how much is done out of ``total`` (``None``: unknown), the last being ``item``."""
        self.done = done
        self.total = total
        self._item = item
        now = time.monotonic()
        if self.enabled and (now - self._drawn_at >= 0.1 or self.done == self.total):
            self._drawn_at = now
            self.draw()

    def render(self, width: int) -> str:
        """The progress line, at most ``width`` characters, without control codes."""
        unit = f" {self.unit}" if self.unit else ""
        if self.total:
            total = max(self.total, self.done)  # an estimate may fall short
            bar = "#" * (20 * self.done // total)
            head = f"{self.label} [{bar:<20}] {self.done}/{total}{unit}"
        else:
            head = f"{self.label} {self.done}{unit}"
        line = f"{head}  {self._item}" if self._item else head
        return line if len(line) < width else line[: max(width - 2, 0)] + "…"

    def draw(self) -> None:
        """Write the current line over the previous one."""
        if not self.enabled:
            return
        width = shutil.get_terminal_size((80, 24)).columns
        self.stream.write("\r" + self.render(width) + "\x1b[K")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Remove the line (before other output, and when the work is done)."""
        if self.enabled and self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


class Console:
    """Output of one CLI run.

    - :meth:`result`: the command's answer, stdout, always;
    - :meth:`error`: stderr, always (also under --quiet);
    - :meth:`warning`, :meth:`note`: stderr, not under --quiet;
    - :meth:`detail`: stderr, only under --verbose (per-record lines, timings);
    - :meth:`progress`: a progress display on stderr, only on a terminal and not under --quiet;
    - :meth:`timed`: report how long a step took, under --verbose.
    """

    def __init__(
        self,
        *,
        quiet: bool = False,
        verbose: bool = False,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
    ) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self._stdout = stdout
        self._stderr = stderr
        self._active: Progress | None = None

    @property
    def stdout(self) -> IO[str]:
        """The stream results go to (looked up late, so test runners can swap it)."""
        return self._stdout if self._stdout is not None else sys.stdout

    @property
    def stderr(self) -> IO[str]:
        """The stream messages go to."""
        return self._stderr if self._stderr is not None else sys.stderr

    @property
    def stdout_is_terminal(self) -> bool:
        """True when results are read by a person, not piped to a file or another program."""
        return _is_terminal(self.stdout)

    @property
    def color(self) -> bool:
        """Colour results only on a terminal, and never when NO_COLOR is set (no-color.org)."""
        return self.stdout_is_terminal and not os.environ.get("NO_COLOR")

    def result(self, text: str, *, nl: bool = True) -> None:
        """The command's output proper."""
        self._clear_progress()
        click.echo(text, nl=nl, file=self.stdout, color=self.color)

    def error(self, text: str) -> None:
        """A problem the user must see (rejected record, violation)."""
        self._message(text)

    def warning(self, text: str) -> None:
        """Something worth knowing that did not stop the work."""
        if not self.quiet:
            self._message(text)

    def note(self, text: str) -> None:
        """A hint (e.g. a value that matched nothing)."""
        if not self.quiet:
            self._message(text)

    def detail(self, text: str) -> None:
        """Per-item detail, shown with --verbose only."""
        if self.verbose:
            self._message(text)

    @contextmanager
    def progress(
        self, label: str, total: int | None = None, *, unit: str = ""
    ) -> Iterator[Progress]:
        """A progress display for the ``with`` block; call ``advance`` once per item."""
        enabled = not self.quiet and _is_terminal(self.stderr)
        bar = Progress(label, total, self.stderr, enabled=enabled, unit=unit)
        outer, self._active = self._active, bar
        try:
            yield bar
        finally:
            bar.clear()
            self._active = outer

    @contextmanager
    def timed(self, what: str) -> Iterator[None]:
        """Under --verbose, say how long the block took."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.took(what, time.perf_counter() - start)

    def took(self, what: str, seconds: float) -> None:
        """Under --verbose, say how long a step took (a step timed elsewhere)."""
        self.detail(f"time: {what} took {seconds:.2f} s")

    def _message(self, text: str) -> None:
        self._clear_progress()
        click.echo(text, file=self.stderr)
        if self._active is not None and self._active.done:
            self._active.draw()

    def _clear_progress(self) -> None:
        if self._active is not None:
            self._active.clear()
