"""Readers turn record files into :class:`~paperkg.model.PaperRecord` values.

Every reader raises only :class:`~paperkg.errors.RecordError`, so callers can report a bad
record and go on with the next one. :func:`read_records` reads any supported file: it tells the
format from the content (:func:`detect_format`) and yields every record in it.
:func:`read_items` also yields the :class:`~paperkg.model.Deletion` items a PubMed update file
carries (``DeleteCitation``), for a build to remove those papers.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from paperkg.errors import RecordError
from paperkg.model import Deletion, PaperRecord

from .completeness import MAX_LINE_CHARS, incomplete_error
from .detect import detect_format, detect_text, read_head
from .jsonl import SCHEMA_ID, iter_jsonl, record_from_json, record_to_json, write_jsonl
from .markdown import MAX_ENTITIES, MAX_RECORD_BYTES, parse_record, read_markdown
from .sources import RECORD_SUFFIXES, SkippedLink, file_identity, find_files

__all__ = [
    "DATA_SUFFIXES",
    "FORMATS",
    "MAX_ENTITIES",
    "MAX_LINE_CHARS",
    "MAX_RECORD_BYTES",
    "RECORD_SUFFIXES",
    "SCHEMA_ID",
    "UnknownFormatError",
    "detect_format",
    "expand_sources",
    "incomplete_error",
    "iter_jsonl",
    "parse_record",
    "read_items",
    "read_markdown",
    "read_record",
    "read_records",
    "record_from_json",
    "record_to_json",
    "write_jsonl",
]

#: The formats :func:`read_records` reads, by the names ``fmt`` takes.
FORMATS = (
    "markdown",
    "pubtator",
    "bioc-xml",
    "bioc-json",
    "jsonl",
    "pubmed-xml",
    "medline",
    "jats",
)
#: Endings folders and globs also give, beside :data:`RECORD_SUFFIXES`. ``.json``, ``.xml``,
#: ``.nxml``, ``.gz`` and ``.nbib`` files are taken only when their content is BioC, JSON Lines,
#: PubMed XML, JATS (PMC full text) or MEDLINE text, so other files in a folder of records
#: (settings, ground truth) are not read as records. A ``.txt`` file is read as what its content
#: is (a record, or a MEDLINE export).
DATA_SUFFIXES = (".jsonl", ".pubtator", ".json", ".xml", ".nxml", ".gz", ".nbib")
_SNIFFED = {
    ".json": ("bioc-json", "jsonl"),
    ".xml": ("bioc-xml", "pubmed-xml", "jats"),
    ".nxml": ("jats",),
    ".gz": ("pubmed-xml",),
    ".nbib": ("medline",),
}


class UnknownFormatError(RecordError):
    """A ``fmt`` that is not one of :data:`FORMATS`."""

    def __init__(self, path: str, fmt: str) -> None:
        super().__init__(path, 0, "format", f"unknown format {fmt!r}", _FORMAT_FIX)


_FORMAT_FIX = "use one of: " + ", ".join(FORMATS) + " (or leave it out to detect it)"


def read_records(
    path: str | os.PathLike[str], fmt: str | None = None
) -> Iterator[PaperRecord | RecordError]:
    """Every record of the file at ``path``, in file order; bad records as :class:`RecordError`.

    ``fmt`` is one of :data:`FORMATS`, or ``None`` to tell the format from the content. An
    unknown ``fmt`` raises :class:`UnknownFormatError` at once; everything else that goes wrong
    (unreadable file, bad record) is yielded, not raised. A markdown file gives one record.
    """
    items = read_items(path, fmt)
    return (item for item in items if not isinstance(item, Deletion))


def read_items(
    path: str | os.PathLike[str], fmt: str | None = None
) -> Iterator[PaperRecord | RecordError | Deletion]:
    """What :func:`read_records` yields, and in file order the papers the file withdraws
    (PubMed ``DeleteCitation``) as :class:`~paperkg.model.Deletion`.
    """
    if fmt is not None and fmt not in FORMATS:
        raise UnknownFormatError(os.fspath(path), fmt)
    return _read(path, fmt)


def read_record(path: str | os.PathLike[str], fmt: str | None = None) -> PaperRecord:
    """The one record of a file in any of :data:`FORMATS` (a markdown record, or a PubTator,
    BioC or JSON Lines file that holds exactly one); raises :class:`RecordError` otherwise.
    """
    name = os.fspath(path)
    if fmt is not None and fmt not in FORMATS:
        raise UnknownFormatError(name, fmt)
    if isinstance(path, SkippedLink):
        raise path.error
    fmt = detect_format(path) if fmt is None else fmt
    if fmt == "markdown":
        return read_markdown(path)
    records = (item for item in _read(path, fmt) if not isinstance(item, Deletion))
    found = [item for item, _ in zip(records, range(2), strict=False)]
    if not found:
        raise RecordError(name, 0, "file", "holds no record", "check the file")
    if len(found) > 1:
        raise RecordError(
            name, 0, "file", "holds more than one record", "read them all with read_records"
        )
    if isinstance(found[0], RecordError):
        raise found[0]
    return found[0]


def _read(
    path: str | os.PathLike[str], fmt: str | None
) -> Iterator[PaperRecord | RecordError | Deletion]:
    try:
        if isinstance(path, SkippedLink):  # a link in a source folder that is not followed
            raise path.error
        fmt = detect_format(path) if fmt is None else fmt
        if fmt == "markdown":
            yield read_markdown(path)
        elif fmt == "jsonl":
            yield from iter_jsonl(path)
        elif fmt == "pubtator":
            from .pubtator import read_pubtator

            yield from read_pubtator(path)
        elif fmt == "pubmed-xml":
            from .pubmed import read_pubmed

            yield from read_pubmed(path)
        elif fmt == "medline":
            from .medline import read_medline

            yield from read_medline(path)
        elif fmt == "jats":
            from .jats import read_jats

            yield from read_jats(path)
        else:
            from .bioc import read_bioc

            yield from read_bioc(path)
    except RecordError as error:
        yield error


def expand_sources(
    sources: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    suffixes: Iterable[str] | None = None,
) -> list[Path]:
    """Files for ``sources``: files as given, folders walked, glob patterns expanded.

    By default folders and globs give record markdown (:data:`RECORD_SUFFIXES`) and the files of
    :data:`DATA_SUFFIXES`; given ``suffixes``, exactly those endings. A file named directly is
    always taken. Sorted, without duplicates; a source that gives no file raises
    :class:`RecordError` (see :func:`paperkg.readers.sources.find_files`).
    """
    if suffixes is not None:
        return find_files(sources, suffixes=suffixes)
    if isinstance(sources, str | os.PathLike):
        sources = [sources]
    found: dict[Path, Path] = {}
    for source in sources:
        for path in _expand_one(os.fspath(source)):
            found.setdefault(file_identity(path), path)
    return sorted(found.values(), key=str)


def _expand_one(source: str) -> list[Path]:
    try:
        paths = find_files([source], suffixes=RECORD_SUFFIXES + DATA_SUFFIXES)
    except RecordError:
        paths = []
    if not Path(os.path.expanduser(source)).is_file():
        paths = [path for path in paths if _is_data_file(path)]
    if not paths:  # the error (or files) of the markdown endings alone
        return find_files([source])
    return paths


def _is_data_file(path: Path) -> bool:
    formats = _SNIFFED.get(path.suffix.lower())
    if formats is None or isinstance(path, SkippedLink):  # a link reported is never read
        return True
    try:
        head = read_head(path)
    except RecordError:
        return True  # unreadable: the reader reports it
    fmt = detect_text(head)
    # any XML prolog reads as BioC; in a folder, other XML (settings, ground truth) is left alone
    return fmt in formats and (fmt != "bioc-xml" or "<collection" in head)
