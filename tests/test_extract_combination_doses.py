"""A dose written per part of a combination, read from a record as users write it.

Invented names on purpose: the rules must read how papers write, never know a drug or disease.
"""

from __future__ import annotations

from pathlib import Path

from paperkg.extraction import extract
from paperkg.readers import read_record

RECORD = """# Velitrex with orbazine for widgetitis: a randomized placebo-controlled trial

**Authors:** A. Author

PubMed · PMID: 1 · Journal · 2020

## Abstract

BACKGROUND: The combination of velitrex and orbazine (VO) is used in widgetitis.

METHODS: 120 adults were randomized to VO 50/500 mg twice daily or placebo for 12 weeks.

RESULTS: VO reduced widgetitis scores more than placebo (p = 0.01).

## Linked entities

- **Chemicals:** velitrex (MESH:D900001), orbazine (MESH:D900002)
- **Diseases:** widgetitis (MONDO:0900001)

## Full-text entities

- **Chemicals:** velitrex (MESH:D900001), orbazine (MESH:D900002), VO (MESH:D900001|D900002)
- **Diseases:** widgetitis (MONDO:0900001)
"""


def test_one_mention_of_two_concepts_gives_each_its_part_in_the_order_first_named(
    tmp_path: Path,
) -> None:
    path = tmp_path / "vo.txt"
    path.write_text(RECORD, encoding="utf-8")
    result = extract(read_record(path))
    doses = {result.concept(f.drug).label: sorted(d.text for d in f.doses) for f in result.findings}
    assert doses == {"velitrex": ["50 mg twice daily"], "orbazine": ["500 mg twice daily"]}
