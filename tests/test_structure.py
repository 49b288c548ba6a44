"""The shape of the code: imports flow one way, cli → features → model/vocab/errors.

Read from the source with :mod:`ast`, so a new module that breaks the direction fails here
before anyone has to untangle it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "paperkg"
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
    assert "paperkg.model" in _imports(MODULES["paperkg.extract"])
    assert "paperkg.version" in _imports(MODULES["paperkg.mapping"])
    assert "paperkg.cli.reports" in _imports(MODULES["paperkg.cli"])
