"""Validating the whole store logs each record graph's build key and conformance: the keys are
read in one pass when there are many graphs, and entries the log already holds as they are
are not written again. The log must still be what validating graph by graph would write: a
changed, missing or extra statement is mended, and nothing else is touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox
import pytest

import paperkg.store
import paperkg.validate
from paperkg.build import build
from paperkg.store import PaperStore, term_text, validation_graphs
from paperkg.validate import validate_store
from paperkg.vocab import PKG

from conftest import SEEDS

VALIDATED = ox.NamedNode(str(PKG.validatedBuildKey))
CONFORMS = ox.NamedNode(str(PKG.conforms))


def _log(store: PaperStore) -> set[tuple[str, str, str]]:
    return {
        (term_text(q.subject), q.predicate.value, term_text(q.object))
        for log in validation_graphs(store)
        for q in store.graph_quads(log)
    }


def _expected(store: PaperStore) -> set[tuple[str, str, str]]:
    """The log of every record graph conforming at its stored build key."""
    found = set()
    for graph in store.record_graphs():
        key = store.build_key(graph)
        assert key is not None
        found.add((graph.value, VALIDATED.value, key))
        found.add((graph.value, CONFORMS.value, "true"))
    return found


@pytest.fixture
def store() -> PaperStore:
    built = PaperStore()
    build(built, [SEEDS], validate=False, workers=1)
    return built


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The graphs each whole-store validation writes log entries for."""
    calls: list[set[str]] = []
    log_validation = paperkg.store.log_validation

    def recorded(store: PaperStore, checked: Mapping[ox.NamedNode, Any], *more: Any) -> None:
        calls.append({node.value for node in checked})
        log_validation(store, checked, *more)

    monkeypatch.setattr(paperkg.validate, "log_validation", recorded)
    return calls


@pytest.mark.parametrize("scan", [True, False], ids=["keys in one pass", "keys one by one"])
def test_the_log_holds_each_graphs_build_key_and_conformance(
    store: PaperStore, monkeypatch: pytest.MonkeyPatch, scan: bool
) -> None:
    monkeypatch.setattr(paperkg.validate, "_SCAN_KEYS", 1 if scan else 10**9)
    assert validate_store(store).conforms
    assert _log(store) == _expected(store)


def test_validating_again_writes_only_the_entries_that_changed(
    store: PaperStore, written: list[set[str]]
) -> None:
    validate_store(store)
    graphs = store.record_graphs()
    assert written == [{g.value for g in graphs}]
    validate_store(store)
    assert written[1:] == [set()]  # nothing changed: nothing written

    log = validation_graphs(store)[0]
    wrong_key, wrong_flag, extra, missing = graphs[:4]
    store.remove_quads(list(store.quads_for_pattern(wrong_key, VALIDATED, None, log)))
    store.add_quads([ox.Quad(wrong_key, VALIDATED, ox.Literal("0"), log)])
    store.remove_quads(list(store.quads_for_pattern(wrong_flag, CONFORMS, None, log)))
    store.add_quads([ox.Quad(wrong_flag, CONFORMS, ox.Literal(False), log)])
    store.add_quads([ox.Quad(extra, ox.NamedNode("urn:x:note"), ox.Literal("x"), log)])
    store.remove_quads(list(store.quads_for_pattern(missing, CONFORMS, None, log)))

    validate_store(store)
    assert written[2] == {wrong_key.value, wrong_flag.value, extra.value, missing.value}
    assert _log(store) == _expected(store)
