"""Reader for PubTator text: annotated corpora (BC5CDR, NCBI disease) as paper records.

A PubTator file is a run of documents separated by blank lines: ``ID|t|title``, ``ID|a|abstract``,
then one tab-separated line per mention (``ID start end text type identifier``, offsets into
``title + " " + abstract``) and per relation (``ID CID chemical disease``). Files hold thousands of
documents, so the text is read line by line in one pass and each document becomes a record (or a
:class:`RecordError`) on its own: one bad document does not cost the others.

The mapping from a parsed document to a :class:`PaperRecord` lives here too (:func:`build_record`)
and is shared with the BioC reader, so both formats give the same records for the same corpus.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from paperkg.errors import RecordError
from paperkg.identifiers import normalize_curie
from paperkg.model import (
    Annotation,
    EntityKind,
    EntityMention,
    PaperRecord,
    ReaderWarning,
    Relation,
)

from .sources import unreadable

__all__ = ["iter_pubtator", "read_pubtator"]

#: Corpus files are read whole (the checksum is of the whole file); refuse what no corpus is.
MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024
_MAX_WARNINGS = 100
_MAX_ID_CHARS = 200

_KINDS = {
    "chemical": EntityKind.CHEMICAL,
    "disease": EntityKind.DISEASE,
    "diseaseclass": EntityKind.DISEASE,
    "specificdisease": EntityKind.DISEASE,
    "modifier": EntityKind.DISEASE,
    "compositemention": EntityKind.DISEASE,
    "species": EntityKind.SPECIES,
    "gene": EntityKind.GENE,
}
#: Types PubTator uses that paperkg has no kind for: kept as OTHER without a warning.
_KNOWN_OTHER = frozenset(
    {"mutation", "variant", "dnamutation", "proteinmutation", "snp", "cellline", "cell line"}
)
_NO_ID = frozenset({"", "-", "-1", "none", "n/a"})
_MESH_LOCAL = re.compile(r"[CD][0-9]{6,9}")
_ID_SPLIT = re.compile(r"[|+,;]")
_PMC_ID = re.compile(r"PMC[0-9]{1,12}")
_OFFSET = re.compile(r"[0-9]{1,12}")
_FORMAT_FIX = (
    "write each document as 'ID|t|title', 'ID|a|abstract', then tab-separated mention lines "
    "'ID<TAB>start<TAB>end<TAB>text<TAB>type<TAB>identifier', with a blank line between documents"
)


@dataclass(slots=True)
class RawMention:
    """A mention as a corpus gives it, before kinds and identifiers are normalised."""

    start: int
    end: int
    text: str
    type: str
    raw_identifier: str
    line: int


@dataclass(slots=True)
class RawDocument:
    """One parsed document of any corpus format; :func:`build_record` turns it into a record."""

    doc_id: str
    line: int
    title: str | None = None
    abstract: str = ""
    mentions: list[RawMention] = field(default_factory=list)
    #: (kind, subject identifiers as written, object identifiers as written, line)
    relations: list[tuple[str, str, str, int]] = field(default_factory=list)
    warnings: list[ReaderWarning] = field(default_factory=list)

    def warn(self, line: int, message: str) -> None:
        """Add a warning; capped, so that a hostile document cannot flood a build report."""
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(ReaderWarning(line, message))
        elif len(self.warnings) == _MAX_WARNINGS:
            self.warnings.append(ReaderWarning(line, "more warnings follow; only the first shown"))


def clip(text: str, width: int = 60) -> str:
    """Short form of a value for a message (values may be long)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def entity_kind(raw_type: str) -> EntityKind | None:
    """The kind for a corpus entity type, ``None`` when the type is not one paperkg knows."""
    key = raw_type.strip().casefold()
    kind = _KINDS.get(key)
    if kind is None and key in _KNOWN_OTHER:
        return EntityKind.OTHER
    return kind


def identifiers(raw: str, kind: EntityKind) -> tuple[tuple[str, ...], list[str]]:
    """Normalised CURIEs of a (possibly composite) identifier, and the parts that did not normalise.

    Corpora write bare MeSH ids (``D008750``), prefixed ones (``OMIM:215600``), composites
    (``D1|D2``, ``D1+D2``) and ``-1`` for "not normalisable"; gene and species ids are bare numbers.
    """
    found: list[str] = []
    bad: list[str] = []
    if len(raw) > _MAX_ID_CHARS:
        return (), [raw]
    for part in _ID_SPLIT.split(raw):
        local = part.strip()
        if local.casefold() in _NO_ID:
            continue
        curie: str | None
        if _MESH_LOCAL.fullmatch(local):
            curie = "MESH:" + local
        elif local.isascii() and local.isdigit() and kind is EntityKind.SPECIES:
            curie = "NCBITaxon:" + local
        elif local.isascii() and local.isdigit() and kind is EntityKind.GENE:
            curie = "NCBIGene:" + local
        else:
            curie = normalize_curie(local)
        if curie is None:
            bad.append(local)
        elif curie not in found:
            found.append(curie)
    return tuple(found), bad


def build_record(doc: RawDocument, *, source: str, sha256: str, source_format: str) -> PaperRecord:
    """The record for a parsed document; problems worth knowing but not fatal become warnings."""
    if doc.title is None or not doc.title.strip():
        fix = "give the document a title (a '|t|' line, or a BioC passage of type 'title')"
        raise RecordError(
            source, doc.line, "title", f"document {clip(doc.doc_id)!r} has no title", fix
        )
    text = doc.title + " " + doc.abstract
    annotations: list[Annotation] = []
    mentions: dict[tuple[str, str | None], EntityMention] = {}
    for raw in doc.mentions:
        kind = entity_kind(raw.type)
        if kind is None:
            kind = EntityKind.OTHER
            doc.warn(raw.line, f"entity type {clip(raw.type)!r} not known; kept as other")
        curies, bad = identifiers(raw.raw_identifier, kind)
        for part in bad:
            doc.warn(
                raw.line, f"identifier {clip(part)!r} of {clip(raw.text)!r} does not normalise"
            )
        if text[raw.start : raw.end] != raw.text:
            found = clip(text[raw.start : raw.end])
            doc.warn(
                raw.line,
                f"offsets {raw.start}-{raw.end} give {found!r}, not {clip(raw.text)!r}; "
                "check the offsets count characters of title + ' ' + abstract",
            )
        annotations.append(
            Annotation(raw.start, raw.end, raw.text, kind, curies, raw.raw_identifier)
        )
        for curie in curies or (None,):
            mention = EntityMention(
                raw.text, kind, curie, raw.raw_identifier, section="fulltext", line=raw.line
            )
            mentions.setdefault((raw.text, curie), mention)
    relations: list[Relation] = []
    for kind_name, subject_raw, object_raw, line in doc.relations:
        subjects, bad_subjects = identifiers(subject_raw, EntityKind.OTHER)
        objects, bad_objects = identifiers(object_raw, EntityKind.OTHER)
        if bad_subjects or bad_objects or not subjects or not objects:
            pair = f"{clip(subject_raw)!r} → {clip(object_raw)!r}"
            doc.warn(
                line,
                f"relation {clip(kind_name)!r} {pair} has an identifier that does "
                "not normalise; relation skipped",
            )
            continue
        relations.extend(Relation(kind_name, s, o) for s in subjects for o in objects)
    doc_id = doc.doc_id.strip()
    is_pmid = doc_id.isascii() and doc_id.isdigit()
    return PaperRecord(
        source=source,
        sha256=sha256,
        title=doc.title,
        pmid=doc_id if is_pmid else None,
        pmcid=doc_id if _PMC_ID.fullmatch(doc_id) else None,
        abstract=doc.abstract or None,
        fulltext_entities=tuple(mentions.values()),
        warnings=tuple(sorted(doc.warnings, key=lambda warning: warning.line)),
        annotations=tuple(annotations),
        relations=tuple(relations),
        source_format=source_format,
    )


def iter_pubtator(text: str, *, source: str, sha256: str) -> Iterator[PaperRecord | RecordError]:
    """Records of PubTator text, one per document, in file order; a bad document yields a
    :class:`RecordError` in its place and reading goes on. Pure: no file access.
    """
    for doc, error in _documents(text.removeprefix("\ufeff"), source):
        if error is not None:
            yield error
            continue
        try:
            yield build_record(doc, source=source, sha256=sha256, source_format="pubtator")
        except RecordError as record_error:
            yield record_error


def read_pubtator(path: str | os.PathLike[str]) -> list[PaperRecord | RecordError]:
    """Read a PubTator file; raises :class:`RecordError` only when the file as a whole cannot be
    read (missing, too big, not UTF-8 text).
    """
    name = os.fspath(path)
    data = read_bytes(name, "PubTator")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        fix = "save the file as UTF-8 (PubTator files are UTF-8 text)"
        raise RecordError(name, line, "file", "not UTF-8 text", fix) from None
    return list(iter_pubtator(text, source=name, sha256=hashlib.sha256(data).hexdigest()))


def read_bytes(name: str, kind: str) -> bytes:
    """The whole file (its checksum covers every byte), refusing sizes no corpus file has."""
    try:
        with open(name, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise unreadable(name, error) from None
    if len(data) > MAX_FILE_BYTES:
        problem = f"larger than the {MAX_FILE_BYTES >> 30} GiB limit for a {kind} file"
        raise RecordError(name, 0, "file", problem, "split the corpus into smaller files")
    return data


def _documents(text: str, source: str) -> Iterator[tuple[RawDocument, RecordError | None]]:
    """Documents with their first line; one pass over the lines, so linear in the file size.

    A document ends at a blank line, or where a new ``|t|`` line starts the next one.
    """
    doc: RawDocument | None = None
    error: RecordError | None = None
    for index, raw_line in enumerate(text.split("\n")):
        line_no = index + 1
        line = raw_line.removesuffix("\r")
        if not line.strip():
            if doc is not None:
                yield doc, error
            doc, error = None, None
            continue
        head, marker, rest = _text_line(line)
        if doc is not None and marker == "t" and doc.title is not None:
            yield doc, error
            doc, error = None, None
        if doc is None:
            doc_id = head if marker else line.split("\t", 1)[0]
            doc = RawDocument(doc_id=doc_id.strip(), line=line_no)
        if error is None:
            error = _read_line(doc, line, line_no, (head, marker, rest), source)
    if doc is not None:
        yield doc, error


def _text_line(line: str) -> tuple[str, str, str]:
    """``ID|t|text`` → ``(ID, "t", text)``; ``("", "", "")`` for other lines."""
    bar, tab = line.find("|"), line.find("\t")
    if bar < 0 or 0 <= tab < bar:
        return "", "", ""
    if line[bar + 1 : bar + 3] in ("t|", "a|"):
        return line[:bar], line[bar + 1], line[bar + 3 :]
    return "", "", ""


def _read_line(
    doc: RawDocument, line: str, line_no: int, parsed: tuple[str, str, str], source: str
) -> RecordError | None:
    """Add one line to ``doc``; a line that cannot belong to it gives the document's error."""
    head, marker, rest = parsed

    def error(field: str, problem: str, fix: str = _FORMAT_FIX) -> RecordError:
        return RecordError(source, doc.line, field, f"line {line_no}: {problem}", fix)

    columns = [] if marker else line.split("\t")
    if not marker and len(columns) < 4:
        return error("line", f"not a title, abstract, mention or relation line: {clip(line)!r}")
    doc_id = head if marker else columns[0]
    if doc_id.strip() != doc.doc_id:
        problem = f"id {clip(doc_id)!r} differs from the document's id {clip(doc.doc_id)!r}"
        return error("id", problem, "put a blank line between documents; one id per document")
    if marker == "t":
        doc.title = rest
        return None
    if marker == "a":
        if doc.title is None:
            return error("title", "abstract line before the title line", "put the '|t|' line first")
        if doc.abstract:
            return error("abstract", "second abstract line", "keep one '|a|' line per document")
        doc.abstract = rest
        return None
    start, end = columns[1].strip(), columns[2].strip()
    if start[:1].isalpha():
        doc.relations.append((start, end, columns[3].strip(), line_no))
        return None
    if len(columns) < 5 or not (_OFFSET.fullmatch(start) and _OFFSET.fullmatch(end)):
        return error("annotation", "mention line is not 'ID start end text type [identifier]'")
    if int(end) < int(start):
        return error("annotation", f"mention ends ({end}) before it starts ({start})")
    raw_id = columns[5].strip() if len(columns) > 5 else ""
    doc.mentions.append(
        RawMention(int(start), int(end), columns[3], columns[4].strip(), raw_id, line_no)
    )
    return None
