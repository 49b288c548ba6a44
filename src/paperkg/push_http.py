"""The HTTP side of ``paperkg push``: credentials, and one Graph Store request with retries.

Servers fail in passing (5xx, a timeout, a connection reset while it answers): such a request is
tried again after an exponential backoff with jitter, capped, so a push rides out a restart or an
overload instead of leaving graphs behind. What cannot succeed by trying again (a 4xx) is given
up at once with the server's words and how to fix it. The password is only ever put in the
``Authorization`` header: it is taken from the environment, ``~/.netrc`` or a prompt (never from
the command line, where other users' ``ps`` would see it), and wiped from any server text quoted.
A server that asks for HTTP Digest (Virtuoso's ``/sparql-graph-crud-auth``) gets Digest, which
never sends the password itself; Virtuoso's authenticated endpoint gets it from the first request.
"""

from __future__ import annotations

import base64
import http.client
import netrc
import os
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Literal

from .errors import ConfigError

__all__ = [
    "PASSWORD_VARIABLE",
    "Attempt",
    "Sender",
    "digest_challenge",
    "find_credentials",
    "netrc_login",
    "redact_url",
    "wants_digest",
]

#: The environment variable that holds the push password.
PASSWORD_VARIABLE = "PAPERKG_PUSH_PASSWORD"  # noqa: S105 - a name, not a password
#: HTTP statuses worth trying again: the server may well answer the same request next time.
_PASSING = frozenset({408, 425, 429, 500, 502, 503, 504})

Verdict = Literal["ok", "failed", "refused", "stop"]


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one request ended after all its tries: ``ok`` (acknowledged), ``failed`` (passing
    trouble that outlasted the retries), ``refused`` (the server will not take it) or ``stop``
    (nothing further can succeed: wrong endpoint, credentials, server unreachable).
    """

    verdict: Verdict
    status: int
    said: str = ""
    fix: str = ""
    tries: int = 1


class Sender:
    """Sends one Graph Store request at a time, retrying passing failures."""

    def __init__(
        self,
        *,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 60.0,
        retries: int = 4,
        backoff: float = 0.5,
        backoff_cap: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        digest: bool = False,
    ) -> None:
        self.headers: dict[str, str] = {}
        self._secrets: list[str] = []
        self._password = password or ""
        self._digest: urllib.request.OpenerDirector | None = None
        self._digest_handler: urllib.request.HTTPDigestAuthHandler | None = None
        self._challenge: dict[str, str] | None = None
        if user is not None:
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
            self.headers["Authorization"] = f"Basic {token}"
            self._secrets = [s for s in (password, token) if s]
        self.user = user
        if digest and user is not None:
            self._use_digest()
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.backoff_cap = backoff_cap
        self.sleep = sleep

    def send(self, url: str, method: str, body: bytes | None) -> Attempt:
        """``method`` ``url`` until acknowledged, refused, or the retries are spent."""
        tries = 0
        while True:
            tries += 1
            attempt, wait = self._once(url, method, body)
            if attempt.verdict != "failed" or tries > self.retries:
                return Attempt(attempt.verdict, attempt.status, attempt.said, attempt.fix, tries)
            self.sleep(self._delay(tries, wait))

    def redact(self, text: str) -> str:
        """``text`` with the password (and its Basic token) blanked out."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _delay(self, tries: int, asked: float | None) -> float:
        """Exponential backoff with jitter (half to all of the step), capped; a server's
        ``Retry-After`` is followed when it asks for longer, up to the cap.
        """
        step = min(self.backoff_cap, self.backoff * 2 ** (tries - 1))
        delay = random.uniform(step / 2, step)  # noqa: S311 - jitter, not a secret
        if asked is not None:
            delay = max(delay, min(asked, self.backoff_cap))
        return delay

    def _once(self, url: str, method: str, body: bytes | None) -> tuple[Attempt, float | None]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/n-triples"
        # Only http(s) URLs get here: push checks the endpoint's scheme first.
        request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
        opener = self._digest or urllib.request.build_opener()
        if self._digest is not None:
            self._sign(request)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return Attempt("ok", int(response.status)), None
        except urllib.error.HTTPError as error:
            if error.code == 401 and self._digest is None and self.user and wants_digest(error):
                # Asked for Digest: answer it from now on (this request again, not a retry).
                self._use_digest(digest_challenge(error))
                return self._once(url, method, body)
            return self._status(error, method), _retry_after(error.headers)
        except ValueError as error:  # an auth scheme urllib cannot answer
            said = self.redact(f"the server asks for a login paperkg cannot give ({error})")
            return Attempt("stop", 401, said, "use an endpoint with Basic or Digest auth"), None
        except TimeoutError:
            return self._timed_out(), None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                return self._timed_out(), None
            if isinstance(
                error.reason, ConnectionResetError | ConnectionAbortedError | BrokenPipeError
            ):
                return _dropped(error.reason), None
            reason = self.redact(str(error.reason))
            return Attempt("stop", 0, f"cannot reach the server ({reason})", _UNREACHABLE), None
        except (http.client.HTTPException, ConnectionError) as error:
            if isinstance(error, ConnectionRefusedError):
                said = f"cannot reach the server ({error})"
                return Attempt("stop", 0, said, _UNREACHABLE), None
            return _dropped(error), None
        except OSError as error:
            return Attempt("stop", 0, f"cannot reach the server ({error})", _UNREACHABLE), None

    def _use_digest(self, challenge: dict[str, str] | None = None) -> None:
        """Answer Digest challenges (the password never leaves) instead of sending Basic."""
        self._digest_handler = urllib.request.HTTPDigestAuthHandler(
            _OneLogin(self.user or "", self._password)
        )
        self._digest = urllib.request.build_opener(self._digest_handler)
        self._challenge = challenge
        self.headers.pop("Authorization", None)

    def _sign(self, request: urllib.request.Request) -> None:
        """Answer the server's Digest challenge up front, so a body is never sent only to be
        refused (Virtuoso closes the connection on its 401 while a large body is still going
        out). The challenge comes from a body-less GET first; a stale one is answered again.
        """
        if self._challenge is None:
            self._challenge = _probe_challenge(request.full_url, self.timeout)
        if self._challenge is None or self._digest_handler is None:
            return
        answer = self._digest_handler.get_authorization(request, self._challenge)
        if answer:
            request.add_unredirected_header("Authorization", f"Digest {answer}")

    def _timed_out(self) -> Attempt:
        said = f"no answer within {self.timeout:g} s"
        return Attempt("failed", 0, said, "raise --timeout, or try again when it is less busy")

    def _status(self, error: urllib.error.HTTPError, method: str) -> Attempt:
        code = error.code
        said = f"HTTP {code}: {self._text(error)}"
        if code in _PASSING:
            return Attempt("failed", code, said, "the server is failing; try again later")
        if code == 401:
            fix = (
                f"the login {self.user!r} was refused: check it and {PASSWORD_VARIABLE}"
                if self.user
                else f"give --user NAME and set {PASSWORD_VARIABLE}, or add the host to ~/.netrc"
            )
            return Attempt("stop", code, said, fix)
        if code == 403:
            who = f"the login {self.user!r}" if self.user else "an anonymous push"
            fix = f"{who} may not write this graph: ask the server's administrator for access"
            return Attempt("refused", code, said, fix)
        if method == "DELETE" and code == 404:
            return Attempt("ok", code)  # already gone there
        if code in (404, 405):
            fix = "check the URL: Oxigraph's is http://HOST:PORT/store"
            return Attempt("stop", code, f"no Graph Store Protocol endpoint here ({said})", fix)
        if code == 413:
            return Attempt("refused", code, said, "raise the server's request size limit")
        return Attempt("refused", code, said, "check the graph with: paperkg validate")

    def _text(self, error: urllib.error.HTTPError) -> str:
        """The first line of the server's answer (or its reason phrase), short and redacted."""
        try:
            lines = error.read(4096).decode("utf-8", "replace").strip().splitlines()
        except (OSError, http.client.HTTPException):
            lines = []
        return self.redact(lines[0][:200] if lines else str(error.reason))


class _OneLogin(urllib.request.HTTPPasswordMgr):
    """The one login a sender has, for whatever realm its one endpoint names."""

    def __init__(self, user: str, password: str) -> None:
        super().__init__()
        self.login = (user, password)

    def find_user_password(self, realm: str | None, authuri: str) -> tuple[str, str]:
        return self.login


_DROPPED = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
_UNREACHABLE = "is it running, and is the URL right?"


def _dropped(error: BaseException) -> Attempt:
    said = f"the connection was dropped before the answer ({type(error).__name__})"
    return Attempt("failed", 0, said, "the server or the network is failing; try again later")


def _retry_after(headers: Message | None) -> float | None:
    value = "" if headers is None else str(headers.get("Retry-After", ""))
    return float(value) if value.strip().isdigit() else None


def wants_digest(error: urllib.error.HTTPError) -> bool:
    """Whether a 401 answer asks for HTTP Digest auth."""
    return digest_challenge(error) is not None


def digest_challenge(error: urllib.error.HTTPError) -> dict[str, str] | None:
    """The fields of a 401 answer's Digest challenge (realm, nonce, qop...), if it has one."""
    challenges = error.headers.get_all("WWW-Authenticate") if error.headers else None
    for challenge in challenges or []:
        scheme, _, fields = str(challenge).strip().partition(" ")
        if scheme.lower() == "digest":
            items = [item for item in urllib.request.parse_http_list(fields) if "=" in item]
            return dict(urllib.request.parse_keqv_list(items))
    return None


def _probe_challenge(url: str, timeout: float) -> dict[str, str] | None:
    """The Digest challenge a body-less GET of ``url`` is answered with, if any."""
    # Only http(s) URLs get here: push checks the endpoint's scheme first.
    request = urllib.request.Request(url, method="GET")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310
            return None
    except urllib.error.HTTPError as error:
        return digest_challenge(error) if error.code == 401 else None
    except (OSError, http.client.HTTPException, ValueError):
        return None


def redact_url(url: str) -> str:
    """``url`` without any user name or password in it, to show or store."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"***@{host}"))


def find_credentials(
    endpoint: str, user: str | None, environ: Mapping[str, str] | None = None
) -> tuple[str | None, str | None]:
    """The user and password to push to ``endpoint`` with: the password from
    ``PAPERKG_PUSH_PASSWORD``, else from the netrc file (``$NETRC`` or ``~/.netrc``) entry of the
    endpoint's host (which also gives the user when ``user`` is ``None``). ``(user, None)`` when
    a user has no password there (the CLI then asks, on a terminal).
    """
    env = os.environ if environ is None else environ
    password = env.get(PASSWORD_VARIABLE) or None
    if password is not None:
        return user, password
    entry = _netrc_entry(urllib.parse.urlsplit(endpoint).hostname or "", env)
    if entry is not None and (user is None or user == entry[0]):
        return entry
    return user, None


def netrc_login(url: str, environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """The user and password the netrc file (``$NETRC`` or ``~/.netrc``) gives ``url``'s host."""
    host = urllib.parse.urlsplit(url).hostname or ""
    return _netrc_entry(host, os.environ if environ is None else environ)


def _netrc_entry(host: str, env: Mapping[str, str]) -> tuple[str, str] | None:
    path = Path(env.get("NETRC") or Path.home() / ".netrc")
    if not host or not path.is_file():
        return None
    try:
        found = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as error:
        # Its message may quote a token of the file (a password): name only the line.
        raise ConfigError(
            str(path), f"cannot be read (line {error.lineno})", "check its format; chmod 600 it"
        ) from None
    if found is None or not found[0]:
        return None
    return found[0], found[2] or ""
