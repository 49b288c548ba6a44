"""Mappings in: ``build --mappings FILE.sssom.tsv`` merges concepts by a user's exact matches.

Two records name their condition by different identifiers (widgetitis by MONDO, sprocket
syndrome by MeSH); a mapping set says the two are one. Queried by either identifier, the
drugs of both papers come back; the graph keeps each mapping with its provenance, and says
which mappings joined a concept. Broad and narrow matches link concepts as broader and narrower;
close and related matches are counted and ignored; bad files and rows get one line each.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from paperkg.build import build
from paperkg.concepts import reconcile_concepts
from paperkg.mappings_sssom import (
    BROAD,
    EXACT,
    MappingFileError,
    load_mappings,
    read_mapping_file,
)
from paperkg.query import run_query
from paperkg.store import PaperStore, index_graph

from conftest import DATA
from conftest import run_cli as run

MAPPINGS = DATA / "mappings"
CONDITIONS = MAPPINGS / "conditions.sssom.tsv"
WIDGETITIS = "http://purl.obolibrary.org/obo/MONDO_0900001"
SPROCKET = "http://id.nlm.nih.gov/mesh/D900002"

_RECORD = """# {Drug} for {condition}: a randomized, double-blind, placebo-controlled trial

**Authors:** Ann Example, Bob Sample

PubMed · PMID: {pmid} · J Test Med 1(1):1-9 · 2024-01

## TL;DR

In a 12-week trial of 120 patients with {condition}, {drug} 10 mg/day reduced pain compared \
with placebo.

## Key findings

- 120 patients with {condition} were randomly assigned to {drug} 10 mg/day or placebo.
- {Drug} reduced pain more than placebo.

## Abstract

In this randomized, double-blind, placebo-controlled trial, 120 patients with {condition} \
received {drug} 10 mg/day or placebo. {Drug} improved pain compared with placebo in {condition}.

## Linked entities

- **Chemicals:** {drug} ({drug_id})
- **Diseases:** {condition} ({condition_id})

---
Source: https://example.org/{pmid}
"""
PAPERS = {
    "velitrex": ("widgetitis", "MONDO:0900001", "MESH:D900011", "90000001"),
    "gadgetol": ("sprocket syndrome", "MESH:D900002", "MESH:D900012", "90000002"),
    "cogamine": ("cog fever", "MESH:D900003", "MESH:D900013", "90000003"),
}


def _write(folder: Path, *drugs: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for drug in drugs:
        condition, condition_id, drug_id, pmid = PAPERS[drug]
        text = _RECORD.format(
            Drug=drug.capitalize(),
            drug=drug,
            condition=condition,
            condition_id=condition_id,
            drug_id=drug_id,
            pmid=pmid,
        )
        (folder / f"{drug}.txt").write_text(text, encoding="utf-8")
    return folder


def _drugs(store: str | PaperStore, condition: str) -> list[str]:
    """The drug labels drugs-tried-for gives for ``condition``, through the command line."""
    if isinstance(store, PaperStore):
        rows = run_query(store, "drugs-tried-for", {"condition": condition}).as_dicts()
        return sorted(str(row["drug_label"]) for row in rows)
    code, out, err = run("--store", store, "query", "drugs-tried-for", "--format", "csv",
                         "--param", f"condition={condition}")  # fmt: skip
    assert code == 0, err
    return sorted(line.split(",")[1] for line in out.splitlines()[1:])


def _index(store: PaperStore) -> set[tuple[str, str, str]]:
    return {
        (str(q.subject), str(q.predicate), str(q.object))
        for q in store.quads_for_pattern(None, None, None, index_graph())
    }


def test_exact_matches_merge_the_conditions_of_two_records_for_any_of_their_ids(
    tmp_path: Path,
) -> None:
    records = _write(tmp_path / "records", "velitrex", "gadgetol")
    plain = str(tmp_path / "plain")
    assert run("--store", plain, "build", "--workers", "1", str(records))[0] == 0
    assert _drugs(plain, "MONDO:0900001") == ["velitrex"], "without mappings: two conditions"

    kg = str(tmp_path / "kg")
    code, out, err = run(
        "--store", kg, "build", "--workers", "1", "--mappings", str(CONDITIONS), str(records)
    )
    assert code == 0, err
    assert "1 exact (merged), 1 broader/narrower (linked)" in out + err
    assert "2 close/related (ignored)" in out + err
    assert "1 with an unknown predicate: owl:equivalentClass (1)" in out + err
    for asked in ("MONDO:0900001", "mondo:900001", "D900002", SPROCKET, "sprocket syndrome"):
        assert _drugs(kg, asked) == ["gadgetol", "velitrex"], asked
    assert run("--store", kg, "validate")[0] == 0


def test_a_mapping_set_loaded_later_merges_what_is_built_and_stays_for_later_records(
    tmp_path: Path,
) -> None:
    with PaperStore() as store:
        build(store, _write(tmp_path / "a", "velitrex"), workers=1, validate=False)
        assert _drugs(store, "D900002") == []
        build(store, [], mappings=CONDITIONS, workers=1, validate=False)
        build(store, _write(tmp_path / "b", "gadgetol"), workers=1, validate=False)
        assert _drugs(store, "D900002") == ["gadgetol", "velitrex"]
        assert _drugs(store, "widgetitis") == ["gadgetol", "velitrex"]
        incremental = _index(store)
        reconcile_concepts(store)  # a full rebuild of the index gives the same
        assert _index(store) == incremental


def test_loading_a_set_again_replaces_it_and_undoes_merges_it_no_longer_makes(
    tmp_path: Path,
) -> None:
    records = _write(tmp_path / "records", "velitrex", "gadgetol")
    changed = tmp_path / "changed.sssom.tsv"
    lines = CONDITIONS.read_text(encoding="utf-8").splitlines(keepends=True)
    changed.write_text("".join(line for line in lines if "exactMatch" not in line), "utf-8")
    with PaperStore() as store:
        build(store, records, mappings=CONDITIONS, workers=1, validate=False)
        assert _drugs(store, "D900002") == ["gadgetol", "velitrex"]
        build(store, records, mappings=changed, workers=1, validate=False)
        assert _drugs(store, "D900002") == ["gadgetol"]
        assert _drugs(store, "widgetitis") == ["velitrex"]


def test_the_graph_says_which_mapping_merged_two_concepts_and_where_it_came_from(
    tmp_path: Path,
) -> None:
    with PaperStore() as store:
        build(store, _write(tmp_path, "velitrex", "gadgetol"), mappings=CONDITIONS, workers=1)
        rows = store.query(
            """
            PREFIX pkg: <https://w3id.org/paperkg/vocab/>
            PREFIX owl: <http://www.w3.org/2002/07/owl#>
            SELECT ?source ?property ?target ?set ?version ?why ?author ?confidence WHERE {
              ?node pkg:canonical ?concept .
              ?concept pkg:mergedBy ?mapping .
              ?mapping a pkg:Mapping ; owl:annotatedSource ?source ;
                owl:annotatedProperty ?property ; owl:annotatedTarget ?target ;
                pkg:mappingJustification ?why ; pkg:mappingAuthor ?author ;
                pkg:mappingConfidence ?confidence ; pkg:mappingSet ?g .
              ?g pkg:mappingSetId ?set ; pkg:mappingSetVersion ?version .
              FILTER(?node = <http://id.nlm.nih.gov/mesh/D900002>)
            }"""
        )
        names = rows.variables
        found = [{str(name): row[name].value for name in names} for row in rows]
    assert found == [
        {
            "?source": WIDGETITIS,
            "?property": EXACT,
            "?target": SPROCKET,
            "?set": "https://w3id.org/paperkg/test/conditions.sssom.tsv",
            "?version": "2026-12-01",
            "?why": "https://w3id.org/semapv/vocab/ManualMappingCuration",
            "?author": "orcid:0000-0002-1825-0097",
            "?confidence": "0.95",
        }
    ]


def test_a_narrow_match_makes_the_narrower_condition_s_drugs_count_for_the_broader(
    tmp_path: Path,
) -> None:
    with PaperStore() as store:
        records = _write(tmp_path, "velitrex", "cogamine")
        build(store, records, workers=1, validate=False)
        assert _drugs(store, "widgetitis") == ["velitrex"]
        build(store, records, mappings=CONDITIONS, workers=1, validate=False)
        assert _drugs(store, "widgetitis") == ["cogamine", "velitrex"]
        assert _drugs(store, "cog fever") == ["cogamine"], "the narrower is not merged"


def test_reading_resolves_identifiers_as_people_write_them_and_sorts_predicates() -> None:
    found = read_mapping_file(CONDITIONS)
    assert (found.set_id, found.version) == (
        "https://w3id.org/paperkg/test/conditions.sssom.tsv",
        "2026-12-01",
    )
    assert [(r.line, r.subject, r.predicate, r.object) for r in found.rows] == [
        (9, "MONDO:0900001", EXACT, "MESH:D900002"),
        (10, "MESH:D900003", BROAD, "MONDO:0900001"),  # narrowMatch, turned round
    ]
    assert found.rows[0].authors == ("orcid:0000-0002-1825-0097",)
    assert found.rows[0].confidence == 0.95
    assert sum(found.ignored.values()) == 2
    assert dict(found.unknown) == {"owl:equivalentClass": 1}
    assert found.problems == []


def test_bad_rows_are_skipped_with_one_line_naming_line_and_field() -> None:
    path = MAPPINGS / "bad-rows.sssom.tsv"
    found = read_mapping_file(path)
    assert [row.line for row in found.rows] == [6]
    lines = [str(problem) for problem in found.problems]
    assert [(p.line, p.key) for p in found.problems] == [
        (7, "subject_id"),
        (8, "confidence"),
        (9, "object_id"),
        (10, "mapping_justification"),
    ]
    assert lines[0].startswith(f"{path}:7: subject_id: 'FOO:1' is not an identifier")
    assert all("\n" not in line and "; " in line for line in lines)
    with pytest.raises(MappingFileError) as raised:
        read_mapping_file(path, strict=True)
    assert raised.value.line == 7


def test_bad_rows_on_the_command_line_are_reported_and_the_good_ones_used(
    tmp_path: Path,
) -> None:
    records = _write(tmp_path / "records", "velitrex", "gadgetol")
    kg = str(tmp_path / "kg")
    bad = str(MAPPINGS / "bad-rows.sssom.tsv")
    code, out, err = run("--store", kg, "build", "--workers", "1", "--mappings", bad, str(records))
    assert code == 1
    assert f"rejected: {bad}:8: confidence:" in err
    assert "Traceback" not in out + err
    assert _drugs(kg, "D900002") == ["gadgetol", "velitrex"], "the good row merged"


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("# curie_map: {}\nsubject_id\tpredicate_id\tobject_id\tmapping_justification\n", 1,
         "mapping_set_id"),
        ("# mapping_set_id: https://example.org/m\n# curie_map: [unclosed\nsubject_id\n", 2,
         "metadata"),
        ("subject_id\tpredicate_id\tobject_id\tmapping_justification\n", 1, "mapping_set_id"),
        ("# mapping_set_id: https://example.org/m\nsubject_id\tpredicate_id\tobject_id\n", 2,
         "mapping_justification"),
        ("# mapping_set_id: https://example.org/m\n", 1, "columns"),
    ],
)  # fmt: skip
def test_a_bad_header_stops_with_one_line_and_the_store_untouched(
    tmp_path: Path, text: str, line: int, field: str
) -> None:
    path = tmp_path / "bad.sssom.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingFileError) as raised:
        read_mapping_file(path)
    assert (raised.value.line, raised.value.key) == (line, field)
    kg = tmp_path / "kg"
    records = _write(tmp_path / "records", "velitrex")
    code, _, err = run("--store", str(kg), "build", "--mappings", str(path), str(records))
    assert code == 2
    assert err.strip().count("\n") == 0
    assert err.startswith(f"Error: {path}:{line}: {field}:")
    assert not kg.exists()


def test_stored_mapping_links_resolve_through_the_identifiers_module() -> None:
    store = PaperStore()
    build(store, [], mappings=CONDITIONS, workers=1, validate=False)
    graphs = {q.graph_name for q in store.quads_for_pattern(None, None, None, None)}
    assert any(isinstance(g, ox.NamedNode) and "/graph/mappings/" in g.value for g in graphs)
    direct = store.quads_for_pattern(
        ox.NamedNode(WIDGETITIS), ox.NamedNode(EXACT), ox.NamedNode(SPROCKET), None
    )
    assert len(list(direct)) == 1
    before = list(store.quads_for_pattern(None, None, None, None))
    assert load_mappings(store, read_mapping_file(CONDITIONS)) == set(), "same set: no write"
    assert list(store.quads_for_pattern(None, None, None, None)) == before


def test_a_stored_mapping_set_conforms_to_the_shapes_and_a_broken_one_does_not() -> None:
    import rdflib

    from paperkg.mappings_sssom import mapping_graphs
    from paperkg.validate import validate_graph

    store = PaperStore()
    build(store, [], mappings=CONDITIONS, workers=1, validate=False)
    (graph,) = mapping_graphs(store)
    triples = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, graph)
    ]
    data = rdflib.Graph().parse(
        data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    assert validate_graph(data).conforms
    data.remove((None, rdflib.URIRef("https://w3id.org/paperkg/vocab/mappingSetId"), None))
    assert not validate_graph(data).conforms
