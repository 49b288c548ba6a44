"""Push the store to a triple store over the SPARQL 1.1 Graph Store Protocol.

Each named graph (one per record, plus the concept index) goes in its own ``PUT
ENDPOINT?graph=IRI`` request as N-Triples: the server replaces that graph whole, so a push is
one transaction per record (on stores that apply a request atomically, as Oxigraph does) and
pushing again gives the same graphs, never duplicates. A graph the server refuses is reported
and the others still go; a server that cannot be reached, or that wants credentials, stops the
push with a :class:`~paperkg.errors.PushError`. The validation log stays local.
"""

from __future__ import annotations

import base64
import io
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import PushError
from .store import PaperStore
from .validate import validation_graphs

__all__ = ["PushReport", "PushedGraph", "push_store"]

_NTRIPLES = "application/n-triples"


@dataclass(frozen=True, slots=True)
class PushedGraph:
    """One graph's push: how many triples, the HTTP status, and the server's complaint if any."""

    graph: str
    triples: int
    status: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        """The server accepted the graph (a 2xx status)."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class PushReport:
    """What a push did, graph by graph."""

    endpoint: str
    graphs: tuple[PushedGraph, ...]

    @property
    def ok(self) -> bool:
        """Every graph was accepted."""
        return all(graph.ok for graph in self.graphs)

    @property
    def failed(self) -> tuple[PushedGraph, ...]:
        """The graphs the server refused."""
        return tuple(graph for graph in self.graphs if not graph.ok)

    def summary(self) -> str:
        """One line: graphs and triples pushed, graphs refused."""
        done = [graph for graph in self.graphs if graph.ok]
        triples = sum(graph.triples for graph in done)
        return (
            f"{len(done)} graph(s), {triples} triples pushed to {self.endpoint}, "
            f"{len(self.failed)} refused"
        )


def push_store(
    store: PaperStore,
    endpoint: str,
    *,
    graphs: Iterable[str] | None = None,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 60.0,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
) -> PushReport:
    """PUT each named graph of ``store`` (or only ``graphs``, given as IRIs or papers) to the
    Graph Store Protocol ``endpoint`` (e.g. ``http://127.0.0.1:7878/store``).

    ``user`` and ``password`` are sent as HTTP Basic credentials. ``strict`` stops at the first
    refused graph. ``progress`` is called with each graph's IRI once it is done.
    """
    target = _check_endpoint(endpoint)
    chosen = _graphs(store, graphs)
    headers = {"Content-Type": _NTRIPLES}
    if user is not None:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    results: list[PushedGraph] = []
    for graph in chosen:
        body, triples = _ntriples(store, graph)
        joiner = "&" if "?" in target else "?"
        url = f"{target}{joiner}graph={urllib.parse.quote(graph.value, safe='')}"
        # The scheme was checked to be http or https in _check_endpoint.
        request = urllib.request.Request(url, data=body, headers=headers, method="PUT")  # noqa: S310
        result = _send(request, endpoint, graph.value, triples, timeout)
        results.append(result)
        if progress is not None:
            progress(graph.value)
        if strict and not result.ok:
            break
    return PushReport(endpoint, tuple(results))


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
    local = set(validation_graphs(store))
    present = sorted(
        (
            g
            for g in store.oxigraph.named_graphs()
            if isinstance(g, ox.NamedNode) and g not in local
        ),
        key=lambda g: g.value,
    )
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
    triples = [quad.triple for quad in store.graph_quads(graph)]
    buffer = io.BytesIO()
    ox.serialize(triples, buffer, ox.RdfFormat.N_TRIPLES)
    return buffer.getvalue(), len(triples)


def _send(
    request: urllib.request.Request, endpoint: str, graph: str, triples: int, timeout: float
) -> PushedGraph:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
            return PushedGraph(graph, triples, int(response.status))
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            raise PushError(
                endpoint,
                f"the server refused the credentials (HTTP {error.code})",
                "give --user (and PAPERKG_PUSH_PASSWORD) for an endpoint that needs a login",
            ) from error
        if error.code in (404, 405):
            raise PushError(
                endpoint,
                f"no Graph Store Protocol endpoint here (HTTP {error.code})",
                "check the URL: Oxigraph's is http://HOST:PORT/store",
            ) from error
        detail = error.read().decode("utf-8", "replace").strip().splitlines()
        reason = detail[0][:200] if detail else error.reason
        return PushedGraph(graph, triples, error.code, f"HTTP {error.code}: {reason}")
    except (urllib.error.URLError, OSError) as error:
        reason = str(error.reason if isinstance(error, urllib.error.URLError) else error)
        raise PushError(
            endpoint, f"cannot reach the server ({reason})", "is it running, and is the URL right?"
        ) from error
