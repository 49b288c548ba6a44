"""The shape of the code: imports flow one way, cli → features → model/vocab/errors.

Read from the source with :mod:`ast`, so a new module that breaks the direction fails here
before anyone has to untangle it.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "paperkg"
SEEDS = SRC.parents[1] / "seeds"
#: The modules everything may import and that import nothing of paperkg but each other.
BASE = {"paperkg.model", "paperkg.vocab", "paperkg.errors", "paperkg.version"}
#: The command line: may import anything; nothing imports it.
CLI_PREFIX = ("paperkg.cli", "paperkg.__main__")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The paperkg modules (or packages) ``path`` imports, as absolute names."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target == "paperkg" or target.endswith(".paperkg"):
                # "from paperkg import x": x is a submodule or a name of the package API
                found.update(f"paperkg.{alias.name}" for alias in node.names)
            elif target.startswith("paperkg"):
                found.add(target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("paperkg"))
    return found


MODULES = {_module_name(path): path for path in sorted(SRC.rglob("*.py"))}
SUBMODULES = set(MODULES)


def _is_cli(name: str) -> bool:
    return name.startswith(CLI_PREFIX)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_flow_one_way(name: str) -> None:
    imported = _imports(MODULES[name])
    if name in BASE:
        assert imported <= BASE, f"{name} imports {sorted(imported - BASE)}"
    if not _is_cli(name) and name != "paperkg":
        assert not {i for i in imported if _is_cli(i)}, f"{name} imports the command line"
        # the package API is for users: inside paperkg a module imports the module it needs
        api_names = {i for i in imported if i not in SUBMODULES and i.count(".") == 1}
        assert not api_names, f"{name} imports names of the package API: {sorted(api_names)}"


def test_the_check_sees_the_imports_it_should() -> None:
    # the reader itself: relative, absolute and package-level imports all resolve
    assert "paperkg.model" in _imports(MODULES["paperkg.extraction"])
    assert "paperkg.version" in _imports(MODULES["paperkg.mapping"])
    assert "paperkg.cli.reports" in _imports(MODULES["paperkg.cli"])


# --- every query in queries/, every write in the store -------------------------------------

STORE_PACKAGE = "paperkg.store"
QUERIES = SRC.parents[1] / "queries"
#: SPARQL in a string: a query form or update keyword with a group on the same line, or a
#: triple pattern in braces.
_SPARQL = re.compile(
    r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE|INSERT|DELETE|DROP|PREFIX)\b[^\n]*[{<]"
    r"|\bWHERE\s*\{|\{\s*\?\w+\s+\S+\s+\?\w+"
)


def _strings(path: Path) -> list[tuple[int, str]]:
    """The literal text of every string (f-strings: their constant parts) in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            text = "".join(
                v.value
                for v in node.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
            found.append((node.lineno, text))
    return found


#: The client of remote stores wraps a named query's own text in the counting and paging
#: queries a capped server needs (``SELECT (COUNT(*) ...) { <query> }``, ``LIMIT``/``OFFSET``
#: around an ordered subquery): query text made from query text, like the store's.
REMOTE_CLIENT = "paperkg.remote_query"
#: The sparql SHACL engine compiles the shapes graph to queries: query text made from the
#: shapes, which are its one home (queries/ holds the queries people write and run).
SHACL_COMPILER = {
    "paperkg.validate_sparql",
    "paperkg.validate_sparql_checks",
    "paperkg.validate_sparql_shapes",
}


def _outside_store(name: str) -> bool:
    in_store = name == STORE_PACKAGE or name.startswith(STORE_PACKAGE + ".")
    return not in_store and name != REMOTE_CLIENT and name not in SHACL_COMPILER


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _outside_store(n)))
def test_no_sparql_text_outside_queries_and_the_store(name: str) -> None:
    found = [
        f"line {line}: {text.strip()[:60]!r}"
        for line, text in _strings(MODULES[name])
        if _SPARQL.search(text)
    ]
    assert not found, f"{name} holds SPARQL (move it to queries/internal/): {found}"


def test_the_sparql_check_sees_queries() -> None:
    # the pattern itself: query text is caught, prose about SPARQL is not
    assert _SPARQL.search("SELECT ?x WHERE { ?x a ?y }")
    assert _SPARQL.search('f"DELETE {{ GRAPH {log} {{ ?g ?p ?o }} }}"')
    assert _SPARQL.search("{ ?finding pkg:drug ?drug }")
    assert not _SPARQL.search("use SELECT for named queries")
    assert not _SPARQL.search("PUT ENDPOINT?graph=IRI, DELETE ?graph= for gone graphs")
    found = _strings(MODULES["paperkg.store.paper_store"])
    assert any(_SPARQL.search(text) for _, text in found)


def _pyoxigraph_writers(path: Path) -> list[str]:
    """Uses of the raw Oxigraph store: constructing one, or reaching into PaperStore for it."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in {"Store", "oxigraph", "_store"}:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "pyoxigraph":
            found.extend(
                f"line {node.lineno}: import Store" for a in node.names if a.name == "Store"
            )
    return found


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _outside_store(n)))
def test_only_the_store_holds_an_oxigraph_store(name: str) -> None:
    found = _pyoxigraph_writers(MODULES[name])
    assert not found, f"{name} uses the Oxigraph store directly (go through paperkg.store): {found}"


def test_the_store_check_sees_the_store() -> None:
    assert _pyoxigraph_writers(MODULES["paperkg.store.paper_store"])


def _prefixes(text: str) -> dict[str, str]:
    return dict(re.findall(r"(?im)^\s*PREFIX\s+([\w.-]*):\s*<([^>]*)>", text))


@pytest.mark.parametrize(
    "path", sorted(QUERIES.rglob("*.rq")), ids=lambda p: str(p.relative_to(QUERIES))
)
def test_queries_spell_prefixes_as_the_one_table(path: Path) -> None:
    from paperkg.identifiers import CANONICAL_PREFIXES
    from paperkg.vocab import PREFIXES

    table = {**PREFIXES, **{p.lower(): iri for p, (iri, _) in CANONICAL_PREFIXES.items()}}
    declared = _prefixes(path.read_text(encoding="utf-8"))
    wrong = {name: iri for name, iri in declared.items() if table.get(name) != iri}
    assert not wrong, f"{path.name}: prefixes not in paperkg.vocab.PREFIXES: {wrong}"


def test_every_internal_query_is_used() -> None:
    used = "\n".join(path.read_text(encoding="utf-8") for path in MODULES.values())
    unused = [
        path.stem
        for path in sorted((QUERIES / "internal").glob("*.rq"))
        if f'"{path.stem}"' not in used
    ]
    assert not unused, f"internal queries nothing runs: {unused}"


def test_tests_share_fixtures_through_conftest_not_other_test_modules() -> None:
    tests = Path(__file__).resolve().parent
    found: list[str] = []
    for path in sorted(tests.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            found.extend(f"{path.name} imports {n}" for n in names if n.startswith("test_"))
    assert not found, found


def test_the_public_api_fits_on_one_screen_and_every_name_is_documented() -> None:
    import paperkg

    api = (SRC.parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    assert len(paperkg.__all__) <= 40, "keep the package API to the calls a user makes"
    undocumented = [name for name in paperkg.__all__ if f"`{name}`" not in api]
    assert not undocumented, f"docs/api.md does not name: {undocumented}"
    assert all(hasattr(paperkg, name) for name in paperkg.__all__)


def test_a_build_does_not_load_what_only_the_views_need() -> None:
    """A build and each of its workers import the package: the views' networkx and numpy
    (about 25 MiB a process) load only when a view or a name that needs them is used.
    """
    script = (
        "import sys, paperkg\n"
        f"report = paperkg.build(paperkg.open_store(), [{str(SEEDS)!r}], workers=1)\n"
        "assert report.ok\n"
        "print(sorted(m for m in ('networkx', 'numpy') if m in sys.modules))\n"
        "paperkg.ViewFilter\n"
        "print(sorted(m for m in ('networkx', 'numpy') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "['networkx', 'numpy']"]
