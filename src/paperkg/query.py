"""Named SPARQL queries (``queries/*.rq``) with parameters bound as RDF terms.

A parameter value is never pasted into query text: it becomes a literal bound to a variable
(pyoxigraph substitutions), so any value, quotes and braces included, is just data. A ``concept``
parameter accepts a label, synonym, CURIE or IRI in any common form: it is bound, normalised
(:func:`paperkg.identifiers.concept_lookup_key`), to ``?<name>_key`` and matched against each
concept's lookup keys, which include every cross-identifier. A value that names no concept of
the parameter's kind comes back in :attr:`QueryResult.misses` with the closest labels.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import QueryError, UnknownQueryError
from .identifiers import concept_lookup_key, paper_keys
from .lookup import Unmatched, kind_of_parameter, unmatched_concepts
from .resources import internal_query, queries_dir
from .store import PaperStore, fill_values
from .tallies import TRIED_FOR_COLUMNS, drugs_tried_for

__all__ = [
    "COLUMN_TYPES",
    "LIST_COLUMNS",
    "NamedQuery",
    "QueryParameter",
    "QueryResult",
    "bind_parameters",
    "is_list_column",
    "list_queries",
    "load_query",
    "run_query",
    "solutions_result",
    "terms_result",
]

_PARAM_KINDS = ("concept", "paper", "text")

#: The types of result columns: what JSON output and DataFrames make of the strings.
COLUMN_TYPES = ("string", "integer", "decimal", "boolean", "list")

#: Columns whose cells join several values with ``|`` (`` | `` between sentences), as the
#: shipped queries write them (GROUP_CONCAT, outcome counts): lists in JSON and DataFrames.
#: Columns named ``*_ids`` (a concept's CURIEs) are lists too.
LIST_COLUMNS = frozenset(
    {"adverse_effects", "designs", "dose", "doses", "evidence", "identifiers", "outcomes"}
    | {"pmids", "sources"}
)

_XSD = "http://www.w3.org/2001/XMLSchema#"
#: Datatypes whose values JSON gives as numbers or booleans.
_INTEGERS = "integer int long short byte nonNegativeInteger positiveInteger nonPositiveInteger"
_INTEGERS += " negativeInteger unsignedLong unsignedInt unsignedShort unsignedByte"
_DATATYPE_TYPES = {
    **{_XSD + name: "integer" for name in _INTEGERS.split()},
    **{_XSD + name: "decimal" for name in ("decimal", "double", "float")},
    _XSD + "boolean": "boolean",
}


@dataclass(frozen=True, slots=True)
class QueryParameter:
    """A parameter a named query declares in its header (``# param: name kind description``;
    a kind ending in ``?`` makes it optional: left out, it is bound to the empty string, which
    every ``CONTAINS`` matches; an unbound variable would not do, as Oxigraph's ``BOUND`` does
    not see substituted values). A kind ending in ``*`` takes any number of values: the query's
    ``VALUES ?<variable> { UNDEF }`` is filled with them, and left out it matches everything.
    """

    name: str
    kind: str
    description: str
    optional: bool = False
    many: bool = False

    @property
    def variable(self) -> str:
        """The SPARQL variable the value is bound to."""
        return f"{self.name}_key" if self.kind in {"concept", "paper"} else f"{self.name}_text"


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A query file with the metadata in its comment header."""

    name: str
    path: Path
    title: str
    description: str
    parameters: tuple[QueryParameter, ...]
    example: str
    text: str
    data: str = "records"
    """What its example needs: ``records`` (paper records) or ``corpora`` (annotated corpora)."""


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Rows of a SELECT query as plain strings (``None`` for unbound), in column order."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]
    misses: tuple[Unmatched, ...] = ()
    """Concept parameter values that name no concept of their kind in the store (a likely
    typo), each with the closest labels (``str(miss)`` is the one-line message).
    """

    types: tuple[str, ...] = ()
    """Each column's type, from the RDF datatypes of its values (:data:`COLUMN_TYPES`); empty
    or short: ``string``. A list column (:func:`is_list_column`) is ``list`` whatever is given.
    """

    @property
    def unmatched(self) -> tuple[str, ...]:
        """The values of :attr:`misses`."""
        return tuple(miss.value for miss in self.misses)

    @property
    def column_types(self) -> tuple[str, ...]:
        """The type of each column, as JSON output and :meth:`to_dataframe` give its values."""
        given = (*self.types, *("string",) * (len(self.columns) - len(self.types)))
        return tuple(
            "list" if is_list_column(column) else kind
            for column, kind in zip(self.columns, given, strict=False)
        )

    def as_dicts(self) -> list[dict[str, str | None]]:
        """Rows as dictionaries keyed by column name, every value a string as the store has it."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def as_records(self, *, iris: bool = False) -> list[dict[str, Any]]:
        """Rows as dictionaries of typed values, as ``--format json`` prints them: numbers and
        booleans as such, list columns as lists, identifiers' IRIs as CURIEs (``iris``: kept).
        """
        from .results import typed_records

        return typed_records(self, iris=iris)

    def to_dataframe(self, *, iris: bool = False) -> Any:
        """The rows as a pandas ``DataFrame`` with typed columns (nullable Int64, Float64,
        boolean, string; lists as objects). Needs pandas: ``pip install 'paperkg[notebook]'``.
        """
        from .results import result_dataframe

        return result_dataframe(self, iris=iris)

    def _repr_html_(self) -> str:
        """The rows as an HTML table, so a notebook shows a result inline."""
        from .results import result_html

        return result_html(self)


def list_queries(folder: Path | None = None) -> tuple[NamedQuery, ...]:
    """The named queries shipped with paperkg (or in ``folder``), sorted by name."""
    directory = folder or queries_dir()
    return tuple(_parse_file(path) for path in sorted(directory.glob("*.rq")))


def load_query(name_or_path: str, folder: Path | None = None) -> NamedQuery:
    """A named query by name (``drugs-tried-for``) or a path to any ``.rq`` file."""
    if name_or_path.endswith((".rq", ".sparql")):
        path = Path(name_or_path)
        if not path.is_file():
            raise QueryError(name_or_path, "no such file", "check the path to the .rq file")
        return _parse_file(path)
    catalogue = {query.name: query for query in list_queries(folder)}
    try:
        return catalogue[name_or_path]
    except KeyError:
        raise UnknownQueryError(name_or_path, tuple(catalogue)) from None


#: A parameter's value, or the values of a parameter that takes several (kind ending in ``*``).
ParamValue = str | Sequence[str]


def run_query(
    store: PaperStore, query: NamedQuery | str, params: Mapping[str, ParamValue] | None = None
) -> QueryResult:
    """Run a named query on the store with parameters bound safely."""
    named = load_query(query) if isinstance(query, str) else query
    given = _values_by_name(named, params or {})
    text, substitutions = bind_parameters(named, _papers_by_key(named, store, given))
    counted = _from_tallies(named, store, substitutions)
    if counted is not None:
        return dataclasses.replace(counted, misses=_unmatched(named, store, given))
    if _is_shipped(named, "findings"):
        return _findings(store)
    try:
        solutions = store.query(text, substitutions)
    except SyntaxError as error:
        raise QueryError(named.name, f"SPARQL syntax error: {error}", "fix the .rq file") from error
    return solutions_result(named, solutions, _unmatched(named, store, given))


def _findings(store: PaperStore) -> QueryResult:
    """The shipped findings.rq's rows, in paperkg's own store from the same query in another
    form (queries/internal/findings-embedded.rq: the same rows, faster in Oxigraph, in a form
    other triple stores cannot compile), whose last column is the finding: each finding's
    evidence, read first, joined as findings.rq joins it (distinct sentences in the order of
    their nodes, ``[section] sentence``, separated by `` | ``).
    """
    sentences: dict[str, dict[str, str]] = {}
    for row in store.query(internal_query("findings-evidence")):
        node, section, sentence = row["evidence_node"], row["section"], row["sentence"]
        sentences.setdefault(row["finding"].value, {})[node.value] = (
            f"[{section.value}] {sentence.value}"
        )
    solutions = store.query(internal_query("findings-embedded"))
    columns = tuple(v.value for v in solutions.variables)
    evidence = columns.index("finding")

    def rows() -> Iterator[tuple[object, ...]]:
        for solution in solutions:
            row: list[object] = [solution[column] for column in columns]
            finding = solution["finding"]
            found = sentences.pop(finding.value, {}) if finding is not None else {}
            texts = dict.fromkeys(found[node] for node in sorted(found))
            row[evidence] = ox.Literal(" | ".join(texts))
            yield tuple(row)

    named_columns = (*columns[:evidence], "evidence", *columns[evidence + 1 :])
    return _streamed_result(named_columns, rows())


def bind_parameters(
    named: NamedQuery, params: Mapping[str, ParamValue]
) -> tuple[str, dict[ox.Variable, ox.Literal]]:
    """The query text with the values of its repeatable parameters filled in (as terms), and
    the term each one-value parameter binds: what a local or a remote run sends.
    """
    substitutions, lists = _bind(named, _values_by_name(named, params))
    text = named.text
    for variable, terms in lists.items():
        text = fill_values(named.name, text, variable, terms)
    return text, substitutions


def solutions_result(
    named: NamedQuery, solutions: object, misses: tuple[Unmatched, ...] = ()
) -> QueryResult:
    """A query's answer (``QuerySolutions`` or ``QueryBoolean``) as a :class:`QueryResult`,
    typed from the datatypes of its values, the parameter variables left out.
    """
    if isinstance(solutions, ox.QueryBoolean):
        return QueryResult(("result",), ((str(bool(solutions)).lower(),),), misses, ("boolean",))
    if not isinstance(solutions, ox.QuerySolutions):
        raise QueryError(named.name, "not a SELECT or ASK query", "use SELECT for named queries")
    # Parameter variables are projected only so that substitution can bind them: leave them out.
    hidden = {parameter.variable for parameter in named.parameters}
    columns = tuple(v.value for v in solutions.variables if v.value not in hidden)
    return _streamed_result(
        columns, ((solution[c] for c in columns) for solution in solutions), misses
    )


def _streamed_result(
    columns: tuple[str, ...],
    rows: Iterable[Iterable[object]],
    misses: tuple[Unmatched, ...] = (),
) -> QueryResult:
    """:func:`terms_result` of rows read once, as they come: each row's terms become strings
    at once, so a large answer is never held twice (as terms, then as strings).
    """
    kinds: list[set[str]] = [set() for _ in columns]
    cells = []
    for row in rows:
        cell = []
        for index, term in enumerate(row):
            if term is not None:
                kinds[index].add(_kind(term))
            cell.append(_cell(term))
        cells.append(tuple(cell))
    return QueryResult(columns, tuple(cells), misses, tuple(_type_of(k) for k in kinds))


def terms_result(
    columns: tuple[str, ...], rows: Sequence[Sequence[object]], misses: tuple[Unmatched, ...] = ()
) -> QueryResult:
    """Rows of RDF terms (``None`` for unbound) as a :class:`QueryResult`: cells as strings,
    each column typed by its values' datatypes (``integer`` only if every value is one).
    """
    types = tuple(_column_type(row[index] for row in rows) for index in range(len(columns)))
    cells = tuple(tuple(_cell(term) for term in row) for row in rows)
    return QueryResult(columns, cells, misses, types)


def is_list_column(column: str) -> bool:
    """Whether a column's cells join several values with ``|``: a concept's CURIEs
    (``*_ids``) or one of :data:`LIST_COLUMNS`.
    """
    return column.endswith("_ids") or column in LIST_COLUMNS


def _column_type(terms: Iterable[object]) -> str:
    return _type_of({_kind(term) for term in terms if term is not None})


def _kind(term: object) -> str:
    if isinstance(term, ox.Literal):
        return _DATATYPE_TYPES.get(term.datatype.value, "string")
    return "string"


def _type_of(kinds: set[str]) -> str:
    if len(kinds) == 1:
        return next(iter(kinds))
    return "decimal" if kinds == {"integer", "decimal"} else "string"


def _from_tallies(
    named: NamedQuery, store: PaperStore, bound: Mapping[ox.Variable, ox.Literal]
) -> QueryResult | None:
    """The shipped drugs-tried-for answered from the counts kept at ingest (the same rows, a
    test compares them), where the store keeps them current; else ``None``.
    """
    if not _is_shipped(named, "drugs-tried-for"):
        return None
    key = bound.get(ox.Variable("condition_key"))
    rows = None if key is None else drugs_tried_for(store, key.value)
    if rows is None:
        return None
    return terms_result(TRIED_FOR_COLUMNS, rows)


def _is_shipped(named: NamedQuery, name: str) -> bool:
    """``named`` is the shipped query ``name`` (not a .rq file of the user's of that name)."""
    return named.name == name and named.path == queries_dir() / f"{name}.rq"


def _unmatched(
    named: NamedQuery, store: PaperStore, given: Mapping[str, list[str]]
) -> tuple[Unmatched, ...]:
    """The concept values that name nothing of the kind their parameter asks for."""
    return tuple(
        miss
        for parameter in named.parameters
        if parameter.kind == "concept" and parameter.name in given
        for miss in unmatched_concepts(
            store, given[parameter.name], kind_of_parameter(parameter.name)
        )
    )


def _values_by_name(named: NamedQuery, params: Mapping[str, ParamValue]) -> dict[str, list[str]]:
    """Every parameter's values as a list; a one-value parameter given twice is an error."""
    given = {
        name: [value] if isinstance(value, str) else list(value) for name, value in params.items()
    }
    declared = {parameter.name: parameter for parameter in named.parameters}
    for name, values in given.items():
        parameter = declared.get(name)
        if parameter is not None and not parameter.many and len(values) > 1:
            raise QueryError(
                named.name, f"parameter {name!r} takes one value", f"give --param {name}= once"
            )
    return given


def _papers_by_key(
    named: NamedQuery, store: PaperStore, given: Mapping[str, list[str]]
) -> dict[str, list[str]]:
    """Paper parameters as the store keys the papers: a PMID names a paper keyed by its DOI."""
    kinds = {parameter.name: parameter.kind for parameter in named.parameters}
    return {
        name: [
            (store.paper_key_of(value) or value) if kinds.get(name) == "paper" else value
            for value in values
        ]
        for name, values in given.items()
    }


def _cell(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.Literal | ox.NamedNode | ox.BlankNode):
        value = term.value
        if "|" in value and isinstance(term, ox.Literal):
            # GROUP_CONCAT order is not defined by SPARQL: sort for stable output.
            separator = " | " if " | " in value else "|"
            value = separator.join(sorted(value.split(separator)))
        return value
    return str(term)


def _bind(
    named: NamedQuery, params: Mapping[str, list[str]]
) -> tuple[dict[ox.Variable, ox.Literal], dict[str, list[ox.Literal] | None]]:
    declared = {parameter.name: parameter for parameter in named.parameters}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        expected = ", ".join(declared) or "no parameters"
        raise QueryError(named.name, f"unknown parameter {unknown[0]!r}", f"it takes: {expected}")
    missing = [
        name
        for name, parameter in declared.items()
        if not parameter.optional
        and not parameter.many
        and not "".join(params.get(name, [])).strip()
    ]
    if missing:
        parameter = declared[missing[0]]
        raise QueryError(
            named.name,
            f"missing parameter {parameter.name!r} ({parameter.description})",
            f"add --param {parameter.name}=VALUE",
        )
    bound: dict[ox.Variable, ox.Literal] = {}
    lists: dict[str, list[ox.Literal] | None] = {}
    for name, parameter in declared.items():
        values = params.get(name)
        if parameter.many:
            chosen = [v for v in values or [] if v.strip()]
            lists[parameter.variable] = [_term(parameter, v) for v in chosen] if chosen else None
        elif values is None:
            if parameter.optional:
                bound[ox.Variable(parameter.variable)] = ox.Literal("")
        else:
            bound[ox.Variable(parameter.variable)] = _term(parameter, values[0])
    return bound, lists


def _term(parameter: QueryParameter, value: str) -> ox.Literal:
    """The literal a value is bound as: a concept's or paper's lookup key, or the text."""
    if parameter.kind == "concept":
        return ox.Literal(concept_lookup_key(value))
    if parameter.kind == "paper":
        return ox.Literal(paper_keys(value)[0])
    return ox.Literal(value.strip() if parameter.optional else value)


def _parse_file(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {"title": [], "description": [], "example": [], "data": []}
    parameters: list[QueryParameter] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        content = line[1:].strip()
        header = re.match(r"^(title|description|param|example|data):\s*(.*)$", content)
        if header is None:
            if current is not None and content:
                current.append(content)
            continue
        key, value = header.groups()
        if key == "param":
            name, kind, description = [*value.split(None, 2), "", ""][:3]
            optional, many = kind.endswith("?"), kind.endswith("*")
            kind = kind.removesuffix("?").removesuffix("*")
            if kind not in _PARAM_KINDS:
                raise QueryError(
                    path.name,
                    f"parameter {name!r} has kind {kind!r}",
                    f"use one of {', '.join(_PARAM_KINDS)}",
                )
            parameters.append(QueryParameter(name, kind, description.strip(), optional, many))
            current = None
        else:
            current = fields[key]
            if value:
                current.append(value)
    return NamedQuery(
        name=path.stem,
        path=path,
        title=" ".join(fields["title"]),
        description=" ".join(fields["description"]),
        parameters=tuple(parameters),
        example=" ".join(fields["example"]),
        text=text,
        data=" ".join(fields["data"]) or "records",
    )
