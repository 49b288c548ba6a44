"""Every shipped .rq parses, runs on the seeds with its documented example, and answers."""

from __future__ import annotations

import itertools
import shlex

import pyoxigraph as ox
import pytest

from paperkg.query import NamedQuery, list_queries, run_query
from paperkg.store import PaperStore

CATALOGUE = list_queries()


def _example_params(query: NamedQuery) -> dict[str, str]:
    words = shlex.split(query.example)
    pairs = itertools.pairwise(words)
    return dict(value.split("=", 1) for flag, value in pairs if flag == "--param")


@pytest.mark.parametrize("query", CATALOGUE, ids=[q.name for q in CATALOGUE])
def test_query_parses_in_an_independent_parser(query: NamedQuery) -> None:
    # An empty store still parses and plans the query: syntax errors surface here.
    result = ox.Store().query(query.text, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)


@pytest.mark.parametrize("query", CATALOGUE, ids=[q.name for q in CATALOGUE])
def test_query_runs_on_the_seeds(seeds: PaperStore, query: NamedQuery) -> None:
    params = _example_params(query)
    assert set(params) == {p.name for p in query.parameters}, "the example gives every parameter"
    result = run_query(seeds, query, params)
    if query.data == "records":
        assert result.rows, f"{query.name} {params} gave no rows on the seeds"
        assert result.unmatched == ()
    else:
        # a corpus query runs on records too, and answers on a corpus build (test_corpora.py)
        assert query.data == "corpora"
        assert result.columns


def test_the_seeds_report_the_pregabalin_identifier_conflict(seeds: PaperStore) -> None:
    rows = run_query(seeds, "identifier-conflicts").as_dicts()
    conflicts = {(row["label"], row["prefix"]): row["identifiers"] for row in rows}
    assert conflicts == {
        ("pregabalin", "pubchem.compound"): "pubchem.compound:4715169|pubchem.compound:5486971"
    }
