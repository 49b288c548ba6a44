"""Notebooks (issue 17, item 7): query results as pandas DataFrames with typed columns, and
results and views shown inline in Jupyter (``_repr_html_``), escaped. The last test runs a real
notebook in a real kernel (nbclient, ipykernel) and reads what Jupyter would show.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

import paperkg
from paperkg.errors import ConfigError
from paperkg.query import QueryResult
from paperkg.stats import evidence_result
from paperkg.viz.html import render_html
from paperkg.viz.views import View

from conftest import SEEDS

HOSTILE = '"><script>alert(1)</script>&amp;'

#: nbformat's builders are not annotated.
new_notebook: Callable[[], Any] = nbformat.v4.new_notebook
new_code_cell: Callable[[str], Any] = nbformat.v4.new_code_cell


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("notebook") / "kg"
    with paperkg.open_store(path) as store:
        paperkg.build(store, [str(SEEDS)])
    return path


def test_a_result_becomes_a_typed_dataframe(store_path: Path) -> None:
    with paperkg.open_store(store_path, read_only=True) as store:
        tried = paperkg.run_query(store, "drugs-tried-for", {"condition": "fibromyalgia"})
        evidence = evidence_result(store)
        results = paperkg.run_query(
            store, "results", {"drug": "pregabalin", "condition": "fibromyalgia"}
        )
    frame = tried.to_dataframe()
    assert list(frame.columns) == list(tried.columns)
    assert str(frame["papers"].dtype) == "Int64"
    assert str(frame["drug_label"].dtype) == "string"
    assert frame["drug"].iloc[0].startswith("MESH:")  # CURIEs, as the table shows them
    naltrexone = frame[frame["drug_label"] == "naltrexone"].iloc[0]
    assert naltrexone["papers"] == 3
    assert naltrexone["drug_ids"] == ["MESH:D009271", "pubchem.compound:5360515"]
    assert tried.to_dataframe(iris=True)["drug"].iloc[0].startswith("http://id.nlm.nih.gov/")
    summary = evidence.to_dataframe()
    assert str(summary["conflicting"].dtype) == "boolean"
    assert str(summary["participants"].dtype) == "Int64"
    assert bool(summary["conflicting"].any())
    assert str(results.to_dataframe()["confidence"].dtype) == "Float64"


def test_a_missing_value_stays_missing_in_a_typed_column() -> None:
    result = QueryResult(("n", "ok"), (("1", "true"), (None, None)), types=("integer", "boolean"))
    frame = result.to_dataframe()
    assert str(frame["n"].dtype) == "Int64"
    assert frame["n"].isna().tolist() == [False, True]
    assert frame["ok"].isna().tolist() == [False, True]


def test_without_pandas_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ConfigError, match=re.escape("pip install 'paperkg[notebook]'")):
        QueryResult(("a",), (("1",),)).to_dataframe()


def test_a_results_html_is_escaped() -> None:
    result = QueryResult(
        ("drug", "title<b>"),
        (("http://id.nlm.nih.gov/mesh/D009271", HOSTILE),),
    )
    page = result._repr_html_()
    assert "<script" not in page
    assert html.escape(HOSTILE) in page
    assert "title&lt;b&gt;" in page
    assert "<td>MESH:D009271</td>" in page
    assert "(1 row)" in page


def test_a_long_result_shows_its_first_rows_and_says_so() -> None:
    result = QueryResult(("n",), tuple((str(i),) for i in range(120)))
    page = result._repr_html_()
    assert page.count("<tr>") == 1 + 50
    assert "120 rows, the first 50 shown" in page


def test_a_view_is_the_explorer_in_a_sandboxed_frame(store_path: Path) -> None:
    with paperkg.open_store(store_path, read_only=True) as store:
        view = paperkg.view_graph(store, focus="fibromyalgia")
    assert isinstance(view, View)
    view.add_node("hostile", kind="drug", label=HOSTILE, papers=1)
    frame = view._repr_html_()
    # One element: the frame; the page is an attribute value, every < and " in it escaped.
    assert re.sub(r'srcdoc="[^"]*"', "", frame).count("<") == 2
    assert frame.startswith("<iframe ")
    assert 'sandbox="allow-scripts' in frame
    assert "allow-same-origin" not in frame
    srcdoc = re.search(r'srcdoc="([^"]*)"', frame)
    assert srcdoc is not None
    assert html.unescape(srcdoc.group(1)) == render_html(view)


def test_a_notebook_shows_results_views_and_dataframes_inline(
    store_path: Path, tmp_path: Path
) -> None:
    notebook = new_notebook()
    notebook.cells = [
        new_code_cell(
            "import paperkg\n"
            f"store = paperkg.open_store({str(store_path)!r}, read_only=True)\n"
            "result = paperkg.run_query(store, 'drugs-tried-for', {'condition': 'fibromyalgia'})\n"
            "result"
        ),
        new_code_cell(
            "frame = result.to_dataframe()\n"
            "print(frame.dtypes['papers'], frame.loc[0, 'drug_ids'])\n"
            "frame"
        ),
        new_code_cell("paperkg.view_graph(store, focus='fibromyalgia')"),
    ]
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()

    def shown(cell: int) -> dict[str, str]:
        outputs = [o for o in notebook.cells[cell].outputs if o.output_type == "execute_result"]
        assert len(outputs) == 1, notebook.cells[cell].outputs
        return dict(outputs[0].data)

    table = shown(0)["text/html"]
    assert '<div class="paperkg-result">' in table
    assert "<td>naltrexone</td>" in table
    printed = "".join(o.get("text", "") for o in notebook.cells[1].outputs)
    assert printed.startswith("Int64 ['MESH:")
    assert "naltrexone" in shown(1)["text/html"]
    assert shown(2)["text/html"].startswith('<iframe title="fibromyalgia: neighbourhood')
