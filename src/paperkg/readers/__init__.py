"""Readers turn record files into :class:`~paperkg.model.PaperRecord` values.

Every reader raises only :class:`~paperkg.errors.RecordError`, so callers can report a bad
record and go on with the next one.
"""

from __future__ import annotations

from .markdown import MAX_RECORD_BYTES, parse_record, read_record
from .sources import RECORD_SUFFIXES, expand_sources

__all__ = [
    "MAX_RECORD_BYTES",
    "RECORD_SUFFIXES",
    "expand_sources",
    "parse_record",
    "read_record",
]
