"""The one module that finds the package data folders: ``shapes/``, ``ontology/``, ``queries/``.

They live at the top of the repository. A wheel carries them as ``paperkg/_data/<name>``; an
editable install or a checkout finds them next to ``src/``. Both are tried, in that order.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .errors import StoreError

__all__ = ["data_dir", "internal_query", "ontology_path", "queries_dir", "shapes_path"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder ``name`` (``shapes``, ``ontology`` or ``queries``) shipped with paperkg."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise StoreError(
        name,
        "paperkg's data folder is missing from this installation",
        "reinstall paperkg (pip install --force-reinstall paperkg)",
    )


def shapes_path() -> Path:
    """The SHACL shapes file."""
    return data_dir("shapes") / "paperkg-shapes.ttl"


def ontology_path() -> Path:
    """The OWL ontology file."""
    return data_dir("ontology") / "paperkg.ttl"


def queries_dir() -> Path:
    """The folder of named SPARQL queries."""
    return data_dir("queries")


@cache
def internal_query(name: str) -> str:
    """The text of ``queries/internal/NAME.rq``: a query paperkg runs for itself (counts,
    views, logs), kept beside the named ones so every query is a ``.rq`` file.
    """
    path = queries_dir() / "internal" / f"{name}.rq"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoreError(
            str(path),
            "paperkg's internal query is missing from this installation",
            "reinstall paperkg (pip install --force-reinstall paperkg)",
        ) from None
