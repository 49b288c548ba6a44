"""Convert any input paperkg reads into JSON Lines of PaperRecord, to hand records on.

Other tools get the records paperkg read (from markdown, PubTator, BioC, PubMed XML, MEDLINE
text) in one documented layout (``shapes/paper-record.schema.json``), without RDF; bad records
are reported, not written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RecordError
from .model import PaperRecord
from .readers import expand_sources, read_records, write_jsonl

__all__ = ["ConvertReport", "convert_to_jsonl"]


@dataclass(slots=True)
class ConvertReport:
    """How many records were written, and which were rejected."""

    written: int = 0
    rejected: list[RecordError] = field(default_factory=list)


def convert_to_jsonl(
    sources: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    output: str | Path,
    *,
    input_format: str | None = None,
    strict: bool = False,
) -> ConvertReport:
    """Read every record under ``sources``; write them to ``output`` as JSON Lines, atomically."""
    report = ConvertReport()

    def good_records() -> Iterator[PaperRecord]:
        for path in expand_sources(sources):
            for item in read_records(path, input_format):
                if isinstance(item, RecordError):
                    if strict:
                        raise item
                    report.rejected.append(item)
                else:
                    yield item

    report.written = write_jsonl(good_records(), output)
    return report
