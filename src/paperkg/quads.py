"""Quads of one named graph, and the typed literals the mapping writes (pyoxigraph terms).

The mapping builds quads directly as pyoxigraph terms (DESIGN.md section 2); these are its
building blocks, so that each part of the mapping writes literals the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TypeVar

from pyoxigraph import Literal, NamedNode, Quad

from .vocab import XSD

__all__ = ["GraphWriter", "boolean_literal", "decimal_literal", "integer_literal", "unique"]

_T = TypeVar("_T")


def integer_literal(value: int) -> Literal:
    """An ``xsd:integer``."""
    return Literal(str(value), datatype=NamedNode(str(XSD.integer)))


def decimal_literal(value: float) -> Literal:
    """An ``xsd:decimal`` written without exponent (SHACL's datatype checks want one)."""
    text = format(Decimal(repr(value)).normalize(), "f")
    return Literal(text, datatype=NamedNode(str(XSD.decimal)))


def boolean_literal(value: bool) -> Literal:
    """An ``xsd:boolean``."""
    return Literal("true" if value else "false", datatype=NamedNode(str(XSD.boolean)))


def unique(items: Iterable[_T]) -> list[_T]:
    """The items in order, each once (items need not be hashable)."""
    seen: list[_T] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


class GraphWriter:
    """Collects the quads of one named graph."""

    def __init__(self, graph: NamedNode) -> None:
        self.graph = graph
        self.quads: list[Quad] = []
        self._seen: set[Quad] = set()

    def add(self, subject: NamedNode, predicate: object, obj: NamedNode | Literal) -> None:
        quad = Quad(subject, NamedNode(str(predicate)), obj, self.graph)
        if quad not in self._seen:
            self._seen.add(quad)
            self.quads.append(quad)

    def text(self, subject: NamedNode, predicate: object, value: str | None) -> None:
        if value:
            self.add(subject, predicate, Literal(value))

    def link(self, subject: NamedNode, predicate: object, iri: str) -> None:
        self.add(subject, predicate, NamedNode(iri))
