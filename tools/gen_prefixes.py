"""Generate src/paperkg/identifier_prefixes.json, the prefix synonyms and IRI expansions
paperkg accepts for each of its canonical prefixes, from bioregistry.

bioregistry knows how people and other resources write identifiers (``PUBCHEM.COMPOUND:``,
``CID:``, ``identifiers.org/mesh:``, ``http`` and ``https``, ...), but importing it costs
well over a second: the command line would pay that on every start. So its answer for the few
prefixes paperkg uses is written once, here, and shipped; a test checks the shipped file is
what this tool makes now.

Run: ``.venv/bin/python tools/gen_prefixes.py`` (``--check`` writes nothing and exits 1 when
the shipped file is out of date).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import re
import sys
from pathlib import Path
from typing import Any

from paperkg.identifiers import CANONICAL_IRI_PREFIXES, OBO_NAMESPACE

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "src" / "paperkg" / "identifier_prefixes.json"

#: Registries whose name for a prefix is a spelling people meet in files (not catalogue ids).
PREFIX_REGISTRIES = (
    "biocontext",
    "biolink.resource",
    "bioportal",
    "go.resource",
    "miriam",
    "n2t",
    "obofoundry",
    "ontobee",
    "prefixcommons",
)
#: What can stand before the colon of a CURIE.
_PREFIX_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")


def _spellings(resource: Any, canonical: str) -> set[str]:
    """The prefix's names: bioregistry's own, its synonyms and other registries' names."""
    names = {canonical, resource.prefix, *(resource.get_synonyms() or ())}
    preferred = resource.get_preferred_prefix()
    if preferred:
        names.add(preferred)
    mappings = resource.get_mappings() or {}
    names.update(mappings[name] for name in PREFIX_REGISTRIES if name in mappings)
    return {name for name in names if _PREFIX_LIKE.match(name)}


def _iri_prefixes(resource: Any, canonical_iri: str) -> set[str]:
    """Every IRI expansion bioregistry knows, with http and https of each."""
    found = {canonical_iri, *(resource.get_uri_prefixes() or ())}
    both = set()
    for iri in found:
        rest = re.sub(r"^https?://", "", iri)
        both.update({"http://" + rest, "https://" + rest})
    return both


def _drop_shared(table: dict[str, set[str]]) -> dict[str, list[str]]:
    """Each prefix's values less those (compared case-insensitively) that another prefix has
    too: an ambiguous spelling resolves to nothing rather than to a guess.
    """
    owners: dict[str, set[str]] = {}
    for prefix, values in table.items():
        for value in values:
            owners.setdefault(value.casefold(), set()).add(prefix)
    return {
        prefix: sorted(v for v in values if len(owners[v.casefold()]) == 1)
        for prefix, values in table.items()
    }


def generate() -> dict[str, Any]:
    """The content of identifier_prefixes.json, from the installed bioregistry."""
    import bioregistry

    spellings: dict[str, set[str]] = {}
    iris: dict[str, set[str]] = {}
    patterns: dict[str, str] = {}
    for canonical, canonical_iri in CANONICAL_IRI_PREFIXES.items():
        name = bioregistry.normalize_prefix(canonical)
        resource = None if name is None else bioregistry.get_resource(name)
        if resource is None:
            raise SystemExit(f"bioregistry does not know the prefix {canonical!r}")
        spellings[canonical] = _spellings(resource, canonical)
        iris[canonical] = _iri_prefixes(resource, canonical_iri)
        patterns[canonical] = resource.get_pattern() or ""
    names, expansions = _drop_shared(spellings), _drop_shared(iris)
    obo = bioregistry.get_resource("obo")
    obo_iris = sorted(_iri_prefixes(obo, OBO_NAMESPACE)) if obo is not None else [OBO_NAMESPACE]
    return {
        "source": f"bioregistry {importlib.metadata.version('bioregistry')}",
        "prefixes": {
            canonical: {
                "synonyms": names[canonical],
                "iri_prefixes": expansions[canonical],
                "pattern": patterns[canonical],
            }
            for canonical in CANONICAL_IRI_PREFIXES
        },
        "obo": obo_iris,
    }


def render() -> str:
    """The file's text: sorted, one value a line, so a change reads as a small diff."""
    return json.dumps(generate(), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the file, or with ``--check`` report whether it is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(REPO)} is out of date: run tools/gen_prefixes.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
