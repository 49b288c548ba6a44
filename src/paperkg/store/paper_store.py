"""The graph store: an embedded Oxigraph store on disk (or in memory), one named graph a record.

This class is the only holder of the :class:`pyoxigraph.Store`, so every write goes through it.
Every record write is one transaction: a record graph is added whole, replaced whole, or left as
it was. An unchanged record (same build key) is not written again, so building twice gives the
same store. Internal queries (``queries/internal/*.rq``) run through :meth:`PaperStore.select`.
A store on disk has one writer or any number of readers at a time (:mod:`.lock`); a full disk
or a read-only folder is one :class:`~paperkg.errors.StoreError` saying so.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import pyoxigraph as ox
import rdflib

from ..errors import StoreError
from ..identifiers import paper_keys
from ..model import MappedRecord
from ..resources import internal_query
from ..vocab import BIBO, FABIO, PKG
from .heap import return_freed_memory
from .lock import LOCK_NAME, busy, lock_store
from .os_errors import make_folder, os_cause, write_error

__all__ = ["PaperStore", "Term", "WriteOutcome", "fill_values", "term_text", "to_rdflib_term"]

#: Statements written between two flushes of an on-disk store (bounds the writer's memory:
#: 30,000 PubMed citations built by 2 workers, the writing process peaked at 222 MiB flushing
#: every 10,000, 234 every 20,000, 276 every 80,000, and was no slower).
FLUSH_EVERY = 10_000

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: What a query parameter may be bound to: an RDF term, never query text.
Term = ox.NamedNode | ox.Literal

#: The properties a paper's PMID, PMC id and DOI are written with, by the prefix of their key.
_ID_PROPERTIES = {"pubmed": FABIO.hasPubMedId, "pmc": FABIO.hasPubMedCentralId, "doi": BIBO.doi}


class WriteOutcome(enum.StrEnum):
    """What happened to one record graph in the store."""

    ADDED = "added"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"


class PaperStore:
    """A paperkg store. ``PaperStore(path)`` opens (or creates) one on disk; ``PaperStore()``
    is in memory. Use it as a context manager so the store is flushed and released.
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = None if path is None else Path(path)
        self.read_only = read_only
        self._release = _nothing
        if self.path is not None:
            if not read_only:
                make_folder(self.path)
            # One writer or many readers across processes (see .lock), before Oxigraph opens.
            self._release = lock_store(self.path, write=not read_only)
        try:
            self._store = _open(self.path, read_only=read_only)
        except BaseException:
            self._release()
            raise
        self._unflushed = 0

    @classmethod
    def open_existing(cls, path: str | Path, *, read_only: bool = True) -> PaperStore:
        """Open a store that must already exist (for query, validate, export)."""
        location = Path(path)
        if not location.is_dir() or not any(p.name != LOCK_NAME for p in location.iterdir()):
            raise StoreError(
                str(location),
                "no store here",
                f"build one with: paperkg --store {location} build RECORDS... "
                "(or pass the right --store)",
            )
        return cls(location, read_only=read_only)

    def __enter__(self) -> PaperStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.close()
        except StoreError:
            if exc is None:
                raise
            # the error that stopped the work is the one to report (a full disk fails both)

    def close(self) -> None:
        """Flush pending writes and release the store's lock, even when the flush fails."""
        try:
            if not self.read_only and self.path is not None:
                self._store.flush()
        except OSError as error:
            raise write_error(self.location, error) from error
        finally:
            del self._store
            self._release()

    def __len__(self) -> int:
        return len(self._store)

    def __iter__(self) -> Iterator[ox.Quad]:
        """Every quad of the store, bookkeeping graphs included."""
        return iter(self._store)

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        obj: ox.NamedNode | ox.BlankNode | ox.Literal | None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads that match (``None`` matches anything), from every graph unless ``graph``."""
        return iter(self._store.quads_for_pattern(subject, predicate, obj, graph))

    def named_graphs(self) -> list[ox.NamedNode]:
        """Every named graph of the store (records, concept index and logs), sorted by IRI."""
        named = (g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))
        return sorted(named, key=lambda node: node.value)

    def iter_named_graphs(self) -> Iterator[ox.NamedNode]:
        """Every named graph, in the store's order: for a pass over all graphs whose order does
        not matter, without a list the size of the collection.
        """
        return (g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    # --- record graphs -----------------------------------------------------------------

    def build_key(self, graph: ox.NamedNode) -> str | None:
        """The build key stored in a record graph, or ``None`` if the graph is absent."""
        for quad in self._store.quads_for_pattern(
            graph, ox.NamedNode(str(PKG.buildKey)), None, graph
        ):
            value = quad.object
            return value.value if isinstance(value, ox.Literal) else None
        return None

    def put_record(self, mapped: MappedRecord) -> WriteOutcome:
        """Write one record graph in one transaction, replacing an older version of it."""
        self._require_writable()
        stored = self.build_key(mapped.graph)
        if stored == mapped.build_key:
            return WriteOutcome.UNCHANGED
        if stored is None and not self._store.contains_named_graph(mapped.graph):
            self._write(lambda: self._store.extend(mapped.quads), len(mapped.quads))
            return WriteOutcome.ADDED
        self.replace_graph(mapped.graph, mapped.quads)
        return WriteOutcome.REPLACED

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        """Replace a named graph's content with ``quads`` in one transaction; a new graph takes
        them as they come (a baseline file's concept index as one update text: 55 MiB more).
        """
        self._require_writable()
        if not self._store.contains_named_graph(graph):
            self._add_as_they_come(quads)
            return
        chosen = list(quads)
        self._update(f"DROP SILENT GRAPH {graph} ;\n{_insert_data(graph, chosen)}", len(chosen))

    def replace_statements(
        self,
        graph: ox.NamedNode,
        subjects: Iterable[ox.NamedNode],
        quads: Iterable[ox.Quad],
        *,
        predicate: ox.NamedNode | None = None,
    ) -> None:
        """In ``graph``, drop what ``subjects`` state (only ``predicate`` if given) and add
        ``quads``, in one transaction: how the bookkeeping logs are kept. The statements to
        drop are looked up first and named (``DELETE DATA``): a ``VALUES`` of 30,000 subjects
        cost 5 KiB each; with none to drop, the quads go in as they come.
        """
        self._require_writable()
        dropped = [
            quad
            for subject in dict.fromkeys(subjects)
            for quad in self._store.quads_for_pattern(subject, predicate, None, graph)
        ]
        if not dropped:
            self._add_as_they_come(quads)
            return
        self._update(f"{_delete_data(graph, dropped)} ;\n{_insert_data(graph, quads)}")

    def _add_as_they_come(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction without holding them (Oxigraph's extend is atomic)."""
        counted = [0]

        def each() -> Iterator[ox.Quad]:
            for counted[0], quad in enumerate(quads, 1):
                yield quad

        self._write(lambda: self._store.extend(each()))
        self._write(_nothing, counted[0])

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction (for repairs, tests and the tallies; builds use
        put_record).
        """
        self._require_writable()
        self._add_as_they_come(quads)

    def bulk_load(self, data: BinaryIO) -> None:
        """Load N-Quads with Oxigraph's bulk loader: not one transaction (a failure may leave part
        of it), for a store built from scratch (``build --shards``' own, 3x faster, 7x less memory).
        """
        self._require_writable()
        self._write(lambda: self._store.bulk_load(data, ox.RdfFormat.N_QUADS, lenient=True))

    def remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Remove quads (for repairs, tests and the tallies), one transaction each."""
        self._require_writable()
        chosen = list(quads)

        def remove() -> None:
            for quad in chosen:
                self._store.remove(quad)

        self._write(remove, len(chosen))

    def _update(self, update: str, statements: int = 0) -> None:
        # One update request is one transaction in Oxigraph: all of it applies, or none.
        self._write(lambda: self._store.update(update), statements)

    def _write(self, action: Callable[[], None], statements: int = 0) -> None:
        try:
            action()
            self._unflushed += statements
            if self._unflushed >= FLUSH_EVERY and self.path is not None:
                # RocksDB keeps what is written in memory until it flushes: without this, a
                # long build's memory grows with the store (8,000 records: 912 MiB against
                # 125 MiB flushing every 80k statements, and faster).
                self._store.flush()
                self._unflushed = 0
                return_freed_memory()
        except OSError as error:
            raise write_error(self.location, error) from error

    def remove_record(self, graph: ox.NamedNode) -> None:
        """Drop one record graph."""
        self._require_writable()
        self._write(lambda: self._store.remove_graph(graph))

    def record_graphs(self) -> list[ox.NamedNode]:
        """The record graphs in the store, sorted by IRI."""
        graphs = [
            quad.subject
            for quad in self._store.quads_for_pattern(
                None, ox.NamedNode(str(rdflib.RDF.type)), ox.NamedNode(str(PKG.RecordGraph)), None
            )
            if isinstance(quad.subject, ox.NamedNode) and quad.subject == quad.graph_name
        ]
        return sorted(set(graphs), key=lambda node: node.value)

    def paper_key_of(self, paper: str) -> str | None:
        """The key of the paper a DOI, ``PMID:…``, ``PMC…``, paper key or IRI names, or ``None``:
        a paper keyed by its DOI is still named by its PMID.
        """
        try:
            graph = self.find_record_graph(paper)
        except StoreError:
            return None
        for quad in self._store.quads_for_pattern(
            None, ox.NamedNode(str(PKG.paperKey)), None, graph
        ):
            if isinstance(quad.object, ox.Literal):
                return quad.object.value
        return None

    def find_record_graph(self, paper: str) -> ox.NamedNode:
        """The record graph of a paper given as DOI, ``PMID:…``, ``PMC…``, paper key or IRI."""
        text = paper.strip()
        keys = paper_keys(text)
        # by its key, then by a PMID, PMC id or DOI the paper is not keyed by
        lookups = [(PKG.paperKey, key) for key in keys] + [
            (_ID_PROPERTIES[prefix], value)
            for prefix, _, value in (key.partition(":") for key in keys)
            if prefix in _ID_PROPERTIES and value
        ]
        for predicate, value in lookups:
            for quad in self._store.quads_for_pattern(
                None, ox.NamedNode(str(predicate)), ox.Literal(value), None
            ):
                if isinstance(quad.graph_name, ox.NamedNode):
                    return quad.graph_name
        if text.startswith(("http://", "https://")):
            node = ox.NamedNode(text)
            if self._store.contains_named_graph(node):
                return node
            for quad in self._store.quads_for_pattern(
                None, ox.NamedNode(str(PKG.describes)), node, None
            ):
                if isinstance(quad.graph_name, ox.NamedNode):
                    return quad.graph_name
        raise StoreError(
            self.location,
            f"no record of paper {paper!r}",
            "give its DOI, PMID:…, PMC id or paper IRI (see: paperkg query findings)",
        )

    def graph_quads(self, graph: ox.NamedNode) -> Iterator[ox.Quad]:
        """The quads of one named graph."""
        return iter(self._store.quads_for_pattern(None, None, None, graph))

    def write_triples(self, graph: ox.NamedNode, output: Any) -> None:
        """Write one named graph as N-Triples to ``output`` (``write(bytes)``), a buffer at a
        time: Oxigraph serialises it, so no term objects are made in Python.
        """
        self._store.dump(output, ox.RdfFormat.N_TRIPLES, from_graph=graph)

    # --- reading ------------------------------------------------------------------------

    def query(self, sparql: str, substitutions: Mapping[ox.Variable, Any] | None = None) -> Any:
        """Run SPARQL over the union of all graphs, with variables bound to RDF terms."""
        return self._store.query(
            sparql,
            use_default_graph_as_union=True,
            substitutions=dict(substitutions) if substitutions else None,
        )

    def select(
        self,
        name: str,
        *,
        bind: Mapping[str, Term] | None = None,
        values: Mapping[str, Sequence[Term] | None] | None = None,
    ) -> list[ox.QuerySolution]:
        """The solutions of the internal query ``queries/internal/NAME.rq``.

        ``bind`` gives variables one term each (the query must project them, as pyoxigraph
        binds only projected variables). ``values`` gives a variable a list of terms: the
        query's ``VALUES ?var { UNDEF }`` is filled with them, serialised by pyoxigraph;
        ``None`` keeps ``UNDEF`` (no restriction), an empty list matches nothing.
        """
        return list(self.solutions(name, bind=bind, values=values))

    def solutions(
        self,
        name: str,
        *,
        bind: Mapping[str, Term] | None = None,
        values: Mapping[str, Sequence[Term] | None] | None = None,
    ) -> Iterator[ox.QuerySolution]:
        """The solutions of :meth:`select`, one at a time: for answers too large to hold."""
        text = internal_query(name)
        for variable, terms in (values or {}).items():
            text = fill_values(name, text, variable, terms)
        substitutions = {ox.Variable(k): v for k, v in (bind or {}).items()}
        yield from self.query(text, substitutions)

    def rdflib_graph(self, graph: ox.NamedNode | str) -> rdflib.Graph:
        """An rdflib copy of one record graph (small: one record), for Python users and SHACL.

        ``graph`` is a record graph, or a paper as :meth:`find_record_graph` accepts it.
        """
        name = graph if isinstance(graph, ox.NamedNode) else self.find_record_graph(graph)
        result = rdflib.Graph(identifier=rdflib.URIRef(name.value))
        for quad in self.graph_quads(name):
            result.add(
                (
                    to_rdflib_term(quad.subject),
                    to_rdflib_term(quad.predicate),
                    to_rdflib_term(quad.object),
                )
            )
        return result

    def rdflib_dataset(self) -> rdflib.Dataset:
        """An rdflib copy of the whole store. Fine for thousands of records, not millions:
        use :mod:`paperkg.export` for large stores.
        """
        dataset = rdflib.Dataset()
        for quad in self._store:
            context = dataset.graph(to_rdflib_term(quad.graph_name))
            context.add(
                (
                    to_rdflib_term(quad.subject),
                    to_rdflib_term(quad.predicate),
                    to_rdflib_term(quad.object),
                )
            )
        return dataset

    @property
    def location(self) -> str:
        """Where the store is, for messages."""
        return "(in memory)" if self.path is None else str(self.path)

    def _require_writable(self) -> None:
        if self.read_only:
            raise StoreError(self.location, "store opened read-only", "open it for writing")


def _insert_data(graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> str:
    """``INSERT DATA`` of ``quads`` into ``graph``: the data serialised by pyoxigraph
    (N-Triples), never pasted from input.
    """
    return f"INSERT DATA {{ GRAPH {graph} {{\n{_triples(quads)}}} }}"


def _delete_data(graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> str:
    """``DELETE DATA`` of ``quads`` from ``graph``, serialised as :func:`_insert_data` does."""
    return f"DELETE DATA {{ GRAPH {graph} {{\n{_triples(quads)}}} }}"


def _triples(quads: Iterable[ox.Quad]) -> str:
    triples = ox.serialize((quad.triple for quad in quads), format=ox.RdfFormat.N_TRIPLES) or b""
    return triples.decode("utf-8")


def fill_values(name: str, text: str, variable: str, terms: Sequence[Term] | None) -> str:
    """``text`` with its ``VALUES ?variable { UNDEF }`` holding ``terms`` (serialised by
    pyoxigraph, never pasted); ``None`` leaves ``UNDEF``: no restriction.
    """
    placeholder = re.compile(r"VALUES\s+\?" + re.escape(variable) + r"\s*\{\s*UNDEF\s*\}")
    if placeholder.search(text) is None:
        raise ValueError(f"internal query {name} has no 'VALUES ?{variable} {{ UNDEF }}'")
    if terms is None:
        return text
    if not all(isinstance(term, ox.NamedNode | ox.Literal) for term in terms):
        raise TypeError(f"values of ?{variable} must be RDF terms")
    row = " ".join(str(term) for term in terms)
    return placeholder.sub(lambda _: f"VALUES ?{variable} {{ {row} }}", text)


def _open(path: Path | None, *, read_only: bool) -> ox.Store:
    if path is None:
        return ox.Store()
    try:
        if read_only:
            return ox.Store.read_only(str(path))
        return ox.Store(str(path))
    except OSError as error:
        message = " ".join(str(error).split())
        if "lock" in message.lower():  # Oxigraph's own lock: a second writer in this process
            raise busy(path, write=True) from error
        if os_cause(error, message) is not None:
            raise write_error(str(path), error) from error
        raise StoreError(
            str(path), f"cannot open the store ({message})", "check the path"
        ) from error


def _nothing() -> None:
    """Nothing to release (a store in memory)."""


def term_text(term: Any) -> str:
    """The text of a term from a query solution or a quad (an IRI, a literal's lexical form,
    a blank node's id); ``""`` for an unbound value.
    """
    if term is None:
        return ""
    return (
        str(term.value) if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode) else str(term)
    )


def to_rdflib_term(term: Any) -> Any:
    """Convert a pyoxigraph term to the equal rdflib term."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(
            term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False
        )
    if isinstance(term, ox.DefaultGraph):
        return rdflib.URIRef("urn:x-rdflib:default")
    raise TypeError(f"unsupported term {term!r}")
