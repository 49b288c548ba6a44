"""A real Virtuoso open source server for tests (Debian ``virtuoso-opensource``, installed by
``tools/install-test-tools.sh``): ``virtuoso-t`` in the foreground with its own ini and database
in a temporary folder, SQL and HTTP bound to 127.0.0.1 on free ports, the ``dba`` password
changed from the default, stopped with SIGTERM afterwards. Where Virtuoso is missing or cannot
start, the tests that need it skip with the reason.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

#: The ini the Debian package ships, copied and pointed at the test's own folder.
PACKAGED_INI = Path("/usr/share/virtuoso-opensource-7/virtuoso.ini")
#: The password the fixture gives ``dba`` (a new database has dba/dba).
DBA_PASSWORD = "t3st-Virtuoso-not-for-logs"


@dataclass(frozen=True)
class VirtuosoServer:
    """A running server: ``url`` is its HTTP base (``http://127.0.0.1:PORT``)."""

    url: str
    sql_port: int
    folder: Path
    max_rows: int

    @property
    def sparql(self) -> str:
        """The SPARQL query endpoint."""
        return f"{self.url}/sparql"

    @property
    def graph_store(self) -> str:
        """The authenticated Graph Store Protocol endpoint (HTTP Digest)."""
        return f"{self.url}/sparql-graph-crud-auth"

    def select_json(self, query: str) -> Any:
        """Run a SPARQL SELECT on the open endpoint; the JSON results."""
        import json

        body = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(
            self.sparql, data=body, headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def isql(self, sql: str, password: str = DBA_PASSWORD) -> str:
        """Run SQL as ``dba`` with isql-vt; its output. isql-vt exits 0 even when the SQL failed,
        so an ``*** Error`` in the output fails the test.
        """
        return _isql(self.sql_port, password, sql)


def _isql(port: int, password: str, sql: str) -> str:
    command = shutil.which("isql-vt") or "isql-vt"
    done = subprocess.run(
        [command, f"127.0.0.1:{port}", "dba", password],
        input=sql if sql.rstrip().endswith(";") else sql + ";",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    if "*** Error" in output or done.returncode != 0:
        pytest.fail(f"isql-vt failed:\n{output}", pytrace=False)
    return output


def virtuoso_missing() -> str | None:
    """Why Virtuoso cannot run here, or ``None`` when it can."""
    for command in ("virtuoso-t", "isql-vt"):
        if shutil.which(command) is None:
            return f"{command} is not installed (run tools/install-test-tools.sh as root)"
    if not PACKAGED_INI.is_file():
        return f"{PACKAGED_INI} is missing (Debian package virtuoso-opensource-7)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ini(folder: Path, sql_port: int, http_port: int, max_rows: int) -> str:
    """The packaged ini with every path in ``folder``, both ports on 127.0.0.1, the row cap set."""
    settings: dict[str, dict[str, object]] = {
        "Database": {
            "DatabaseFile": folder / "virtuoso.db",
            "ErrorLogFile": folder / "virtuoso.log",
            "LockFile": folder / "virtuoso.lck",
            "TransactionFile": folder / "virtuoso.trx",
            "xa_persistent_file": folder / "virtuoso.pxa",
        },
        "TempDatabase": {
            "DatabaseFile": folder / "virtuoso-temp.db",
            "TransactionFile": folder / "virtuoso-temp.trx",
        },
        "Parameters": {
            "ServerPort": f"127.0.0.1:{sql_port}",
            "DirsAllowed": f"., /usr/share/virtuoso-opensource-7/vad, {folder}",
            "NumberOfBuffers": "10000",
            "MaxDirtyBuffers": "6000",
            "ThreadsPerQuery": "1",
        },
        "HTTPServer": {
            "ServerPort": f"127.0.0.1:{http_port}",
            "DefaultHost": f"127.0.0.1:{http_port}",
        },
        "SPARQL": {"ResultSetMaxRows": str(max_rows)},
    }
    section = ""
    lines: list[str] = []
    for line in PACKAGED_INI.read_text(encoding="utf-8").splitlines():
        header = re.match(r"^\[(.+)\]\s*$", line)
        if header:
            section = header.group(1)
        key = re.match(r"^(\w+)\s*=", line)
        if key and key.group(1) in settings.get(section, {}):
            lines.append(f"{key.group(1)} = {settings[section][key.group(1)]}")
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def virtuoso_server(folder: Path, *, max_rows: int = 10000) -> Iterator[VirtuosoServer]:
    """Start Virtuoso with its database in ``folder`` (created) and the SPARQL row cap
    ``max_rows`` (Virtuoso's own default is 10,000); yield it once it answers; stop it.
    Skips the test with the reason when Virtuoso is missing or will not start.
    """
    missing = virtuoso_missing()
    if missing is not None:
        pytest.skip(f"Virtuoso cannot run here: {missing}")
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_ini(folder, sql_port, http_port, max_rows), encoding="utf-8")
    output = (folder / "server.out").open("wb")
    process = subprocess.Popen(
        [shutil.which("virtuoso-t") or "virtuoso-t", "+configfile", str(ini), "+foreground"],
        cwd=folder,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    server = VirtuosoServer(f"http://127.0.0.1:{http_port}", sql_port, folder, max_rows)
    try:
        _wait(server, process)
        _isql(sql_port, "dba", f'set password "dba" "{DBA_PASSWORD}";')
        # The authenticated Graph Store endpoint writes as the SPARQL role of the user.
        server.isql("grant SPARQL_UPDATE to dba;")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()


def _wait(server: VirtuosoServer, process: subprocess.Popen[bytes]) -> None:
    """Until the SPARQL endpoint answers (a new database takes some seconds to create)."""
    deadline = time.monotonic() + 180
    while True:
        try:
            server.select_json("ASK { }")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log = server.folder / "virtuoso.log"
            text = log.read_text(errors="replace")[-2000:] if log.is_file() else ""
            pytest.skip(f"Virtuoso did not start here:\n{text}")
        time.sleep(0.25)
