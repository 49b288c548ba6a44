"""Roles, subtypes and combinations as the graph holds them: built, validated and queried.

The record (tests/data/roles/) is invented: a combination added to a background drug,
against an active comparator, in a subtype of the linked condition, with or without a
comorbidity.
"""

from __future__ import annotations

import pytest

from paperkg.build import build
from paperkg.query import run_query
from paperkg.store import PaperStore
from paperkg.validate import validate_store

from conftest import DATA

RECORD = DATA / "roles" / "velitrex_trial.txt"
PKG = "https://w3id.org/paperkg/vocab/"


@pytest.fixture(scope="module")
def store() -> PaperStore:
    built = PaperStore()
    report = build(built, [str(RECORD)])
    assert report.ok, [str(e) for e in report.rejected]
    return built


def test_the_graph_conforms(store: PaperStore) -> None:
    assert validate_store(store).conforms


def test_each_drug_has_its_role(store: PaperStore) -> None:
    rows = store.query(
        f"""SELECT ?label ?role WHERE {{ GRAPH ?g {{
              ?paper <{PKG}namesDrug> ?m . ?m <{PKG}drug> ?d ; <{PKG}drugRole> ?r .
              ?d <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
              BIND(STRAFTER(STR(?r), "/role/") AS ?role) }}"""
    )
    roles = {row["label"].value: row["role"].value for row in rows}
    assert roles == {
        "orbazine": "background_therapy",
        "quorafen": "comparator",
    }


def test_the_combination_is_a_finding_per_component_given_together(store: PaperStore) -> None:
    findings = run_query(store, "findings").as_dicts()
    assert {(row["drug_label"], row["condition_label"]) for row in findings} == {
        ("velitrex", "progressive widgetitis"),
        ("plenamil", "progressive widgetitis"),
    }
    partners = store.query(
        f"""SELECT ?label WHERE {{ GRAPH ?g {{ ?f <{PKG}givenWith> ?d .
              ?d <http://www.w3.org/2000/01/rdf-schema#label> ?label }} }}"""
    )
    assert sorted(row["label"].value for row in partners) == ["plenamil", "velitrex"]
    assert all((row["evidence"] or "").startswith("[") for row in findings)


def test_a_question_about_the_broad_condition_finds_the_subtype(store: PaperStore) -> None:
    broad = run_query(store, "drugs-tried-for", {"condition": "widgetitis"}).as_dicts()
    narrow = run_query(store, "drugs-tried-for", {"condition": "progressive widgetitis"})
    assert {row["drug_label"] for row in broad} == {"velitrex", "plenamil"}
    assert {row["drug_label"] for row in narrow.as_dicts()} == {"velitrex", "plenamil"}
    comorbid = run_query(store, "drugs-tried-for", {"condition": "gloomosis"}).as_dicts()
    assert comorbid == []


def test_the_comorbidity_is_kept_apart(store: PaperStore) -> None:
    rows = store.query(
        f"""SELECT ?label WHERE {{ GRAPH ?g {{ ?p <{PKG}comorbidity> ?c .
              ?c <http://www.w3.org/2000/01/rdf-schema#label> ?label }} }}"""
    )
    assert [row["label"].value for row in rows] == ["gloomosis"]


def test_evidence_for_the_broad_condition_lists_the_subtype(store: PaperStore) -> None:
    from paperkg.stats import evidence_summary

    rows = evidence_summary(store, condition="widgetitis")
    assert {(row.drug_label, row.condition_label) for row in rows} == {
        ("velitrex", "progressive widgetitis"),
        ("plenamil", "progressive widgetitis"),
    }
    assert evidence_summary(store, condition="gloomosis") == ()
