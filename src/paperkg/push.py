"""Push the store to a triple store over the SPARQL 1.1 Graph Store Protocol.

Each named graph (one per record, plus the concept index) goes in its own ``PUT
ENDPOINT?graph=IRI`` request as N-Triples: the server replaces that graph whole, so a push is
one transaction per record (on stores that apply a request atomically, as Oxigraph does) and
pushing again gives the same graphs, never duplicates.

Pushes are incremental: a push log graph per endpoint, kept in the store (and never exported
or pushed), holds the build key each graph had when it was last pushed there. A graph whose key
is unchanged is skipped; a graph pushed before but gone from the store is deleted there
(``DELETE ?graph=``). ``everything=True`` pushes all graphs again. A graph the server refuses is
reported and the others still go; a server that cannot be reached, or that wants credentials,
stops the push with a :class:`~paperkg.errors.PushError`, keeping the log of what got through.
"""

from __future__ import annotations

import base64
import hashlib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from .errors import PushError, StoreError
from .store import PaperStore, local_graphs, log_pushes, push_log_graph, read_push_log

__all__ = ["PushReport", "PushedGraph", "push_store"]

_NTRIPLES = "application/n-triples"
#: Successful pushes are logged in batches of this many graphs (and at the end).
_LOG_BATCH = 500

Action = Literal["put", "unchanged", "deleted"]


@dataclass(frozen=True, slots=True)
class PushedGraph:
    """One graph's push: what was done, how many triples, the HTTP status, the server's
    complaint if it refused (status 0 for a graph skipped as unchanged).
    """

    graph: str
    triples: int
    status: int
    error: str | None = None
    action: Action = "put"

    @property
    def ok(self) -> bool:
        """The server accepted the graph, or it needed no push."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class PushReport:
    """What a push did, graph by graph."""

    endpoint: str
    graphs: tuple[PushedGraph, ...]

    @property
    def ok(self) -> bool:
        """Every graph was accepted (or needed nothing)."""
        return all(graph.ok for graph in self.graphs)

    @property
    def failed(self) -> tuple[PushedGraph, ...]:
        """The graphs the server refused."""
        return tuple(graph for graph in self.graphs if not graph.ok)

    def count(self, action: Action) -> int:
        """How many graphs were put, skipped as unchanged, or deleted (successfully)."""
        return sum(1 for graph in self.graphs if graph.ok and graph.action == action)

    def summary(self) -> str:
        """One line: graphs and triples pushed, unchanged, deleted, refused."""
        triples = sum(g.triples for g in self.graphs if g.ok and g.action == "put")
        return (
            f"{self.count('put')} graph(s), {triples} triples pushed to {self.endpoint}; "
            f"{self.count('unchanged')} unchanged, {self.count('deleted')} deleted, "
            f"{len(self.failed)} refused"
        )


def push_store(
    store: PaperStore,
    endpoint: str,
    *,
    graphs: Iterable[str] | None = None,
    everything: bool = False,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 60.0,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
) -> PushReport:
    """PUT the named graphs of ``store`` that changed since they were last pushed to the Graph
    Store Protocol ``endpoint`` (e.g. ``http://127.0.0.1:7878/store``), and DELETE there the
    ones pushed before that are gone. ``graphs`` (IRIs or papers) limits the push to those
    and deletes nothing; ``everything`` pushes them whether changed or not. A read-only store
    keeps no log, so it pushes everything.

    ``user`` and ``password`` are sent as HTTP Basic credentials. ``strict`` stops at the first
    refused graph. ``progress`` is called with each graph's IRI once it is done.
    """
    target = _check_endpoint(endpoint)
    chosen = _graphs(store, graphs)
    headers = {"Content-Type": _NTRIPLES}
    if user is not None:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    log = _PushLog(store, target)
    before = {} if store.read_only else log.read()
    results: list[PushedGraph] = []
    try:
        for graph in chosen:
            key, body, triples = store.build_key(graph), None, 0
            if key is None:
                # No build key (the concept index): its content is its key.
                body, triples = _ntriples(store, graph)
                key = "sha256:" + hashlib.sha256(body).hexdigest()
            if not everything and before.get(graph.value) == key:
                results.append(PushedGraph(graph.value, 0, 0, action="unchanged"))
            else:
                if body is None:
                    body, triples = _ntriples(store, graph)
                request = _request(target, graph.value, "PUT", body, headers)
                results.append(_send(request, endpoint, graph.value, triples, timeout))
                if results[-1].ok:
                    log.pushed(graph.value, key)
            if progress is not None:
                progress(graph.value)
            if strict and not results[-1].ok:
                return PushReport(endpoint, tuple(results))
        if graphs is None:
            present = {graph.value for graph in chosen}
            for gone in sorted(set(before) - present):
                request = _request(target, gone, "DELETE", None, headers)
                result = _send(request, endpoint, gone, 0, timeout, action="deleted")
                results.append(result)
                if result.ok:
                    log.deleted(gone)
                if strict and not result.ok:
                    break
    finally:
        log.flush()
    return PushReport(endpoint, tuple(results))


class _PushLog:
    """The push log of one endpoint, written in batches: which graph went with which key."""

    def __init__(self, store: PaperStore, endpoint: str) -> None:
        self.store = store
        self.endpoint = endpoint
        self.graph = push_log_graph(store, endpoint)
        self.pending: dict[str, str | None] = {}  # graph -> key pushed, None when deleted

    def read(self) -> dict[str, str]:
        return read_push_log(self.store, self.graph)

    def pushed(self, graph: str, key: str) -> None:
        self._note(graph, key)

    def deleted(self, graph: str) -> None:
        self._note(graph, None)

    def _note(self, graph: str, key: str | None) -> None:
        if self.store.read_only:
            return
        self.pending[graph] = key
        if len(self.pending) >= _LOG_BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the pending entries in one transaction."""
        if not self.pending:
            return
        entries, self.pending = self.pending, {}
        try:
            log_pushes(self.store, self.graph, self.endpoint, entries)
        except StoreError as error:
            raise PushError(
                self.endpoint,
                f"the push log cannot be written: {error.problem}",
                "check the store's disk space",
            ) from error


def _check_endpoint(endpoint: str) -> str:
    parts = urllib.parse.urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PushError(
            endpoint,
            "not an http(s) URL",
            "give the Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store",
        )
    if "graph=" in parts.query or "default" in parts.query.split("&"):
        raise PushError(endpoint, "the URL names a graph", "give the endpoint without ?graph=")
    return urllib.parse.urlunsplit(parts)


def _graphs(store: PaperStore, wanted: Iterable[str] | None) -> list[ox.NamedNode]:
    local = set(local_graphs(store))
    present = [g for g in store.named_graphs() if g not in local]
    if wanted is None:
        return present
    names = {g.value for g in present}
    chosen: list[ox.NamedNode] = []
    for text in wanted:
        graph = ox.NamedNode(text) if text in names else store.find_record_graph(text)
        if graph not in chosen:
            chosen.append(graph)
    return chosen


def _ntriples(store: PaperStore, graph: ox.NamedNode) -> tuple[bytes, int]:
    """The graph as N-Triples, one line per triple in sorted order (so equal graphs give equal
    bytes, and the bytes can stand for the content).
    """
    triples = sorted((quad.triple for quad in store.graph_quads(graph)), key=str)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", len(triples)


def _request(
    target: str, graph: str, method: str, body: bytes | None, headers: dict[str, str]
) -> urllib.request.Request:
    joiner = "&" if "?" in target else "?"
    url = f"{target}{joiner}graph={urllib.parse.quote(graph, safe='')}"
    # The scheme was checked to be http or https in _check_endpoint.
    return urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310


def _send(
    request: urllib.request.Request,
    endpoint: str,
    graph: str,
    triples: int,
    timeout: float,
    *,
    action: Action = "put",
) -> PushedGraph:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
            return PushedGraph(graph, triples, int(response.status), action=action)
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            raise PushError(
                endpoint,
                f"the server refused the credentials (HTTP {error.code})",
                "give --user (and PAPERKG_PUSH_PASSWORD) for an endpoint that needs a login",
            ) from error
        if action == "deleted" and error.code == 404:
            return PushedGraph(graph, 0, 404, action=action)  # already gone there
        if error.code in (404, 405):
            raise PushError(
                endpoint,
                f"no Graph Store Protocol endpoint here (HTTP {error.code})",
                "check the URL: Oxigraph's is http://HOST:PORT/store",
            ) from error
        detail = error.read().decode("utf-8", "replace").strip().splitlines()
        reason = detail[0][:200] if detail else error.reason
        return PushedGraph(graph, triples, error.code, f"HTTP {error.code}: {reason}", action)
    except (urllib.error.URLError, OSError) as error:
        reason = str(error.reason if isinstance(error, urllib.error.URLError) else error)
        raise PushError(
            endpoint, f"cannot reach the server ({reason})", "is it running, and is the URL right?"
        ) from error
