"""What ``paperkg serve`` keeps hostile queries from doing: reaching out, and answering without end.

pyoxigraph runs ``SERVICE <IRI>`` by making the HTTP request, and has no option to stop it, so
a query could make the server fetch from (or post to) any host it can reach: the query text is
checked for the keyword first, and on Linux the query workers also give up the network
altogether (see :mod:`.serve_workers`), in case a query slips a ``SERVICE`` past the check.

The keyword is looked for the way the parser reads tokens: strings, IRIs and comments are
skipped, and since ``<`` opens an IRI or is the less-than operator depending on where it stands,
both readings are followed where they differ (a query that hides the keyword in one reading
shows it in the other). A harmless query may be refused (``SERVICE`` as a prefix name, or in an
IRI with a ``#``); none that names the keyword is let through.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any

import pyoxigraph as ox

from .serve_workers import RefusedError

__all__ = ["capped_graph", "capped_solutions", "refuse_outbound"]

# One token of SPARQL, for the keyword search; PN_LOCAL escapes kept inside the prefixed name.
_TOKEN = re.compile(
    r"""
      '''(?:[^'\\]|\\.|'(?!''))*'''
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    | '(?:[^'\\\n\r]|\\.)*'
    | "(?:[^"\\\n\r]|\\.)*"
    | \#[^\n\r]*
    | (?P<word>[A-Za-z_][\w-]*)(?::(?:[.:%\w-]|\\[_~.\-!$&'()*+,;=/?\#@%])*)?
    | :(?:[.:%\w-]|\\[_~.\-!$&'()*+,;=/?\#@%])*
    | [?$]\w+
    | .
    """,
    re.DOTALL | re.VERBOSE,
)
# Any text the parser could read as an IRI (a superset of its IRIREF: escapes of any kind).
_IRI = re.compile(r'<[^<>"{}|^`\x00-\x20]*>')
_OPENS = re.compile(r"['#]")
_OUTBOUND = "SERVICE"


def refuse_outbound(text: str) -> None:
    """Refuse (403) a query that names ``SERVICE`` in any reading of its tokens."""
    starts, seen = [0], set()
    while starts:
        position = starts.pop()
        while position < len(text) and position not in seen:
            seen.add(position)
            if text[position] == "<" and (iri := _IRI.match(text, position)):
                if _OPENS.search(iri.group()):
                    # Read as less-than, a quote or '#' in it would open a string or comment
                    # that runs past the '>': follow that reading too. (Without one, both
                    # readings agree again after the '>'.)
                    starts.append(position + 1)
                position = iri.end()
                continue
            token = _TOKEN.match(text, position)
            assert token is not None  # the last alternative matches any character
            if (token.group("word") or "").upper() == _OUTBOUND:
                raise RefusedError(
                    HTTPStatus.FORBIDDEN,
                    "query: SERVICE is refused: this endpoint makes no requests to other "
                    "servers; query them yourself and join the answers",
                )
            position = token.end()


def _too_many(where: str, limit: int, what: str) -> RefusedError:
    return RefusedError(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        f"{where}: cut off at {limit} {what} (paperkg serve --max-rows): the answer has more; "
        "narrow it down, page through it with LIMIT and OFFSET, or raise --max-rows",
    )


def capped_solutions(
    result: ox.QuerySolutions, form: ox.QueryResultsFormat, limit: int, where: str
) -> bytes:
    """The solutions serialised as ``form``, refused (422) once there are over ``limit``.

    pyoxigraph serialises only a whole result, so the rows kept are written as SPARQL JSON
    and read back as a result to serialise.
    """
    variables = [variable.value for variable in result.variables]
    rows: list[dict[str, Any]] = []
    for solution in result:
        if len(rows) == limit:
            raise _too_many(where, limit, "rows")
        row = {}
        for name in variables:
            term = solution[name]
            if term is not None:
                row[name] = _json_term(term)
        rows.append(row)
    data = json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}}).encode()
    if form == ox.QueryResultsFormat.JSON:
        return data
    back = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    assert isinstance(back, ox.QuerySolutions)
    return back.serialize(format=form) or b""


def capped_graph(result: ox.QueryTriples, form: ox.RdfFormat, limit: int, where: str) -> bytes:
    """The triples of a CONSTRUCT or DESCRIBE, refused (422) once there are over ``limit``."""
    triples: list[ox.Triple] = []
    for triple in result:
        if len(triples) == limit:
            raise _too_many(where, limit, "triples")
        triples.append(triple)
    return ox.serialize(triples, format=form) or b""


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _json_term(term: Any) -> dict[str, Any]:
    """A term as SPARQL 1.1 (1.2 for triple terms) JSON results write it."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    assert isinstance(term, ox.Triple)
    parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
    return {"type": "triple", "value": {k: _json_term(v) for k, v in parts.items()}}
