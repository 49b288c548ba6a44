"""Benchmark: ``paperkg serve`` under many parallel clients, for errors and memory growth.

Starts ``paperkg serve`` on a store (the seeds' by default, built into a temporary folder), sends
``--requests`` requests from ``--clients`` threads (SPARQL SELECT, ASK and CONSTRUCT, named
queries, and requests that must be refused: an update, SERVICE, a path outside queries/), checks
every status, and reports the latencies and the resident memory of the server and its query
workers after a warm-up and at the end.

Usage: ``python bench/bench_serve.py --requests 1000 --clients 8 [--store PATH]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Hammered", "hammer", "rss_mib", "start_server"]

_SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 50"
#: (path, POST body or None, the status it must get)
REQUESTS: tuple[tuple[str, bytes | None, int], ...] = (
    ("/query?format=csv&query=" + urllib.parse.quote(_SELECT), None, 200),
    ("/query?format=json&query=" + urllib.parse.quote("ASK { ?s ?p ?o }"), None, 200),
    ("/query?format=ntriples", b"CONSTRUCT WHERE { ?s a ?t } LIMIT 20", 200),
    ("/queries/drugs-tried-for?condition=fibromyalgia&format=csv", None, 200),
    ("/queries/findings?format=json", None, 200),
    ("/queries", None, 200),
    ("/query", b"SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 403),
    ("/query?query=" + urllib.parse.quote("DELETE WHERE { ?s ?p ?o }"), None, 403),
    ("/queries/..%2F..%2Fetc%2Fpasswd.rq", None, 404),
)


@dataclass
class Hammered:
    """What a run of requests gave: seconds per request, and the unexpected answers."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def hammer(url: str, total: int, clients: int) -> Hammered:
    """Send ``total`` requests from ``clients`` threads, cycling through :data:`REQUESTS`."""
    out = Hammered()
    work = iter(range(total))
    take = threading.Lock()

    def client() -> None:
        while True:
            with take:
                index = next(work, None)
            if index is None:
                return
            path, body, status = REQUESTS[index % len(REQUESTS)]
            headers = {} if body is None else {"Content-Type": "application/sparql-query"}
            request = urllib.request.Request(url + path, data=body, headers=headers)
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
                    got = response.status
            except urllib.error.HTTPError as error:
                error.read()
                got = error.code
            except OSError as error:
                got, status = 0, -1
                with out.lock:
                    out.errors.append(f"{path}: {error!r}")
            with out.lock:
                out.latencies.append(time.perf_counter() - started)
                if status not in (got, -1):
                    out.errors.append(f"{path}: HTTP {got}, expected {status}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and of its children (the query workers), in MiB."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    return total / (1 << 20)


def threads_of(pid: int) -> int:
    """How many threads ``pid`` runs (handler threads that never ended would pile up)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def start_server(store: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    """``paperkg serve`` on a free port; the process and its base URL, once it answers."""
    command = [sys.executable, "-m", "paperkg", "--store", str(store), "serve",
               "--bind", "127.0.0.1:0", *extra]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    assert process.stderr is not None
    line = process.stderr.readline()
    if " at " not in line:
        process.kill()
        raise RuntimeError(f"paperkg serve did not start: {line}")
    # Drain the request log so the server never blocks on a full pipe.
    threading.Thread(target=_drain, args=(process,), daemon=True).start()
    return process, line.split(" at ")[1].split()[0].removesuffix("/query")


def _drain(process: subprocess.Popen[str]) -> None:
    assert process.stderr is not None
    while process.stderr.read(1 << 16):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--store", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = args.store
        if store is None:
            store = Path(folder) / "kg"
            seeds = Path(__file__).resolve().parents[1] / "seeds"
            subprocess.run(
                [sys.executable, "-m", "paperkg", "-q", "--store", str(store), "build", str(seeds)],
                check=True,
            )
        process, url = start_server(store)
        try:
            warm = hammer(url, 100, args.clients)
            before, threads_before = rss_mib(process.pid), threads_of(process.pid)
            started = time.perf_counter()
            run = hammer(url, args.requests, args.clients)
            seconds = time.perf_counter() - started
            time.sleep(0.5)  # handler threads of the last requests end
            after, threads_after = rss_mib(process.pid), threads_of(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    latencies = sorted(run.latencies)
    errors = len(warm.errors) + len(run.errors)
    rate = args.requests / seconds
    print(f"{args.requests} requests, {args.clients} clients: {seconds:.1f} s ({rate:.0f}/s)")
    print(f"errors: {errors}")
    p50, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
    worst = latencies[-1]
    print(f"latency p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {worst * 1000:.0f} ms")
    print(f"server + workers RSS after warm-up {before:.1f} MiB, after {after:.1f} MiB")
    print(f"server threads {threads_before} -> {threads_after}")
    for error in (warm.errors + run.errors)[:10]:
        print("  error:", error)
    if warm.errors or run.errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
