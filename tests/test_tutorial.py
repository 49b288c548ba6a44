"""docs/tutorial.md stays true: its shell steps run in order, in one temporary folder, with a real
Oxigraph server on free ports, and print what the page shows.

How the page is read (every fenced block must be one of these, so nothing shown goes unchecked):

- ```` ```sh ```` is a step, run with ``bash`` (``set -euo pipefail``) in the working folder.
- ```` ```text ```` right after a step (nothing but blank lines between) is what that step prints,
  stdout and stderr together as on a terminal. A step without one must print nothing.
- A block after ``<!-- file: PATH -->`` is written to PATH (the record of step 1).
- A step after ``<!-- test: setup ... -->`` is not run: it sets ``REPO``, ``PATH``, ``PORT`` and
  ``PORT2`` and makes a folder, which the test does itself (free ports, a temporary folder).
- A step after ``<!-- test: unordered-joins ... -->`` prints CSV from the Oxigraph server, whose
  ``GROUP_CONCAT`` order is undefined: the ``|``-joined items of each cell are sorted on both
  sides before comparing. Rows, counts and the items themselves must still match.

Every output is compared with CRLF read as LF and trailing spaces and blank lines dropped (a
markdown page does not keep them reliably). Nothing else is normalised: the outputs hold no
timings and no temporary paths.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO
from triplestore import oxigraph_command

TUTORIAL = REPO / "docs" / "tutorial.md"

#: The variables the setup step sets, which the test provides instead.
PROVIDED = ("REPO", "PATH", "PORT", "PORT2", "PORT3")

STEP_TIMEOUT = 60

_FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_MARKER = re.compile(r"<!--\s*(file|test):\s*(.*?)\s*-->")


@dataclass
class Block:
    """One step of the page: a command to run, a file to write, or the setup (not run)."""

    kind: str  # "run", "file" or "setup"
    line: int
    text: str
    path: str = ""
    expected: str | None = None
    unordered_joins: bool = False


def parse(page: str) -> list[Block]:
    """The steps of a tutorial page, in order (see the module docstring for the rules)."""
    blocks: list[Block] = []
    previous_end = 0
    for fence in _FENCE.finditer(page):
        language, text = fence.group(1), fence.group(2)
        line = page.count("\n", 0, fence.start()) + 1
        gap = page[previous_end : fence.start()]
        previous_end = fence.end()
        gap_lines = [part.strip() for part in gap.splitlines() if part.strip()]
        marker = _MARKER.fullmatch(gap_lines[-1]) if gap_lines else None
        if marker and marker.group(1) == "file":
            blocks.append(Block("file", line, text, path=marker.group(2)))
        elif language == "sh":
            directive = marker.group(2).split()[0] if marker else ""
            if directive not in ("", "setup", "unordered-joins"):
                raise ValueError(f"line {line}: unknown directive {marker and marker.group(0)}")
            kind = "setup" if directive == "setup" else "run"
            blocks.append(Block(kind, line, text, unordered_joins=directive == "unordered-joins"))
        elif (
            language == "text"
            and not gap.strip()
            and blocks
            and blocks[-1].kind == "run"
            and blocks[-1].expected is None
        ):
            blocks[-1].expected = text
        else:
            raise ValueError(
                f"docs/tutorial.md line {line}: a ```{language} block that is neither a step "
                "(```sh), its output (```text right after it) nor a file (<!-- file: PATH -->)"
            )
    return blocks


def _sort_joined_items(line: str) -> str:
    cells = next(csv.reader([line]), [])
    cells = ["|".join(sorted(cell.split("|"))) for cell in cells]
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


def normalise(text: str, *, unordered_joins: bool = False) -> str:
    """CRLF as LF, no trailing spaces or blank lines; sorted ``|``-items if asked."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    if unordered_joins:
        lines = [_sort_joined_items(line) for line in lines]
    return "\n".join(lines).rstrip("\n")


def compare(block: Block, actual: str) -> str:
    """A unified diff between the page's output and the actual one; empty when they agree."""
    expected = normalise(block.expected or "", unordered_joins=block.unordered_joins)
    got = normalise(actual, unordered_joins=block.unordered_joins)
    if expected == got:
        return ""
    note = " (|-joined items sorted)" if block.unordered_joins else ""
    diff = difflib.unified_diff(
        expected.splitlines(),
        got.splitlines(),
        f"docs/tutorial.md, output of the step at line {block.line}{note}",
        "actual output",
        lineterm="",
    )
    return "\n".join(diff)


# --- the page's structure and the comparer (fast) ---------------------------------------------


def test_the_page_parses_into_steps_with_outputs() -> None:
    blocks = parse(TUTORIAL.read_text(encoding="utf-8"))
    kinds = [block.kind for block in blocks]
    assert kinds[0] == "setup"
    assert kinds.count("setup") == 1
    files = [block for block in blocks if block.kind == "file"]
    assert [block.path for block in files] == ["records/900_milnacipran_example.txt"]
    assert files[0].text.startswith("# Milnacipran in fibromyalgia")
    runs = [block for block in blocks if block.kind == "run"]
    assert len(runs) > 10
    assert sum(block.expected is not None for block in runs) > 10
    assert any("paperkg build" in block.text for block in runs)
    assert any("kill" in block.text for block in runs)
    assert any(block.unordered_joins for block in runs)


def test_the_setup_step_sets_what_the_test_provides() -> None:
    blocks = parse(TUTORIAL.read_text(encoding="utf-8"))
    setup = next(block.text for block in blocks if block.kind == "setup")
    for name in PROVIDED:
        assert re.search(rf"\b{name}=", setup), f"the setup step no longer sets {name}"
    used = {
        name
        for block in blocks
        if block.kind == "run"
        for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", block.text)
    }
    assert used <= set(PROVIDED), f"steps use variables the test does not set: {used}"


def test_a_stray_block_is_an_error() -> None:
    with pytest.raises(ValueError, match="line 5"):
        parse("```sh\ntrue\n```\n\n```\nunlabelled\n```\n")
    with pytest.raises(ValueError, match="neither a step"):
        parse("```sh\ntrue\n```\n\nSome prose.\n\n```text\nnot right after\n```\n")


UNION_STEP = """\
<!-- test: unordered-joins (GROUP_CONCAT) -->
```sh
curl ... "http://127.0.0.1:$PORT/query?union-default-graph"
```

```text
condition_key,drug_label,drug_ids,papers,outcomes,doses
fibromyalgia,naltrexone,MESH:D009271|pubchem.compound:5360515,3,improved:2|no_benefit:1,50 mg|4.5 mg
fibromyalgia,gabapentin,MESH:D000077206,1,improved:1,"1,200-2,400 mg/day"
```
"""

SERVER_OUTPUT = (
    "condition_key,drug_label,drug_ids,papers,outcomes,doses\r\n"
    "fibromyalgia,naltrexone,pubchem.compound:5360515|MESH:D009271,3,no_benefit:1|improved:2,"
    "4.5 mg|50 mg\r\n"
    'fibromyalgia,gabapentin,MESH:D000077206,1,improved:1,"1,200-2,400 mg/day"\r\n'
)


def test_the_comparer_accepts_another_order_inside_joined_cells() -> None:
    (step,) = parse(UNION_STEP)
    assert step.unordered_joins
    assert compare(step, SERVER_OUTPUT) == ""
    step.unordered_joins = False
    assert compare(step, SERVER_OUTPUT) != ""


@pytest.mark.parametrize(
    ("original", "altered"),
    [
        (
            "naltrexone,MESH:D009271|pubchem.compound:5360515,3,",
            "naltrexone,MESH:D009271|pubchem.compound:5360515,2,",
        ),
        ("fibromyalgia,gabapentin,", "fibromyalgia,pregabalin,"),
        ("improved:2|no_benefit:1", "improved:2|no_benefit:2"),
        ("50 mg|4.5 mg\n", "50 mg\n"),
    ],
    ids=["count", "drug", "outcome", "missing-item"],
)
def test_the_comparer_flags_a_wrong_expected_output(original: str, altered: str) -> None:
    (step,) = parse(UNION_STEP.replace(original, altered))
    diff = compare(step, SERVER_OUTPUT)
    assert diff.startswith("--- docs/tutorial.md, output of the step at line 2")
    assert any(line.startswith("-") and altered.strip() in line for line in diff.splitlines())


def test_a_step_without_an_output_block_must_print_nothing() -> None:
    (step,) = parse("```sh\ncp a b\n```\n")
    assert step.expected is None
    assert compare(step, "\n") == ""
    assert "+cp: cannot stat 'a'" in compare(step, "cp: cannot stat 'a'\n")


def test_the_comparer_flags_a_wrong_count_in_the_real_page() -> None:
    page = TUTORIAL.read_text(encoding="utf-8")
    assert page.count("\n9 built (9 new, 0 replaced)") == 1
    build = next(
        block
        for block in parse(page.replace("\n9 built (9 new,", "\n8 built (8 new,"))
        if block.kind == "run" and block.text.startswith("paperkg build")
    )
    real = next(block for block in parse(page) if block.line == build.line)
    assert real.expected is not None
    assert compare(real, real.expected) == ""
    assert "-8 built (8 new, 0 replaced)" in compare(build, real.expected)


# --- running the page (slow: builds a store and starts two Oxigraph servers) -------------------


def _free_ports(count: int) -> list[int]:
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _is_our_server(pid: int) -> bool:
    """An Oxigraph server or ``paperkg serve`` (never some other process that took the pid)."""
    if not Path("/proc/self").exists():
        return True  # no /proc to ask: trust the pid file
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        return b"oxigraph" in command or b"paperkg" in command
    except OSError:
        return False


@contextlib.contextmanager
def _servers_stopped(folder: Path) -> Iterator[None]:
    """Afterwards, stop every server the steps started (``*.pid``), even when a step failed."""
    try:
        yield
    finally:
        pids = []
        for pid_file in sorted(folder.glob("*.pid")):
            with contextlib.suppress(ValueError, OSError):
                pid = int(pid_file.read_text().strip())
                if _running(pid) and _is_our_server(pid):
                    os.kill(pid, signal.SIGTERM)
                    pids.append(pid)
        deadline = time.monotonic() + 15
        for pid in pids:
            while _running(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


def _logs(folder: Path) -> str:
    return "".join(
        f"\n--- {log.name}:\n{log.read_text(errors='replace')[-2000:]}"
        for log in sorted(folder.glob("*.log"))
    )


def run_page(page: str, work: Path) -> list[str]:
    """Run the steps of ``page`` in ``work``; the diffs of the outputs that differ.

    Fails the test at once when a step exits non-zero or hangs (with the servers' logs).
    """
    blocks = parse(page)
    port, port2, port3 = _free_ports(3)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAPERKG_")}
    env.update(
        REPO=str(REPO),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PORT=str(port),
        PORT2=str(port2),
        PORT3=str(port3),
        PYTHONUNBUFFERED="1",  # stdout and stderr in the order a terminal shows them
        NO_COLOR="1",
    )
    mismatches: list[str] = []
    with _servers_stopped(work):
        for block in blocks:
            if block.kind == "file":
                target = work / block.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(block.text, encoding="utf-8")
                continue
            if block.kind == "setup":
                continue
            try:
                result = subprocess.run(
                    ["bash", "-c", "set -euo pipefail\n" + block.text],
                    cwd=work,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    timeout=STEP_TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired as timeout:
                pytest.fail(
                    f"the step at docs/tutorial.md line {block.line} ran over {STEP_TIMEOUT} s:\n"
                    f"{block.text}{timeout.output or ''}{_logs(work)}",
                    pytrace=False,
                )
            if result.returncode != 0:
                pytest.fail(
                    f"the step at docs/tutorial.md line {block.line} exited with "
                    f"{result.returncode}:\n{block.text}{result.stdout}{_logs(work)}",
                    pytrace=False,
                )
            # The page shows its own ports (17878, 17879, 17880); the test runs on free ones.
            shown = result.stdout
            for free, page_port in ((port, 17878), (port2, 17879), (port3, 17880)):
                shown = shown.replace(f":{free}/", f":{page_port}/")
            diff = compare(block, shown)
            if diff:
                mismatches.append(diff)
    return mismatches


@pytest.mark.slow
def test_the_tutorial_runs_as_shown(tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.fail(
            "docs/tutorial.md talks to the Oxigraph server with curl, which is missing: "
            "apt-get install curl",
            pytrace=False,
        )
    oxigraph_command()  # fails with the install hint when the server command is missing
    mismatches = run_page(TUTORIAL.read_text(encoding="utf-8"), tmp_path)
    if mismatches:
        pytest.fail(
            "docs/tutorial.md shows outputs the commands no longer print:\n\n"
            + "\n\n".join(mismatches),
            pytrace=False,
        )
