"""Reader for BioC (XML and JSON): the same corpora as PubTator, in passages with their offsets.

Each ``<document>`` becomes one :class:`PaperRecord` through the PubTator reader's mapping, so a
corpus gives the same records in either format. BioC offsets count from the start of the document
as the collection lays it out; they are moved to the PubTator convention (characters of
``title + " " + abstract``) passage by passage. Composite mentions keep their parts' identifiers,
so BC5CDR's ``IndividualMention`` annotations (discontinuous parts of a composite) are not
repeated. XML is parsed with expat feeding ElementTree one document at a time: memory stays
bounded by the largest document, and entity declarations are refused before any expansion (the
billion-laughs attack); external DTDs such as ``BioC.dtd`` are never loaded.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from typing import Any
from xml.parsers import expat

from paperkg.errors import RecordError
from paperkg.model import PaperRecord

from .pubtator import RawDocument, RawMention, build_record, clip, read_bytes
from .safe_xml import RefusedError, safe_parser

__all__ = ["iter_bioc_json", "iter_bioc_xml", "read_bioc"]

_CHUNK = 1 << 20
_MAX_DEPTH = 4
_ID_KEYS = ("identifier", "Identifier", "MESH", "MeSH", "mesh", "NCBI Gene", "NCBI Taxonomy")
_TYPE_KEYS = ("type", "Type")
_OFFSET = re.compile(r"\s*[0-9]{1,12}\s*")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_COLLECTION_KEYS = ("documents", "PubTator3")
_LINE = object()  # key of an annotation's line in converted XML (no JSON key can equal it)
_XML_FIX = "give a BioC XML file (a <collection> of <document> elements), saved as UTF-8"
_JSON_FIX = "give a BioC JSON file: a collection object with a 'documents' list"


def iter_bioc_xml(data: bytes, *, source: str, sha256: str) -> Iterator[PaperRecord | RecordError]:
    """Records of a BioC XML collection, one per ``<document>``, in file order.

    A bad document yields a :class:`RecordError`; XML that breaks off after some documents yields
    one for the rest. Raises :class:`RecordError` when the file as a whole is not BioC XML.
    """
    reader = _XmlDocuments()
    parser = reader.parser
    yielded = False
    for begin in range(0, max(len(data), 1), _CHUNK):
        try:
            parser.Parse(data[begin : begin + _CHUNK], begin + _CHUNK >= len(data))
        except (expat.ExpatError, RefusedError, RecursionError, ValueError, LookupError) as error:
            line = getattr(error, "lineno", None) or parser.ErrorLineNumber
            refused = isinstance(error, RefusedError)
            problem = str(error) if refused else f"not well-formed XML ({clip(str(error), 80)})"
            if not yielded and not reader.done:
                raise RecordError(source, line, "file", problem, _XML_FIX) from None
            yield from _xml_records(reader, source, sha256)
            fix = "repair the XML there; the documents before it were read"
            yield RecordError(source, line, "xml", problem, fix)
            return
        for record in _xml_records(reader, source, sha256):
            yielded = True
            yield record


def iter_bioc_json(data: bytes, *, source: str, sha256: str) -> Iterator[PaperRecord | RecordError]:
    """Records of BioC JSON, one per document, in file order.

    Accepts a collection (``{"documents": [...]}``), a list of collections or documents, PubTator's
    ``{"PubTator3": [...]}``, and JSON Lines of any of these. Raises :class:`RecordError` when the
    file as a whole is not JSON.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise RecordError(source, line, "file", "not UTF-8 text", _JSON_FIX) from None
    newlines = [match.start() for match in re.finditer("\n", text)]
    decoder = json.JSONDecoder()
    pos, found = _skip_space(text, 0), 0
    if pos >= len(text):
        raise RecordError(source, 1, "file", "empty file", _JSON_FIX)
    while pos < len(text):
        try:
            value, end = decoder.raw_decode(text, pos)
            documents = list(_json_documents(decoder, text, pos, value, 0))
        except (ValueError, RecursionError) as error:
            line = getattr(error, "lineno", None) or _line_at(newlines, pos)
            problem = f"not valid JSON ({clip(str(error), 80)})"
            if found == 0:
                raise RecordError(source, line, "file", problem, _JSON_FIX) from None
            yield RecordError(source, line, "json", problem, "repair the JSON there")
            return
        if not _is_bioc(value):
            problem = "JSON but not BioC: no 'documents' list or document with 'passages'"
            if found == 0:
                raise RecordError(source, _line_at(newlines, pos), "file", problem, _JSON_FIX)
            yield RecordError(source, _line_at(newlines, pos), "json", problem, _JSON_FIX)
        for doc_pos, document in documents:
            found += 1
            yield _record(document, _line_at(newlines, doc_pos), source, sha256, "bioc-json")
        pos = _skip_space(text, end)


def _is_bioc(value: Any) -> bool:
    if isinstance(value, dict):
        return "passages" in value or any(key in value for key in _COLLECTION_KEYS)
    return isinstance(value, list)


def read_bioc(path: str | os.PathLike[str]) -> list[PaperRecord | RecordError]:
    """Read a BioC file, XML or JSON by its first character (not its name)."""
    name = os.fspath(path)
    data = read_bytes(name, "BioC")
    sha256 = hashlib.sha256(data).hexdigest()
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return list(iter_bioc_json(data, source=name, sha256=sha256))
    return list(iter_bioc_xml(data, source=name, sha256=sha256))


class _XmlDocuments:
    """Expat handlers that build one ElementTree element per ``<document>`` and queue it."""

    def __init__(self) -> None:
        self.parser = safe_parser(self._start, self._end, self._data)
        self.root: str | None = None
        self.builder: ET.TreeBuilder | None = None
        self.depth = 0
        self.line = 0
        self.lines: dict[ET.Element, int] = {}
        self.done: list[tuple[ET.Element, int, dict[ET.Element, int]]] = []

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if self.root is None:
            self.root = name
            if name not in ("collection", "document"):
                raise RefusedError(f"root element <{clip(name)}> is not a BioC <collection>")
        if self.builder is None and name == "document":
            self.builder, self.depth, self.line = ET.TreeBuilder(), 0, self.parser.CurrentLineNumber
            self.lines = {}
        if self.builder is not None:
            self.depth += 1
            element = self.builder.start(name, attributes)
            if name == "annotation":
                self.lines[element] = self.parser.CurrentLineNumber

    def _end(self, name: str) -> None:
        if self.builder is None:
            return
        self.builder.end(name)
        self.depth -= 1
        if self.depth == 0:
            self.done.append((self.builder.close(), self.line, self.lines))
            self.builder = None

    def _data(self, text: str) -> None:
        if self.builder is not None:
            self.builder.data(text)


def _xml_records(
    reader: _XmlDocuments, source: str, sha256: str
) -> Iterator[PaperRecord | RecordError]:
    done, reader.done = reader.done, []
    for element, line, lines in done:
        yield _record(_xml_as_json(element, lines), line, source, sha256, "bioc-xml")


def _xml_as_json(element: ET.Element, lines: Mapping[ET.Element, int]) -> dict[Any, Any]:
    """A ``<document>`` in the BioC JSON layout, so that both formats share one reading."""

    def infons(node: ET.Element) -> dict[str, str]:
        return {i.get("key", ""): (i.text or "").strip() for i in node.iterfind("infon")}

    def annotations(node: ET.Element) -> list[dict[Any, Any]]:
        return [
            {
                "id": annotation.get("id", ""),
                "infons": infons(annotation),
                "text": annotation.findtext("text") or "",
                "locations": [dict(loc.attrib) for loc in annotation.iterfind("location")],
                _LINE: lines.get(annotation),
            }
            for annotation in node.iterfind("annotation")
        ]

    def relations(node: ET.Element) -> list[dict[str, Any]]:
        return [
            {"infons": infons(relation), "nodes": [dict(n.attrib) for n in relation.iter("node")]}
            for relation in node.iterfind("relation")
        ]

    passages = [
        {
            "offset": passage.findtext("offset") or "0",
            "infons": infons(passage),
            "text": passage.findtext("text") or "",
            "annotations": annotations(passage),
            "sentences": [{"annotations": annotations(s)} for s in passage.iterfind("sentence")],
            "relations": relations(passage),
        }
        for passage in element.iterfind("passage")
    ]
    return {
        "id": element.findtext("id") or "",
        "passages": passages,
        "relations": relations(element),
    }


class _BadFieldError(Exception):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field, self.problem = field, problem


def _record(
    document: Any, line: int, source: str, sha256: str, fmt: str
) -> PaperRecord | RecordError:
    doc = RawDocument(doc_id="", line=line)
    try:
        _fill(doc, _dict(document, "document"))
        return build_record(doc, source=source, sha256=sha256, source_format=fmt)
    except _BadFieldError as error:
        return RecordError(source, line, error.field, error.problem, _JSON_FIX)
    except RecordError as error:
        return error


def _dict(value: Any, field: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise _BadFieldError(field, f"a {field} is not an object")
    return value


def _list(value: Mapping[Any, Any], key: str) -> list[Any]:
    items = value.get(key, [])
    if not isinstance(items, list):
        raise _BadFieldError(key, f"'{key}' is not a list")
    return items


def _infons(value: Mapping[Any, Any]) -> dict[str, str]:
    """Infons as strings; PubTator3's role objects become ``type|identifier``."""
    infons = value.get("infons")
    flat: dict[str, str] = {}
    for key, item in infons.items() if isinstance(infons, dict) else ():
        if isinstance(item, dict):
            flat[str(key)] = f"{_string(item.get('type'))}|{_string(item.get('identifier'))}"
        else:
            flat[str(key)] = _string(item)
    return flat


def _string(value: Any) -> str:
    """A JSON scalar as BioC XML would write it; containers count as missing."""
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _fill(doc: RawDocument, document: Mapping[Any, Any]) -> None:
    """Title, abstract, mentions and relations of ``doc`` from a BioC (JSON layout) document.

    Passage ``title``/``front`` is the title and ``abstract*`` passages, joined by a space, the
    abstract; without any passage type the first passage is the title and the rest the abstract.
    """
    doc.doc_id = _string(document.get("id")).strip()
    passages = [_dict(passage, "passage") for passage in _list(document, "passages")]
    typed = any(_passage_type(p) for p in passages)
    title: list[dict[Any, Any]] = []
    abstract: list[dict[Any, Any]] = []
    skipped = 0
    for index, passage in enumerate(passages):
        role = _passage_type(passage) if typed else ("title" if index == 0 else "abstract")
        if role == "title" and not title:
            title.append(passage)
        elif role == "abstract":
            abstract.append(passage)
        else:
            skipped += len(_list(passage, "annotations"))
    doc.title = _string(title[0].get("text")) if title else None
    texts = [_string(passage.get("text")) for passage in abstract]
    doc.abstract = " ".join(texts)
    placed = [(passage, 0) for passage in title]  # where each starts in title + " " + abstract
    position = len(doc.title or "") + 1
    for passage, text in zip(abstract, texts, strict=True):
        placed.append((passage, position))
        position += len(text) + 1
    by_ref: dict[str, str] = {}
    for passage, position in placed:
        annotations = list(_list(passage, "annotations"))
        for sentence in _list(passage, "sentences"):
            annotations.extend(_list(_dict(sentence, "sentence"), "annotations"))
        for annotation in annotations:
            mention = _mention(doc, passage, _dict(annotation, "annotation"), position)
            if mention is not None:
                doc.mentions.append(mention)
                by_ref[_string(annotation.get("id"))] = mention.raw_identifier
    if skipped:
        doc.warn(doc.line, f"{skipped} annotation(s) outside the title and abstract skipped")
    relations = list(_list(document, "relations"))
    for passage in passages:
        relations.extend(_list(passage, "relations"))
    for relation in relations:
        _relation(doc, _dict(relation, "relation"), by_ref)


def _passage_type(passage: Mapping[Any, Any]) -> str:
    infons = _infons(passage)
    kind = (infons.get("type") or infons.get("section_type") or "").strip().casefold()
    if kind in ("title", "front"):
        return "title"
    return "abstract" if kind.startswith("abstract") else kind and "other"


def _mention(
    doc: RawDocument, passage: Mapping[Any, Any], annotation: Mapping[Any, Any], position: int
) -> RawMention | None:
    """The mention at PubTator offsets, or ``None`` (with a warning when it is not expected)."""
    infons, text = _infons(annotation), _string(annotation.get("text"))
    line = annotation.get(_LINE) or doc.line
    if infons.get("CompositeRole", "").casefold() == "individualmention":
        return None  # a part of the composite mention before it, which has its identifiers
    spans = []
    for item in _list(annotation, "locations"):
        location = _dict(item, "location")
        offset, length = _string(location.get("offset")), _string(location.get("length"))
        if not (_OFFSET.fullmatch(offset) and _OFFSET.fullmatch(length)):
            doc.warn(line, f"location offset={clip(offset)!r} length={clip(length)!r} not read")
            continue
        spans.append((int(offset), int(offset) + int(length)))
    passage_offset = _string(passage.get("offset", 0))
    if not spans or not _OFFSET.fullmatch(passage_offset):
        doc.warn(line, f"annotation {clip(text)!r} without a usable location; skipped")
        return None
    shift = position - int(passage_offset)
    start, end = min(s for s, _ in spans) + shift, max(e for _, e in spans) + shift
    if start < 0:
        doc.warn(line, f"annotation {clip(text)!r} starts before its passage; skipped")
        return None
    kind = next((infons[key] for key in _TYPE_KEYS if key in infons), "")
    raw_id = next((infons[key] for key in _ID_KEYS if key in infons), "")
    return RawMention(start, end, text, kind, raw_id, line)


def _relation(doc: RawDocument, relation: Mapping[Any, Any], by_ref: Mapping[str, str]) -> None:
    """BC5CDR (``Chemical``/``Disease`` infons), PubTator3 (``role1``/``role2``) or node refs."""
    infons = _infons(relation)
    kind = infons.get("relation") or infons.get("type") or ""
    if "Chemical" in infons and "Disease" in infons:
        ends = [infons["Chemical"], infons["Disease"]]
    elif "role1" in infons and "role2" in infons:
        ends = [infons[key].rpartition("|")[2] for key in ("role1", "role2")]
    else:
        nodes = [_dict(node, "node") for node in _list(relation, "nodes")]
        ends = [by_ref.get(_string(node.get("refid")), "") for node in nodes]
    if len(ends) != 2 or not kind or not all(ends):
        doc.warn(doc.line, f"relation {clip(kind)!r} without its two concepts; skipped")
        return
    doc.relations.append((kind, ends[0], ends[1], doc.line))


def _json_documents(
    decoder: json.JSONDecoder, text: str, pos: int, value: Any, depth: int
) -> Iterator[tuple[int, Any]]:
    """(position, document) for the BioC documents in the JSON value at ``pos``.

    Collections are walked member by member so each document keeps its position (and line);
    every item of a ``documents`` list counts as a document, so a broken one is reported.
    """
    if depth >= _MAX_DEPTH or (isinstance(value, dict) and "passages" in value):
        yield pos, value
    elif isinstance(value, list):
        for item_pos, item in _members(decoder, text, pos):
            yield from _json_documents(decoder, text, item_pos, item, depth + 1)
    elif isinstance(value, dict):
        for list_pos, _ in _members(decoder, text, pos, keys=_COLLECTION_KEYS):
            yield from _members(decoder, text, list_pos)


def _members(
    decoder: json.JSONDecoder, text: str, pos: int, keys: tuple[str, ...] = ()
) -> Iterator[tuple[int, Any]]:
    """Items of the array at ``pos``, or of the object's arrays under ``keys``, with positions."""
    is_object = text[pos] == "{"
    pos = _skip_space(text, pos + 1)
    while text[pos] not in "]}":
        if is_object:
            key, pos = decoder.raw_decode(text, pos)
            pos = _skip_space(text, _skip_space(text, pos) + 1)  # past ':'
        item, end = decoder.raw_decode(text, pos)
        if not is_object or (key in keys and isinstance(item, list)):
            yield pos, item
        pos = _skip_space(text, end)
        pos = _skip_space(text, pos + 1) if text[pos] == "," else pos


def _line_at(newlines: list[int], pos: int) -> int:
    return bisect.bisect_left(newlines, pos) + 1


def _skip_space(text: str, pos: int) -> int:
    match = _JSON_SPACE.match(text, pos)
    return pos if match is None else match.end()
