"""What a node must meet, read from the shapes graph and written as SPARQL expressions, for
:mod:`paperkg.validate_sparql_shapes`.

A shape is read once (its parameters, path and property shapes; any SHACL parameter the sparql
engine does not compile is refused with :class:`UnsupportedShapesError`). A value constraint
becomes an expression true when the value meets it; a shape nested in ``sh:or`` / ``sh:xone``
becomes an expression true when a node conforms to it, its paths followed with ``EXISTS``.
Each function call on a value reads the term again (a long string from disk), so the checks
call as few as they can.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from .errors import ShapesError

__all__ = [
    "COMPONENTS",
    "CORE",
    "GRAPHS",
    "SUPPORTED",
    "TARGETS",
    "TYPE",
    "Check",
    "Shape",
    "ShapeReader",
    "UnsupportedShapesError",
    "broken",
    "term",
]

Check = tuple[rdflib.URIRef, str, tuple[str, ...] | None]
#: Where a query takes ``VALUES ?g { ... }`` (the graphs to judge), or nothing (all).
GRAPHS: Final = "#graphs#\n"

#: The constraint parameters compiled (with sh:flags, sh:pattern's companion) -> component.
COMPONENTS: Final = {
    SH[name]: SH[name[0].upper() + name[1:] + "ConstraintComponent"]
    for name in (
        *("class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive"),
        *("maxInclusive", "minLength", "pattern", "in", "or", "xone", "equals", "lessThan"),
        *("lessThanOrEquals", "property"),
    )
}
TARGETS: Final = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode}
#: Every SHACL parameter a shape may carry here; any other is refused.
SUPPORTED: Final = (
    set(COMPONENTS)
    | TARGETS
    | {SH.flags, SH.path, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group}
    | {SH.defaultValue, SH.deactivated}
)
#: The other SHACL Core parameters (a shape carrying one is still a shape, and is refused).
CORE: Final = {
    SH[n]
    for n in (
        *("closed", "disjoint", "hasValue", "languageIn", "maxExclusive", "maxLength"),
        *("minExclusive", "node", "not", "and", "qualifiedValueShape", "uniqueLang", "sparql"),
    )
}
_NODE_KINDS: Final = {
    SH.IRI: "isIRI({0})",
    SH.BlankNode: "isBlank({0})",
    SH.Literal: "isLiteral({0})",
    SH.BlankNodeOrIRI: "(isBlank({0}) || isIRI({0}))",
    SH.BlankNodeOrLiteral: "(isBlank({0}) || isLiteral({0}))",
    SH.IRIOrLiteral: "(isIRI({0}) || isLiteral({0}))",
}
_XSD = "http://www.w3.org/2001/XMLSchema#"
#: Datatype -> the SPARQL cast that checks its lexical forms (an ill-formed literal breaks
#: sh:datatype). Oxigraph stores a valid literal of a type derived from xsd:integer as an
#: xsd:integer, so one still typed so is ill-formed unless it casts to xsd:integer.
_CASTS: Final = {_XSD + n: f"<{_XSD}{n}>" for n in ("integer", "decimal", "double", "float")}
_CASTS.update({_XSD + n: f"<{_XSD}{n}>" for n in ("boolean", "date", "dateTime", "time")})
_CASTS.update({_XSD + n: f"<{_XSD}integer>" for n in ("long", "int", "short", "byte")})
_CASTS.update({_XSD + n + "Integer": f"<{_XSD}integer>" for n in ("nonNegative", "positive")})
_CASTS.update({_XSD + n + "Integer": f"<{_XSD}integer>" for n in ("nonPositive", "negative")})
_CASTS.update({_XSD + "unsigned" + n: f"<{_XSD}integer>" for n in ("Long", "Int", "Short", "Byte")})
TYPE = f"<{RDF.type}>"


class UnsupportedShapesError(ShapesError):
    """The shapes use SHACL the sparql engine does not compile (another engine may run them)."""

    def __init__(self, what: str, where: str) -> None:
        super().__init__(
            "shapes",
            f"the sparql engine does not support {what} ({where}); "
            "validate with the pyshacl-turbo or pyshacl engine",
        )


@dataclass(slots=True)
class Shape:
    """A shape as read: its path in SPARQL, its parameters, its property shapes."""

    node: Node
    path: str | None
    path_node: Node | None
    deactivated: bool = False
    params: dict[rdflib.URIRef, list[Node]] = field(default_factory=dict)
    properties: list[Shape] = field(default_factory=list)

    def values(self, name: str) -> list[Node]:
        return self.params.get(SH[name], [])


class ShapeReader:
    """Shapes read from the shapes graph, and the expressions of their constraints."""

    def __init__(self, shapes: rdflib.Graph, type_path: str) -> None:
        self._g = shapes
        self._type = type_path
        self._names = itertools.count()
        self._shapes: dict[Node, Shape] = {}

    # --- reading shapes --------------------------------------------------------------------

    def shape(self, node: Node) -> Shape:
        if node in self._shapes:
            return self._shapes[node]
        params: dict[rdflib.URIRef, list[Node]] = {}
        for predicate, value in self._g.predicate_objects(node):
            if not str(predicate).startswith(str(SH)):
                continue
            if predicate not in SUPPORTED:
                raise UnsupportedShapesError(_name(predicate), f"shape {node}")
            params.setdefault(rdflib.URIRef(str(predicate)), []).append(value)
        paths = params.pop(SH.path, [])
        if len(paths) > 1:
            raise broken(f"shape {node} has {len(paths)} sh:path values")
        path_node = paths[0] if paths else None
        shape = Shape(node, None if path_node is None else self._path(path_node), path_node)
        shape.params = params
        shape.deactivated = any(v == rdflib.Literal(True) for v in params.pop(SH.deactivated, []))
        self._shapes[node] = shape
        shape.properties = [self.shape(child) for child in params.pop(SH.property, [])]
        return shape

    def _path(self, node: Node) -> str:
        g = self._g
        if isinstance(node, rdflib.URIRef):
            return term(node)
        if (node, RDF.first, None) in g:
            steps = [self._path(step) for step in rdflib.collection.Collection(g, node)]
            return "(" + "/".join(steps) + ")"
        inverse = g.value(node, SH.inversePath)
        if inverse is not None:
            return f"^({self._path(inverse)})"
        kinds = [p for p in g.predicates(node) if str(p).startswith(str(SH))]
        kind = _name(kinds[0]) if kinds else "this path"
        raise UnsupportedShapesError(kind, f"path {node}")

    def count(self, shape: Shape, name: str) -> int | None:
        values = shape.values(name)
        if not values:
            return None
        value = values[0]
        if not isinstance(value, rdflib.Literal) or not isinstance(value.toPython(), int):
            raise broken(f"sh:{name} of {shape.node} is not an integer: {value}")
        return int(value.toPython())

    # --- boolean expressions ---------------------------------------------------------------

    def var(self) -> str:
        return f"?x{next(self._names)}"

    def value_checks(self, shape: Shape, v: str) -> Iterator[Check]:
        """(component, expression true when value ``v`` meets it, and the classes of which
        ``v`` must have one when that is all the constraint asks) of each value constraint.
        """
        for parameter in (SH.datatype, SH["class"], SH.nodeKind, SH.minLength, SH.pattern):
            for value in shape.params.get(parameter, []):
                classes: tuple[str, ...] | None = None
                if parameter == SH["class"]:
                    classes = (term(value),)
                yield COMPONENTS[parameter], self._value_ok(shape, parameter, value, v), classes
        for low in shape.values("minInclusive"):
            yield SH.MinInclusiveConstraintComponent, f"COALESCE({v} >= {term(low)}, false)", None
        for high in shape.values("maxInclusive"):
            yield SH.MaxInclusiveConstraintComponent, f"COALESCE({v} <= {term(high)}, false)", None
        for head in shape.values("in"):
            members = rdflib.collection.Collection(self._g, head)
            tests = [
                f"sameTerm({v}, {term(m)})" for m in members if not isinstance(m, rdflib.BNode)
            ]
            yield SH.InConstraintComponent, "(" + (" || ".join(tests) or "false") + ")", None
        for head in shape.values("or"):
            alternatives = [self.shape(m) for m in rdflib.collection.Collection(self._g, head)]
            tests = [self.conforms(member, v) for member in alternatives]
            one_of = [self.only_class(member) for member in alternatives]
            classes = tuple(c for c in one_of if c) if all(one_of) and one_of else None
            yield SH.OrConstraintComponent, "(" + (" || ".join(tests) or "false") + ")", classes
        for head in shape.values("xone"):
            exclusive = [self.shape(m) for m in rdflib.collection.Collection(self._g, head)]
            tests = [f"IF({self.conforms(member, v)}, 1, 0)" for member in exclusive]
            yield SH.XoneConstraintComponent, "((" + (" + ".join(tests) or "0") + ") = 1)", None

    @staticmethod
    def screen_checks(shape: Shape, checks: list[tuple[rdflib.URIRef, str]], v: str) -> list[str]:
        """The expressions of ``checks`` all true when value ``v`` meets them all, written
        with fewer calls where that is the same: each call costs about as much per value as
        reading it. ``sh:datatype xsd:string`` with ``sh:minLength 1`` is one test.
        """
        string = [rdflib.XSD.string] == shape.values("datatype")
        if not (string and [rdflib.Literal(1)] == shape.values("minLength")):
            return [ok for _, ok in checks]
        both = {SH.DatatypeConstraintComponent, SH.MinLengthConstraintComponent}
        kept = [ok for component, ok in checks if component not in both]
        nonempty = f'sameTerm(datatype({v}), <{_XSD}string>) && !sameTerm({v}, "")'
        return [f"COALESCE({nonempty}, false)", *kept]

    @staticmethod
    def only_class(shape: Shape) -> str | None:
        """The class of a shape that asks only for one (``[ sh:class C ]``), else ``None``."""
        if (
            shape.path
            or shape.properties
            or shape.deactivated
            or set(shape.params) != {SH["class"]}
        ):
            return None
        classes = shape.params[SH["class"]]
        return term(classes[0]) if len(classes) == 1 else None

    def _value_ok(self, shape: Shape, parameter: Node, value: Node, v: str) -> str:
        if parameter == SH.datatype:
            if value == RDF.langString:
                return f'COALESCE(lang({v}) != "", false)'
            if value == RDFS.Literal:
                return f"isLiteral({v})"
            # each function reads the term again (a long string from disk): as few as may be
            test = f"sameTerm(datatype({v}), {term(value)})"
            cast = _CASTS.get(str(value))
            if cast is not None:
                test += f" && isLiteral(COALESCE({cast}(STR({v})), <urn:x-ill-formed>))"
            return f"COALESCE({test}, false)"
        if parameter == SH["class"]:
            return f"EXISTS {{ {v} {self._type} {term(value)} }}"
        if parameter == SH.nodeKind:
            if not isinstance(value, rdflib.URIRef) or value not in _NODE_KINDS:
                raise broken(f"sh:nodeKind of {shape.node} is {value}")
            return _NODE_KINDS[value].format(v)
        if parameter == SH.minLength:
            # STR of a blank node is an error: it fails, as SHACL asks
            length = f"COALESCE(STRLEN(STR({v})) >= {term(value)}, false)"
            if value == rdflib.Literal(1):
                # a non-empty plain string, told without reading the text
                string = f'sameTerm(datatype({v}), <{_XSD}string>) && !sameTerm({v}, "")'
                return f"(COALESCE({string}, false) || {length})"
            return length
        flags = shape.values("flags")
        flag = f", {term(flags[0])}" if flags else ""
        return f"COALESCE(REGEX(STR({v}), {term(value)}{flag}), false)"

    def conforms(self, shape: Shape, x: str) -> str:
        """An expression true when node ``x`` conforms to ``shape`` in the active graph."""
        if shape.deactivated:
            return "true"
        tests: list[str] = []
        v = self.var()
        checks = " && ".join(
            ok for _, ok, _ in self.value_checks(shape, x if shape.path is None else v)
        )
        if shape.path is None:
            if checks:
                tests.append(checks)
            tests.extend(self.conforms(child, x) for child in shape.properties)
            for other in shape.values("equals"):
                p = term(other)
                other_values = f"NOT EXISTS {{ {x} {p} {v} FILTER(!sameTerm({v}, {x})) }}"
                tests.append(f"(EXISTS {{ {x} {p} {x} }} && {other_values})")
            if shape.values("lessThan") or shape.values("lessThanOrEquals"):
                raise broken(f"node shape {shape.node} has sh:lessThan")
            return "(" + (" && ".join(tests) or "true") + ")"
        path = shape.path
        low, high = self.count(shape, "minCount"), self.count(shape, "maxCount")
        if low:
            tests.append(f"EXISTS {{ {self._distinct(x, path, low)} }}")
        if high is not None:
            tests.append(f"NOT EXISTS {{ {self._distinct(x, path, high + 1)} }}")
        if checks:
            tests.append(f"NOT EXISTS {{ {x} {path} {v} FILTER(!({checks})) }}")
        for child in shape.properties:
            tests.append(f"NOT EXISTS {{ {x} {path} {v} FILTER(!{self.conforms(child, v)}) }}")
        for other in shape.values("equals"):
            p = term(other)
            tests.append(f"NOT EXISTS {{ {x} {path} {v} FILTER NOT EXISTS {{ {x} {p} {v} }} }}")
            tests.append(f"NOT EXISTS {{ {x} {p} {v} FILTER NOT EXISTS {{ {x} {path} {v} }} }}")
        for name, operator in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for other in shape.values(name):
                o = self.var()
                tests.append(
                    f"NOT EXISTS {{ {x} {path} {v} . {x} {term(other)} {o} "
                    f"FILTER(!COALESCE({v} {operator} {o}, false)) }}"
                )
        return "(" + (" && ".join(tests) or "true") + ")"

    def _distinct(self, x: str, path: str, n: int) -> str:
        """A pattern matching ``n`` different values of ``path`` from ``x``."""
        names = [self.var() for _ in range(n)]
        triples = " . ".join(f"{x} {path} {name}" for name in names)
        different = [f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1 :]]
        return triples + (f" FILTER({' && '.join(different)})" if different else "")

    # --- sets of nodes -----------------------------------------------------------------------

    def node_screen(self, shape: Shape, focus_nodes: str) -> str | None:
        """A query for the graphs where a focus node (``focus_nodes`` binds ``?g ?f``) may
        break the node-level ``sh:or`` / ``sh:xone`` of ``shape``, answered with sets (hash
        joins) instead of ``EXISTS`` per focus node; ``None`` when a member shape is beyond
        :meth:`nonconforming`.
        """
        found: list[str] = []
        for name in ("or", "xone"):
            for head in shape.values(name):
                members = [self.shape(m) for m in rdflib.collection.Collection(self._g, head)]
                sets = [self.nonconforming(member, focus_nodes) for member in members]
                if not sets or any(nc is None for nc in sets):
                    return None
                if name == "or":  # broken where every member is
                    found.append(f"{focus_nodes} {' '.join(map(str, sets))}")
                    continue
                # broken unless exactly one member holds
                tagged = " UNION ".join(f"{{ {nc} BIND({i} AS ?i) }}" for i, nc in enumerate(sets))
                found.append(
                    f"{{ SELECT ?g ?f WHERE {{ {focus_nodes} OPTIONAL {{ {tagged} }} }} "
                    f"GROUP BY ?g ?f HAVING ({len(sets)} - COUNT(?i) != 1) }}"
                )
        if not found:
            return None
        return "SELECT DISTINCT ?g WHERE { " + " UNION ".join(f"{{ {f} }}" for f in found) + " }"

    def nonconforming(self, shape: Shape, focus_nodes: str) -> str | None:
        """A subquery binding ``?g ?f`` to the focus nodes of each graph that do not conform to
        ``shape``, a property shape whose constraints are only ``sh:minCount 1``,
        ``sh:maxCount`` 0 or 1 and ``sh:equals`` (as :meth:`conforms` judges them); ``None``
        for any other shape.
        """
        constraints = set(shape.params) & set(COMPONENTS)
        if shape.path is None or shape.properties or shape.deactivated or not constraints:
            return None
        if not constraints <= {SH.minCount, SH.maxCount, SH.equals}:
            return None
        low, high = self.count(shape, "minCount"), self.count(shape, "maxCount")
        if low not in (None, 1) or high not in (None, 0, 1):
            return None
        path = shape.path

        def values(p: str) -> str:
            return f"{GRAPHS} GRAPH ?g {{ ?f {p} ?a }}"

        own = self._path_values(shape) or values(path)
        parts: list[str] = []
        if low == 1:
            parts.append(f"{focus_nodes} MINUS {{ {own} }}")
        if high == 0:
            parts.append(own)
        if high == 1:
            two = f"?f {path} ?a . ?f {path} ?b FILTER(!sameTerm(?a, ?b))"
            parts.append(f"{GRAPHS} GRAPH ?g {{ {two} }}")
        for other in shape.values("equals"):
            p = term(other)
            parts.append(f"{{ SELECT ?g ?f ?a WHERE {{ {own} }} }} MINUS {{ {values(p)} }}")
            parts.append(f"{{ SELECT ?g ?f ?a WHERE {{ {values(p)} }} }} MINUS {{ {own} }}")
        union = " UNION ".join(f"{{ {part} }}" for part in parts)
        return f"{{ SELECT DISTINCT ?g ?f WHERE {{ {union} }} }}"

    def _path_values(self, shape: Shape) -> str | None:
        """For a sequence path of predicates, a pattern binding ``?g ?f ?a`` to each node and
        the values of the path from it in a graph, its steps joined by hashing (a property
        path looks the next step up for each node: measured 3x slower); else ``None``.
        """
        head = shape.path_node
        if head is None or (head, RDF.first, None) not in self._g:
            return None
        steps = list(rdflib.collection.Collection(self._g, head))
        if len(steps) < 2 or not all(isinstance(step, rdflib.URIRef) for step in steps):
            return None
        names = ["?f", *(self.var() for _ in steps[1:]), "?a"]
        return " ".join(
            f"{{ SELECT ?g {a} {b} WHERE {{ {GRAPHS} GRAPH ?g {{ {a} {term(step)} {b} }} }} }}"
            for a, b, step in zip(names, names[1:], steps, strict=False)
        )


def term(node: Node) -> str:
    """A shapes-graph term in SPARQL syntax (pyoxigraph writes it)."""
    if isinstance(node, rdflib.URIRef):
        return str(ox.NamedNode(str(node)))
    if isinstance(node, rdflib.Literal):
        if node.language:
            return str(ox.Literal(str(node), language=node.language))
        datatype = node.datatype or rdflib.XSD.string
        return str(ox.Literal(str(node), datatype=ox.NamedNode(str(datatype))))
    raise broken(f"a blank node ({node}) where the sparql engine needs an IRI")


def broken(problem: str) -> ShapesError:
    return ShapesError("shapes", f"validation could not run: {problem}")


def _name(predicate: Node) -> str:
    return "sh:" + str(predicate).removeprefix(str(SH))
