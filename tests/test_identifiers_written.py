"""Identifiers as people write them, and "did you mean" for names that match nothing.

Every common way of writing fibromyalgia's MONDO or MeSH id, naltrexone's MeSH or PubChem id
and a ChEBI id finds the concept in a store built from seeds/: through the Python API, the
command line (query, evidence, viz --focus) and ``paperkg serve``. A misspelt drug or condition
gives one line on stderr with the closest label, exit 0 and an empty result, for every named
query that takes one and for ``evidence``; over HTTP the answer carries it in a header.
The prefix synonyms come from bioregistry through a shipped map: it must be what the tool
that writes it makes now.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import shutil
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

import paperkg
from paperkg.identifiers import CANONICAL_PREFIXES, normalize_curie, resolve_identifier
from paperkg.lookup import kind_of_parameter
from paperkg.query import NamedQuery, list_queries
from paperkg.serve import UNMATCHED_HEADER, SparqlServer, make_server
from paperkg.store import PaperStore

from conftest import REPO, SEEDS
from conftest import run_cli as run

FIBROMYALGIA = "http://purl.obolibrary.org/obo/MONDO_0005546"
NALTREXONE = "http://id.nlm.nih.gov/mesh/D009271"
#: How the command line prints them: as CURIEs, in every format.
FIBROMYALGIA_CURIE, NALTREXONE_CURIE = "MONDO:0005546", "MESH:D009271"

CONDITION_FORMS = [
    "MONDO:0005546",
    "MONDO_0005546",
    "mondo:5546",
    "MONDO:5546",
    "obo:MONDO_0005546",
    "D005356",
    "MESH:D005356",
    "mesh:D005356",
    "MeSH:d005356",
    "http://purl.obolibrary.org/obo/MONDO_0005546",
    "https://purl.obolibrary.org/obo/MONDO_0005546",
    "http://id.nlm.nih.gov/mesh/D005356",
    "https://id.nlm.nih.gov/mesh/D005356",
    "https://identifiers.org/mondo:0005546",
    "http://identifiers.org/MONDO:0005546",
    "https://identifiers.org/mesh:D005356",
    "https://identifiers.org/mesh/D005356",
    "<http://purl.obolibrary.org/obo/MONDO_0005546>",
]
DRUG_FORMS = [
    "MESH:D009271",
    "mesh:D009271",
    "D009271",
    "https://id.nlm.nih.gov/mesh/D009271",
    "pubchem.compound:5360515",
    "PUBCHEM.COMPOUND:5360515",
    "CID:5360515",
    "pubchem:5360515",
    "PubChem CID 5360515",
    "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID5360515",
    "https://pubchem.ncbi.nlm.nih.gov/compound/5360515",
    "https://identifiers.org/pubchem.compound:5360515",
]
#: fluoxetine, given a ChEBI id in a copy of the seeds (no seed record has one)
CHEBI_FORMS = [
    "CHEBI:5118",
    "chebi:5118",
    "CHEBI_5118",
    "obo:CHEBI_5118",
    "http://purl.obolibrary.org/obo/CHEBI_5118",
    "https://identifiers.org/CHEBI:5118",
]
#: A misspelling per kind of parameter and the label it should suggest.
TYPOS = {"condition": ("fibromyalga", "fibromyalgia"), "drug": ("naltrexon", "naltrexone")}
ANY_TYPO = ("duloxetin", "duloxetine")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("written") / "kg"
    code, _, err = run("--store", str(path), "build", str(SEEDS))
    assert code == 0, err
    return path


@pytest.fixture(scope="module")
def store(store_path: Path) -> Iterator[PaperStore]:
    with PaperStore.open_existing(store_path) as opened:
        yield opened


@pytest.fixture(scope="module")
def server(store: PaperStore) -> Iterator[SparqlServer]:
    running = make_server(store, port=0)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    try:
        yield running
    finally:
        running.shutdown()
        running.server_close()


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _get(server: SparqlServer, name: str, params: dict[str, str]) -> tuple[int, str, str | None]:
    query = urllib.parse.urlencode({**params, "format": "csv"})
    with urllib.request.urlopen(f"{server.url}/queries/{name}?{query}", timeout=60) as answer:
        return answer.status, answer.read().decode(), answer.headers.get(UNMATCHED_HEADER)


# --- the resolver ------------------------------------------------------------------------------


@pytest.mark.parametrize("written", CONDITION_FORMS)
def test_each_form_of_fibromyalgia_resolves_to_its_curie(written: str) -> None:
    assert resolve_identifier(written) in {"MONDO:0005546", "MESH:D005356"}


@pytest.mark.parametrize("written", DRUG_FORMS)
def test_each_form_of_naltrexone_resolves_to_its_curie(written: str) -> None:
    assert resolve_identifier(written) in {"MESH:D009271", "pubchem.compound:5360515"}


@pytest.mark.parametrize("written", CHEBI_FORMS)
def test_each_form_of_a_chebi_id_resolves(written: str) -> None:
    assert resolve_identifier(written) == "CHEBI:5118"


@pytest.mark.parametrize(
    "text",
    [
        "fibromyalgia",
        "low-dose naltrexone",
        "vitamin D",
        "pain: chronic widespread",
        "HP_x",
        "obo:UBERON_0000955",
        "http://example.org/D005356",
        "D00535",
        "mondo:12345678",
    ],
)
def test_names_and_unknown_identifiers_are_not_taken_for_identifiers(text: str) -> None:
    assert resolve_identifier(text) is None


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("MeSH:D009271", "MESH:D009271"),
        ("MSH:D009271", "MESH:D009271"),
        ("PubChem:2160", "pubchem.compound:2160"),
        ("pubchem_cid:2160", "pubchem.compound:2160"),
        ("ChEBI:5118", "CHEBI:5118"),
        ("NCBITAXON:9606", "NCBITaxon:9606"),
        ("taxon:9606", "NCBITaxon:9606"),
        ("PMID:15818684", "pubmed:15818684"),
        ("PMCID:PMC123", "pmc:PMC123"),
        ("MIM:147220", "OMIM:147220"),
        ("GeneID:4988", "NCBIGene:4988"),
        ("DOI:10.7759/cureus.83824", "doi:10.7759/cureus.83824"),
    ],
)
def test_the_spellings_records_used_before_still_resolve(written: str, canonical: str) -> None:
    # These were a hand table; bioregistry's synonyms must keep every one of them.
    assert normalize_curie(written) == canonical


def test_every_canonical_prefix_has_bioregistry_synonyms() -> None:
    for prefix, (_, synonyms) in CANONICAL_PREFIXES.items():
        assert synonyms, prefix


def test_the_shipped_prefix_map_is_what_the_tool_makes_from_bioregistry() -> None:
    path = REPO / "tools" / "gen_prefixes.py"
    spec = importlib.util.spec_from_file_location("gen_prefixes", path)
    assert spec is not None
    assert spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    shipped = (REPO / "src" / "paperkg" / "identifier_prefixes.json").read_text(encoding="utf-8")
    assert tool.render() == shipped, "run tools/gen_prefixes.py"


# --- in a store built from seeds/: the Python API -----------------------------------------------


@pytest.mark.parametrize("written", CONDITION_FORMS)
def test_api_finds_the_condition_by_any_form(store: PaperStore, written: str) -> None:
    wanted = paperkg.run_query(store, "drugs-tried-for", {"condition": "fibromyalgia"})
    found = paperkg.run_query(store, "drugs-tried-for", {"condition": written})
    assert found.rows == wanted.rows
    assert len(found.rows) >= 5
    assert found.misses == ()
    assert {r.condition for r in paperkg.evidence_summary(store, condition=written)} == {
        FIBROMYALGIA
    }


@pytest.mark.parametrize("written", DRUG_FORMS)
def test_api_finds_the_drug_by_any_form(store: PaperStore, written: str) -> None:
    found = paperkg.run_query(store, "conditions-for-drug", {"drug": written})
    assert {row["condition_label"] for row in found.as_dicts()} == {
        "fibromyalgia",
        "multiple sclerosis",
    }
    assert found.misses == ()
    assert {r.drug for r in paperkg.evidence_summary(store, drug=written)} == {NALTREXONE}


def test_api_finds_a_chebi_id_by_any_form(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    record = seeds / "029_duloxetine_serotonin_syndrome_case.txt"
    text = record.read_text(encoding="utf-8")
    assert "fluoxetine (MESH:D005473)" in text
    record.write_text(text.replace("fluoxetine (MESH:D005473)", "fluoxetine (CHEBI:5118)"))
    kg = PaperStore()
    assert paperkg.build(kg, [str(seeds)]).ok
    for written in CHEBI_FORMS:
        found = paperkg.run_query(kg, "papers-mentioning", {"entity": written})
        titles = [row["title"] or "" for row in found.as_dicts()]
        assert len(titles) == 1
        assert titles[0].startswith("Serotonin Syndrome following Duloxetine")
        assert found.misses == ()


# --- the command line -----------------------------------------------------------------------------


@pytest.mark.parametrize("written", CONDITION_FORMS)
def test_cli_query_evidence_and_viz_take_any_form(
    store_path: Path, written: str, tmp_path: Path
) -> None:
    kg = ("--store", str(store_path))
    _, wanted, _ = run(*kg, "query", "drugs-tried-for", "-p", "condition=fibromyalgia")
    code, out, err = run(*kg, "query", "drugs-tried-for", "--param", f"condition={written}")
    assert (code, err) == (0, "")
    assert out == wanted
    code, out, err = run(*kg, "evidence", "--condition", written, "--format", "csv")
    assert (code, err) == (0, "")
    assert {row["condition"] for row in _rows(out)} == {FIBROMYALGIA_CURIE}
    picture = tmp_path / "focus.graphml"
    code, _, err = run(*kg, "viz", "--focus", written, "-o", str(picture))
    assert code == 0, err
    assert FIBROMYALGIA in nx.read_graphml(picture)


@pytest.mark.parametrize("written", DRUG_FORMS)
def test_cli_takes_any_form_of_a_drug(store_path: Path, written: str) -> None:
    kg = ("--store", str(store_path))
    code, out, err = run(*kg, "query", "conditions-for-drug", "--param", f"drug={written}")
    assert (code, err) == (0, "")
    assert {row["condition_label"] for row in _rows(out)} == {"fibromyalgia", "multiple sclerosis"}
    code, out, err = run(*kg, "evidence", "--drug", written, "--format", "csv")
    assert (code, err) == (0, "")
    assert {row["drug"] for row in _rows(out)} == {NALTREXONE_CURIE}


# --- paperkg serve --------------------------------------------------------------------------------


@pytest.mark.parametrize("written", CONDITION_FORMS + DRUG_FORMS)
def test_serve_named_queries_take_any_form(server: SparqlServer, written: str) -> None:
    if written in DRUG_FORMS:
        name, params, expected = "conditions-for-drug", {"drug": written}, "condition_label"
        wanted = {"fibromyalgia", "multiple sclerosis"}
    else:
        name, params, expected = "drugs-tried-for", {"condition": written}, "drug_label"
        wanted = {"naltrexone", "pregabalin", "gabapentin", "amitriptyline"}
    status, body, unmatched = _get(server, name, params)
    assert (status, unmatched) == (200, None)
    assert wanted <= {row[expected] for row in _rows(body)}


# --- did you mean ---------------------------------------------------------------------------------


def _concept_queries() -> list[tuple[NamedQuery, str]]:
    return [
        (query, parameter.name)
        for query in list_queries()
        for parameter in query.parameters
        if parameter.kind == "concept"
    ]


def _typo_params(query: NamedQuery, misspelt: str) -> tuple[dict[str, str], str, str, str]:
    """The parameters with ``misspelt`` wrong (the others right), the typo, the label it should
    suggest and the noun the message uses.
    """
    params: dict[str, str] = {}
    for parameter in query.parameters:
        if parameter.kind == "concept":
            kind = kind_of_parameter(parameter.name)
            typo, right = ANY_TYPO if kind is None else TYPOS[parameter.name]
            params[parameter.name] = typo if parameter.name == misspelt else right
    typo, right = ANY_TYPO if kind_of_parameter(misspelt) is None else TYPOS[misspelt]
    noun = misspelt if misspelt in TYPOS else "drug, condition or species"
    return params, typo, right, noun


CONCEPT_QUERIES = _concept_queries()


def test_every_kind_of_concept_parameter_is_covered() -> None:
    names = {query.name for query, _ in CONCEPT_QUERIES}
    assert {"drugs-tried-for", "conditions-for-drug", "results", "papers-mentioning"} <= names
    assert {parameter for _, parameter in CONCEPT_QUERIES} == {"condition", "drug", "entity"}


@pytest.mark.parametrize(
    ("query", "parameter"), CONCEPT_QUERIES, ids=[f"{q.name}-{p}" for q, p in CONCEPT_QUERIES]
)
def test_a_misspelt_name_suggests_the_closest_label_everywhere(
    store: PaperStore, store_path: Path, server: SparqlServer, query: NamedQuery, parameter: str
) -> None:
    params, typo, right, noun = _typo_params(query, parameter)
    line = f"no {noun} is called {typo!r}; did you mean: {right}"
    # the command line: one line on stderr, exit 0, the header and no row on stdout
    args = [arg for name, value in params.items() for arg in ("--param", f"{name}={value}")]
    code, out, err = run("--store", str(store_path), "query", query.name, *args)
    assert code == 0
    assert err.startswith(line)
    assert len(err.splitlines()) == 1
    assert out.splitlines() == [",".join(paperkg.run_query(store, query, params).columns)]
    # the Python API
    result = paperkg.run_query(store, query, params)
    assert result.rows == ()
    assert [str(miss) for miss in result.misses] == [err.strip()]
    # serve: the rows as ever, the suggestion in a header
    status, body, header = _get(server, query.name, params)
    assert status == 200
    assert len(body.splitlines()) == 1
    assert header is not None
    (miss,) = json.loads(header)
    assert (miss["value"], miss["did_you_mean"][0], miss["message"]) == (typo, right, err.strip())


@pytest.mark.parametrize(
    ("option", "typo", "line"),
    [
        ("--condition", "fibromyalga", "no condition is called 'fibromyalga'; did you mean: "),
        ("--drug", "naltrexon", "no drug is called 'naltrexon'; did you mean: naltrexone"),
        ("--drug", "fibromyalgia", "no drug is called 'fibromyalgia'; "),
    ],
)
def test_evidence_suggests_the_closest_label(
    store_path: Path, option: str, typo: str, line: str
) -> None:
    code, out, err = run("--store", str(store_path), "evidence", option, typo, "--format", "csv")
    assert code == 0
    assert err.startswith(line)
    assert len(out.splitlines()) == 1  # the header only


def test_one_name_per_concept_and_a_plain_hint_when_nothing_is_close(store: PaperStore) -> None:
    typo = paperkg.run_query(store, "drugs-tried-for", {"condition": "fibromyalga"})
    # "fibromyalgia syndrome" is the same concept: not suggested beside "fibromyalgia"
    assert typo.misses[0].suggestions == ("fibromyalgia",)
    nothing = paperkg.run_query(store, "drugs-tried-for", {"condition": "xqzzyv"})
    assert str(nothing.misses[0]) == (
        "no condition is called 'xqzzyv'; try another label, a synonym or a CURIE "
        "(e.g. MONDO:0005546)"
    )
    # a drug given for a condition names no condition, and says so
    wrong_kind = paperkg.run_query(store, "drugs-tried-for", {"condition": "naltrexone"})
    assert wrong_kind.unmatched == ("naltrexone",)


@pytest.mark.parametrize(
    "written",
    [
        "https://pubmed.ncbi.nlm.nih.gov/19453963/",
        "https://identifiers.org/pubmed:19453963",
        "pmid:19453963",
    ],
)
def test_a_paper_too_is_found_by_its_identifier_in_any_form(
    store: PaperStore, written: str
) -> None:
    wanted = paperkg.run_query(store, "paper-findings", {"paper": "PMID:19453963"})
    assert wanted.rows
    assert paperkg.run_query(store, "paper-findings", {"paper": written}).rows == wanted.rows


@pytest.mark.parametrize(
    "written",
    [
        "PMID:22508830",
        "pmid:22508830",
        "https://pubmed.ncbi.nlm.nih.gov/22508830/",
        "10.1200/JCO.2011.38.9411",
    ],
)
def test_a_paper_keyed_by_its_doi_is_found_by_its_pmid_too(tmp_path: Path, written: str) -> None:
    """A PubMed citation with a DOI is keyed by the DOI; its PMID still names it."""
    store = PaperStore(tmp_path / "store")
    paperkg.build(store, [str(REPO / "tests" / "data" / "pubmed" / "pubmed-article-set.xml")])
    found = paperkg.run_query(store, "paper-findings", {"paper": written})
    rows = [dict(zip(found.columns, row, strict=True)) for row in found.rows]
    assert {(row["drug_label"], row["outcome"]) for row in rows} == {("entinostat", "no_benefit")}
    assert store.find_record_graph(written) == store.find_record_graph("PMID:22508830")
