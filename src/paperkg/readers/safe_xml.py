"""One way the XML readers (BioC, PubMed, JATS) set up expat: safe, and the same everywhere.

Entity declarations stop the parse before any expansion (no entity bombs), parameter entities and
external DTDs are never read (nothing is fetched because of a file's content), and character
data comes in whole runs.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.parsers import expat

from .pubtator import clip

__all__ = ["RefusedError", "safe_parser"]


class RefusedError(Exception):
    """Raised inside expat handlers to stop the parse (entity declaration, wrong root)."""


def _refuse_entity(name: str, *_: object) -> None:
    raise RefusedError(f"entity declaration {clip(name)!r} refused (entities are not expanded)")


def safe_parser(
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    data: Callable[[str], None],
) -> expat.XMLParserType:
    """An expat parser calling ``start``, ``end`` and ``data``, refusing entity declarations."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.EntityDeclHandler = _refuse_entity
    return parser
