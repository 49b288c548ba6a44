"""Identifiers: CURIE normalisation, the one pinned CURIE↔IRI converter, and paper keys.

Several prefixes have competing expansions in the wild; this module is the one place that chooses
(DESIGN.md section 3). Everything else asks it: records' identifiers (:func:`normalize_curie`),
and what people type, in any common form (:func:`resolve_identifier`: ``mondo:5546``,
``MONDO_0005546``, ``obo:MONDO_0005546``, a bare MeSH ``D005356``, IRIs of any common
expansion). Prefix synonyms and IRI expansions come from bioregistry, through the map
``identifier_prefixes.json`` that ``tools/gen_prefixes.py`` writes (importing bioregistry itself
would cost every command more than a second).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import curies
import pyoxigraph as ox

from .model import EntityKind

__all__ = [
    "CANONICAL_IRI_PREFIXES",
    "CANONICAL_PREFIXES",
    "IDENTIFIER_PRIORITY",
    "NOT_A_WEB_IRI",
    "OBO_NAMESPACE",
    "concept_lookup_key",
    "converter",
    "curie_to_iri",
    "iri_to_curie",
    "lookup_key",
    "normalize_curie",
    "normalize_doi",
    "paper_key",
    "paper_keys",
    "resolve_identifier",
    "slug",
    "web_iri",
]

#: canonical prefix -> the one IRI prefix paperkg expands it to (DESIGN.md section 3).
CANONICAL_IRI_PREFIXES: dict[str, str] = {
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "pubchem.compound": "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID",
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "NCBITaxon": "http://purl.obolibrary.org/obo/NCBITaxon_",
    "doi": "https://doi.org/",
    "pubmed": "https://pubmed.ncbi.nlm.nih.gov/",
    "pmc": "https://www.ncbi.nlm.nih.gov/pmc/articles/",
    "OMIM": "https://omim.org/entry/",
    "DOID": "http://purl.obolibrary.org/obo/DOID_",
    "HP": "http://purl.obolibrary.org/obo/HP_",
    "NCBIGene": "https://www.ncbi.nlm.nih.gov/gene/",
}
#: What ``obo:`` stands for (``obo:MONDO_0005546``).
OBO_NAMESPACE = "http://purl.obolibrary.org/obo/"

_PREFIX_MAP = Path(__file__).resolve().parent / "identifier_prefixes.json"


@cache
def _prefix_map() -> dict[str, Any]:
    """The shipped map of prefix synonyms and IRI expansions (see tools/gen_prefixes.py)."""
    data: dict[str, Any] = json.loads(_PREFIX_MAP.read_text(encoding="utf-8"))
    return data


def _synonyms(prefix: str) -> tuple[str, ...]:
    entry = _prefix_map()["prefixes"].get(prefix, {})
    return tuple(name for name in entry.get("synonyms", ()) if name != prefix)


#: canonical prefix -> IRI prefix, and the spellings accepted for it (from bioregistry).
CANONICAL_PREFIXES: dict[str, tuple[str, tuple[str, ...]]] = {
    prefix: (iri, _synonyms(prefix)) for prefix, iri in CANONICAL_IRI_PREFIXES.items()
}

#: Which identifier names a concept of each kind, most preferred first: a concept's key in a
#: record, and its canonical node across records, are chosen by this order.
IDENTIFIER_PRIORITY: dict[EntityKind, tuple[str, ...]] = {
    EntityKind.DISEASE: ("MONDO", "MESH"),
    EntityKind.CHEMICAL: ("MESH", "CHEBI", "pubchem.compound"),
    EntityKind.SPECIES: ("NCBITaxon",),
}

_LOCAL_ID = {
    "MONDO": re.compile(r"^\d{7}$"),
    "MESH": re.compile(r"^[CD]\d{6,9}$"),
    "pubchem.compound": re.compile(r"^\d+$"),
    "CHEBI": re.compile(r"^\d+$"),
    "NCBITaxon": re.compile(r"^\d+$"),
    "OMIM": re.compile(r"^\d{6}$"),
    "DOID": re.compile(r"^\d+$"),
    "HP": re.compile(r"^\d{7}$"),
    "NCBIGene": re.compile(r"^\d+$"),
}

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_SPELLING = {
    alias.casefold(): canonical
    for canonical, (_, aliases) in CANONICAL_PREFIXES.items()
    for alias in (canonical, *aliases)
}


@cache
def converter() -> curies.Converter:
    """The single pinned converter between canonical CURIEs and IRIs."""
    records = [
        curies.Record(prefix=prefix, uri_prefix=uri_prefix, prefix_synonyms=list(aliases))
        for prefix, (uri_prefix, aliases) in CANONICAL_PREFIXES.items()
    ]
    return curies.Converter(records)


def normalize_curie(raw: str) -> str | None:
    """Return the canonical CURIE for an identifier as records write it, or ``None``.

    Accepts ``MESH:D009271``, ``mesh:D009271``, ``PubChem CID 5360515``, ``CID:2160``,
    ``MONDO:0005546``, ``taxon 9606``, ``NCBITaxon:9606``. ``None`` means "not an identifier
    paperkg knows" (including ``-`` for none); callers keep the mention and flag the identifier.
    """
    text = raw.strip().strip("[]()").strip()
    if not text or text == "-":
        return None
    match = re.fullmatch(r"(?i)pub\s*chem\s*(?:compound\s*)?(?:cid)?[\s:]*(\d+)", text)
    if match is None:
        match = re.fullmatch(r"(?i)cid[\s:]*(\d+)", text)
    if match is not None:
        return f"pubchem.compound:{match.group(1)}"
    match = re.fullmatch(r"(?i)(?:ncbi\s*)?taxon(?:omy)?(?:\s*id)?[\s:]*(\d+)", text)
    if match is not None:
        return f"NCBITaxon:{match.group(1)}"
    if ":" not in text:
        return None
    prefix, _, local = text.partition(":")
    canonical = _SPELLING.get(prefix.strip().casefold())
    local = local.strip()
    if canonical is None or not local:
        return None
    if canonical == "doi":
        doi = normalize_doi(local)
        return None if doi is None else f"doi:{doi}"
    if canonical == "pmc":
        local = local.upper()
        local = local if local.startswith("PMC") else "PMC" + local
        return f"pmc:{local}" if re.fullmatch(r"PMC\d+", local) else None
    if canonical == "pubmed":
        return f"pubmed:{local}" if local.isdigit() else None
    if canonical == "MESH":
        local = local.upper()
    pattern = _LOCAL_ID.get(canonical)
    if pattern is not None and not pattern.match(local):
        return None
    return f"{canonical}:{local}"


def resolve_identifier(raw: str) -> str | None:
    """The canonical CURIE for an identifier as people write it, or ``None``.

    Beyond what :func:`normalize_curie` takes: any prefix synonym (``PUBCHEM.COMPOUND:``,
    ``pubchem:``), digits without their leading zeros (``mondo:5546``), the OBO form
    (``MONDO_0005546``, ``obo:MONDO_0005546``), a bare MeSH id (``D005356``) and IRIs of any
    common expansion (http or https, ``id.nlm.nih.gov/mesh/``, ``identifiers.org/…``,
    ``purl.obolibrary.org``). People copy identifiers from many places; each form should find
    the concept, so none is taken for a label that names nothing.
    """
    text = raw.strip().strip("<>").strip()
    found = normalize_curie(text)
    if found is not None:
        return found
    if re.match(r"(?i)https?://", text):
        parsed = _split_iri(text)
    elif re.fullmatch(r"(?i)[CD]\d{6,9}", text):
        parsed = ("MESH", text)
    else:
        prefix, colon, local = text.partition(":")
        if colon and prefix.strip().casefold() == "obo":
            parsed = _split_iri(OBO_NAMESPACE + local.strip())
        elif colon and prefix.strip().casefold() in _SPELLING:
            parsed = (_SPELLING[prefix.strip().casefold()], local.strip())
        else:
            parsed = _split_obo(text)
    if parsed is None:
        return None
    prefix, local = parsed
    width = _digits(prefix)
    if width and local.isdigit() and len(local) < width:
        local = local.zfill(width)
    return normalize_curie(f"{prefix}:{local}")


def _split_obo(text: str) -> tuple[str, str] | None:
    """``MONDO_0005546`` as (``MONDO``, ``0005546``): the OBO way of writing an identifier."""
    prefix, underscore, local = text.partition("_")
    canonical = _SPELLING.get(prefix.casefold())
    return (canonical, local) if underscore and canonical is not None and local else None


def _split_iri(iri: str) -> tuple[str, str] | None:
    """The canonical prefix and local id of an IRI in any expansion bioregistry knows (the
    longest match, ignoring case: ``identifiers.org/MONDO:`` is ``identifiers.org/mondo:``).
    """
    folded = iri.casefold()
    for expansion, prefix in _iri_prefixes():
        if folded.startswith(expansion):
            local = iri[len(expansion) :].rstrip("/")
            return (prefix, local) if local else None
    if any(folded.startswith(namespace.casefold()) for namespace in _prefix_map()["obo"]):
        return _split_obo(iri.rstrip("/").rsplit("/", 1)[-1])
    return None


@cache
def _iri_prefixes() -> tuple[tuple[str, str], ...]:
    """(expansion case-folded, canonical prefix), longest first: the canonical ones and
    bioregistry's.
    """
    pairs = {iri.casefold(): prefix for prefix, iri in CANONICAL_IRI_PREFIXES.items()}
    for prefix, entry in _prefix_map()["prefixes"].items():
        pairs.update((iri.casefold(), prefix) for iri in entry["iri_prefixes"])
    return tuple(sorted(pairs.items(), key=lambda pair: (-len(pair[0]), pair[0])))


def _digits(prefix: str) -> int:
    """How many digits the prefix's local ids have when fixed (MONDO: 7), else 0."""
    pattern = _prefix_map()["prefixes"].get(prefix, {}).get("pattern", "")
    match = re.fullmatch(r"\^\\d\{(\d+)\}\$", pattern)
    return int(match.group(1)) if match else 0


def normalize_doi(raw: str) -> str | None:
    """Lower-cased DOI without resolver prefix, or ``None`` if it is not a DOI (DOIs are
    case-insensitive, so one paper gets one key however it was typed).
    """
    text = raw.strip().rstrip(".,;")
    text = re.sub(r"(?i)^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", text)
    return text.lower() if _DOI.match(text) else None


def curie_to_iri(curie: str) -> str:
    """Expand a canonical CURIE to its IRI (``KeyError`` if the prefix is not known)."""
    iri = converter().expand(curie)
    if iri is None:
        raise KeyError(curie)
    if curie.startswith("doi:"):
        return "https://doi.org/" + quote(curie[4:], safe="/:;()._-")
    return iri


def iri_to_curie(iri: str) -> str | None:
    """Compress an IRI to its canonical CURIE, or ``None``."""
    return converter().compress(iri)


_TRANSLITERATE = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "Th",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
    }
)


_WEB_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+", re.IGNORECASE)
#: The text of :func:`web_iri`'s refusal, for readers to warn with.
NOT_A_WEB_IRI = "is not a web address (http:// or https://, no spaces); left out of the graph"


def web_iri(text: str | None) -> str | None:
    """``text`` when it is an http(s) IRI an RDF store takes (a port that is a number, no line
    break, no space), else ``None``: a record's source URL is kept only then.
    """
    if not text or not _WEB_IRI.fullmatch(text):
        return None
    try:
        ox.NamedNode(text)
    except ValueError:
        return None
    return text


def slug(text: str) -> str:
    """An IRI-safe, readable key: ASCII lower case, words joined by ``-``."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    folded = ascii_text.encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower())
    result = "-".join(words)[:80].strip("-")
    if not result:
        result = "x" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return result


def lookup_key(text: str) -> str:
    """The case- and space-insensitive key users' labels and CURIEs are matched on."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = folded.replace("\u2010", "-").replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(folded.split())


def paper_key(
    *, doi: str | None, pmcid: str | None, pmid: str | None, title: str, date: str | None
) -> str:
    """The stable identity of a paper: DOI, else PMCID, else PMID, else a title-and-year hash.

    Returned as a CURIE-like string (``doi:10.x/y``, ``pmc:PMC1``, ``pubmed:1``, ``title:<hash>``).
    """
    if doi:
        return f"doi:{doi.lower()}"
    if pmcid:
        return f"pmc:{pmcid.upper()}"
    if pmid:
        return f"pubmed:{pmid}"
    year = (date or "")[:4]
    normalised = " ".join(re.findall(r"\w+", title.casefold()))
    digest = hashlib.sha256(f"{normalised}|{year}".encode()).hexdigest()[:20]
    return f"title:{digest}"


def concept_lookup_key(value: str) -> str:
    """The lookup key a user's label, synonym, CURIE or IRI of a concept is matched on
    (a concept's ``pkg:conceptKey`` values).
    """
    text = value.strip()
    curie = resolve_identifier(text)
    return lookup_key(curie if curie is not None else text)


def paper_keys(value: str) -> list[str]:
    """The paper keys (see :func:`paper_key`) a user's DOI, ``PMID:…``, PMC id or key may stand
    for, most likely first; the text as given comes last.
    """
    text = value.strip()
    keys: list[str] = []
    doi = normalize_doi(text)
    if doi is not None:
        keys.append(f"doi:{doi}")
    if re.fullmatch(r"(?i)pmc\d+", text):
        keys.append(f"pmc:{text.upper()}")
    curie = resolve_identifier(text)
    if curie is not None and curie.split(":", 1)[0] in {"doi", "pubmed", "pmc"}:
        keys.append(curie)
    keys.append(text)
    return list(dict.fromkeys(keys))
