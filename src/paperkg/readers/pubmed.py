"""Reader for PubMed XML: today's ``PubmedArticleSet`` (baseline and update files, efetch) and
the older ``MedlineCitationSet``, plain or gzip-compressed (told by the magic bytes).

One :class:`PaperRecord` per ``MedlineCitation`` (with its ``PubmedData`` ids where the file has
them); a ``DeleteCitation`` gives a :class:`~paperkg.model.Deletion` for the build to act on.
A baseline file holds 30,000 citations, so the file is streamed: read 1 MiB at a time, fed to
expat 16 KiB at a time, which builds an element tree per citation; each tree is read and dropped
before the next piece is parsed, so memory stays bounded by a few citations (a whole MiB parsed
at once held some 160 trees). Safe by construction: entity declarations are refused before any
expansion (the billion-laughs attack) and no external DTD or entity is ever loaded (expat fetches
nothing by itself). A citation that cannot be read is a :class:`RecordError` and the others go
on; XML or gzip that breaks off yields the citations before the break, then one error.
"""

from __future__ import annotations

import hashlib
import io
import os
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterable, Iterator
from xml.parsers import expat

from paperkg.errors import RecordError
from paperkg.model import Deletion, MeshHeading, PaperRecord

from .citation import Citation, citation_date, free_date, mesh_curie
from .detect import GZIP_MAGIC, PUBMED_ROOTS
from .pubtator import clip
from .safe_xml import RefusedError, safe_parser
from .sources import unreadable

__all__ = ["iter_pubmed_xml", "read_pubmed"]

_CHUNK = 1 << 20
#: What expat parses before the citations it completed are read and dropped.
_PIECE = 1 << 14
#: The elements read whole: one citation, one deletion, or a book record (not read).
_UNITS = frozenset({"PubmedArticle", "MedlineCitation", "DeleteCitation", "PubmedBookArticle"})
_FIX = (
    "give PubMed XML (a PubmedArticleSet or MedlineCitationSet file, plain or gzip); "
    "other compressed files: decompress them first"
)


class _BrokenInputError(Exception):
    """The bytes stopped coming: a truncated or corrupt gzip stream, a read error."""


def read_pubmed(path: str | os.PathLike[str]) -> Iterator[PaperRecord | RecordError | Deletion]:
    """Stream the citations of a PubMed XML file (``.xml`` or ``.xml.gz``), in file order."""
    name = os.fspath(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, also when the caller stops early
    except OSError as error:
        yield unreadable(name, error)
        return
    with handle:
        compressed = handle.read(2) == GZIP_MAGIC
        handle.seek(0)
        chunks = _gunzip(handle) if compressed else _chunks(handle)
        yield from iter_pubmed_xml(chunks, source=name)


def _chunks(stream: io.BufferedIOBase) -> Iterator[bytes]:
    while True:
        try:
            chunk = stream.read(_CHUNK)
        except OSError as error:
            raise _BrokenInputError(f"cannot read the file ({error.strerror or error})") from None
        if not chunk:
            return
        yield chunk


def _gunzip(stream: io.BufferedIOBase) -> Iterator[bytes]:
    """What gzip data (one or more members) decompresses to, ``_CHUNK`` at a time; everything
    before a truncation or corruption comes out first, so those citations are read.
    """
    decompressor, pending, in_member = zlib.decompressobj(wbits=31), b"", False
    for compressed in _chunks(stream):
        pending += compressed
        while True:
            if not in_member and not pending.strip(b"\0"):
                pending = b""  # nothing, or zero padding after the last member
                break
            in_member = True
            try:
                out = decompressor.decompress(pending, _CHUNK)
            except zlib.error as error:
                problem = f"the gzip data is corrupt ({clip(str(error))})"
                raise _BrokenInputError(problem) from None
            if out:
                yield out
            if decompressor.eof:
                pending, in_member = decompressor.unused_data, False
                decompressor = zlib.decompressobj(wbits=31)
                continue
            pending = decompressor.unconsumed_tail
            if not pending and len(out) < _CHUNK:
                break  # all input taken and no output held back: read more
    if in_member:
        raise _BrokenInputError("the gzip data ends early (a truncated download?)")


def iter_pubmed_xml(
    chunks: Iterable[bytes], *, source: str
) -> Iterator[PaperRecord | RecordError | Deletion]:
    """Citations of PubMed XML fed as byte chunks; ``source`` names the file in errors.

    Every failure is yielded (never raised): a bad citation in its place, broken XML or input
    after the citations before it.
    """
    units = _Units()
    try:
        for chunk in chunks:
            for start in range(0, len(chunk), _PIECE):
                units.parser.Parse(chunk[start : start + _PIECE], False)
                yield from units.drain(source)
        units.parser.Parse(b"", True)
    except _BrokenInputError as error:
        yield from units.drain(source)
        line = units.parser.CurrentLineNumber
        fix = _after(units.count, "download or copy the file again")
        yield RecordError(source, line, "file", str(error), fix)
        return
    except (expat.ExpatError, RefusedError, RecursionError, ValueError, LookupError) as error:
        yield from units.drain(source)
        line = getattr(error, "lineno", None) or units.parser.ErrorLineNumber
        if isinstance(error, RefusedError):
            problem, field, fix = str(error), "file", _FIX
        elif units.root is None:
            problem, field, fix = f"not XML ({clip(str(error), 80)})", "file", _FIX
        else:
            problem, field = f"not well-formed XML ({clip(str(error), 80)})", "xml"
            fix = _after(units.count, "repair the XML there (or fetch the file again)")
        yield RecordError(source, line, field, problem, fix)
        return
    yield from units.drain(source)
    if units.root is None:
        yield RecordError(source, 1, "file", "holds no XML", _FIX)


def _after(count: int, fix: str) -> str:
    return f"{fix}; the {count} citation(s) before it were read" if count else fix


class _Units:
    """Expat handlers that build one ElementTree element per citation and queue it."""

    def __init__(self) -> None:
        self.parser = safe_parser(self._start, self._end, self._data)
        self.root: str | None = None
        self.builder: ET.TreeBuilder | None = None
        self.depth = 0
        self.unit_depth = 0
        self.line = 0
        self.done: list[tuple[ET.Element, int]] = []
        #: citations (and deletions) read so far
        self.count = 0

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if self.root is None:
            self.root = name
            if name not in PUBMED_ROOTS:
                raise RefusedError(f"root element <{clip(name)}> is not PubMed XML")
        self.depth += 1
        if self.builder is None and name in _UNITS and self.depth <= 2:
            self.builder, self.unit_depth = ET.TreeBuilder(), self.depth
            self.line = self.parser.CurrentLineNumber
        if self.builder is not None:
            self.builder.start(name, attributes)

    def _end(self, name: str) -> None:
        if self.builder is not None:
            self.builder.end(name)
            if self.depth == self.unit_depth:
                self.done.append((self.builder.close(), self.line))
                self.builder = None
        self.depth -= 1

    def _data(self, text: str) -> None:
        if self.builder is not None:
            self.builder.data(text)

    def drain(self, source: str) -> Iterator[PaperRecord | RecordError | Deletion]:
        """The items of the units parsed so far (each dropped once read)."""
        done, self.done = self.done, []
        self.count += len(done)
        done.reverse()
        while done:  # each tree is dropped as soon as it is read, before its item is yielded
            item = _item(*done.pop(), source)
            yield item


def _item(element: ET.Element, line: int, source: str) -> PaperRecord | RecordError | Deletion:
    if element.tag == "DeleteCitation":
        pmids = tuple(pmid for node in element.iterfind("PMID") if (pmid := _text(node)))
        return Deletion(source, line, pmids)
    if element.tag == "PubmedBookArticle":
        pmid = _text(element.find("BookDocument/PMID"))
        problem = f"PMID {pmid or '?'} is a book record (PubmedBookArticle), not a journal citation"
        return RecordError(
            source, line, "PubmedBookArticle", problem, "books are not read; skip it"
        )
    medline = element if element.tag == "MedlineCitation" else element.find("MedlineCitation")
    if medline is None:
        fix = "give each PubmedArticle its MedlineCitation"
        return RecordError(source, line, "MedlineCitation", "PubmedArticle without it", fix)
    citation = _citation(medline, element.find("PubmedData"), source, line)
    sha256 = hashlib.sha256(ET.tostring(element)).hexdigest()
    try:
        return citation.record(sha256=sha256, source_format="pubmed-xml")
    except RecordError as error:
        return error


def _text(node: ET.Element | None) -> str:
    """The node's text with its inline markup (``<i>``, ``<sup>``) dropped, spaces collapsed."""
    return " ".join("".join(node.itertext()).split()) if node is not None else ""


def _citation(
    medline: ET.Element, pubmed_data: ET.Element | None, source: str, line: int
) -> Citation:
    citation = Citation(source, line, pmid=_text(medline.find("PMID")))
    article = medline.find("Article")
    if article is None:
        article = ET.Element("Article")
    citation.title = _text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle"))
    for location in article.iterfind("ELocationID"):
        if location.get("EIdType") == "doi" and location.get("ValidYN") != "N":
            citation.set_doi(_text(location))
    for node in pubmed_data.iterfind("ArticleIdList/ArticleId") if pubmed_data is not None else ():
        kind = node.get("IdType")
        if kind == "doi":
            citation.set_doi(_text(node))
        elif kind == "pmc":
            citation.set_pmcid(_text(node))
    for node in medline.iterfind("OtherID"):
        if node.get("Source") == "NLM":
            citation.set_pmcid(_text(node))
    citation.abstract_parts = [
        (node.get("Label", ""), _text(node)) for node in article.iterfind("Abstract/AbstractText")
    ]
    citation.authors = [
        name
        for author in article.iterfind("AuthorList/Author")
        if author.get("ValidYN") != "N" and (name := _author(author))
    ]
    journal = article.find("Journal")
    citation.journal = (
        _text(medline.find("MedlineJournalInfo/MedlineTA"))
        or _text(article.find("Journal/ISOAbbreviation"))
        or _text(article.find("Journal/Title"))
    )
    if journal is not None:
        citation.volume = _text(journal.find("JournalIssue/Volume"))
        citation.issue = _text(journal.find("JournalIssue/Issue"))
        citation.date = _date(journal.find("JournalIssue/PubDate"))
    citation.date = citation.date or _date(article.find("ArticleDate"))
    citation.pages = _text(article.find("Pagination/MedlinePgn")) or "-".join(
        part
        for part in (_text(article.find(f"Pagination/{tag}")) for tag in ("StartPage", "EndPage"))
        if part
    )
    citation.publication_types = [
        text
        for node in article.iterfind("PublicationTypeList/PublicationType")
        if (text := _text(node))
    ]
    citation.chemicals = [
        (name, (substance.get("UI") or _text(chemical.find("RegistryNumber"))).strip())
        for chemical in medline.iterfind("ChemicalList/Chemical")
        if (substance := chemical.find("NameOfSubstance")) is not None
        and (name := _text(substance))
    ]
    citation.headings = [
        heading
        for node in medline.iterfind("MeshHeadingList/MeshHeading")
        if (heading := _heading(node)) is not None
    ]
    return citation


def _author(author: ET.Element) -> str:
    collective = _text(author.find("CollectiveName"))
    if collective:
        return collective
    parts = (author.find(tag) for tag in ("ForeName", "LastName", "Suffix"))
    name = " ".join(text for part in parts if (text := _text(part)))
    return name or _text(author.find("Initials"))


def _date(node: ET.Element | None) -> str | None:
    if node is None:
        return None
    medline_date = _text(node.find("MedlineDate"))
    if medline_date:
        return free_date(medline_date)
    parts = (_text(node.find(tag)) for tag in ("Year", "Month", "Day"))
    return citation_date(*parts)


def _heading(node: ET.Element) -> MeshHeading | None:
    descriptor = node.find("DescriptorName")
    name = _text(descriptor)
    if descriptor is None or not name:
        return None
    qualifiers = [node for node in node.iterfind("QualifierName") if _text(node)]
    major = any(part.get("MajorTopicYN") == "Y" for part in (descriptor, *qualifiers))
    return MeshHeading(
        descriptor=name,
        identifier=mesh_curie(descriptor.get("UI")),
        qualifiers=tuple(_text(qualifier) for qualifier in qualifiers),
        major=major,
    )
