"""A long fuzz run over the readers, the mapping and the export (see fuzz/README.md).

Hypothesis draws the inputs (damaged real files of each format, records with hostile text: see
``tests/fuzzing.py``) and the targets are the checks the tests run. Unlike a test, a failing input
does not stop the run: it is kept in the findings folder (the input, and its traceback) and the
run goes on, so one run reports every distinct fault. An input that takes more than ``--slow``
seconds of CPU is a finding too (CPU, not wall time: the run shares the machine). Nothing is
shrunk: the saved input is the one that failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fuzzing  # noqa: E402

#: Examples drawn between two looks at the clock.
BATCH = 40


@dataclass
class Tally:
    """What one target did: examples run, records read, and the faults seen (by signature)."""

    examples: int = 0
    records: int = 0
    slowest: float = 0.0
    faults: dict[str, dict[str, Any]] = field(default_factory=dict)


def _signature(error: BaseException) -> str:
    """The kind of fault: the exception's type and the innermost paperkg frame (or the last)."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/paperkg/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    return f"{type(error).__name__} at {where}"


def _keep(out: Path, target: str, tally: Tally, key: str, data: bytes, detail: str) -> None:
    digest = hashlib.sha256(data).hexdigest()[:12]
    entry = tally.faults.setdefault(key, {"count": 0, "first": f"{target}-{digest}"})
    entry["count"] += 1
    if entry["count"] == 1:
        (out / f"{target}-{digest}.input").write_bytes(data)
        (out / f"{target}-{digest}.txt").write_text(f"{key}\n\n{detail}", encoding="utf-8")
        print(f"[{target}] new fault: {key}", flush=True)


def _run_batch(
    name: str,
    strategy: st.SearchStrategy[Any],
    check: Callable[[Any, Path], int],
    as_bytes: Callable[[Any], bytes],
    tally: Tally,
    out: Path,
    slow: float,
) -> None:
    @settings(
        max_examples=BATCH,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def one(value: Any) -> None:
        tally.examples += 1
        started = time.process_time()
        with tempfile.TemporaryDirectory(prefix="paperkg-fuzz-") as folder:
            try:
                tally.records += check(value, Path(folder))
            except Exception as error:  # noqa: BLE001 - every fault is a finding, kept
                detail = "".join(traceback.format_exception(error))
                _keep(out, name, tally, _signature(error), as_bytes(value), detail)
        spent = time.process_time() - started
        tally.slowest = max(tally.slowest, spent)
        if spent > slow:
            _keep(out, name, tally, f"slow (> {slow:g} s)", as_bytes(value), f"{spent:.1f} s")

    one()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="how long to run (all targets)")
    parser.add_argument("--out", type=Path, default=HERE / "findings", help="findings folder")
    parser.add_argument("--slow", type=float, default=10.0, help="CPU seconds that make a finding")
    parser.add_argument("--no-export", action="store_true", help="only read, do not map/export")
    choices = [*fuzzing.SUFFIX, "records"]
    parser.add_argument("--targets", nargs="*", choices=choices, default=choices)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    targets: dict[str, tuple[st.SearchStrategy[Any], Callable[[Any, Path], int], Any]] = {}
    for fmt in args.targets:
        if fmt == "records":
            check = fuzzing.reader_target("jsonl", export=True)
            targets[fmt] = (fuzzing.hostile_jsonl(), check, bytes)
        else:
            check = fuzzing.reader_target(fmt, export=not args.no_export)
            targets[fmt] = (fuzzing.damaged(fmt), check, bytes)
    tallies = {name: Tally() for name in targets}
    started = time.monotonic()
    end = started + args.minutes * 60
    while time.monotonic() < end:
        for name, (strategy, check, as_bytes) in targets.items():
            if time.monotonic() >= end:
                break
            _run_batch(name, strategy, check, as_bytes, tallies[name], args.out, args.slow)
        done = sum(t.examples for t in tallies.values())
        faults = sum(len(t.faults) for t in tallies.values())
        print(f"{(time.monotonic() - started) / 60:.1f} min: {done} examples, {faults} faults")
    summary = {
        "minutes": round((time.monotonic() - started) / 60, 1),
        "targets": {
            name: {
                "examples": t.examples,
                "records_read": t.records,
                "slowest_cpu_seconds": round(t.slowest, 2),
                "faults": t.faults,
            }
            for name, t in tallies.items()
        },
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    return 1 if any(t.faults for t in tallies.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
