"""SHACL Core shapes compiled to SPARQL SELECT queries, for :mod:`paperkg.validate_sparql`.

Each shape with targets becomes a few queries over ``GRAPH ?g``: one for the values that break
its value constraints, one for the focus nodes whose value counts are out of bounds, one per
property-pair constraint. Every pattern sits inside the ``GRAPH ?g`` block, so each record graph
is judged alone: ``sh:class`` sees only the types stated in the same graph, counts are per graph.
Shapes nested in ``sh:or`` / ``sh:xone`` become boolean expressions (``EXISTS``) on the value.

Shaped for Oxigraph over a large store (``bench/bench_validate.py``): a property's values are
scanned in all graphs at once and joined with the focus nodes by hashing (a lookup per focus
node costs more); a class check is an anti-join (``MINUS``); a cheaper screen without the focus
nodes runs first and mostly finds nothing; each function call on a value reads the term again,
so the checks call as few as they can.

Only the constraint components paperkg's own shapes use are compiled; any other SHACL parameter
on a shape is refused (:class:`~paperkg.errors.ShapesError`) so the caller picks another engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any, Final, Literal

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from .errors import ShapesError

__all__ = [
    "GRAPHS",
    "SUPPORTED",
    "Plan",
    "UnsupportedShapesError",
    "compile_shapes",
    "uses_target_nodes",
]

Kind = Literal["values", "counts", "pairs"]
_Check = tuple[rdflib.URIRef, str, tuple[str, ...] | None]

#: The constraint parameters compiled (with sh:flags, sh:pattern's companion) -> component.
COMPONENTS: Final = {
    SH[name]: SH[name[0].upper() + name[1:] + "ConstraintComponent"]
    for name in (
        *("class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive"),
        *("maxInclusive", "minLength", "pattern", "in", "or", "xone", "equals", "lessThan"),
        *("lessThanOrEquals", "property"),
    )
}
_TARGETS: Final = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode}
#: Every SHACL parameter a shape may carry here; any other is refused.
SUPPORTED: Final = (
    set(COMPONENTS)
    | _TARGETS
    | {SH.flags, SH.path, SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group}
    | {SH.defaultValue, SH.deactivated}
)
#: Parameters whose values are shapes (a node met there is a shape, and is checked).
_SHAPE_VALUED: Final = {SH.property, SH.node, SH["not"], SH.qualifiedValueShape}
_SHAPE_LISTS: Final = {SH["or"], SH.xone, SH["and"]}
_CORE: Final = {
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
_TYPE = f"<{RDF.type}>"
#: Where a plan's query takes ``VALUES ?g { ... }`` (the graphs to judge), or nothing (all).
GRAPHS: Final = "#graphs#\n"
_SUBCLASS = f"<{RDF.type}>/<{RDFS.subClassOf}>*"


class UnsupportedShapesError(ShapesError):
    """The shapes use SHACL the sparql engine does not compile (another engine may run them)."""

    def __init__(self, what: str, where: str) -> None:
        super().__init__(
            "shapes",
            f"the sparql engine does not support {what} ({where}); "
            "validate with the pyshacl-turbo or pyshacl engine",
        )


@dataclass(frozen=True, slots=True)
class Plan:
    """One query and how its rows become results (:data:`GRAPHS` holds the place of VALUES ?g)."""

    sparql: str
    kind: Kind
    shape: Node
    path: Node | None
    components: tuple[rdflib.URIRef, ...]
    severity: rdflib.URIRef
    messages: tuple[rdflib.Literal, ...]
    bounds: tuple[int | None, int | None] = (None, None)
    #: A cheaper query for the graphs that may have results (``?g``), without the focus nodes:
    #: mostly none, and then the plan is not run; else it is run for those graphs only.
    screen: str | None = None


@dataclass(slots=True)
class _Shape:
    node: Node
    path: str | None
    path_node: Node | None
    deactivated: bool = False
    params: dict[rdflib.URIRef, list[Node]] = field(default_factory=dict)
    properties: list[_Shape] = field(default_factory=list)

    def values(self, name: str) -> list[Node]:
        return self.params.get(SH[name], [])


def compile_shapes(shapes: rdflib.Graph, *, subclasses: bool) -> list[Plan]:
    """The queries of every targeted shape. ``subclasses``: the data has ``rdfs:subClassOf``
    triples, so classes are matched through them (slower; SHACL asks for it).
    """
    compiler = _Compiler(shapes, subclasses)
    plans: list[Plan] = []
    for node in sorted(_shape_nodes(shapes), key=str):
        shape = compiler.shape(node)
        targets, by_class = compiler.targets(node)
        if targets and not shape.deactivated:
            plans.extend(compiler.plans(shape, targets, len(targets) == by_class == 1))
    return plans


def uses_target_nodes(shapes: rdflib.Graph) -> bool:
    """Whether a shape names its focus nodes (those are focus nodes in every graph)."""
    return any(True for _ in shapes.triples((None, SH.targetNode, None)))


def _shape_nodes(shapes: rdflib.Graph) -> set[Node]:
    """Every node the shapes graph makes a shape: typed, targeted, with a path or a constraint
    parameter, or the value of a shape-valued parameter.
    """
    found: set[Node] = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        found.update(shapes.subjects(RDF.type, kind))
    for parameter in _TARGETS | set(COMPONENTS) | _CORE | {SH.path}:
        found.update(shapes.subjects(parameter, None))
    for parameter in _SHAPE_VALUED:
        found.update(shapes.objects(None, parameter))
    for parameter in _SHAPE_LISTS:
        for head in shapes.objects(None, parameter):
            found.update(rdflib.collection.Collection(shapes, head))
    return {node for node in found if not isinstance(node, rdflib.Literal)}


class _Compiler:
    def __init__(self, shapes: rdflib.Graph, subclasses: bool) -> None:
        self._g = shapes
        self._type = _SUBCLASS if subclasses else _TYPE
        self._names = count()
        self._shapes: dict[Node, _Shape] = {}

    # --- reading shapes --------------------------------------------------------------------

    def shape(self, node: Node) -> _Shape:
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
            raise _broken(f"shape {node} has {len(paths)} sh:path values")
        path_node = paths[0] if paths else None
        shape = _Shape(node, None if path_node is None else self._path(path_node), path_node)
        shape.params = params
        shape.deactivated = any(v == rdflib.Literal(True) for v in params.pop(SH.deactivated, []))
        self._shapes[node] = shape
        shape.properties = [self.shape(child) for child in params.pop(SH.property, [])]
        return shape

    def targets(self, node: Node) -> tuple[list[Callable[[str], str]], int]:
        """The patterns binding the focus nodes of each target, and how many are classes."""
        found: list[Callable[[str], str]] = []
        g = self._g
        classes = list(g.objects(node, SH.targetClass))
        implicit = {RDFS.Class, OWL.Class, *g.subjects(RDFS.subClassOf, RDFS.Class)}
        if isinstance(node, rdflib.URIRef) and set(g.objects(node, RDF.type)) & implicit:
            classes.append(node)
        found.extend(_pattern("{v} " + self._type + " {t} .", c) for c in classes)
        found.extend(_pattern("{v} {t} [] .", p) for p in g.objects(node, SH.targetSubjectsOf))
        found.extend(_pattern("[] {t} {v} .", p) for p in g.objects(node, SH.targetObjectsOf))
        for target in g.objects(node, SH.targetNode):
            if not isinstance(target, rdflib.BNode):
                found.append(_pattern("VALUES {v} {{ {t} }}", target))
        return found, len(classes)

    def _path(self, node: Node) -> str:
        g = self._g
        if isinstance(node, rdflib.URIRef):
            return _term(node)
        if (node, RDF.first, None) in g:
            steps = [self._path(step) for step in rdflib.collection.Collection(g, node)]
            return "(" + "/".join(steps) + ")"
        inverse = g.value(node, SH.inversePath)
        if inverse is not None:
            return f"^({self._path(inverse)})"
        kinds = [p for p in g.predicates(node) if str(p).startswith(str(SH))]
        kind = _name(kinds[0]) if kinds else "this path"
        raise UnsupportedShapesError(kind, f"path {node}")

    # --- queries of one targeted shape -----------------------------------------------------

    def plans(
        self, shape: _Shape, targets: list[Callable[[str], str]], simple: bool
    ) -> Iterator[Plan]:
        """``simple``: one target, a class (each focus node is found once in its graph)."""

        def focus(v: str) -> str:
            if len(targets) == 1:
                return targets[0](v)
            return " UNION ".join("{ " + target(v) + " }" for target in targets)

        yield from self._plans(shape, focus, "", simple)

    def _plans(
        self, shape: _Shape, focus: Callable[[str], str], outer: str, simple: bool
    ) -> Iterator[Plan]:
        """The plans of ``shape`` at the focus nodes ``focus`` binds; ``outer``: the focus
        variables of the shapes above, projected so that a value node reached from two focus
        nodes is reported twice, as pyshacl reports it.
        """
        messages = tuple(m for m in self._message_values(shape.node))
        severity = self._g.value(shape.node, SH.severity)
        level = severity if isinstance(severity, rdflib.URIRef) else SH.Violation

        def plan(
            sparql: str, kind: Kind, components: tuple[rdflib.URIRef, ...], **more: Any
        ) -> Plan:
            return Plan(
                sparql, kind, shape.node, shape.path_node, components, level, messages, **more
            )

        head = f"SELECT DISTINCT ?g ?f ?v{outer}"
        # Over the store, a join of a focus node's pattern with its values is one index lookup
        # per focus node; the values are found for all graphs at once instead (a scan), their
        # constraints checked there, and joined with the focus nodes (a hash join): measured
        # 5-10x faster.
        distinct = "DISTINCT " if outer or self._type != _TYPE or not simple else ""
        focus_nodes = _sub(f"{distinct}?g ?f{outer}", focus("?f"))
        path_values = _sub("?g ?f ?v", f"?f {shape.path} ?v") if shape.path else ""
        every_check = list(self._value_checks(shape, "?v"))
        by_class = [(c, classes) for c, _, classes in every_check if classes and shape.path]
        checks = [(c, ok) for c, ok, classes in every_check if not (classes and shape.path)]
        if checks:
            binds = " ".join(f"BIND(!({ok}) AS ?b{i})" for i, (_, ok) in enumerate(checks))
            flags = " ".join(f"?b{i}" for i in range(len(checks)))
            fails = f"{binds} FILTER({' || '.join(f'?b{i}' for i in range(len(checks)))})"
            screen = None
            if shape.path:
                body = _sub(f"?g ?f ?v {flags}", f"?f {shape.path} ?v . {fails}") + focus_nodes
                meets = " && ".join(f"({ok})" for _, ok in checks)
                screen = "SELECT DISTINCT ?g WHERE " + _sub(
                    "?g", f"?f {shape.path} ?v . FILTER(!({meets}))"
                )
            else:
                body = f"{GRAPHS} GRAPH ?g {{ {focus('?f')} BIND(?f AS ?v) {fails} }}"
            sparql = f"{head} {flags} WHERE {{ {body} }}"
            components = tuple(c for c, _ in checks)
            yield plan(sparql, "values", components, screen=screen)
        for component, classes in by_class:
            # the values typed with none of the classes in their graph: an anti-join
            typed = f"?v {self._type} ?c VALUES ?c {{ {' '.join(classes)} }}"
            untyped = f"{{ {path_values} MINUS {{ {GRAPHS} GRAPH ?g {{ {typed} }} }} }}"
            sparql = f"{head} (true AS ?b0) WHERE {{ {untyped} {focus_nodes} }}"
            screen = f"SELECT DISTINCT ?g WHERE {{ {untyped} }}"
            yield plan(sparql, "values", (component,), screen=screen)
        low, high = self._count(shape, "minCount"), self._count(shape, "maxCount")
        if low is not None or high is not None:
            if shape.path is None:
                raise _broken(f"node shape {shape.node} has sh:minCount/maxCount")
            # one triple pattern gives each value once; a sequence path may give it twice
            single = re.fullmatch(r"\^?\(?<[^>]*>\)?", shape.path) is not None
            n = "COUNT(?v)" if single else "COUNT(DISTINCT ?v)"
            having = " || ".join(
                [f"{n} < {low}"] * (low is not None) + [f"{n} > {high}"] * (high is not None)
            )
            sparql = (
                f"SELECT ?g ?f{outer} ({n} AS ?n) "
                f"WHERE {{ {focus_nodes} OPTIONAL {path_values} }} "
                f"GROUP BY ?g ?f{outer} HAVING ({having})"
            )
            if low == 1 and high is None:
                # the focus nodes without a value: an anti-join, no counting
                none = f"MINUS {{ {GRAPHS} GRAPH ?g {{ ?f {shape.path} ?v }} }}"
                sparql = f"SELECT ?g ?f{outer} (0 AS ?n) WHERE {{ {focus_nodes} {none} }}"
            components = (SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent)
            yield plan(sparql, "counts", components, bounds=(low, high))
        has_value = f"EXISTS {{ ?f {shape.path} ?v }}" if shape.path else "sameTerm(?v, ?f)"
        values = f"?f {shape.path} ?v ." if shape.path else "BIND(?f AS ?v)"
        for other in shape.values("equals"):
            p = _term(other)
            body = (
                f"{{ {focus('?f')} {values} FILTER NOT EXISTS {{ ?f {p} ?v }} }} UNION "
                f"{{ {focus('?f')} ?f {p} ?v FILTER(!{has_value}) }}"
            )
            yield plan(_query(head, body), "pairs", (SH.EqualsConstraintComponent,))
        for name, operator in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for other in shape.values(name):
                if shape.path is None:
                    raise _broken(f"node shape {shape.node} has sh:{name}")
                others = _sub("?g ?f ?o", f"?f {_term(other)} ?o")
                test = f"FILTER(!COALESCE(?v {operator} ?o, false))"
                sparql = f"{head} ?o WHERE {{ {path_values} {others} {test} {focus_nodes} }}"
                screen = f"SELECT DISTINCT ?g WHERE {{ {path_values} {others} {test} }}"
                component = COMPONENTS[SH[name]]
                yield plan(sparql, "pairs", (component,), screen=screen)
        for child in shape.properties:
            if child.deactivated:
                continue
            if shape.path is None:
                yield from self._plans(child, focus, outer, simple)
            else:
                below, parent = self._below(shape.path, focus)
                yield from self._plans(child, below, outer + parent, False)

    def _below(self, path: str, focus: Callable[[str], str]) -> tuple[Callable[[str], str], str]:
        """The focus nodes of a property shape's property shapes (the values of its path),
        and the variable that holds the focus node above.
        """
        parent = self._var()

        def values(v: str) -> str:
            return f"{focus(parent)} {parent} {path} {v} ."

        return values, f" {parent}"

    def _message_values(self, node: Node) -> Iterator[rdflib.Literal]:
        for message in self._g.objects(node, SH.message):
            if isinstance(message, rdflib.Literal):
                yield message

    def _count(self, shape: _Shape, name: str) -> int | None:
        values = shape.values(name)
        if not values:
            return None
        value = values[0]
        if not isinstance(value, rdflib.Literal) or not isinstance(value.toPython(), int):
            raise _broken(f"sh:{name} of {shape.node} is not an integer: {value}")
        return int(value.toPython())

    # --- boolean expressions ---------------------------------------------------------------

    def _var(self) -> str:
        return f"?x{next(self._names)}"

    def _value_checks(self, shape: _Shape, v: str) -> Iterator[_Check]:
        """(component, expression true when value ``v`` meets it, and the classes of which
        ``v`` must have one when that is all the constraint asks) of each value constraint.
        """
        for parameter in (SH.datatype, SH["class"], SH.nodeKind, SH.minLength, SH.pattern):
            for value in shape.params.get(parameter, []):
                classes: tuple[str, ...] | None = None
                if parameter == SH["class"]:
                    classes = (_term(value),)
                yield COMPONENTS[parameter], self._value_ok(shape, parameter, value, v), classes
        for low in shape.values("minInclusive"):
            yield SH.MinInclusiveConstraintComponent, f"COALESCE({v} >= {_term(low)}, false)", None
        for high in shape.values("maxInclusive"):
            yield SH.MaxInclusiveConstraintComponent, f"COALESCE({v} <= {_term(high)}, false)", None
        for head in shape.values("in"):
            members = rdflib.collection.Collection(self._g, head)
            tests = [
                f"sameTerm({v}, {_term(m)})" for m in members if not isinstance(m, rdflib.BNode)
            ]
            yield SH.InConstraintComponent, "(" + (" || ".join(tests) or "false") + ")", None
        for head in shape.values("or"):
            alternatives = [self.shape(m) for m in rdflib.collection.Collection(self._g, head)]
            tests = [self.conforms(member, v) for member in alternatives]
            one_of = [self._only_class(member) for member in alternatives]
            classes = tuple(c for c in one_of if c) if all(one_of) and one_of else None
            yield SH.OrConstraintComponent, "(" + (" || ".join(tests) or "false") + ")", classes
        for head in shape.values("xone"):
            exclusive = [self.shape(m) for m in rdflib.collection.Collection(self._g, head)]
            tests = [f"IF({self.conforms(member, v)}, 1, 0)" for member in exclusive]
            yield SH.XoneConstraintComponent, "((" + (" + ".join(tests) or "0") + ") = 1)", None

    @staticmethod
    def _only_class(shape: _Shape) -> str | None:
        """The class of a shape that asks only for one (``[ sh:class C ]``), else ``None``."""
        if (
            shape.path
            or shape.properties
            or shape.deactivated
            or set(shape.params) != {SH["class"]}
        ):
            return None
        classes = shape.params[SH["class"]]
        return _term(classes[0]) if len(classes) == 1 else None

    def _value_ok(self, shape: _Shape, parameter: Node, value: Node, v: str) -> str:
        if parameter == SH.datatype:
            if value == RDF.langString:
                return f'COALESCE(lang({v}) != "", false)'
            if value == RDFS.Literal:
                return f"isLiteral({v})"
            # each function reads the term again (a long string from disk): as few as may be
            test = f"sameTerm(datatype({v}), {_term(value)})"
            cast = _CASTS.get(str(value))
            if cast is not None:
                test += f" && isLiteral(COALESCE({cast}(STR({v})), <urn:x-ill-formed>))"
            return f"COALESCE({test}, false)"
        if parameter == SH["class"]:
            return f"EXISTS {{ {v} {self._type} {_term(value)} }}"
        if parameter == SH.nodeKind:
            if not isinstance(value, rdflib.URIRef) or value not in _NODE_KINDS:
                raise _broken(f"sh:nodeKind of {shape.node} is {value}")
            return _NODE_KINDS[value].format(v)
        if parameter == SH.minLength:
            # STR of a blank node is an error: it fails, as SHACL asks
            length = f"COALESCE(STRLEN(STR({v})) >= {_term(value)}, false)"
            if value == rdflib.Literal(1):
                # a non-empty plain string, told without reading the text
                string = f'sameTerm(datatype({v}), <{_XSD}string>) && !sameTerm({v}, "")'
                return f"(COALESCE({string}, false) || {length})"
            return length
        flags = shape.values("flags")
        flag = f", {_term(flags[0])}" if flags else ""
        return f"COALESCE(REGEX(STR({v}), {_term(value)}{flag}), false)"

    def conforms(self, shape: _Shape, x: str) -> str:
        """An expression true when node ``x`` conforms to ``shape`` in the active graph."""
        if shape.deactivated:
            return "true"
        tests: list[str] = []
        v = self._var()
        checks = " && ".join(
            ok for _, ok, _ in self._value_checks(shape, x if shape.path is None else v)
        )
        if shape.path is None:
            if checks:
                tests.append(checks)
            tests.extend(self.conforms(child, x) for child in shape.properties)
            for other in shape.values("equals"):
                p = _term(other)
                other_values = f"NOT EXISTS {{ {x} {p} {v} FILTER(!sameTerm({v}, {x})) }}"
                tests.append(f"(EXISTS {{ {x} {p} {x} }} && {other_values})")
            if shape.values("lessThan") or shape.values("lessThanOrEquals"):
                raise _broken(f"node shape {shape.node} has sh:lessThan")
            return "(" + (" && ".join(tests) or "true") + ")"
        path = shape.path
        low, high = self._count(shape, "minCount"), self._count(shape, "maxCount")
        if low:
            tests.append(f"EXISTS {{ {self._distinct(x, path, low)} }}")
        if high is not None:
            tests.append(f"NOT EXISTS {{ {self._distinct(x, path, high + 1)} }}")
        if checks:
            tests.append(f"NOT EXISTS {{ {x} {path} {v} FILTER(!({checks})) }}")
        for child in shape.properties:
            tests.append(f"NOT EXISTS {{ {x} {path} {v} FILTER(!{self.conforms(child, v)}) }}")
        for other in shape.values("equals"):
            p = _term(other)
            tests.append(f"NOT EXISTS {{ {x} {path} {v} FILTER NOT EXISTS {{ {x} {p} {v} }} }}")
            tests.append(f"NOT EXISTS {{ {x} {p} {v} FILTER NOT EXISTS {{ {x} {path} {v} }} }}")
        for name, operator in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
            for other in shape.values(name):
                o = self._var()
                tests.append(
                    f"NOT EXISTS {{ {x} {path} {v} . {x} {_term(other)} {o} "
                    f"FILTER(!COALESCE({v} {operator} {o}, false)) }}"
                )
        return "(" + (" && ".join(tests) or "true") + ")"

    def _distinct(self, x: str, path: str, n: int) -> str:
        """A pattern matching ``n`` different values of ``path`` from ``x``."""
        names = [self._var() for _ in range(n)]
        triples = " . ".join(f"{x} {path} {name}" for name in names)
        different = [f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1 :]]
        return triples + (f" FILTER({' && '.join(different)})" if different else "")


def _query(head: str, body: str) -> str:
    return f"{head} WHERE {{ {GRAPHS} GRAPH ?g {{ {body} }} }}"


def _sub(head: str, body: str) -> str:
    """A subquery over each graph: joined with another, it is joined by hashing, not lookups."""
    return f"{{ SELECT {head} WHERE {{ {GRAPHS} GRAPH ?g {{ {body} }} }} }}"


def _term(node: Node) -> str:
    """A shapes-graph term in SPARQL syntax (pyoxigraph writes it)."""
    if isinstance(node, rdflib.URIRef):
        return str(ox.NamedNode(str(node)))
    if isinstance(node, rdflib.Literal):
        if node.language:
            return str(ox.Literal(str(node), language=node.language))
        datatype = node.datatype or rdflib.XSD.string
        return str(ox.Literal(str(node), datatype=ox.NamedNode(str(datatype))))
    raise _broken(f"a blank node ({node}) where the sparql engine needs an IRI")


def _pattern(template: str, term: Node) -> Callable[[str], str]:
    """The pattern binding a variable to the focus nodes of one target."""
    text = _term(term)
    return lambda v: template.format(v=v, t=text)


def _broken(problem: str) -> ShapesError:
    return ShapesError("shapes", f"validation could not run: {problem}")


def _name(predicate: Node) -> str:
    return "sh:" + str(predicate).removeprefix(str(SH))
