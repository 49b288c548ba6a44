"""Damaged real files of every input format, and the checks a fuzzer runs on them.

Each format starts from real files (the test data and the shared corpora, cut small), damaged by
a few edits hypothesis draws: bytes flipped, ranges cut, doubled or spliced from another file,
the file truncated, and tokens that break the format's syntax or try to break out of RDF literals
and IRIs (quotes, ``>``, ``\"\"\"``, NUL, U+202E, entity declarations). The checks: every reader
yields only records, deletions and one-line :class:`~paperkg.errors.RecordError` values, in any
format it is told or detects; every record read is extracted, mapped and exported in every RDF
format, and the output parses back to the same statements in Oxigraph (strict) and rdflib.

``tests/test_fuzz.py`` runs a few hundred examples of each; ``fuzz/run.py`` runs them for as
long as asked and keeps what fails.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox
import rdflib
from hypothesis import strategies as st

from paperkg.concepts import reconcile_concepts
from paperkg.errors import ExportError, RecordError
from paperkg.export import EXPORT_FORMATS, export_store
from paperkg.extraction import RuleExtractor
from paperkg.mapping import map_record
from paperkg.model import Deletion, EntityKind, PaperRecord
from paperkg.readers import SCHEMA_ID, read_items
from paperkg.store import PaperStore, local_graphs

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
SHARED = TESTS.parent.parent / "shared"

#: The largest seed kept (bytes): larger files are cut, which damages them once more.
SEED_BYTES = 24_000
#: The file name suffix each format is written with (detection reads content, not names).
SUFFIX = {
    "markdown": ".txt",
    "pubtator": ".pubtator",
    "bioc-xml": ".xml",
    "bioc-json": ".json",
    "jsonl": ".jsonl",
    "pubmed-xml": ".xml",
    "medline": ".nbib",
    "jats": ".nxml",
}
_COMMON = [
    b'"',
    b'"""',
    b"'",
    b">",
    b"<",
    b"\\",
    b"\\u0000",
    b"\x00",
    b"\r",
    b"\n",
    b"\n\n",
    b"\t",
    b"\xe2\x80\xae",  # U+202E
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"http://x y/>",
    b"_:b0",
    b"^^<x>",
    b"@en-",
    b"-1",
    b"0",
    b"99999999999999999999",
    b"1e308",
    b"NaN",
]
TOKENS: dict[str, list[bytes]] = {
    "markdown": [b"# ", b"## ", b"Source: ", b"DOI: ", b"PMID: ", b"- ", b"**", b"MESH:", b"|"],
    "pubtator": [b"|t|", b"|a|", b"\t", b"\tChemical\t", b"\tCID\t", b"MESH:", b"-1", b"|"],
    "bioc-xml": [b"<!ENTITY a 'b'>", b"&a;", b"<document>", b"</passage>", b"<offset>", b"]]>"],
    "bioc-json": [b"{", b"}", b"[", b"]", b",", b":", b"null", b'"offset":', b'"text":'],
    "jsonl": [b"{", b"}", b"[", b"]", b",", b":", b"null", b'"title":', b'"entities":'],
    "pubmed-xml": [b"<PubmedArticle>", b"</MedlineCitation>", b"<PMID>", b"<!ENTITY x 'y'>"],
    "medline": [b"PMID- ", b"TI  - ", b"AB  - ", b"MH  - ", b"      ", b"AID - ", b"DP  - "],
    "jats": [b"<sec>", b"</body>", b"<article-id pub-id-type='pmid'>", b"<xref>", b"&#0;"],
}


def _cut_bioc(path: Path, documents: int) -> bytes:
    """The head of a BioC collection: its first ``documents`` documents, closed again."""
    text = path.read_bytes()
    end = 0
    for _ in range(documents):
        end = text.index(b"</document>", end) + len(b"</document>")
    return text[:end] + b"\n</collection>\n"


def _cut_pubtator(path: Path, documents: int) -> bytes:
    return b"\n\n".join(path.read_bytes().split(b"\n\n")[:documents]) + b"\n"


@functools.cache
def seeds() -> dict[str, tuple[bytes, ...]]:
    """The real files each format's fuzzing starts from (each at most :data:`SEED_BYTES`)."""
    corpora = SHARED / "corpora"
    found: dict[str, list[bytes]] = {
        "markdown": [p.read_bytes() for p in sorted((DATA / "records" / "valid").glob("*.txt"))]
        + [p.read_bytes() for p in sorted((SHARED / "records").glob("0[01]*.txt"))],
        "pubtator": [
            (DATA / "corpora" / "composite.PubTator.txt").read_bytes(),
            (DATA / "corpora" / "broken_middle.PubTator.txt").read_bytes(),
            _cut_pubtator(corpora / "bc5cdr" / "CDR_TrainingSet.first300.PubTator.txt", 2),
        ],
        "bioc-xml": [
            (DATA / "corpora" / "truncated.BioC.xml").read_bytes(),
            _cut_bioc(corpora / "bc5cdr" / "CDR_TrainingSet.first50.BioC.xml", 2),
        ],
        "bioc-json": [(DATA / "corpora" / "sample.BioC.json").read_bytes()],
        "jsonl": [p.read_bytes() for p in sorted((DATA / "jsonl").glob("*.jsonl"))],
        "pubmed-xml": [(DATA / "pubmed" / "pubmed-article-set.xml").read_bytes()],
        "medline": [(DATA / "pubmed" / "22508830.nbib").read_bytes()],
        "jats": [p.read_bytes() for p in sorted((corpora / "pmc-jats").glob("PMC1977*.nxml"))],
    }
    return {fmt: tuple(data[:SEED_BYTES] for data in files) for fmt, files in found.items()}


#: How many edits a damaged file gets: mostly few, so that many still read and reach the mapping.
_EDITS = (0, 1, 1, 1, 2, 2, 3, 4, 6, 8)


@st.composite
def damaged(draw: st.DrawFn, fmt: str) -> bytes:
    """A seed of ``fmt`` with a few edits; gzipped now and then for PubMed XML."""
    pool = seeds()[fmt]
    data = bytearray(draw(st.sampled_from(pool)))
    tokens = _COMMON + TOKENS[fmt]
    for _ in range(draw(st.sampled_from(_EDITS))):
        size = len(data)
        at = draw(st.integers(0, size))
        end = draw(st.integers(at, min(size, at + 64)))
        kind = draw(st.sampled_from(["flip", "cut", "token", "double", "splice", "truncate"]))
        if kind == "flip" and at < size:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "cut":
            del data[at:end]
        elif kind == "token":
            data[at:at] = draw(st.sampled_from(tokens)) * draw(st.integers(1, 3))
        elif kind == "double":
            data[at:at] = data[at:end] * draw(st.integers(1, 40))
        elif kind == "splice":
            other = draw(st.sampled_from(pool))
            start = draw(st.integers(0, len(other)))
            data[at:end] = other[start : start + draw(st.integers(0, 400))]
        elif kind == "truncate":
            del data[at:]
    if fmt == "pubmed-xml" and draw(st.booleans()):
        return gzip.compress(bytes(data), mtime=0)
    return bytes(data)


def read_all(path: Path, fmt: str) -> list[PaperRecord]:
    """Read ``path`` told its format and left to detect it; only records, deletions and
    one-line record errors naming the file may come out. The records read as ``fmt``.
    """
    records: list[PaperRecord] = []
    for told in (fmt, None):
        for item in read_items(path, told):
            if isinstance(item, RecordError):
                assert item.path == str(path), f"error names {item.path!r}"
                assert one_line(str(item)), f"not one line: {item!s}"
                assert item.line >= 0
            elif told == fmt and isinstance(item, PaperRecord):
                records.append(item)
            else:
                assert isinstance(item, PaperRecord | Deletion), type(item)
    return records


def one_line(message: str) -> bool:
    """A message a terminal shows on one line: no line feed or carriage return in it."""
    return "\n" not in message and "\r" not in message


@functools.cache
def extractor() -> RuleExtractor:
    """One rule extractor for every check (it loads its vocabularies once)."""
    return RuleExtractor()


def map_and_export(
    records: list[PaperRecord], folder: Path, formats: Iterable[str] = tuple(EXPORT_FORMATS)
) -> int:
    """Extract and map ``records`` (a mapping may reject one with a one-line RecordError), then
    export the store in each RDF format; each file must parse back, strictly, to the store's
    statements in Oxigraph and to as many in rdflib. Returns the statements exported.
    """
    store = PaperStore()
    for record in records:
        extraction = extractor().extract(record)
        try:
            mapped = map_record(record, extraction)
        except RecordError as error:
            rejected: RecordError | None = error
        else:
            rejected = None
            store.put_record(mapped)
        if rejected is not None:
            assert one_line(str(rejected)), f"not one line: {rejected!s}"
    reconcile_concepts(store)
    skipped = set(local_graphs(store))
    quads = {q for q in store if q.graph_name not in skipped}
    triples = {q.triple for q in quads}
    for fmt in formats:
        rdf_format, with_graphs = EXPORT_FORMATS[fmt]
        target = folder / f"out.{fmt}"
        before = target.read_bytes() if target.exists() else None
        try:
            export_store(store, target, fmt)
        except ExportError as error:
            # RDF/XML cannot carry some text (control characters): refused in one line, the
            # file left as it was; every other format carries anything
            refused: ExportError | None = error
        else:
            refused = None
        if refused is not None:
            assert fmt == "rdfxml", f"{fmt}: {refused!s}"
            assert one_line(str(refused))
            assert (target.read_bytes() if target.exists() else None) == before
            continue
        data = target.read_bytes()
        back = list(ox.parse(data, format=rdf_format))
        if with_graphs:
            assert set(back) == quads, f"{fmt}: Oxigraph reads other quads back"
        else:
            assert {q.triple for q in back} == triples, f"{fmt}: Oxigraph reads other triples"
        assert _rdflib_count(data, fmt) == (len(quads) if with_graphs else len(triples)), fmt
    return len(quads)


RDFLIB_FORMATS = {
    "turtle": "turtle",
    "nt": "nt",
    "nq": "nquads",
    "trig": "trig",
    "jsonld": "json-ld",
    "rdfxml": "xml",
}


def _rdflib_count(data: bytes, fmt: str) -> int:
    """The statements rdflib reads from ``data``, over all its graphs."""
    dataset = rdflib.Dataset()
    dataset.parse(io.BytesIO(data), format=RDFLIB_FORMATS[fmt])
    return sum(len(graph) for graph in dataset.graphs())


def reader_target(
    fmt: str, *, export: bool, formats: Iterable[str] = tuple(EXPORT_FORMATS)
) -> Callable[[bytes, Path], int]:
    """The check of one format: write ``data``, read it, and map and export what was read (in
    each of ``formats``)."""

    def check(data: bytes, folder: Path) -> int:
        path = folder / f"input{SUFFIX[fmt]}"
        path.write_bytes(data)
        records = read_all(path, fmt)
        if export and records:
            map_and_export(records[:2], folder, formats)
        return len(records)

    return check


#: Text meant to break out of an RDF literal or IRI, or to upset a reader of the output.
_HOSTILE = st.sampled_from(
    ['"', '"""', "'''", ">", "<", "\\", "\\u0022", "\n", "\r", "\x00", "\x7f", "\u202e", " ", "#"]
)
hostile_text = st.lists(_HOSTILE | st.text(max_size=8), max_size=8).map("".join)


_CURIES = ["MESH:D009271", "MONDO:0005546", "CHEBI:7465", "pubchem.compound:5360515"]


@st.composite
def hostile_jsonl(draw: st.DrawFn) -> bytes:
    """A JSON Lines record with hostile text in the fields the mapping writes as literals and
    IRIs; the reader judges it as it would a user's (what it accepts must map and export).
    """

    def maybe() -> str | None:
        return draw(st.none() | hostile_text)

    valid = st.sampled_from(_CURIES)
    identifier = st.none() | valid | valid | hostile_text.map(lambda t: "MESH:" + t)
    mentions = [
        {
            "text": draw(hostile_text),
            "kind": draw(st.sampled_from([kind.value for kind in EntityKind])),
            "identifier": draw(identifier),
            "raw_identifier": draw(hostile_text),
            "section": draw(st.sampled_from(["linked", "fulltext"])),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    obj = {
        "schema": SCHEMA_ID,
        "title": draw(hostile_text.filter(str.strip)),
        "authors": draw(st.lists(hostile_text, max_size=3)),
        "doi": draw(st.none() | hostile_text.map(lambda t: "10.1234/" + t)),
        "pmid": draw(st.none() | st.from_regex(r"[0-9]{1,9}", fullmatch=True)),
        "journal": maybe(),
        "date": maybe(),
        "tldr": maybe(),
        "abstract": maybe(),
        "source_url": draw(st.none() | hostile_text.map(lambda t: "https://example.org/" + t)),
        "key_findings": draw(st.lists(hostile_text, max_size=2)),
        "linked_entities": mentions,
    }
    return json.dumps(obj, ensure_ascii=draw(st.booleans())).encode("utf-8") + b"\n"
