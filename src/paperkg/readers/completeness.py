"""Whether a markdown record is text, of a size a record has, and whole (not cut off).

A record cut off (a download stopped, a copy interrupted) still parses: the reader must tell it
from a short record written by hand. A cut always loses the ``Source:`` trailer the layout ends
with, and leaves a line without its end, a heading without its section, the ``---`` rule without
what follows or a header without sections; a record written by hand without a trailer, ending
cleanly, is not flagged. A record that looks cut off is read with an
:data:`~paperkg.model.INCOMPLETE` warning saying what it lacks; the build flags its graph
``pkg:incomplete``, and ``--strict`` rejects it (:func:`incomplete_error`).
"""

from __future__ import annotations

import re

from paperkg.errors import RecordError
from paperkg.model import INCOMPLETE, PaperRecord, ReaderWarning

from .text import Warnings, clip

__all__ = [
    "MAX_LINE_CHARS",
    "check_characters",
    "check_line_length",
    "incomplete_error",
    "incomplete_warning",
]

#: Lines longer than this are refused: a whole full text on one line is a fraction of it.
MAX_LINE_CHARS = 2 * 1024 * 1024
#: Last characters (beside letters and digits) that show a line was cut, not ended.
_CUT_ENDS = frozenset(",;:(-/&")
_CUT_OFF = (
    "; the file looks cut off. Its graph is flagged pkg:incomplete (--strict rejects it): "
    "restore the whole record"
)


_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_BINARY_FIX = "give a UTF-8 text record; check the file is not an archive or image"


def check_characters(text: str, source: str, warnings: Warnings) -> str:
    """Refuse binary data; blank out a few stray control characters with a warning."""
    nul = text.find("\x00")
    if nul >= 0:
        problem = "binary data (NUL byte), not a text record"
        raise RecordError(source, text.count("\n", 0, nul) + 1, "file", problem, _BINARY_FIX)
    first = _CONTROL.search(text)
    if first is None:
        return text
    cleaned, count = _CONTROL.subn(" ", text)
    line = text.count("\n", 0, first.start()) + 1
    if count * 100 >= len(text):
        problem = f"binary data ({count} control characters), not a text record"
        raise RecordError(source, line, "file", problem, _BINARY_FIX)
    warnings.add(line, f"{count} control character(s) replaced by spaces")
    return cleaned


def check_line_length(text: str, source: str, fix: str) -> None:
    """Refuse a line over :data:`MAX_LINE_CHARS`. Any such line holds a whole aligned block of
    half that size without a line end, so a few ``find`` calls check megabytes at once.
    """
    block = MAX_LINE_CHARS // 2
    for start in range(0, len(text) - block + 1, block):
        if text.find("\n", start, start + block) >= 0:
            continue
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        if (len(text) if line_end < 0 else line_end) - line_start > MAX_LINE_CHARS:
            line = text.count("\n", 0, line_start) + 1
            problem = f"line longer than {MAX_LINE_CHARS:,} characters"
            raise RecordError(source, line, "file", problem, "break it into paragraphs; " + fix)


def incomplete_warning(
    text: str, *, trailer: bool, last_section: tuple[str, str] | None, entities: bool
) -> ReaderWarning | None:
    """The warning for a record that looks cut off, or ``None``.

    ``trailer``: the ``Source:`` line was read; ``last_section``: the last ``## `` heading's
    name and body (``None``: no section); ``entities``: an entity section was read.
    """
    if trailer:
        return None
    text = text.rstrip(" \t")
    end = text.rstrip()
    last_line = end[end.rfind("\n") + 1 :].strip()
    parts = []
    if not text.endswith("\n"):
        where = "mid-word" if end[-1:].isalnum() or end[-1:] in _CUT_ENDS else "mid-line"
        parts.append(f"ends {where} without a final newline ({'…' + end[-30:]!r})")
    if last_section is not None and not last_section[1].strip():
        parts.append(f"ends right after the heading '## {clip(last_section[0])}'")
    elif len(last_line) >= 3 and last_line[0] in "-*_" and len(set(last_line)) == 1:
        parts.append("ends with the '---' rule the 'Source:' line follows")
    if last_section is None:
        parts.append("no '## ' sections")
    if not parts:
        return None
    if not entities:
        parts.append("no entity sections")
    parts.append("no 'Source:' line")
    return ReaderWarning(end.count("\n") + 1, f"{INCOMPLETE}{', '.join(parts)}{_CUT_OFF}")


def incomplete_error(record: PaperRecord) -> RecordError | None:
    """What ``--strict`` reports for a record whose reader warned it looks cut off, or ``None``."""
    warning = record.incomplete
    if warning is None:
        return None
    problem = warning.message.removesuffix(_CUT_OFF) + "; the file looks cut off"
    fix = "restore the whole record (without --strict it is built and flagged pkg:incomplete)"
    return RecordError(record.source, warning.line, "record", problem, fix)
