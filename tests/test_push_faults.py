"""``paperkg push`` against a misbehaving Graph Store server (stdlib ``http.server`` on 127.0.0.1):
passing 5xx, connections dropped mid-answer and answers slower than the client's timeout are
retried until every graph is there; what outlasts the retries, a 403 or a 401 is reported graph by
graph; the push log holds exactly the graphs the server acknowledged, so the next push sends
exactly what is missing; and the password shows up nowhere but in the request header.
"""

from __future__ import annotations

import base64
import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from paperkg.push import PushReport, PushStoppedError, push_store
from paperkg.push_http import Sender, find_credentials
from paperkg.store import PaperStore, push_log_graph, read_push_log

from conftest import data_graph_sizes
from conftest import run_cli as run
from http_fakes import GraphStoreHandler, serve

PASSWORD = "Sw0rdf1sh-not-for-logs"
CUREUS = "https://w3id.org/paperkg/id/graph/doi/10.7759/cureus.83824"


@dataclass
class Plan:
    """How the server misbehaves: per graph (a substring of its IRI), the actions of its first
    requests (``503``, ``drop``, ``slow``, ``401``, ``403``; then it accepts), an action for
    every request (``always``), and the Basic credentials it wants (``login``).
    """

    first: dict[str, list[str]] = field(default_factory=dict)
    always: str | None = None
    login: tuple[str, str] | None = None
    slow: float = 1.5
    accept_then_401: int | None = None  # accept this many graphs, then answer 401 (expired)
    stored: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, graph, action
    lock: threading.Lock = field(default_factory=threading.Lock)

    def action(self, graph: str, auth: str | None) -> str:
        with self.lock:
            if self.login is not None:
                user, password = self.login
                wanted = base64.b64encode(f"{user}:{password}".encode()).decode()
                if auth != f"Basic {wanted}":
                    return "401"
            if self.accept_then_401 is not None and len(self.stored) >= self.accept_then_401:
                return "401"
            if self.always is not None:
                return self.always
            for key, actions in self.first.items():
                if key in graph and actions:
                    return actions.pop(0)
            return "ok"

    def reset(self) -> None:
        self.first, self.always, self.requests = {}, None, []
        self.accept_then_401 = None


class _Faulty(GraphStoreHandler):
    plan: Plan

    def answer(self, body: bytes | None) -> None:
        graph = self.graph
        auth = self.headers.get("Authorization")
        action = self.plan.action(graph, auth)
        self.plan.requests.append((self.command, graph, action))
        if action == "drop":  # the answer breaks off after a few bytes
            self.wfile.write(b"HTTP/1.1 20")
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if action in ("503", "401", "403"):
            # A careless server that echoes the credentials back: they must not reach the user.
            said = {"503": "overloaded, try later", "401": f"bad credentials {auth}",
                    "403": "no write access to this graph"}[action]  # fmt: skip
            login = {"WWW-Authenticate": 'Basic realm="kg"'} if action == "401" else None
            self.reply(int(action), said.encode(), login)
            return
        if action == "slow":  # applied, but acknowledged only after the client gave up
            time.sleep(self.plan.slow)
        with self.plan.lock:
            if body is None:
                self.plan.stored.pop(graph, None)
            else:
                self.plan.stored[graph] = body
        with contextlib.suppress(OSError):  # the client gave up waiting
            self.reply(204)


@pytest.fixture
def faulty() -> Iterator[tuple[str, Plan]]:
    plan = Plan()
    with serve(_Faulty, plan=plan) as base:
        yield f"{base}/store", plan


def arrived(plan: Plan) -> dict[str, int]:
    return {graph: body.count(b"\n") for graph, body in plan.stored.items()}


def push_log(store_path: Path, endpoint: str) -> set[str]:
    with PaperStore.open_existing(store_path) as store:
        return set(read_push_log(store, push_log_graph(store, endpoint)))


def push(store_path: Path, endpoint: str, **options: object) -> PushReport:
    options = {"retries": 4, "backoff": 0.01, "timeout": 5.0, **options}
    with PaperStore.open_existing(store_path, read_only=False) as store:
        return push_store(store, endpoint, **options)  # type: ignore[arg-type]


def test_passing_5xx_are_retried_until_every_graph_arrives(
    store_path: Path, faulty: tuple[str, Plan]
) -> None:
    endpoint, plan = faulty
    plan.first = {graph: ["503", "503"] for graph in data_graph_sizes(store_path)}
    report = push(store_path, endpoint, retries=2)
    assert report.ok, report.summary()
    assert arrived(plan) == data_graph_sizes(store_path)
    assert {graph.tries for graph in report.graphs} == {3}
    assert push_log(store_path, endpoint) == set(data_graph_sizes(store_path))


def test_a_dropped_answer_and_a_timeout_are_retried(
    store_path: Path, faulty: tuple[str, Plan]
) -> None:
    endpoint, plan = faulty
    plan.first = {"cureus": ["drop", "drop"], "concepts": ["slow"]}
    report = push(store_path, endpoint, timeout=0.5, retries=2)
    assert report.ok, report.summary()
    assert arrived(plan) == data_graph_sizes(store_path)  # whole, once each (PUT replaces)
    tries = {graph.graph: graph.tries for graph in report.graphs}
    assert tries[CUREUS] == 3
    assert max(tries.values()) == 3
    assert sum(1 for t in tries.values() if t == 2) == 1  # the slow one
    assert push_log(store_path, endpoint) == set(data_graph_sizes(store_path))


def test_what_outlasts_the_retries_is_named_and_the_next_push_sends_just_that(
    store_path: Path, faulty: tuple[str, Plan]
) -> None:
    endpoint, plan = faulty
    plan.first = {"cureus": ["503"] * 3}
    plan.slow = 2.0
    report = push(store_path, endpoint, retries=2)
    [failed] = report.failed
    assert failed.graph == CUREUS
    assert failed.line() == (
        f"{CUREUS}: failed (after 3 tries): HTTP 503: overloaded, try later; "
        "the server is failing; try again later"
    )
    everything = data_graph_sizes(store_path)
    assert arrived(plan) == {g: n for g, n in everything.items() if g != CUREUS}
    assert push_log(store_path, endpoint) == set(everything) - {CUREUS}  # only what was acked
    assert "1 failed (the next push sends them)" in report.summary()
    plan.reset()
    again = push(store_path, endpoint)
    assert again.ok
    assert [(m, g) for m, g, _ in plan.requests] == [("PUT", CUREUS)]
    assert arrived(plan) == everything
    assert push_log(store_path, endpoint) == set(everything)


def test_a_server_that_keeps_failing_stops_the_push_and_loses_nothing(
    store_path: Path, faulty: tuple[str, Plan]
) -> None:
    endpoint, plan = faulty
    plan.always = "503"
    with pytest.raises(PushStoppedError, match="3 graphs in a row failed") as stopped:
        push(store_path, endpoint, retries=1)
    report = stopped.value.report
    total = len(data_graph_sizes(store_path))
    assert len(report.failed) == 3
    assert report.unsent == total - 3
    assert len(plan.requests) == 3 * 2  # three graphs, two tries each, then it gave up
    assert plan.stored == {}
    assert push_log(store_path, endpoint) == set()
    plan.reset()
    assert push(store_path, endpoint).ok
    assert arrived(plan) == data_graph_sizes(store_path)


def test_a_login_that_expires_mid_push_keeps_exactly_what_got_through(
    store_path: Path, faulty: tuple[str, Plan]
) -> None:
    endpoint, plan = faulty
    plan.accept_then_401 = 4
    with pytest.raises(PushStoppedError, match="HTTP 401") as stopped:
        push(store_path, endpoint, user="kg", password=PASSWORD)
    assert PASSWORD not in str(stopped.value)
    assert stopped.value.report.count("put") == 4
    assert len(plan.requests) == 5  # a 401 is not retried
    assert push_log(store_path, endpoint) == set(plan.stored)
    plan.reset()
    assert push(store_path, endpoint, user="kg", password=PASSWORD).count("put") == (
        len(data_graph_sizes(store_path)) - 4
    )
    assert arrived(plan) == data_graph_sizes(store_path)


def test_a_403_graph_is_refused_on_its_line_and_the_others_go(
    store_path: Path, faulty: tuple[str, Plan]
) -> None:
    endpoint, plan = faulty
    plan.first = {"cureus": ["403"]}
    code, out, err = run("--store", str(store_path), "push", "--endpoint", endpoint)
    assert code == 1
    assert err.strip() == (
        f"{CUREUS}: refused: HTTP 403: no write access to this graph; an anonymous push may not "
        "write this graph: ask the server's administrator for access"
    )
    assert "1 refused" in out
    assert len(plan.requests) == len(data_graph_sizes(store_path))  # a 403 is not retried
    assert push_log(store_path, endpoint) == set(data_graph_sizes(store_path)) - {CUREUS}


def test_the_cli_retries_with_backoff(store_path: Path, faulty: tuple[str, Plan]) -> None:
    endpoint, plan = faulty
    plan.first = {"cureus": ["503", "drop"]}
    started = time.monotonic()
    code, out, err = run("--store", str(store_path), "push", "--endpoint", endpoint)
    assert code == 0, err
    assert out.rstrip().endswith("0 unchanged, 0 deleted, 0 refused")
    assert 0.25 + 0.5 <= time.monotonic() - started < 30  # waited 0.25-0.5 s, then 0.5-1 s
    assert arrived(plan) == data_graph_sizes(store_path)
    code, _, err = run(
        "--store", str(store_path), "push", "--endpoint", endpoint, "--all", "--retries", "0"
    )
    assert code == 0, err


def _store_text(store_path: Path) -> bytes:
    """Everything the store holds, as N-Quads, and every file of it, raw."""
    with PaperStore.open_existing(store_path) as store:
        quads = "\n".join(str(quad) for quad in store).encode()
    files = b"".join(p.read_bytes() for p in store_path.rglob("*") if p.is_file())
    return quads + files


@pytest.mark.parametrize("source", ["environment", "netrc"])
def test_the_password_reaches_only_the_header(
    store_path: Path, faulty: tuple[str, Plan], tmp_path: Path, source: str
) -> None:
    endpoint, plan = faulty
    plan.login = ("kg", "the-right-one")
    token = base64.b64encode(f"kg:{PASSWORD}".encode()).decode()
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login kg password {PASSWORD}\n")
    netrc.chmod(0o600)
    env = {"NETRC": str(netrc)} if source == "netrc" else {"PAPERKG_PUSH_PASSWORD": PASSWORD}
    user = () if source == "netrc" else ("--user", "kg")
    code, out, err = run(
        "--store", str(store_path), "push", "--endpoint", endpoint, *user, env=env
    )  # fmt: skip
    assert code == 2
    assert "HTTP 401: bad credentials Basic ***" in err
    assert "the login 'kg' was refused" in err
    assert len(err.strip().splitlines()) == 1
    for text in (out, err):
        assert PASSWORD not in text
        assert token not in text
    assert plan.requests[0][2] == "401"
    assert plan.stored == {}
    assert push_log(store_path, endpoint) == set()
    stored = _store_text(store_path)
    assert PASSWORD.encode() not in stored
    assert token.encode() not in stored
    # The right one, the same way: everything goes.
    plan.login = ("kg", PASSWORD)
    plan.requests = []
    code, _, err = run("--store", str(store_path), "push", "--endpoint", endpoint, *user, env=env)
    assert code == 0, err
    assert arrived(plan) == data_graph_sizes(store_path)
    assert PASSWORD.encode() not in _store_text(store_path)


def test_credentials_never_come_from_the_command_line(
    store_path: Path, faulty: tuple[str, Plan]
) -> None:
    endpoint, plan = faulty
    code, _, err = run(
        "--store", str(store_path), "push", "--endpoint", endpoint, "--password", PASSWORD
    )  # fmt: skip
    assert code == 2
    assert "No such option '--password'" in err
    assert PASSWORD not in err
    host = endpoint.removeprefix("http://")
    code, _, err = run(
        "--store", str(store_path), "push", "--endpoint", f"http://kg:{PASSWORD}@{host}"
    )  # fmt: skip
    assert code == 2
    assert "the URL holds credentials" in err
    assert PASSWORD not in err
    assert plan.requests == []
    assert PASSWORD.encode() not in _store_text(store_path)


def test_a_user_without_a_password_is_told_where_to_put_it(
    store_path: Path, faulty: tuple[str, Plan], tmp_path: Path
) -> None:
    endpoint, plan = faulty
    env = {"NETRC": str(tmp_path / "none"), "PAPERKG_PUSH_PASSWORD": ""}
    code, _, err = run(
        "--store", str(store_path), "push", "--endpoint", endpoint, "--user", "kg", env=env
    )  # fmt: skip
    assert code == 2
    assert "no password for 'kg'" in err
    assert "PAPERKG_PUSH_PASSWORD" in err
    assert plan.requests == []


def test_credentials_come_from_the_environment_then_netrc(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine kg.example.org login me password pw\n")
    env = {"NETRC": str(netrc)}
    url = "https://kg.example.org/store"
    assert find_credentials(url, None, env) == ("me", "pw")
    assert find_credentials(url, "me", env) == ("me", "pw")
    assert find_credentials(url, "other", env) == ("other", None)
    assert find_credentials(url, "me", {**env, "PAPERKG_PUSH_PASSWORD": "x"}) == ("me", "x")
    assert find_credentials("http://elsewhere/store", None, env) == (None, None)
    assert os.environ.get("PAPERKG_PUSH_PASSWORD") != PASSWORD


def test_the_backoff_doubles_with_jitter_up_to_its_cap_and_follows_retry_after() -> None:
    waits: list[float] = []
    sender = Sender(retries=8, backoff=0.5, backoff_cap=4.0, sleep=waits.append)
    for tries in range(1, 9):
        step = min(4.0, 0.5 * 2 ** (tries - 1))
        delays = {sender._delay(tries, None) for _ in range(50)}
        assert all(step / 2 <= delay <= step for delay in delays)
        assert len(delays) > 1  # jitter: clients that failed together do not come back together
    assert sender._delay(1, 3.0) >= 3.0  # the server asked for 3 s
    assert sender._delay(1, 600.0) == 4.0  # but never past the cap
    attempt = sender.send("http://127.0.0.1:9/store?graph=x", "PUT", b"")
    assert (attempt.verdict, attempt.tries, waits) == ("stop", 1, [])  # refused: not retried
