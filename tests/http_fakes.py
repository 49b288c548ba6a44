"""Fake HTTP servers for tests: a request handler that answers PUT and DELETE of ``?graph=IRI``
as a SPARQL 1.1 Graph Store endpoint would (what it says is the test's own: a subclass answers
in :meth:`GraphStoreHandler.answer`); one that serves a body to every GET and counts the requests
(what an XML reader must never fetch); and :func:`serve`, which runs one on 127.0.0.1 on a free
port for the length of a test.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import urllib.parse
from collections.abc import Iterator
from typing import cast

__all__ = ["CountingHandler", "GraphStoreHandler", "serve"]


class GraphStoreHandler(http.server.BaseHTTPRequestHandler):
    """PUT (with its body) and DELETE (``None``) go to :meth:`answer`; replies carry their
    length, so the client may keep the connection (HTTP/1.1) as it would with a real server.
    """

    protocol_version = "HTTP/1.1"

    def do_PUT(self) -> None:
        self.answer(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

    def do_DELETE(self) -> None:
        self.answer(None)

    def answer(self, body: bytes | None) -> None:
        """Answer a PUT of ``body``, or a DELETE (``body`` is ``None``)."""
        raise NotImplementedError

    @property
    def graph(self) -> str:
        """The graph the request names (its ``graph`` parameter, decoded)."""
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["graph"][0]

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        """Send ``status`` with ``headers`` and ``body`` (and its Content-Length)."""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet: a request log on stderr would only bury what a failing test says."""


class CountingHandler(http.server.BaseHTTPRequestHandler):
    """Answers every GET with ``body`` and records its path in ``hits`` (both given to
    :func:`serve` as state, so each server has its own list).
    """

    hits: list[str]
    body: bytes = b""

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        """Quiet, as above."""


@contextlib.contextmanager
def serve(handler: type[http.server.BaseHTTPRequestHandler], **state: object) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 on a free port from a daemon thread; yield the base URL
    (``http://127.0.0.1:PORT``); stop the server afterwards. ``state`` (e.g. ``plan=...``)
    becomes class attributes of a subclass made for this server, so two servers never share it.
    """
    if state:
        handler = cast(
            "type[http.server.BaseHTTPRequestHandler]", type(handler.__name__, (handler,), state)
        )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
