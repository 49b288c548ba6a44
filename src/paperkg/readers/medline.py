"""Reader for MEDLINE text: what PubMed's "Save as PubMed format" writes (``.nbib``, ``.txt``).

Each citation is a run of ``TAG - value`` lines (the tag left-justified in four columns, then
``- ``), a value going on over lines indented six spaces; a blank line or the next ``PMID-``
ends it. The same fields as the XML reader give the same :class:`PaperRecord`
(:mod:`.citation`), with two things the format lacks: MeSH ids (``MH`` and ``RN`` lines carry
names, ``RN`` a registry number), so headings and indexing mentions get the id the shipped
vocabulary knows their name by, where it knows one (the XML's own, so both layouts give the same
findings and the same agreement with the indexing); and abstract labels, which the text runs
inline (``BACKGROUND: ... METHODS: ...``) and the reader splits again.
Read line by line, so memory stays bounded by one citation.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Iterable, Iterator

from paperkg.errors import RecordError
from paperkg.model import MeshHeading, PaperRecord

from .citation import Citation, free_date
from .sources import unreadable

__all__ = ["iter_medline", "read_medline"]

_TAG = re.compile(r"([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)")
_CONTINUATION = "      "
#: An abstract label the text runs inline: capitals and a colon, at the start or after a sentence.
_LABEL = re.compile(r"(?:^|(?<=[.!?] ))([A-Z][A-Z0-9 ,/()&'-]{1,60}[A-Z)]): ")
_SUFFIXES = frozenset({"Jr", "Sr", "II", "III", "IV", "2nd", "3rd"})
_ID_KIND = re.compile(r"(.*?)\s*\[(\w+)\]\s*$")
_MAX_LINE_BYTES = 1 << 20


def read_medline(path: str | os.PathLike[str]) -> Iterator[PaperRecord | RecordError]:
    """Stream the citations of a MEDLINE text file, in file order."""
    name = os.fspath(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, also when the caller stops early
    except OSError as error:
        yield unreadable(name, error)
        return
    with handle:
        yield from iter_medline(_lines(handle), source=name)


def _lines(handle: io.BufferedIOBase) -> Iterator[str]:
    """Lines as text; a line over 1 MiB comes in pieces (then reported as not field lines)."""
    while raw := handle.readline(_MAX_LINE_BYTES):
        yield raw.decode("utf-8", errors="replace")


def iter_medline(lines: Iterable[str], *, source: str) -> Iterator[PaperRecord | RecordError]:
    """Citations of MEDLINE text given line by line; ``source`` names the file in errors."""
    fields: list[tuple[str, str, int]] = []
    raw: list[str] = []
    for number, line in enumerate(lines, 1):
        text = line.removeprefix("\ufeff") if number == 1 else line
        text = text.rstrip("\r\n")
        if not text.strip():
            if fields:
                yield _record(fields, raw, source)
            fields, raw = [], []
            continue
        if text.startswith(_CONTINUATION) and fields:
            tag, value, first = fields[-1]
            fields[-1] = (tag, f"{value} {text.strip()}", first)
            raw.append(text)
            continue
        match = _TAG.fullmatch(text)
        if match is not None and match.group(1) == "PMID" and fields:
            yield _record(fields, raw, source)
            fields, raw = [], []
        if match is None:
            tag, value = "", text.strip()  # not a field line: reported with its citation
        else:
            tag, value = match.group(1), match.group(2).strip()
        fields.append((tag, value, number))
        raw.append(text)
    if fields:
        yield _record(fields, raw, source)


def _record(
    fields: list[tuple[str, str, int]], raw: list[str], source: str
) -> PaperRecord | RecordError:
    citation = Citation(source, fields[0][2])
    authors: list[str] = []
    short_authors: list[str] = []
    for tag, value, line in fields:
        if tag == "":
            citation.warn(f"line {line}: not a MEDLINE field line ('TAG - value'); skipped")
        elif tag == "PMID":
            citation.pmid = citation.pmid or value
        elif tag in ("TI", "TT") and not citation.title:
            citation.title = value
        elif tag == "AB":
            citation.abstract_parts = _abstract(value)
        elif tag in ("FAU", "CN"):
            authors.append(_full_name(value) if tag == "FAU" else value)
        elif tag == "AU":
            short_authors.append(value)
        elif tag in ("TA", "JT") and not citation.journal:
            citation.journal = value
        elif tag in ("VI", "IP", "PG"):
            setattr(citation, {"VI": "volume", "IP": "issue", "PG": "pages"}[tag], value)
        elif tag == "DP":
            citation.date = free_date(value)
        elif tag in ("LID", "AID"):
            _article_id(citation, value)
        elif tag == "PMC":
            citation.set_pmcid(value)
        elif tag == "PT":
            citation.publication_types.append(value)
        elif tag == "RN":
            number, _, name = value.partition(" (")
            if name:
                citation.chemicals.append((name.removesuffix(")").strip(), number.strip()))
        elif tag == "MH":
            citation.headings.append(_heading(value))
    citation.authors = authors or short_authors
    sha256 = hashlib.sha256("\n".join(raw).encode("utf-8", "surrogatepass")).hexdigest()
    try:
        return citation.record(sha256=sha256, source_format="medline")
    except RecordError as error:
        return error


def _abstract(text: str) -> list[tuple[str, str]]:
    """``PURPOSE: x. METHODS: y.`` → ``[("PURPOSE", "x."), ("METHODS", "y.")]``."""
    labels = list(_LABEL.finditer(text))
    if not labels:
        return [("", text)]
    parts = [("", text[: labels[0].start()].strip())]
    for index, match in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        parts.append((match.group(1), text[match.end() : end].strip()))
    return [(label, body) for label, body in parts if body]


def _full_name(value: str) -> str:
    """``Witta, Samir E`` → ``Samir E Witta``; ``Bunn, Paul A Jr`` → ``Paul A Bunn Jr``."""
    last, comma, rest = value.partition(", ")
    if not comma:
        return value
    words = rest.split()
    suffix = [words.pop()] if len(words) > 1 and words[-1] in _SUFFIXES else []
    return " ".join([*words, last, *suffix])


def _article_id(citation: Citation, value: str) -> None:
    """``10.1200/JCO.2011.38.9411 [doi]``; other kinds (``[pii]``) are not kept."""
    match = _ID_KIND.fullmatch(value)
    if match is not None and match.group(2) == "doi":
        citation.set_doi(match.group(1))
    elif match is not None and match.group(2) == "pmc":
        citation.set_pmcid(match.group(1))


def _heading(value: str) -> MeshHeading:
    """``Carcinoma, Non-Small-Cell Lung/*drug therapy``: a star marks a major topic."""
    parts = [part.strip() for part in value.split("/")]
    return MeshHeading(
        descriptor=parts[0].lstrip("*"),
        qualifiers=tuple(part.lstrip("*") for part in parts[1:] if part.lstrip("*")),
        major=any(part.startswith("*") for part in parts),
    )
