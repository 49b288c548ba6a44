"""What the PubMed XML reader keeps while it streams: a 1 MiB read of a baseline file holds some
160 citations, and none of their element trees may outlive its own citation's turn.
"""

from __future__ import annotations

import gc
import gzip
import re
import weakref
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from paperkg.model import PaperRecord
from paperkg.readers import pubmed
from paperkg.readers.pubmed import iter_pubmed_xml

from conftest import SHARED

MEDLINE_FILE = SHARED / "corpora" / "pubmed" / "medline16n0902.xml.gz"
COUNT = 200


@pytest.fixture(scope="module")
def one_chunk() -> bytes:
    """200 citations of the real file in one piece (1.3 MB), as one read of the file gives."""
    text = gzip.decompress(MEDLINE_FILE.read_bytes()).decode("utf-8")
    citations = re.findall(r"<MedlineCitation .*?</MedlineCitation>", text, re.DOTALL)[:COUNT]
    assert len(citations) == COUNT
    return ("<MedlineCitationSet>\n" + "\n".join(citations) + "\n</MedlineCitationSet>\n").encode()


def _citation_trees() -> int:
    """Parsed ``MedlineCitation`` elements alive in this process."""
    gc.collect()
    return sum(
        1
        for obj in gc.get_objects()
        if isinstance(obj, ET.Element) and obj.tag == "MedlineCitation"
    )


def test_a_citations_tree_is_gone_when_its_record_is_yielded(
    one_chunk: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[weakref.ref[ET.Element]] = []
    original = pubmed._item

    def item(element: ET.Element, line: int, source: str) -> object:
        read.append(weakref.ref(element))
        return original(element, line, source)

    monkeypatch.setattr(pubmed, "_item", item)
    count = 0
    for record in iter_pubmed_xml(iter([one_chunk]), source="big.xml"):
        assert isinstance(record, PaperRecord)
        count += 1
        assert len(read) == count
        assert all(ref() is None for ref in read), f"a tree read is still held at citation {count}"
    assert count == COUNT


def test_only_a_few_citations_are_parsed_ahead(one_chunk: bytes) -> None:
    def chunks() -> Iterator[bytes]:
        yield one_chunk

    items = iter_pubmed_xml(chunks(), source="big.xml")
    first = next(items)
    assert isinstance(first, PaperRecord)
    ahead = _citation_trees()
    assert ahead < 10, f"{ahead} citation trees held after the first of {COUNT} was yielded"
    assert sum(1 for _ in items) == COUNT - 1
