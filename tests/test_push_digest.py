"""``paperkg push`` to a Graph Store that takes HTTP Digest auth only (as Virtuoso's
``/sparql-graph-crud-auth`` does), against a small Digest server on 127.0.0.1 that checks every
response: the password itself (or its Basic encoding) is never sent where Digest is known to be
wanted, a server that asks for Digest gets it, and a wrong password is one line naming nothing
secret.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import pytest

from paperkg.push import push_store
from paperkg.store import PaperStore

from conftest import data_graph_sizes
from conftest import run_cli as run
from http_fakes import GraphStoreHandler, serve

USER = "dba"
PASSWORD = "Digest-Sw0rdf1sh-not-for-logs"
REALM = "kg"
NONCE = "f0e1d2c3b4a59687"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@dataclass
class DigestPlan:
    """What the server saw: every Authorization header, and the graphs it stored."""

    headers: list[str] = field(default_factory=list)  # of each PUT and DELETE
    stored: dict[str, int] = field(default_factory=dict)
    probes: int = 0  # body-less GETs (to learn the challenge)


class _DigestStore(GraphStoreHandler):
    plan: ClassVar[DigestPlan]

    def do_GET(self) -> None:  # noqa: N802 - http.server calls do_<METHOD>
        self.plan.probes += 1
        self._challenge()

    def answer(self, body: bytes | None) -> None:
        auth = self.headers.get("Authorization", "")
        self.plan.headers.append(auth)
        if not self._valid(auth):
            self._challenge()
            return
        if body is not None:
            self.plan.stored[self.graph] = body.count(b"\n")
        self.reply(201)

    def _challenge(self) -> None:
        challenge = f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth", algorithm=MD5'
        self.reply(401, headers={"WWW-Authenticate": challenge})

    def _valid(self, auth: str) -> bool:
        if not auth.startswith("Digest "):
            return False
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', auth[len("Digest ") :]))
        first = _md5(f"{USER}:{REALM}:{PASSWORD}")
        second = _md5(f"{self.command}:{fields.get('uri', '')}")
        parts = [first, NONCE, fields.get("nc", ""), fields.get("cnonce", ""), "auth", second]
        return fields.get("username") == USER and fields.get("response") == _md5(":".join(parts))


@pytest.fixture
def digest_server() -> Iterator[tuple[str, DigestPlan]]:
    plan = DigestPlan()
    with serve(_DigestStore, plan=plan) as base:
        yield base, plan


def _no_secret(headers: list[str]) -> None:
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    for header in headers:
        assert not header.startswith("Basic")
        assert PASSWORD not in header
        assert token not in header


def test_virtuoso_s_authenticated_endpoint_gets_digest_from_the_first_request(
    store_path: Path, digest_server: tuple[str, DigestPlan]
) -> None:
    base, plan = digest_server
    code, out, err = run(
        "--store", str(store_path), "push", "--endpoint", f"{base}/sparql-graph-crud-auth",
        "--user", USER, env={"PAPERKG_PUSH_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert code == 0, err
    assert plan.stored == data_graph_sizes(store_path)
    _no_secret(plan.headers)
    # The challenge is learnt once, with a GET: no body is ever sent only to be refused.
    assert plan.probes == 1
    assert all(header.startswith("Digest ") for header in plan.headers)
    assert len(plan.headers) == len(plan.stored)
    assert PASSWORD not in out + err


def test_a_server_that_asks_for_digest_gets_it(
    store_path: Path, digest_server: tuple[str, DigestPlan]
) -> None:
    base, plan = digest_server
    with PaperStore.open_existing(store_path, read_only=False) as store:
        report = push_store(store, f"{base}/store", user=USER, password=PASSWORD, retries=0)
    assert report.ok
    assert plan.stored == data_graph_sizes(store_path)
    # Basic went once, before the server said it wants Digest; Digest ever after, up front.
    assert plan.headers[0].startswith("Basic")
    _no_secret(plan.headers[1:])
    assert len(plan.headers) == 1 + len(plan.stored)
    assert plan.probes == 0


def test_a_wrong_password_is_one_line_naming_nothing_secret(
    store_path: Path, digest_server: tuple[str, DigestPlan]
) -> None:
    base, plan = digest_server
    wrong = "not-the-Digest-password"
    code, out, err = run(
        "--store", str(store_path), "push", "--endpoint", f"{base}/sparql-graph-crud-auth",
        "--user", USER, env={"PAPERKG_PUSH_PASSWORD": wrong},
    )  # fmt: skip
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "HTTP 401" in err
    assert "the login 'dba' was refused" in err
    assert wrong not in out + err
    assert plan.stored == {}
