"""The graph store: an embedded Oxigraph store on disk (or in memory), one named graph a record.

Every record write is one transaction: a record graph is added whole, replaced whole, or left as
it was. An unchanged record (same build key) is not written again, so building twice gives the
same store.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import pyoxigraph as ox
import rdflib

from .errors import StoreError
from .identifiers import normalize_curie, normalize_doi
from .mapping import MappedRecord
from .vocab import PKG

__all__ = ["PaperStore", "WriteOutcome", "to_rdflib_term"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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
        self._store = _open(self.path, read_only=read_only)

    @classmethod
    def open_existing(cls, path: str | Path, *, read_only: bool = True) -> PaperStore:
        """Open a store that must already exist (for query, validate, export)."""
        location = Path(path)
        if not location.is_dir() or not any(location.iterdir()):
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
        self.close()

    def close(self) -> None:
        """Flush pending writes and release the store's lock."""
        if not self.read_only and self.path is not None:
            self._store.flush()
        del self._store

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying :class:`pyoxigraph.Store`, for bulk work paperkg does not wrap."""
        return self._store

    def __len__(self) -> int:
        return len(self._store)

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
            self._write(lambda: self._store.extend(mapped.quads))
            return WriteOutcome.ADDED
        self.replace_graph(mapped.graph, mapped.quads)
        return WriteOutcome.REPLACED

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        """Replace a named graph's content with ``quads`` in one transaction."""
        self._require_writable()
        # DROP and INSERT in one update request: Oxigraph applies it as one transaction.
        # The data is serialised from RDF terms (N-Triples syntax), not pasted from input.
        triples = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
        self._write(
            lambda: self._store.update(
                f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n{triples}\n}} }}"
            )
        )

    def _write(self, action: Callable[[], None]) -> None:
        try:
            action()
        except OSError as error:
            raise StoreError(self.location, f"write failed: {error}", "check disk space") from error

    def remove_record(self, graph: ox.NamedNode) -> None:
        """Drop one record graph."""
        self._require_writable()
        self._store.remove_graph(graph)

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

    def find_record_graph(self, paper: str) -> ox.NamedNode:
        """The record graph of a paper given as DOI, ``PMID:…``, ``PMC…``, paper key or IRI."""
        text = paper.strip()
        candidates = [ox.Literal(key) for key in _paper_keys(text)]
        for literal in candidates:
            for quad in self._store.quads_for_pattern(
                None, ox.NamedNode(str(PKG.paperKey)), literal, None
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

    # --- reading ------------------------------------------------------------------------

    def query(self, sparql: str, substitutions: Mapping[ox.Variable, Any] | None = None) -> Any:
        """Run SPARQL over the union of all graphs, with variables bound to RDF terms."""
        return self._store.query(
            sparql,
            use_default_graph_as_union=True,
            substitutions=dict(substitutions) if substitutions else None,
        )

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


def _paper_keys(text: str) -> list[str]:
    keys = [text]
    doi = normalize_doi(text)
    if doi is not None:
        keys.append(f"doi:{doi}")
    curie = normalize_curie(text)
    if curie is not None:
        keys.append(curie)
    if re.fullmatch(r"(?i)pmc\d+", text):
        keys.append(f"pmc:{text.upper()}")
    return keys


def _open(path: Path | None, *, read_only: bool) -> ox.Store:
    if path is None:
        return ox.Store()
    try:
        if read_only:
            return ox.Store.read_only(str(path))
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as error:
        message = str(error)
        if "lock" in message.lower():
            raise StoreError(
                str(path),
                "the store is in use by another paperkg process",
                "wait for it to finish, or use another --store",
            ) from error
        raise StoreError(
            str(path), f"cannot open the store ({message})", "check the path"
        ) from error


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
