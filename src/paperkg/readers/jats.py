"""Reader for PMC full-text articles in JATS XML (``.nxml`` / ``.xml``, root ``<article>``).

One :class:`PaperRecord` per file: front matter (PMC id, PMID, DOI, title, authors, journal,
volume/issue/pages, date, the abstract with its section labels as ``Label: text`` paragraphs,
as the PubMed readers write them) and the body's top-level sections as
:attr:`PaperRecord.extra_sections`, so extraction can read the Results (body text outside any
section goes to :attr:`PaperRecord.full_text`). Figures and references are counted, not kept.

Safe and bounded like the PubMed reader: expat is fed 1 MiB at a time; an entity declaration is
refused before any expansion, and the DTD every PMC file names by public id is never loaded
(expat fetches nothing by itself, parameter entities are off, so ``&nbsp;``-style references to
the DTD's entities are skipped). Only the text extraction needs is kept (references, tables,
figures, formulas and sub-articles are dropped while parsing), up to :data:`MAX_TEXT_CHARS`.
JATS has no entity annotations: drugs and conditions are recognised in the text
(:mod:`paperkg.text_entities`, section ``text-recognised``).
"""

from __future__ import annotations

import hashlib
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO
from xml.parsers import expat

from paperkg.errors import RecordError
from paperkg.identifiers import normalize_doi
from paperkg.model import PaperRecord, ReaderWarning
from paperkg.text_entities import with_text_entities

from .citation import citation_date
from .pubtator import clip
from .safe_xml import RefusedError, safe_parser
from .sources import unreadable

__all__ = ["MAX_ELEMENTS", "MAX_TEXT_CHARS", "read_jats"]

#: Text kept per article; a longer body is cut there (with a warning): extraction reads
#: at most 200,000 characters of prose anyway.
MAX_TEXT_CHARS = 2_000_000
#: Elements kept per article (a long real article has ~20,000); beyond, the rest is cut.
MAX_ELEMENTS = 200_000
_CHUNK = 1 << 20
#: Subtrees dropped while parsing: not prose extraction reads (figures and refs are counted).
_SKIPPED = frozenset(
    {
        "back",
        "floats-group",
        "sub-article",
        "response",
        "table-wrap",
        "table",
        "fig",
        "disp-formula",
        "inline-formula",
        "mml:math",
        "tex-math",
        "graphic",
        "media",
        "supplementary-material",
        "ref-list",
        "fn-group",
        "permissions",
        "aff",
        "author-notes",
        "funding-group",
        "counts",
        "history",
        "kwd-group",
        "custom-meta-group",
        "related-article",
    }
)
#: Date kinds in order of preference (electronic publication first, as PubMed dates it).
_DATE_KINDS = ("epub", "pub", "ppub", "epub-ppub", "collection", "")
#: Block elements whose text is prose.
_PROSE = frozenset({"p", "list", "disp-quote", "boxed-text", "statement", "def-list"})
_EMPTY_BRACKETS = re.compile(r"\s?[\[(][\s,;–-]*[\])]")
_NUMBERED = re.compile(r"^\s*(?:[0-9]+(?:\.[0-9]+)*\.?|[IVX]+\.)\s+")
_PMCID = re.compile(r"(?:PMC)?([0-9]{1,12})")
_FIX = "give a JATS article (PMC .nxml: one <article> with <front>, as PMC's OA service gives it)"


def read_jats(path: str | os.PathLike[str]) -> Iterator[PaperRecord | RecordError]:
    """The one article of a JATS file, or one :class:`RecordError` saying what is wrong."""
    name = os.fspath(path)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, also when the caller stops early
    except OSError as error:
        yield unreadable(name, error)
        return
    with handle:
        item = _read(handle, name)
    yield with_text_entities(item) if isinstance(item, PaperRecord) else item


def _read(handle: BinaryIO, name: str) -> PaperRecord | RecordError:
    article = _Article()
    digest = hashlib.sha256()
    try:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            article.parser.Parse(chunk, False)
        article.parser.Parse(b"", True)
    except OSError as error:
        return unreadable(name, error)
    except (expat.ExpatError, RefusedError, RecursionError, ValueError, LookupError) as error:
        line = getattr(error, "lineno", None) or article.parser.ErrorLineNumber
        if isinstance(error, RefusedError):
            return RecordError(name, line, "file", str(error), _FIX)
        if article.root is None:
            return RecordError(name, line, "file", f"not XML ({clip(str(error), 80)})", _FIX)
        problem = f"not well-formed XML ({clip(str(error), 80)})"
        return RecordError(name, line, "xml", problem, "repair the XML there (or fetch it again)")
    if article.root is None:
        return RecordError(name, 1, "file", "holds no XML", _FIX)
    tree = article.builder.close()
    try:
        return _record(tree, article, name, digest.hexdigest())
    except RecursionError:
        problem = "sections nested too deeply to read"
        return RecordError(name, 1, "sec", problem, "give sections a sane depth")


class _Article:
    """Expat handlers that build the article's tree without the subtrees of :data:`_SKIPPED`."""

    def __init__(self) -> None:
        self.parser = safe_parser(self._start, self._end, self._data)
        self.builder = ET.TreeBuilder()
        self.root: str | None = None
        self.skipping = 0
        self.kept = 0
        self.cut = False
        self.elements = 0
        self.figures = 0
        self.references = 0

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if self.root is None:
            self.root = name
            if name != "article":
                raise RefusedError(f"root element <{clip(name)}> is not a JATS <article>")
        if name == "fig":
            self.figures += 1
        elif name == "ref":
            self.references += 1
        if self.skipping or name in _SKIPPED or _citation_marker(name, attributes):
            self.skipping += 1
            return
        self.elements += 1
        if self.elements > MAX_ELEMENTS:  # markup without text: bounded like the text
            self.cut = True
            self.skipping += 1
            return
        self.builder.start(name, attributes)

    def _end(self, name: str) -> None:
        if self.skipping:
            self.skipping -= 1
            return
        self.builder.end(name)

    def _data(self, text: str) -> None:
        if self.skipping or self.root is None:
            return
        if self.kept + len(text) > MAX_TEXT_CHARS:
            self.cut = True
            return
        self.kept += len(text)
        self.builder.data(text)


def _citation_marker(name: str, attributes: dict[str, str]) -> bool:
    """``<xref ref-type="bibr">12</xref>``: a reference number, not prose."""
    return name == "xref" and attributes.get("ref-type") in {"bibr", "fn", "table-fn"}


def _text(node: ET.Element | None) -> str:
    """The node's text with inline markup dropped, spaces collapsed, and the brackets that held
    the dropped reference numbers (``[]``, ``(, )``) gone.
    """
    if node is None:
        return ""
    return _EMPTY_BRACKETS.sub("", " ".join("".join(node.itertext()).split()))


def _record(
    article: ET.Element, state: _Article, name: str, sha256: str
) -> PaperRecord | RecordError:
    meta = article.find("front/article-meta")
    if meta is None:
        return RecordError(name, 1, "front", "the article has no <front>/<article-meta>", _FIX)
    ids = {node.get("pub-id-type", ""): _text(node) for node in meta.iterfind("article-id")}
    title = _text(meta.find("title-group/article-title"))
    if not title:
        fix = "give the article its <article-title> (in <front>/<article-meta>/<title-group>)"
        return RecordError(name, 1, "article-title", "the article has no title", fix)
    warnings: list[ReaderWarning] = []
    doi = normalize_doi(ids["doi"]) if ids.get("doi") else None
    if ids.get("doi") and doi is None:
        warnings.append(ReaderWarning(1, f"DOI {clip(ids['doi'])!r} is not a DOI; left out"))
    pmc_match = _PMCID.fullmatch(ids.get("pmc") or ids.get("pmcid") or "")
    pmcid = f"PMC{pmc_match.group(1)}" if pmc_match else None
    pmid = ids.get("pmid") if (ids.get("pmid") or "").isdigit() else None
    if state.cut:
        limits = f"{MAX_TEXT_CHARS:,} characters or {MAX_ELEMENTS:,} elements"
        warnings.append(ReaderWarning(1, f"article cut at {limits}"))
    sections, loose = _body(article.find("body"))
    journal_meta = article.find("front/journal-meta")
    return PaperRecord(
        source=name,
        sha256=sha256,
        title=title,
        authors=tuple(_authors(meta)),
        origin="PMC",
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        journal=_journal(journal_meta) or None,
        volume=_text(meta.find("volume")) or None,
        issue=_text(meta.find("issue")) or None,
        pages=_pages(meta) or None,
        date=_date(meta),
        abstract=_abstract(meta) or None,
        full_text=loose or None,
        figures_count=state.figures,
        references_count=state.references,
        source_url=_url(pmcid, doi),
        extra_sections=tuple(sections),
        warnings=tuple(warnings),
        source_format="jats",
    )


def _url(pmcid: str | None, doi: str | None) -> str | None:
    if pmcid:
        return f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/"
    return f"https://doi.org/{doi}" if doi else None


def _authors(meta: ET.Element) -> list[str]:
    names: list[str] = []
    for contrib in meta.iterfind("contrib-group/contrib"):
        if contrib.get("contrib-type", "author") != "author":
            continue
        collab = _text(contrib.find("collab"))
        node = contrib.find("name")
        if node is None:
            node = contrib.find("name-alternatives/name")
        if node is not None:
            parts = (_text(node.find(tag)) for tag in ("given-names", "surname", "suffix"))
            name = " ".join(part for part in parts if part)
        else:
            name = collab or _text(contrib.find("string-name"))
        if name:
            names.append(name)
    return names


def _journal(journal_meta: ET.Element | None) -> str:
    if journal_meta is None:
        return ""
    ids = {node.get("journal-id-type"): _text(node) for node in journal_meta.iterfind("journal-id")}
    return (
        ids.get("nlm-ta")
        or ids.get("iso-abbrev")
        or _text(journal_meta.find("journal-title-group/journal-title"))
        or _text(journal_meta.find("journal-title"))
    )


def _pages(meta: ET.Element) -> str:
    first, last = _text(meta.find("fpage")), _text(meta.find("lpage"))
    if first and last and last != first:
        return f"{first}-{last}"
    return first or _text(meta.find("elocation-id"))


def _date(meta: ET.Element) -> str | None:
    dates = {
        node.get("pub-type") or node.get("date-type") or "": node
        for node in meta.iterfind("pub-date")
    }
    for kind in (*_DATE_KINDS, *dates):
        node = dates.get(kind)
        if node is not None:
            parts = (_text(node.find(tag)) for tag in ("year", "month", "day"))
            found = citation_date(*parts)
            if found:
                return found
    return None


def _abstract(meta: ET.Element) -> str:
    """The main abstract (not a summary, teaser or graphical one) as ``Label: text`` paragraphs."""
    abstracts = list(meta.iterfind("abstract"))
    main = [node for node in abstracts if node.get("abstract-type") in (None, "structured")]
    chosen = (main or abstracts)[:1]
    paragraphs: list[str] = []
    for abstract in chosen:
        for child in abstract:
            if child.tag == "sec":
                label = _heading(child)
                text = " ".join(paragraph for _, paragraph in _paragraphs(child))
                if text:
                    paragraphs.append(f"{label}: {text}" if label else text)
            elif child.tag == "p" and (text := _text(child)):
                paragraphs.append(text)
    return "\n\n".join(paragraphs)


def _heading(sec: ET.Element) -> str:
    """A section's title without its numbering (``3. Results`` → ``Results``)."""
    title = _NUMBERED.sub("", _text(sec.find("title")))
    if not title and sec.get("sec-type"):
        return sec.get("sec-type", "").replace("-", " ").replace("|", " and ").capitalize()
    return title.rstrip(":. ").strip()


def _paragraphs(sec: ET.Element) -> Iterator[tuple[str, str]]:
    """``(subsection title, paragraph)`` pairs of a section, nested sections in order."""
    for child in sec:
        if child.tag == "sec":
            title = _heading(child)
            for sub, text in _paragraphs(child):
                yield sub or title, text
        elif child.tag in _PROSE and (text := _text(child)):
            yield "", text


def _body(body: ET.Element | None) -> tuple[list[tuple[str, str]], str]:
    """The body's top-level sections as ``(heading, text)`` (paragraphs apart by blank lines;
    a nested section's title on its own line first), and the text outside any section.
    """
    if body is None:
        return [], ""
    sections: list[tuple[str, str]] = []
    loose: list[str] = []
    for child in body:
        if child.tag != "sec":
            if child.tag in _PROSE and (text := _text(child)):
                loose.append(text)
            continue
        heading = _heading(child) or "Section"
        paragraphs: list[str] = []
        current = ""
        for sub, text in _paragraphs(child):
            if sub and sub != current:
                paragraphs.append(f"{sub}.")
                current = sub
            paragraphs.append(text)
        if paragraphs:
            sections.append((heading, "\n\n".join(paragraphs)))
    return sections, "\n\n".join(loose)
