"""The Evidence Inference corpus as training and scoring data (shared by the two tools).

Each prompt's label is its annotators' majority (ties are left out of training, kept in
scoring with the first-given label's majority); a prompt is "in the abstract" when one of its
annotators' evidence texts occurs in the abstract. Reads only ``train`` and ``validation``:
the corpus's test split is withheld and never read here.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from paperkg.readers.evidence_inference import read_abst

SPLITS = ("train", "validation")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def label_of(raw: str) -> str:
    raw = raw.strip()
    return "significantly increased" if raw.startswith("significantly increase") else raw


@dataclass
class Item:
    prompt_id: str
    pmcid: str
    split: str
    intervention: str
    comparator: str
    outcome: str
    label: str
    tie: bool
    evidence: list[str]
    sentences: list[tuple[str, str]]

    @property
    def prompt(self) -> tuple[str, str, str]:
        return (self.intervention, self.comparator, self.outcome)

    @property
    def in_abstract(self) -> bool:
        text = normalise(" ".join(s for _, s in self.sentences))
        return any(e and e in text for e in self.evidence)

    def is_evidence(self, sentence: str) -> bool:
        """The sentence is (or holds, or is held by) an annotator's evidence text."""
        s = normalise(sentence)
        words = set(re.findall(r"\w+", s.lower()))
        for e in self.evidence:
            if e in s or (len(s) > 20 and s in e):
                return True
            other = set(re.findall(r"\w+", e.lower()))
            if words and other and len(words & other) / len(words | other) > 0.6:
                return True
        return False


def load(corpus: Path) -> list[Item]:
    """Every train and validation prompt whose abstract is in the corpus folder."""
    answers: dict[str, list[dict[str, str]]] = defaultdict(list)
    with open(corpus / "annotations.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            answers[row["PromptID"]].append(row)
    items: list[Item] = []
    with open(corpus / "prompts.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["split"] not in SPLITS:
                continue
            path = corpus / "abstracts" / f"PMC{row['PMCID']}.abst"
            if not path.exists():
                continue
            votes = Counter(label_of(a["Label"]) for a in answers[row["PromptID"]])
            ranked = votes.most_common()
            items.append(
                Item(
                    row["PromptID"],
                    row["PMCID"],
                    row["split"],
                    row["Intervention"],
                    row["Comparator"],
                    row["Outcome"],
                    ranked[0][0],
                    len(ranked) > 1 and ranked[0][1] == ranked[1][1],
                    [
                        normalise(a["Annotations"])
                        for a in answers[row["PromptID"]]
                        if a["Annotations"].strip()
                    ],
                    read_abst(path),
                )
            )
    return items
