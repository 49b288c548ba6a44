"""KGX export: Biolink nodes and edges that the real kgx validates and counts as paperkg does.

The kgx checks run the ``kgx`` command line from its own venv (tools/install-kgx.sh, which
``make test`` runs), offline through tools/kgx_offline.py.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from paperkg import export_folder
from paperkg import export_kgx as export_kgx_module
from paperkg.concepts import reconcile_concepts
from paperkg.errors import ExportError
from paperkg.export_kgx import export_kgx
from paperkg.identifiers import iri_to_curie
from paperkg.mapping import map_record
from paperkg.model import Evidence
from paperkg.store import PaperStore, term_text

from conftest import EXTRACTION, RECORD, REPO, SEEDS, run_cli

KGX_HINT = "the KGX tests need kgx: run tools/install-kgx.sh (make test-tools does)"
RUNNER = REPO / "tools" / "kgx_offline.py"
STUDY = {"biolink:in_clinical_trials_for", "biolink:studied_to_treat"}
FORMATS = ("tsv", "jsonl")


# --- the seeds, exported ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The seeds store as ``paperkg build`` makes it, and ``paperkg stats --json`` of it."""
    store = tmp_path_factory.mktemp("kgx") / "store"
    code, _, err = run_cli("--store", str(store), "-q", "build", str(SEEDS))
    assert code == 0, err
    code, out, err = run_cli("--store", str(store), "stats", "--json")
    assert code == 0, err
    return store, json.loads(out)


@pytest.fixture(scope="module")
def exported(seeds: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kgx-out") / "kg"
    with PaperStore.open_existing(seeds[0]) as store:
        report = export_kgx(store, folder)
    assert report.folder == folder
    return folder


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _tsv(path: Path) -> list[dict[str, str]]:
    header, *rows = path.read_text(encoding="utf-8").split("\n")[:-1]
    columns = header.split("\t")
    assert all(len(row.split("\t")) == len(columns) for row in rows)
    return [dict(zip(columns, row.split("\t"), strict=True)) for row in rows]


def test_the_folder_holds_the_same_graph_as_tsv_and_json_lines(exported: Path) -> None:
    names = {path.name for path in exported.iterdir()}
    assert names == {
        *("nodes.tsv", "edges.tsv", "nodes.jsonl", "edges.jsonl"),
        *("prefixes.json", "manifest.json"),
    }
    nodes, edges = _jsonl(exported / "nodes.jsonl"), _jsonl(exported / "edges.jsonl")
    tsv_nodes, tsv_edges = _tsv(exported / "nodes.tsv"), _tsv(exported / "edges.tsv")
    assert [n["id"] for n in nodes] == [n["id"] for n in tsv_nodes]
    assert [e["id"] for e in edges] == [e["id"] for e in tsv_edges]
    assert list(tsv_edges[0])[:4] == ["id", "subject", "predicate", "object"]
    assert list(tsv_nodes[0])[:3] == ["id", "category", "name"]
    assert all(
        n["category"] == "|".join(j["category"]) for n, j in zip(tsv_nodes, nodes, strict=True)
    )
    manifest = json.loads((exported / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["generator"], manifest["format"]) == ("paperkg", "kgx")
    assert (manifest["nodes"], manifest["edges"]) == (len(nodes), len(edges))


def test_categories_and_predicates_count_what_paperkg_stats_counts(
    seeds: tuple[Path, dict[str, Any]], exported: Path
) -> None:
    stats = seeds[1]
    nodes, edges = _jsonl(exported / "nodes.jsonl"), _jsonl(exported / "edges.jsonl")
    categories = Counter(c for node in nodes for c in node["category"])
    assert categories["biolink:Publication"] == stats["papers"] == 8
    assert categories["biolink:ChemicalEntity"] == stats["drugs"]
    assert categories["biolink:DiseaseOrPhenotypicFeature"] == stats["conditions"]
    assert categories["biolink:OrganismTaxon"] == stats["species"]
    study = [e for e in edges if e["predicate"] in STUDY]
    assert len(study) == stats["findings"] == 11
    by_outcome = Counter(e["finding_outcome"] for e in study)
    assert by_outcome == {k: v for k, v in stats["outcomes"].items() if v}
    effects = Counter((e["predicate"], e.get("negated", False)) for e in edges)
    assert effects["biolink:ameliorates_condition", False] == stats["outcomes"]["improved"]
    assert effects["biolink:ameliorates_condition", True] == stats["outcomes"]["no_benefit"]
    assert effects["biolink:exacerbates_condition", False] == stats["outcomes"]["worsened"]
    # drugs given in a finding are biolink:Drug; MONDO conditions are biolink:Disease
    drugs = {e["subject"] for e in study}
    assert {n["id"] for n in nodes if "biolink:Drug" in n["category"]} == drugs
    assert all(
        ("biolink:Disease" in n["category"]) == n["id"].startswith("MONDO:")
        for n in nodes
        if "biolink:DiseaseOrPhenotypicFeature" in n["category"]
    )


def test_a_finding_carries_its_outcome_dose_design_evidence_and_paper(exported: Path) -> None:
    edges = _jsonl(exported / "edges.jsonl")
    (trial,) = [
        e
        for e in edges
        if e["subject"] == "MESH:D009271"
        and e["object"] == "MONDO:0005301"
        and e["predicate"] in STUDY
    ]
    assert trial["predicate"] == "biolink:in_clinical_trials_for"  # a crossover RCT
    assert trial["id"].startswith(
        "https://w3id.org/paperkg/id/paper/doi/10.1002/ana.22006/finding/"
    )
    assert trial["finding_outcome"] == "improved"
    assert trial["study_design"] == "crossover_rct"
    assert trial["doses"] == ["4.5 mg"]
    assert trial["publications"] == ["doi:10.1002/ana.22006"]
    assert trial["supporting_text"]
    assert all(isinstance(t, str) for t in trial["supporting_text"])
    assert (trial["knowledge_level"], trial["agent_type"]) == ("observation", "text_mining_agent")
    assert trial["primary_knowledge_source"] == "infores:paperkg"
    assert "negated" not in trial


def test_no_benefit_negates_the_effect_edge_never_the_edge_that_says_it_was_tried(
    exported: Path,
) -> None:
    edges = _jsonl(exported / "edges.jsonl")
    study = {
        (e["subject"], e["object"], e["publications"][0]): e
        for e in edges
        if e["predicate"] in STUDY
    }
    effects = {
        (e["subject"], e["object"], e["publications"][0]): e
        for e in edges
        if e["predicate"] in {"biolink:ameliorates_condition", "biolink:exacerbates_condition"}
    }
    assert all("negated" not in e for e in study.values())
    for key, tried in study.items():
        outcome = tried["finding_outcome"]
        if outcome in {"mixed", "not_stated", "adverse_effects"}:
            assert key not in effects
            continue
        effect = effects[key]
        assert effect["finding_outcome"] == outcome
        assert effect.get("negated", False) is (outcome == "no_benefit")
        assert effect["supporting_text"] == tried["supporting_text"]
    assert any(e.get("negated") for e in effects.values())


def test_the_study_predicate_is_the_rdf_graphs_direct_edge(
    seeds: tuple[Path, dict[str, Any]], exported: Path
) -> None:
    edges = _jsonl(exported / "edges.jsonl")
    with PaperStore.open_existing(seeds[0]) as store:
        rows = store.query(
            "PREFIX pkg: <https://w3id.org/paperkg/vocab/> "
            "PREFIX biolink: <https://w3id.org/biolink/vocab/> "
            "SELECT ?f ?drug ?p ?condition WHERE { "
            "GRAPH ?g { ?f pkg:drug ?d ; pkg:condition ?c . ?d ?p ?c "
            "VALUES ?p { biolink:studied_to_treat biolink:in_clinical_trials_for } } "
            "?d pkg:canonical ?drug . ?c pkg:canonical ?condition }"
        )
        direct = {
            (
                r["f"].value,
                iri_to_curie(r["drug"].value),
                "biolink:" + r["p"].value.rsplit("/", 1)[-1],
                iri_to_curie(r["condition"].value),
            )
            for r in rows
        }
    study = {
        (e["id"], e["subject"], e["predicate"], e["object"])
        for e in edges
        if e["predicate"] in STUDY
    }
    assert len(study) == 11
    assert study == direct


def test_ids_are_curies_kgx_accepts_and_local_ones_expand_to_the_rdf_iris(
    seeds: tuple[Path, dict[str, Any]], exported: Path
) -> None:
    nodes = {n["id"]: n for n in _jsonl(exported / "nodes.jsonl")}
    edges = _jsonl(exported / "edges.jsonl")
    prefixes = json.loads((exported / "prefixes.json").read_text(encoding="utf-8"))
    # kgx's CURIE test: no '/', ':' or space after the prefix
    assert all(":" in i and not set(i.split(":", 1)[1]) & set("/: ") for i in nodes)
    assert all(e["subject"] in nodes and e["object"] in nodes for e in edges)
    paper = nodes["doi:10.7759%2Fcureus.83824"]  # a DOI id, percent-encoded for kgx
    assert paper["xref"] == ["doi:10.7759/cureus.83824", "PMCID:PMC12146906"]
    assert paper["category"] == ["biolink:Publication"]
    assert paper["published_in"] == "paperkg.journal:cureus"
    assert nodes["paperkg.journal:cureus"]["category"] == ["biolink:Serial"]
    cited = {p for e in edges for p in e.get("publications", [])}
    known = {
        x
        for n in nodes.values()
        if "biolink:Publication" in n["category"]
        for x in [n["id"], *n.get("xref", [])]
    }
    assert cited <= known
    local = {i for i in nodes if i.startswith("paperkg.")}
    assert {i.split(":")[0] for i in local} == set(prefixes)
    iris = {prefixes[i.split(":")[0]] + i.split(":", 1)[1] for i in local}
    with PaperStore.open_existing(seeds[0]) as store:
        subjects = {term_text(q.subject) for q in store}
    assert iris <= subjects
    author = nodes["paperkg.author:ulrich-moser"]
    assert (author["category"], author["name"]) == (["biolink:Agent"], "Ulrich Moser")
    wrote = [e for e in edges if e["subject"] == author["id"]]
    assert [(e["predicate"], e["object"]) for e in wrote] == [("biolink:author", paper["id"])]
    assert paper["authors"][0] == "Ulrich Moser"


# --- what TSV cannot hold --------------------------------------------------------------------


@pytest.fixture
def tiny() -> PaperStore:
    finding = EXTRACTION.findings[0]
    odd = Evidence("Drug A | 10 mg\tdaily\nimproved B.", "key_findings")
    extraction = dataclasses.replace(
        EXTRACTION, findings=(dataclasses.replace(finding, evidence=(odd,)),)
    )
    store = PaperStore()
    store.put_record(map_record(RECORD, extraction))
    reconcile_concepts(store)
    return store


def test_tsv_cells_hold_no_tab_line_break_or_list_bar_and_json_lines_keep_the_text(
    tiny: PaperStore, tmp_path: Path
) -> None:
    export_kgx(tiny, tmp_path / "kg")
    (edge,) = [e for e in _jsonl(tmp_path / "kg" / "edges.jsonl") if e["predicate"] in STUDY]
    assert edge["supporting_text"] == ["Drug A | 10 mg\tdaily\nimproved B."]
    (row,) = [e for e in _tsv(tmp_path / "kg" / "edges.tsv") if e["predicate"] in STUDY]
    assert row["supporting_text"] == "Drug A ¦ 10 mg daily improved B."
    assert row["publications"] == "PMID:123"
    assert edge["id"] == row["id"]


# --- the folder ------------------------------------------------------------------------------


def test_an_older_export_is_replaced_and_any_other_folder_refused(
    tiny: PaperStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "kg"
    first = export_kgx(tiny, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    export_kgx(tiny, folder)  # its own export: replaced, by the same bytes
    assert sorted(before) == sorted([*first.files, "manifest.json"])
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(export_kgx_module, "_write_jsonl", broken)
    with pytest.raises(OSError, match="disk full"):
        export_kgx(tiny, folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg"]  # no temporary folder left
    monkeypatch.undo()

    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match="not empty"):
        export_kgx(tiny, folder)
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ExportError, match="is a file"):
        export_kgx(tiny, tmp_path / "file")
    with pytest.raises(ExportError, match="parent folder"):
        export_kgx(tiny, tmp_path / "missing" / "kg")
    assert export_folder.MANIFEST == "manifest.json"


# --- the real kgx, offline -------------------------------------------------------------------


def _kgx_python() -> str:
    given = os.environ.get("PAPERKG_KGX_PYTHON")
    python = Path(given) if given else REPO / "build" / "kgx-venv" / "bin" / "python"
    if not python.is_file():
        pytest.fail(KGX_HINT + (f" ({given!r} is missing)" if given else ""), pytrace=False)
    return str(python)


@dataclasses.dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture(scope="module")
def kgx(exported: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every kgx command the tests read, run at once (each takes seconds to load the model)."""
    python, work = _kgx_python(), tmp_path_factory.mktemp("kgx-runs")
    declared = ["--prefixes", str(exported / "prefixes.json")]

    def files(fmt: str) -> list[str]:
        return [str(exported / f"nodes.{fmt}"), str(exported / f"edges.{fmt}")]

    commands = {
        "validate-tsv": [*declared, "validate", "-i", "tsv", *files("tsv")],
        "validate-jsonl": [*declared, "validate", "-i", "jsonl", *files("jsonl")],
        "validate-biolink-only": ["validate", "-i", "jsonl", *files("jsonl")],
        "download": ["validate", "-i", "jsonl", "-b", "4.4.6", *files("jsonl")],
        # --stream: kgx's in-memory graph keys edges by subject-predicate-object, which would
        # fold the findings of one drug and condition into one edge
        "transform": [*_transform(work / "kg"), *files("tsv")],
        **{f"summary-{fmt}": [*_summary(work, fmt), *files(fmt)] for fmt in FORMATS},
    }
    running = {
        name: subprocess.Popen(
            [python, str(RUNNER), *args],
            cwd=work,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, args in commands.items()
    }
    runs = {}
    for name, process in running.items():
        out, err = process.communicate(timeout=600)
        runs[name] = Run(process.returncode, out, err)
    runs["work"] = Run(0, str(work), "")
    return runs


def _transform(output: Path) -> list[str]:
    return ["transform", "--stream", "-i", "tsv", "-f", "jsonl", "-o", str(output)]


def _summary(work: Path, fmt: str) -> list[str]:
    """``kgx graph-summary`` of ``fmt`` files as JSON into ``work``, with findings' outcomes."""
    output = str(work / f"summary-{fmt}.json")
    facet = ["--edge-facet-properties", "finding_outcome"]
    return ["graph-summary", "-i", fmt, "-f", "json", *facet, "-o", output]


def _report(run: Run) -> dict[str, Any]:
    """kgx validate's report: a JSON object it prints on stderr (its -o is not honoured)."""
    start = run.err.index("{")
    report: dict[str, Any] = json.JSONDecoder().raw_decode(run.err[start:])[0]
    return report


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_kgx_validate_reports_no_errors(kgx: dict[str, Run], fmt: str) -> None:
    run = kgx[f"validate-{fmt}"]
    assert run.code == 0, run.out + run.err
    assert _report(run) == {}


@pytest.mark.slow
def test_with_biolink_prefixes_alone_kgx_flags_only_the_ids_paperkg_mints(
    kgx: dict[str, Run], exported: Path
) -> None:
    run = kgx["validate-biolink-only"]
    report = _report(run)
    assert run.code != 0
    assert set(report) == {"ERROR"}
    flagged = {
        entity.split("->")[0]
        if entity.split("->")[0].startswith("paperkg.")
        else entity.split("->")[-1]
        for messages in report["ERROR"].values()
        for message, entities in messages.items()
        for entity in entities
    }
    messages = [m for messages in report["ERROR"].values() for m in messages]
    assert all("is not represented in Biolink Model JSON-LD context" in m for m in messages)
    assert all("prefix 'paperkg." in m for m in messages)
    local = {n["id"] for n in _jsonl(exported / "nodes.jsonl") if n["id"].startswith("paperkg.")}
    assert flagged <= local


@pytest.mark.slow
def test_kgx_graph_summary_counts_what_paperkg_stats_counts(
    kgx: dict[str, Run], seeds: tuple[Path, dict[str, Any]]
) -> None:
    stats = seeds[1]
    work = Path(kgx["work"].out)
    summaries = {}
    for fmt in FORMATS:
        assert kgx[f"summary-{fmt}"].code == 0, kgx[f"summary-{fmt}"].out
        summaries[fmt] = json.loads((work / f"summary-{fmt}.json").read_text(encoding="utf-8"))
    assert summaries["tsv"] == summaries["jsonl"]
    nodes, edges = summaries["jsonl"]["node_stats"], summaries["jsonl"]["edge_stats"]
    categories = {name: value["count"] for name, value in nodes["count_by_category"].items()}
    assert categories["biolink:Publication"] == stats["papers"]
    assert categories["biolink:ChemicalEntity"] == stats["drugs"]
    assert categories["biolink:DiseaseOrPhenotypicFeature"] == stats["conditions"]
    assert categories["biolink:OrganismTaxon"] == stats["species"]
    predicates = edges["count_by_predicates"]
    assert sum(predicates[p]["count"] for p in STUDY) == stats["findings"]
    outcomes: Counter[str] = Counter()
    for predicate in STUDY:
        for outcome, value in predicates[predicate]["finding_outcome"].items():
            outcomes[outcome] += value["count"]
    assert outcomes == {k: v for k, v in stats["outcomes"].items() if v}
    ameliorates = predicates["biolink:ameliorates_condition"]["finding_outcome"]
    assert ameliorates["improved"]["count"] == stats["outcomes"]["improved"]
    assert ameliorates["no_benefit"]["count"] == stats["outcomes"]["no_benefit"]


@pytest.mark.slow
def test_kgx_reads_negated_from_the_tsv_as_written(kgx: dict[str, Run], exported: Path) -> None:
    assert kgx["transform"].code == 0, kgx["transform"].out
    read = _jsonl(Path(kgx["work"].out) / "kg_edges.jsonl")
    ours = _jsonl(exported / "edges.jsonl")
    assert {e["id"] for e in read if e.get("negated") is True} == {
        e["id"] for e in ours if e.get("negated")
    }
    assert sorted(e["id"] for e in read) == sorted(e["id"] for e in ours)


@pytest.mark.slow
def test_kgx_runs_offline_and_a_download_it_tries_is_refused(kgx: dict[str, Run]) -> None:
    # asking for a Biolink release by number makes kgx fetch that model: the runner stops it
    run = kgx["download"]
    assert run.code != 0
    assert "kgx_offline: no network" in run.out + run.err
