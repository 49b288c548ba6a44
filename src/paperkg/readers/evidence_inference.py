"""The Evidence Inference corpus's files: ``.abst`` abstracts and the prompts CSV.

An ``.abst`` file holds a ``TITLE:`` block and ``ABSTRACT.<SECTION>:`` blocks; its sentences
keep their section so the results reader can weigh Results above Background. A prompt asks how
an intervention compared with a comparator on an outcome in one article.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from paperkg.errors import RecordError
from paperkg.extraction.sentences import split_sentences

__all__ = ["PROMPT_COLUMNS", "Prompt", "abstract_body", "read_abst", "read_prompts"]

#: Columns a prompts CSV must have (others, such as ``split``, are ignored).
PROMPT_COLUMNS = ("PromptID", "PMCID", "Outcome", "Intervention", "Comparator")
_BLOCK = re.compile(r"^(TITLE|ABSTRACT\.([^:\n]*)):[ \t]*", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Prompt:
    """One question: with respect to ``outcome``, ``intervention`` against ``comparator``."""

    prompt_id: str
    pmcid: str
    outcome: str
    intervention: str
    comparator: str
    line: int


def read_abst(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """``(section, sentence)`` pairs of an ``.abst`` file, the title's section ``title``."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problem = f"not UTF-8 ({error.reason})"
        raise RecordError(where, 1, "text", problem, "save it as UTF-8") from error
    blocks = list(_BLOCK.finditer(text))
    if not blocks:
        raise RecordError(
            where, 1, "TITLE", "no TITLE: or ABSTRACT.<SECTION>: block", "is this an .abst file?"
        )
    pairs: list[tuple[str, str]] = []
    for index, block in enumerate(blocks):
        end = blocks[index + 1].start() if index + 1 < len(blocks) else len(text)
        section = "title" if block.group(1) == "TITLE" else block.group(2).strip().lower()
        pairs.extend((section, sentence) for sentence in split_sentences(text[block.end() : end]))
    return pairs


def abstract_body(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The abstract's sentences without the title (a title states no result), unless the
    file holds nothing else.
    """
    return [(section, text) for section, text in pairs if section != "title"] or pairs


def read_prompts(path: str | os.PathLike[str]) -> Iterator[Prompt | RecordError]:
    """The prompts of a CSV file; a bad row is yielded as an error and the rest still read."""
    where = str(path)
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in PROMPT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RecordError(
                where,
                1,
                missing[0],
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                "the header needs " + ", ".join(PROMPT_COLUMNS),
            )
        for row in reader:
            line = reader.line_num
            empty = [c for c in ("PromptID", "PMCID") if not (row.get(c) or "").strip()]
            if empty:
                yield RecordError(where, line, empty[0], "is empty", "give every prompt an id")
                continue
            yield Prompt(
                row["PromptID"].strip(),
                row["PMCID"].strip().removeprefix("PMC"),
                (row.get("Outcome") or "").strip(),
                (row.get("Intervention") or "").strip(),
                (row.get("Comparator") or "").strip(),
                line,
            )
