"""Where the tools under paperkg's RDF readers and writers depart from the W3C RDF 1.1 syntax
suites: each test named once, with the reason. ``test_w3c_syntax.py`` checks that exactly these
depart, so a list that no longer holds (a tool fixed, a fault mended) fails until it is updated.
"""

from __future__ import annotations

#: (writer, test, parser that reads the output back)
Departure = tuple[str, str, str]

# --- the store ------------------------------------------------------------------------------------

#: An Oxigraph store keeps numeric, boolean and date literals by value, so their lexical form
#: and derived integer types come back canonical ("01" -> "1", "1.0"^^xsd:decimal -> "1",
#: xsd:byte -> xsd:integer): oxigraph/oxigraph#526. Every writer that reads the store is judged
#: against the graph as the store keeps it; paperkg writes such literals in canonical form.
STORE_NORMALISES = (
    "nt/nt-syntax-datatypes-01",
    "nq/nt-syntax-datatypes-01",
    "turtle/bareword_decimal",
    "turtle/bareword_double",
    "turtle/double_lower_case_e",
    "turtle/numeric_with_leading_0",
    "turtle/positive_numeric",
    "turtle/turtle-subm-11",
    "turtle/turtle-subm-17",
    "turtle/turtle-subm-19",
    "turtle/turtle-subm-20",
    "turtle/turtle-subm-26",
    "turtle/turtle-syntax-datatypes-01",
    "turtle/turtle-syntax-number-03",
    "turtle/turtle-syntax-number-04",
    "turtle/turtle-syntax-number-05",
    "turtle/turtle-syntax-number-06",
    "turtle/turtle-syntax-number-07",
    "turtle/turtle-syntax-number-09",
    "turtle/turtle-syntax-number-10",
    "turtle/turtle-syntax-number-11",
    "turtle/turtle-syntax-number-12",
    "turtle/turtle-syntax-number-13",
)

# --- RDF/XML and SPARQL XML results (Oxigraph's writers) -----------------------------------------

#: paperkg's RDF/XML export refuses, in one line, what RDF/XML cannot carry as it is (the
#: "refused" reading); serve's RDF/XML answers are Oxigraph's writer as it is.
_EXPORT_XML = ("export rdfxml",)
_RDF_XML = ("serve CONSTRUCT application/rdf+xml",)
_RESULTS_XML = ("serve SELECT application/sparql-results+xml",)

#: Literals holding U+0001-U+001F (not tab, line feed): XML 1.0 cannot hold these characters at
#: all, and Oxigraph writes them raw, so the file is not XML (rdflib refuses it; Oxigraph's own
#: XML readers do not check XML's characters and take it). The export refuses them (found by
#: the fuzz run); serve's XML answers still carry them.
XML_CONTROL = (
    "nt/literal_all_controls",
    "nt/literal_ascii_boundaries",
    "nt/literal_with_BACKSPACE",
    "nt/literal_with_FORM_FEED",
    "nq/literal_all_controls",
    "nq/literal_ascii_boundaries",
    "nq/literal_with_BACKSPACE",
    "nq/literal_with_FORM_FEED",
    "turtle/LITERAL1_all_controls",
    "turtle/LITERAL1_ascii_boundaries",
    "turtle/LITERAL2_ascii_boundaries",
    "turtle/LITERAL_LONG1_ascii_boundaries",
    "turtle/LITERAL_LONG2_ascii_boundaries",
    "turtle/literal_with_BACKSPACE",
    "turtle/literal_with_FORM_FEED",
    "turtle/literal_with_escaped_BACKSPACE",
    "turtle/literal_with_escaped_FORM_FEED",
)

#: Literals holding a carriage return: Oxigraph's RDF/XML writer writes it raw, and XML's
#: end-of-line handling turns it into a line feed in any conforming reader (rdflib); Oxigraph's
#: own reader does not, so only rdflib sees the change.
XML_CR = (
    "nt/literal_with_CARRIAGE_RETURN",
    "nt/nt-syntax-subm-01",
    "nq/literal_with_CARRIAGE_RETURN",
    "nq/nt-syntax-subm-01",
    "turtle/literal_with_CARRIAGE_RETURN",
    "turtle/literal_with_escaped_CARRIAGE_RETURN",
    "turtle/turtle-subm-16",
)

#: Blank node labels that start with a digit (``_:1a``, ``_:0b``): Oxigraph writes them as
#: ``rdf:nodeID``, which must be an XML name, so no reader takes the file. paperkg's graphs have
#: no blank nodes, and those a CONSTRUCT makes get labels Oxigraph chooses.
XML_NODE_ID = (
    "nt/nt-syntax-bnode-03",
    "nq/nt-syntax-bnode-03",
    "turtle/turtle-syntax-blank-label",
)

#: Predicates RDF/XML cannot write (their IRI has no XML name at its end, e.g. ``…TurtleTests/``
#: or ``…/:p:1``): Oxigraph writes an element that is not XML instead of refusing (rdflib
#: refuses the file; Oxigraph's own reader takes it back).
XML_QNAME = (
    "turtle/turtle-syntax-ln-colons",
    "turtle/turtle-syntax-pname-esc-03",
    "turtle/turtle-syntax-prefix-05",
    "turtle/turtle-syntax-prefix-09",
)

# --- rdflib's readers -----------------------------------------------------------------------------

#: rdflib's SPARQL TSV results parser stops at a raw form feed or other control character inside
#: a literal, which the TSV format (Turtle's string syntax) allows.
TSV_CONTROL = (
    "nt/literal_all_controls",
    "nt/literal_ascii_boundaries",
    "nt/literal_with_FORM_FEED",
    "nq/literal_all_controls",
    "nq/literal_ascii_boundaries",
    "nq/literal_with_FORM_FEED",
    "turtle/LITERAL1_all_controls",
    "turtle/LITERAL1_ascii_boundaries",
    "turtle/LITERAL2_ascii_boundaries",
    "turtle/literal_with_FORM_FEED",
    "turtle/literal_with_escaped_FORM_FEED",
)

_IRI = "rdflib does not check the characters of an IRI (it warns and keeps them)"
_IRI_ESCAPE = "rdflib keeps a malformed \\u escape in an IRI as text"
_ESCAPE = "rdflib keeps a malformed escape in a string as text"
_SURROGATE = "rdflib decodes a \\u escape of a lone surrogate"
_N3 = "rdflib reads Turtle with its N3 grammar: literal or blank node subject/predicate"
_N3_PATH = "rdflib reads Turtle with its N3 grammar: N3 paths (x.y, x^y)"
_N3_WORD = "rdflib reads Turtle with its N3 grammar: true/false as subject or predicate"
_BNODE = "rdflib's N-Triples parser takes ':' in a blank node label"

#: Negative tests rdflib reads without an error (why ``validate --data`` and ``--shapes`` read
#: with Oxigraph, which takes none of them).
RDFLIB_ACCEPTS: dict[str, str] = {
    "turtle/turtle-syntax-bad-num-05": "rdflib's N3 number grammar takes +-1",
    "turtle/turtle-syntax-bad-uri-01": _IRI,
    "turtle/turtle-syntax-bad-uri-02": _IRI_ESCAPE,
    "turtle/turtle-syntax-bad-uri-03": _IRI_ESCAPE,
    "turtle/turtle-syntax-bad-uri-04": _IRI,
    "turtle/turtle-syntax-bad-uri-05": _IRI,
    "turtle/turtle-syntax-bad-uri-escape-01": _IRI,
    "turtle/turtle-syntax-bad-uri-escape-02": _IRI,
    "turtle/turtle-syntax-bad-uri-escape-03": _IRI,
    "turtle/turtle-syntax-bad-uri-escape-04": _IRI,
    "turtle/turtle-syntax-bad-struct-04": _N3,
    "turtle/turtle-syntax-bad-struct-05": _N3,
    "turtle/turtle-syntax-bad-struct-06": _N3,
    "turtle/turtle-syntax-bad-struct-07": _N3,
    "turtle/turtle-syntax-bad-struct-14": _N3,
    "turtle/turtle-syntax-bad-struct-15": _N3,
    "turtle/turtle-syntax-bad-struct-16": _N3,
    "turtle/turtle-syntax-bad-struct-17": _N3,
    "turtle/turtle-syntax-bad-kw-04": _N3_WORD,
    "turtle/turtle-syntax-bad-kw-05": _N3_WORD,
    "turtle/turtle-syntax-bad-n3-extras-03": _N3_PATH,
    "turtle/turtle-syntax-bad-n3-extras-04": _N3_PATH,
    "turtle/turtle-syntax-bad-n3-extras-06": _N3_PATH,
    "turtle/turtle-syntax-bad-numeric-escape-01": _SURROGATE,
    "turtle/turtle-syntax-bad-numeric-escape-02": _SURROGATE,
    "turtle/turtle-syntax-bad-numeric-escape-03": _SURROGATE,
    "turtle/turtle-syntax-bad-numeric-escape-04": _SURROGATE,
    "turtle/turtle-syntax-bad-numeric-escape-05": _SURROGATE,
    "turtle/turtle-syntax-bad-numeric-escape-06": _SURROGATE,
    "turtle/turtle-syntax-bad-numeric-escape-07": _SURROGATE,
    "turtle/turtle-syntax-bad-numeric-escape-08": _SURROGATE,
    "turtle/turtle-syntax-bad-numeric-escape-09": _SURROGATE,
    "turtle/turtle-syntax-bad-numeric-escape-10": _SURROGATE,
    "turtle/turtle-syntax-bad-esc-02": _ESCAPE,
    "turtle/turtle-syntax-bad-esc-03": _ESCAPE,
    "turtle/turtle-syntax-bad-esc-04": _ESCAPE,
    "turtle/turtle-syntax-bad-string-06": "rdflib ends a long string at its last three quotes",
    "turtle/turtle-syntax-bad-string-07": "rdflib ends a long string at its last three quotes",
    "turtle/turtle-syntax-bad-ln-dash-start": "rdflib lets a local name start with '-'",
    "nt/nt-syntax-bad-uri-02": _IRI_ESCAPE,
    "nt/nt-syntax-bad-uri-03": _IRI_ESCAPE,
    "nt/nt-syntax-bad-uri-04": _IRI,
    "nt/nt-syntax-bad-uri-05": _IRI,
    "nt/nt-syntax-bad-bnode-01": _BNODE,
    "nt/nt-syntax-bad-bnode-02": _BNODE,
    "nt/nt-syntax-bad-esc-01": _ESCAPE,
    "nt/nt-syntax-bad-esc-02": _ESCAPE,
    "nt/nt-syntax-bad-esc-03": _ESCAPE,
    "nq/nt-syntax-bad-uri-02": _IRI_ESCAPE,
    "nq/nt-syntax-bad-uri-03": _IRI_ESCAPE,
    "nq/nt-syntax-bad-uri-04": _IRI,
    "nq/nt-syntax-bad-uri-05": _IRI,
    "nq/nt-syntax-bad-bnode-01": _BNODE,
    "nq/nt-syntax-bad-bnode-02": _BNODE,
    "nq/nt-syntax-bad-esc-01": _ESCAPE,
    "nq/nt-syntax-bad-esc-02": _ESCAPE,
    "nq/nt-syntax-bad-esc-03": _ESCAPE,
}

#: Positive tests rdflib rejects (Oxigraph reads them).
RDFLIB_REJECTS: dict[str, str] = {
    "nt/minimal_whitespace": "rdflib's N-Triples parser wants a space between terms",
}


def departures() -> set[Departure]:
    """Every (writer, test, parser) listed above."""
    both = ("oxigraph", "rdflib")
    table: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
        (_EXPORT_XML, XML_CONTROL + XML_CR + XML_NODE_ID + XML_QNAME, ("refused",)),
        (_RDF_XML + _RESULTS_XML, XML_CONTROL, ("rdflib",)),
        (_RDF_XML, XML_CR, ("rdflib",)),
        (_RESULTS_XML, ("turtle/turtle-subm-16",), ("rdflib",)),
        (_RDF_XML, XML_NODE_ID, both),
        (_RDF_XML, XML_QNAME, ("rdflib",)),
        (("serve SELECT text/tab-separated-values",), TSV_CONTROL, ("rdflib",)),
    ]
    return {
        (writer, test, parser)
        for writers, tests, parsers in table
        for writer in writers
        for test in tests
        for parser in parsers
    }
