"""Push the store to a triple store over the SPARQL 1.1 Graph Store Protocol.

Each named graph (one per record, plus the concept index) goes in its own ``PUT
ENDPOINT?graph=IRI`` request as N-Triples: the server replaces that graph whole, so a push is
one transaction per record (on stores that apply a request atomically, as Oxigraph does) and
pushing again gives the same graphs, never duplicates.

Pushes are incremental: a push log graph per endpoint, kept in the store (and never exported
or pushed), holds the build key each graph had when it was last pushed there. Only a graph the
server acknowledged (2xx) is logged, so a push cut short anywhere is never taken for complete:
the next push sends exactly what is missing. A graph whose key is unchanged is skipped; a graph
pushed before but gone from the store is deleted there (``DELETE ?graph=``). ``everything=True``
pushes all graphs again.

Passing server trouble (5xx, timeouts, dropped connections) is retried with backoff
(:mod:`paperkg.push_http`); a graph that still fails, or that the server refuses (4xx), is
reported with the server's words and the others still go. What no graph can get past (a server
that cannot be reached, refused credentials, no Graph Store endpoint at the URL, or one that
keeps failing graph after graph) stops the push with :class:`PushStoppedError`, which carries the
report of what got through.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from .errors import PushError, StoreError
from .push_http import Attempt, Sender, redact_url
from .store import PaperStore, local_graphs, log_pushes, push_log_graph, read_push_log

__all__ = ["PushReport", "PushStoppedError", "PushedGraph", "push_store"]

#: Virtuoso's authenticated Graph Store endpoint, which takes HTTP Digest auth only.
DIGEST_ONLY_PATH = "/sparql-graph-crud-auth"
#: Successful pushes are logged in batches of this many graphs (and at the end).
_LOG_BATCH = 500
#: The push stops after this many graphs in a row failed even with retries: the server is down.
_FAILURES_IN_A_ROW = 3

Action = Literal["put", "unchanged", "deleted"]


@dataclass(frozen=True, slots=True)
class PushedGraph:
    """One graph's push: what was done, how many triples, the HTTP status (0: no answer, or a
    graph skipped as unchanged), and if it did not get through, what the server said and how to
    fix it; ``tries`` counts the requests sent.
    """

    graph: str
    triples: int
    status: int
    error: str | None = None
    action: Action = "put"
    fix: str = ""
    tries: int = 0
    passing: bool = False  # the error was passing trouble (retried), not a refusal

    @property
    def ok(self) -> bool:
        """The server acknowledged the graph, or it needed no push."""
        return self.error is None

    def line(self) -> str:
        """One line for a graph that did not get through: which, what was said, the fix."""
        what = "failed" if self.passing else "refused"
        tries = f" (after {self.tries} tries)" if self.tries > 1 else ""
        return f"{self.graph}: {what}{tries}: {self.error}; {self.fix}"


@dataclass(frozen=True, slots=True)
class PushReport:
    """What a push did, graph by graph; ``unsent`` graphs were never tried (the push stopped)."""

    endpoint: str
    graphs: tuple[PushedGraph, ...]
    unsent: int = 0

    @property
    def ok(self) -> bool:
        """Every graph was acknowledged (or needed nothing) and none was left unsent."""
        return self.unsent == 0 and all(graph.ok for graph in self.graphs)

    @property
    def failed(self) -> tuple[PushedGraph, ...]:
        """The graphs that did not get through."""
        return tuple(graph for graph in self.graphs if not graph.ok)

    def count(self, action: Action) -> int:
        """How many graphs were put, skipped as unchanged, or deleted (successfully)."""
        return sum(1 for graph in self.graphs if graph.ok and graph.action == action)

    def summary(self) -> str:
        """One line: graphs and triples pushed, unchanged, deleted, refused, failed, unsent."""
        triples = sum(g.triples for g in self.graphs if g.ok and g.action == "put")
        refused = sum(1 for g in self.failed if not g.passing)
        passing = len(self.failed) - refused
        text = (
            f"{self.count('put')} graph(s), {triples} triples pushed to {self.endpoint}; "
            f"{self.count('unchanged')} unchanged, {self.count('deleted')} deleted, "
            f"{refused} refused"
        )
        if passing:
            text += f", {passing} failed"
        if self.unsent:
            text += f", {self.unsent} not sent"
        if passing or self.unsent:
            text += " (the next push sends them)"
        return text


class PushStoppedError(PushError):
    """A push that could not go on; ``report`` holds what got through before it stopped."""

    def __init__(self, where: str, problem: str, fix: str, report: PushReport) -> None:
        self.report = report
        super().__init__(where, problem, fix)


def push_store(
    store: PaperStore,
    endpoint: str,
    *,
    graphs: Iterable[str] | None = None,
    everything: bool = False,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 60.0,
    retries: int = 4,
    backoff: float = 0.5,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
) -> PushReport:
    """PUT the named graphs of ``store`` that changed since they were last pushed to the Graph
    Store Protocol ``endpoint`` (e.g. ``http://127.0.0.1:7878/store``), and DELETE there the
    ones pushed before that are gone. ``graphs`` (IRIs or papers) limits the push to those
    and deletes nothing; ``everything`` pushes them whether changed or not. A read-only store
    keeps no log, so it pushes everything.

    ``user`` and ``password`` are sent as HTTP Basic credentials, or answer an HTTP Digest
    challenge where the server asks for Digest (from the first request at Virtuoso's
    ``/sparql-graph-crud-auth``, which takes nothing else). A request that meets a 5xx, a
    timeout (``timeout`` seconds) or a dropped connection is sent again up to ``retries`` times,
    waiting ``backoff`` seconds, then twice as long each time (with jitter, at most 30 s).
    ``strict`` stops at the first graph that does not get through. ``progress`` is called with
    each graph's IRI once it is done. Raises :class:`PushStoppedError` when the push cannot go on.
    """
    target = _check_endpoint(endpoint)
    chosen = _graphs(store, graphs)
    sender = Sender(
        user=user,
        password=password,
        timeout=timeout,
        retries=retries,
        backoff=backoff,
        digest=urllib.parse.urlsplit(target).path.endswith(DIGEST_ONLY_PATH),
    )
    log = _PushLog(store, target)
    before = {} if store.read_only else log.read()
    # Graphs pushed before but gone here are deleted there (not when pushing chosen graphs).
    gone = sorted(set(before) - {g.value for g in chosen}) if graphs is None else []
    work: list[tuple[str, ox.NamedNode | None]] = [(g.value, g) for g in chosen]
    work += [(name, None) for name in gone]
    results: list[PushedGraph] = []
    in_a_row = 0
    try:
        for done, (name, graph) in enumerate(work):
            if graph is None:
                result = _delete(sender, target, name)
                if result.ok:
                    log.deleted(name)
            else:
                result, key = _put(store, sender, target, graph, before, everything)
                if result.ok and result.action == "put":
                    log.pushed(graph.value, key)
            results.append(result)
            if progress is not None:
                progress(result.graph)
            if result.status < 0:  # nothing further can get through
                results.pop()
                _stop(endpoint, result, results, len(work) - done)
            in_a_row = in_a_row + 1 if result.passing else 0
            if in_a_row >= _FAILURES_IN_A_ROW:
                _stop(endpoint, result, results, len(work) - done - 1, in_a_row)
            if strict and not result.ok:
                return PushReport(endpoint, tuple(results), len(work) - done - 1)
    finally:
        log.flush()
    return PushReport(endpoint, tuple(results))


def _put(
    store: PaperStore,
    sender: Sender,
    target: str,
    graph: ox.NamedNode,
    before: dict[str, str],
    everything: bool,
) -> tuple[PushedGraph, str]:
    """Push ``graph`` unless the log says the endpoint has it as it is; its key."""
    key, body, triples = store.build_key(graph), None, 0
    if key is None:
        # No build key (the concept index): its content is its key.
        body, triples = _ntriples(store, graph)
        key = "sha256:" + hashlib.sha256(body).hexdigest()
    if not everything and before.get(graph.value) == key:
        return PushedGraph(graph.value, 0, 0, action="unchanged"), key
    if body is None:
        body, triples = _ntriples(store, graph)
    attempt = sender.send(_url(target, graph.value), "PUT", body)
    return _pushed(graph.value, triples, attempt, "put"), key


def _delete(sender: Sender, target: str, graph: str) -> PushedGraph:
    return _pushed(graph, 0, sender.send(_url(target, graph), "DELETE", None), "deleted")


def _pushed(graph: str, triples: int, attempt: Attempt, action: Action) -> PushedGraph:
    if attempt.verdict == "ok":
        return PushedGraph(graph, triples, attempt.status, action=action, tries=attempt.tries)
    # A stop is marked with a negative status, for push_store to end the push on.
    status = -1 if attempt.verdict == "stop" else attempt.status
    passing = attempt.verdict == "failed"
    return PushedGraph(
        graph, triples, status, attempt.said, action, attempt.fix, attempt.tries, passing
    )


def _stop(
    endpoint: str, last: PushedGraph, results: list[PushedGraph], unsent: int, in_a_row: int = 0
) -> None:
    report = PushReport(endpoint, tuple(results), unsent)
    pushed = report.count("put") + report.count("deleted")
    left = f"{pushed} graph(s) got through, {unsent} not sent: the next push sends them"
    if in_a_row:
        problem = (
            f"stopped: {in_a_row} graphs in a row failed even after retries "
            f"(last {last.graph}: {last.error})"
        )
        raise PushStoppedError(redact_url(endpoint), problem, f"try again later; {left}", report)
    raise PushStoppedError(
        redact_url(endpoint), f"{last.error} (at {last.graph})", f"{last.fix}; {left}", report
    )


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
    if "@" in parts.netloc:
        # It would be stored in the push log and shown in messages: refuse, and never echo it.
        raise PushError(
            redact_url(endpoint),
            "the URL holds credentials",
            "give --user and set PAPERKG_PUSH_PASSWORD (or use ~/.netrc) instead",
        )
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


def _url(target: str, graph: str) -> str:
    joiner = "&" if "?" in target else "?"
    return f"{target}{joiner}graph={urllib.parse.quote(graph, safe='')}"
