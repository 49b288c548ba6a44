"""Grouping entity mentions into concepts, on invented records."""

from __future__ import annotations

import pytest

from paperkg.abbreviations import abbreviation_pairs, long_form
from paperkg.extraction.concepts import build_concepts, concept_key
from paperkg.model import EntityKind, EntityMention, PaperRecord

C, D, S = EntityKind.CHEMICAL, EntityKind.DISEASE, EntityKind.SPECIES


def mention(
    text: str, kind: EntityKind, curie: str | None, section: str = "fulltext"
) -> EntityMention:
    return EntityMention(text, kind, curie, curie or "-", section)


def record(
    abstract: str, linked: list[EntityMention], fulltext: list[EntityMention]
) -> PaperRecord:
    return PaperRecord(
        source="x.txt",
        sha256="0",
        title="A study",
        abstract=abstract,
        linked_entities=tuple(linked),
        fulltext_entities=tuple(fulltext),
    )


def test_abbreviation_long_form_in_parentheses() -> None:
    pairs = abbreviation_pairs("Chronic widespread pain syndrome (CWPS) is common.")
    assert ("Chronic widespread pain syndrome", "CWPS") in pairs


def test_abbreviation_alternatives_inside_parentheses() -> None:
    pairs = abbreviation_pairs("treated with 2 mg Ketamine (Very Low Dose Ketamine or VLDK) daily")
    assert ("Very Low Dose Ketamine", "VLDK") in pairs


def test_long_form_needs_letters_in_order() -> None:
    assert long_form("QRV", "we studied alpha beta cells") is None
    assert long_form("ABC", "we studied alpha beta cells") == "alpha beta cells"
    assert long_form("MS", "in relapsing multiple sclerosis") == "multiple sclerosis"


def test_identifier_label_and_abbreviation_merge_one_chemical() -> None:
    rec = record(
        "We gave low-dose ketamine (LDK) to patients with Tinnitus disorder (TD).",
        [
            mention("ketamine", C, "pubchem.compound:3821", "linked"),
            mention("tinnitus disorder", D, "MONDO:0000001", "linked"),
        ],
        [
            mention("Ketamine", C, "MESH:D007649"),
            mention("LDK", C, None),
            mention("TD", D, "MESH:D014012"),
            mention("Homo sapiens", S, "NCBITaxon:9606"),
        ],
    )
    concepts = {c.key: c for c in build_concepts(rec).concepts}
    drug = concepts["MESH:D007649"]
    assert drug.label == "ketamine"
    assert drug.identifiers == ("MESH:D007649", "pubchem.compound:3821")
    assert "LDK" in drug.synonyms
    assert "low-dose ketamine" in drug.synonyms
    condition = concepts["MONDO:0000001"]
    assert condition.identifiers == ("MESH:D014012", "MONDO:0000001")
    assert "TD" in condition.synonyms
    assert "NCBITaxon:9606" in concepts
    assert len(concepts) == 3


def test_a_class_named_with_its_abbreviation_is_the_same_class() -> None:
    # "widget-gloom co-transporter-2 (WGT2) inhibitors": "WGT2 inhibitors" names the class too
    rec = record(
        "Adults given widget-gloom co-transporter-2 (WGT2) inhibitors were compared with others.",
        [mention("widget-gloom co-transporter-2 inhibitors", C, None, "linked")],
        [],
    )
    (drug,) = build_concepts(rec).concepts
    assert "WGT2 inhibitors" in drug.synonyms


def test_a_long_form_never_holds_its_short_form() -> None:
    """ "A+B compared with B (22%) or A alone" defines no abbreviation A."""
    text = (
        "Velitrex and orbazine (VO) and plenamil (PL) were given. Scores were higher after "
        "VO+PL compared with PL (22%) or VO alone (27%)."
    )
    assert abbreviation_pairs(text) == [("Velitrex and orbazine", "VO"), ("plenamil", "PL")]


def test_a_drug_is_found_by_its_name_without_the_salt() -> None:
    rec = record(
        "Patients took velitrex 18 mg once daily, or sodium quorafen.",
        [mention("velitrex bromide", C, "MESH:D900001", "linked")],
        [mention("quorafen", C, "MESH:D900002")],
    )
    surfaces = {(form, key) for form, key, _ in build_concepts(rec).surfaces}
    assert ("velitrex", "MESH:D900001") in surfaces
    # "sodium quorafen" is not in the record; "quorafen" keeps the one concept it names
    assert [key for form, key in surfaces if form == "quorafen"] == ["MESH:D900002"]


def test_a_name_without_the_salt_shared_by_two_drugs_names_neither() -> None:
    rec = record(
        "Velitrex propionate and velitrex furoate were compared.",
        [mention("velitrex propionate", C, "MESH:D900001", "linked")],
        [mention("velitrex furoate", C, "MESH:D900002")],
    )
    assert "velitrex" not in {form for form, _, _ in build_concepts(rec).surfaces}


@pytest.mark.parametrize(
    ("salted", "plain", "joined"),
    [
        # one drug written with and without its salt, neither with an identifier
        (["velitrex hydrochloride"], "Velitrex", True),
        # a plain name two salts share names neither
        (["velitrex propionate", "velitrex furoate"], "velitrex", False),
    ],
)
def test_a_drug_with_and_without_its_salt_is_one_concept(
    salted: list[str], plain: str, joined: bool
) -> None:
    rec = record(
        "Patients received velitrex 30 mg three times daily.",
        [mention(salted[0], C, None, "linked")],
        [*(mention(name, C, None) for name in salted[1:]), mention(plain, C, None)],
    )
    concepts = build_concepts(rec).concepts
    assert len(concepts) == (1 if joined else len(salted) + 1)


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("dopamine agonists", "dopamine agonist", True),
        ("triptans", "triptan", True),
        ("cannabis", "cannabi", False),
    ],
)
def test_a_class_named_in_the_plural_and_the_singular_is_one_concept(
    first: str, second: str, joined: bool
) -> None:
    rec = record("", [mention(first, C, None, "linked")], [mention(second, C, None)])
    assert len(build_concepts(rec).concepts) == (1 if joined else 2)


def test_dose_qualified_name_joins_the_plain_drug() -> None:
    rec = record(
        "Low-Dose Ketamine helped.",
        [mention("ketamine", C, "pubchem.compound:3821", "linked")],
        [mention("Low-Dose Ketamine", C, "MESH:D007649")],
    )
    (concept,) = build_concepts(rec).concepts
    assert concept.key == "MESH:D007649"
    assert concept.label == "ketamine"


@pytest.mark.parametrize("form", ["extract", "oil", "juice", "capsules"])
def test_the_form_a_chemical_is_given_in_joins_the_plain_name(form: str) -> None:
    rec = record(
        f"Zorbleberry {form} 500 mg daily was compared with placebo.",
        [mention("zorbleberry", C, None, "linked")],
        [mention(f"zorbleberry {form}", C, None)],
    )
    (concept,) = build_concepts(rec).concepts
    assert concept.label == "zorbleberry"
    assert f"zorbleberry {form}" in concept.synonyms


def test_a_named_form_of_another_chemical_stays_its_own() -> None:
    rec = record(
        "Zorbleberry oil and zorbleberry blue were compared.",
        [mention("zorbleberry", C, None, "linked")],
        [mention("zorbleberry blue", C, None)],
    )
    assert len(build_concepts(rec).concepts) == 2


def test_two_cids_of_one_drug_are_both_kept() -> None:
    rec = record(
        "",
        [mention("gabazepam", C, "pubchem.compound:111", "linked")],
        [mention("gabazepam", C, "pubchem.compound:222"), mention("gabazepam", C, "MESH:D000001")],
    )
    (concept,) = build_concepts(rec).concepts
    assert concept.identifiers == ("MESH:D000001", "pubchem.compound:111", "pubchem.compound:222")


def test_mentions_without_identifier_key_by_label_and_keep_case_as_written() -> None:
    rec = record("", [], [mention("Compound X-7", C, None), mention("compound x-7", C, None)])
    (concept,) = build_concepts(rec).concepts
    assert concept.key == "label:compound x-7"
    assert concept.identifiers == ()


def test_concept_key_priority() -> None:
    assert concept_key(D, ["MESH:D1", "MONDO:0000002"], "x") == "MONDO:0000002"
    assert concept_key(C, ["pubchem.compound:5", "CHEBI:9", "MESH:D2"], "x") == "MESH:D2"
    assert concept_key(C, ["pubchem.compound:5", "CHEBI:9"], "x") == "CHEBI:9"
    assert concept_key(C, ["pubchem.compound:5"], "x") == "pubchem.compound:5"
    assert concept_key(S, ["NCBITaxon:9606"], "human") == "NCBITaxon:9606"
    assert concept_key(C, [], "Some Drug") == "label:some drug"


def test_different_kinds_with_the_same_label_stay_apart() -> None:
    rec = record("", [], [mention("lithium", C, "MESH:D008094"), mention("lithium", D, None)])
    assert len(build_concepts(rec).concepts) == 2


@pytest.mark.parametrize(
    ("linked", "written"),
    [
        ("Alzheimer disease", "Alzheimer's disease"),
        ("Crohn disease", "Crohn’s disease"),
        ("Graves disease", "Graves' disease"),
        ("hyperuricemia", "hyperuricaemia"),
        ("iron deficiency anemia", "iron-deficiency anaemia"),
        ("diarrhea", "diarrhoea"),
        ("esophageal cancer", "oesophageal cancer"),
        ("Sjogren syndrome", "Sjögren's syndrome"),
        ("beta-thalassemia", "β-thalassemia"),
        ("interferon alfa-2a retinopathy", "interferon α-2a retinopathy"),
        ("attention deficit hyperactivity disorder", "attention-deficit/hyperactivity disorder"),
        (
            "methicillin-resistant Staphylococcus aureus infection",
            "methicillin-resistant Staphylococcus aureus (MRSA) infection",
        ),
    ],
)
def test_one_disease_spelt_two_ways_is_one_concept_with_both_ids(linked: str, written: str) -> None:
    """A linked MONDO disease and the full text's MeSH one, spelt the British way, with the
    eponym's possessive or with an abbreviation inside: one concept holding both identifiers.
    """
    rec = record(
        "", [mention(linked, D, "MONDO:0000001", "linked")], [mention(written, D, "MESH:D000001")]
    )
    (concept,) = build_concepts(rec).concepts
    assert concept.identifiers == ("MESH:D000001", "MONDO:0000001")
    assert concept.label == linked


@pytest.mark.parametrize(
    ("first", "second"),
    [("graves disease", "grave disease"), ("anemia", "anoemia"), ("cystitis", "cystitis (acute)")],
)
def test_names_that_differ_beyond_spelling_stay_apart(first: str, second: str) -> None:
    rec = record("", [], [mention(first, D, "MESH:D000001"), mention(second, D, "MESH:D000002")])
    assert len(build_concepts(rec).concepts) == 2


def test_a_composite_mention_names_two_concepts() -> None:
    """``renal cancer (MESH:D007680|D001749)``: one text, two diseases; a name never joins two
    MeSH ids, while an identifier shared with another mention still does.
    """
    rec = record(
        "",
        [],
        [
            mention("renal cancer", D, "MESH:D007680"),
            mention("renal cancer", D, "MESH:D001749"),
            mention("kidney cancer", D, "MESH:D007680"),
        ],
    )
    concepts = build_concepts(rec).concepts
    assert sorted(c.identifiers for c in concepts) == [("MESH:D001749",), ("MESH:D007680",)]


def test_a_brand_name_or_code_beside_a_drug_is_the_same_drug() -> None:
    """ "erenumab (AMG 334)", "Lyrica® (pregabalin)": one drug; a brand with an id of its own
    of the same prefix stays apart (two MeSH ids are two concepts).
    """
    rec = record(
        "Erenumab (AMG 334) helped. Patients took Lyrica® (pregabalin) or duloxetine, also "
        "known as Cymbalta.",
        [
            mention("erenumab", C, "pubchem.compound:1", "linked"),
            mention("pregabalin", C, "MESH:D000001", "linked"),
            mention("duloxetine", C, "MESH:D000002", "linked"),
        ],
        [
            mention("AMG 334", C, None),
            mention("Lyrica", C, None),
            mention("Cymbalta", C, "MESH:D3"),
        ],
    )
    synonyms = {c.label: c.synonyms for c in build_concepts(rec).concepts}
    assert synonyms["erenumab"] == ("AMG 334",)
    assert synonyms["pregabalin"] == ("Lyrica",)
    assert synonyms["duloxetine"] == ()


def _groups(rec: PaperRecord) -> list[set[str]]:
    concepts = build_concepts(rec).concepts
    return sorted(({c.label, *c.synonyms} for c in concepts), key=sorted)


def test_a_misspelt_drug_without_identifier_joins_the_drug_it_misspells() -> None:
    rec = record(
        "Risperidone was switched to zuclopenthixol, then back to resperidone; esketamine and "
        "ketamine were named too.",
        [
            mention("risperidone", C, "pubchem.compound:5073", "linked"),
            mention("ketamine", C, "pubchem.compound:3821", "linked"),
        ],
        [mention("resperidone", C, None), mention("esketamine", C, None)],
    )
    groups = _groups(rec)
    assert {"risperidone", "resperidone"} in groups  # one edit, and no vocabulary knows it
    assert {"esketamine"} in groups  # a real drug, two edits from ketamine, stays apart
    concepts = build_concepts(rec).by_key()
    assert "resperidone" in concepts["pubchem.compound:5073"].synonyms


@pytest.mark.parametrize(
    ("linked", "unlinked", "joined"),
    [
        (["velitrexin"], "velitrexon", True),  # one edit in ten letters
        (["velitrexinol"], "velitrexanal", True),  # two edits in a name of ten or more
        (["velitrex"], "velitrax", True),  # one edit, eight letters
        (["velitrex"], "valitrax", False),  # two edits in a name under ten letters
        (["quorafen"], "quorafe", True),  # one deletion
        (["quoraf"], "quorap", False),  # under seven letters: too often two real drugs
        (["velitrexin", "velitrexan"], "velitrexon", False),  # two drugs it could misspell
    ],
)
def test_which_misspellings_join(linked: list[str], unlinked: str, joined: bool) -> None:
    rec = record(
        "Patients took the drugs.",
        [mention(name, C, f"MESH:D90000{i}", "linked") for i, name in enumerate(linked)],
        [mention(unlinked, C, None)],
    )
    assert any(unlinked in group and len(group) > 1 for group in _groups(rec)) is joined
