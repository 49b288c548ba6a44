"""Named queries: catalogue, safe parameter binding, label/synonym/CURIE lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperkg.concepts import reconcile_concepts
from paperkg.errors import QueryError, UnknownQueryError
from paperkg.mapping import map_record
from paperkg.query import list_queries, load_query, run_query, solutions_result
from paperkg.results import format_result
from paperkg.store import PaperStore

from conftest import EXTRACTION, RECORD

DRUG_IRI = "http://id.nlm.nih.gov/mesh/D000001"


@pytest.fixture(scope="module")
def store() -> PaperStore:
    kg = PaperStore()
    kg.put_record(map_record(RECORD, EXTRACTION))
    reconcile_concepts(kg)
    return kg


@pytest.mark.parametrize(
    "value",
    [
        "condition b",
        "Condition B",
        "  CONDITION   b ",
        "MONDO:0000001",
        "mondo:0000001",
        "http://purl.obolibrary.org/obo/MONDO_0000001",
    ],
)
def test_a_condition_is_found_by_label_case_and_space_insensitively_or_by_curie_or_iri(
    store: PaperStore, value: str
) -> None:
    result = run_query(store, "drugs-tried-for", {"condition": value})
    assert [row[0] for row in result.rows] == [DRUG_IRI]
    assert result.unmatched == ()


@pytest.mark.parametrize("value", ["DA", "drug a", "pubchem.compound:11", "PubChem CID 11"])
def test_a_drug_is_found_by_synonym_or_any_of_its_identifiers(
    store: PaperStore, value: str
) -> None:
    result = run_query(store, "conditions-for-drug", {"drug": value})
    assert result.as_dicts()[0]["condition_label"] == "condition b"


def test_drugs_tried_for_has_the_contract_columns(store: PaperStore) -> None:
    result = run_query(store, "drugs-tried-for", {"condition": "condition b"})
    assert result.columns == ("drug", "drug_label", "drug_ids", "papers", "outcomes", "doses")
    assert result.as_dicts() == [
        {
            "drug": DRUG_IRI,
            "drug_label": "drug a",
            "drug_ids": "MESH:D000001|pubchem.compound:11",
            "papers": "1",
            "outcomes": "improved:1",
            "doses": "10 mg/day",
        }
    ]


def test_findings_has_the_contract_columns(store: PaperStore) -> None:
    result = run_query(store, "findings")
    assert ",".join(result.columns) == (
        "paper,doi,pmid,pmcid,title,drug,drug_label,drug_ids,condition,condition_label,"
        "condition_ids,dose,outcome,study_design,sample_size,evidence"
    )
    row = result.as_dicts()[0]
    assert (row["outcome"], row["study_design"], row["sample_size"]) == ("improved", "rct", "40")
    assert row["pmcid"] is None


@pytest.mark.parametrize(
    "hostile",
    [
        'condition b" } UNION { ?s ?p ?o } #',
        "condition b' . ?x ?y ?z",
        "}}} DROP ALL",
        "\\u0022 \n\r\t",
    ],
)
def test_parameter_values_are_data_never_query_text(store: PaperStore, hostile: str) -> None:
    before = len(store)
    result = run_query(store, "drugs-tried-for", {"condition": hostile})
    assert result.rows == ()
    assert result.unmatched == (hostile,)
    assert len(store) == before


def test_unknown_and_missing_parameters_are_clear_errors(store: PaperStore) -> None:
    with pytest.raises(QueryError, match="unknown parameter 'conditon'; it takes: condition"):
        run_query(store, "drugs-tried-for", {"conditon": "x"})
    with pytest.raises(QueryError, match="missing parameter 'condition'"):
        run_query(store, "drugs-tried-for", {})


def test_unknown_query_lists_the_known_names() -> None:
    with pytest.raises(UnknownQueryError) as caught:
        load_query("drugs-tried")
    assert "drugs-tried-for" in caught.value.known
    assert "use one of:" in str(caught.value)
    assert isinstance(caught.value, KeyError)


def test_catalogue_headers_are_complete() -> None:
    catalogue = {query.name: query for query in list_queries()}
    assert {
        "drugs-tried-for",
        "findings",
        "papers-mentioning",
        "conditions-for-drug",
        "negative-results",
        "identifier-conflicts",
    } <= set(catalogue)
    for query in catalogue.values():
        assert query.title, query.name
        assert query.description, query.name
        assert "PREFIX" in query.text, f"{query.name} must carry its PREFIX lines"
    assert [p.name for p in catalogue["drugs-tried-for"].parameters] == ["condition"]


def test_a_query_file_runs_by_path(store: PaperStore, tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    result = run_query(store, str(path))
    assert result.rows == ((str(len(store)),),)


def test_a_broken_query_file_is_a_query_error(store: PaperStore, tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("SELECT ?x WHERE { ?x \n")
    with pytest.raises(QueryError, match="SPARQL syntax error"):
        run_query(store, str(path))


def test_result_formats(store: PaperStore) -> None:
    result = run_query(store, "conditions-for-drug", {"drug": "DA"})
    csv_text = format_result(result, "csv")
    assert csv_text.splitlines()[0] == (
        "condition,condition_label,condition_ids,papers,outcomes,doses"
    )
    assert "\t" in format_result(result, "tsv").splitlines()[0]
    assert '"condition_label": "condition b"' in format_result(result, "json")
    table = format_result(result, "table", width=80)
    assert all(len(line) <= 80 for line in table.splitlines())
    assert table.rstrip().endswith("(1 row)")


def test_the_catalogue_marks_an_optional_parameter() -> None:
    from click.testing import CliRunner

    from paperkg.cli import main

    listing = CliRunner().invoke(main, ["queries"]).output
    assert "    --param endpoint=... (optional)  words the endpoint contains" in listing
    assert "    --param drug=...  label" in listing


MANY = """# title: Papers on any of some drugs
# description: test query with a parameter that takes several values
# param: drugs concept*  labels, synonyms or CURIEs of drugs
# example: --param drugs=drug a
PREFIX pkg: <https://w3id.org/paperkg/vocab/>
SELECT DISTINCT ?drug ?paper WHERE {
  VALUES ?drugs_key { UNDEF }
  ?drug pkg:conceptKey ?drugs_key .
  ?node pkg:canonical ?drug .
  ?finding pkg:drug ?node ; pkg:paper ?paper .
}
"""


def test_a_parameter_may_take_several_values_bound_as_terms(
    store: PaperStore, tmp_path: Path
) -> None:
    path = tmp_path / "many.rq"
    path.write_text(MANY, encoding="utf-8")
    named = load_query(str(path))
    (parameter,) = named.parameters
    assert (parameter.many, parameter.kind) == (True, "concept")
    one = run_query(store, named, {"drugs": ["DA"]})
    assert [row[0] for row in one.rows] == [DRUG_IRI]
    several = run_query(
        store, named, {"drugs": ["no such drug", "MESH:D000001", 'x" } ?s ?p ?o {']}
    )
    assert [row[0] for row in several.rows] == [DRUG_IRI]
    assert several.unmatched == ("no such drug", 'x" } ?s ?p ?o {')
    assert run_query(store, named).rows == one.rows  # left out: no restriction
    assert run_query(store, named, {"drugs": ["nothing known"]}).rows == ()


def test_a_one_value_parameter_given_twice_is_an_error(store: PaperStore) -> None:
    with pytest.raises(QueryError, match="takes one value"):
        run_query(store, "drugs-tried-for", {"condition": ["condition b", "MONDO:0000001"]})


def test_the_embedded_findings_form_gives_the_public_querys_rows_in_order(
    seeds: PaperStore,
) -> None:
    """paperkg's own store runs findings in a form Oxigraph joins by hashing; any other store
    runs the public findings.rq. Both give the same rows in the same order on the seeds (every
    paper, dose, missing identifier and evidence section they hold).
    """
    named = load_query("findings")
    public = solutions_result(named, seeds.query(named.text))
    embedded = run_query(seeds, "findings")
    assert public.columns == embedded.columns
    assert len(public.rows) > 10
    assert public.rows == embedded.rows
