"""Helpers for the ``paperkg serve`` tests: plain HTTP requests, the endless query, and the query
worker processes of a server, read from /proc.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

__all__ = ["ENDLESS", "fetch", "needs_proc", "post_endless", "workers_of"]

#: A count over the whole store's cartesian product with itself four times: it never ends in
#: practice, and gives no row before it ends (rows streamed would reach a row cap first on a
#: fast machine, and be refused as too long instead of cut off as too slow).
ENDLESS = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def fetch(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def post_endless(url: str) -> tuple[int, str, str]:
    """POST the endless query; a dropped connection (the server stopping) reads as status 0."""
    try:
        return fetch(
            url,
            data=ENDLESS.encode(),
            headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        )
    except OSError as error:
        return 0, "", str(error)


def workers_of(pid: int) -> set[int]:
    """The query worker processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid and b"paperkg.serve" in command:
            found.add(int(stat.parent.name))
    return found


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
