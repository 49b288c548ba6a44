"""Split a record into sentences that remember their section, and find concept mentions in them.

Outcome and intervention rules weigh a sentence by where it stands (Key findings and TL;DR are
summaries of the result, an abstract's Background is not), so every sentence carries its section
and, in structured abstracts, its subsection heading.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from paperkg.extraction import lexicon
from paperkg.model import EntityKind, PaperRecord

__all__ = [
    "MAX_PROSE_CHARS",
    "Hit",
    "MentionIndex",
    "Sentence",
    "methods_sentences",
    "record_sentences",
    "split_abstract",
    "split_sentences",
    "states_aim",
]

#: Headings of structured abstracts ("RESULTS:", "Conclusion:"), matched case-insensitively.
_HEADINGS = (
    # two-word headings first: "Patients and Methods:" is one heading, not "Patients and" + one
    "(?:patients|materials|subjects|participants) and methods|methods and (?:materials|patients)|"
    "background|context|introduction|objectives?|purpose|aims?|design|setting|settings|"
    "patients|participants|subjects|interventions?|methods?|measurements|outcome measures|"
    "main outcome measures|results?|findings|conclusions?|interpretation|limitations|"
    "discussion|significance|trial registration|funding|observations|"
    "case (?:presentation|report|description|summary)"
)
_HEADING = re.compile(rf"(?:^|(?<=\s))((?i:{_HEADINGS})):\s+")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:e\.g|i\.e|vs|al|approx|ca|Fig|Dr|No|cf|resp)\.)$", re.IGNORECASE
)
#: A full text's results section ("Results", "Results and Discussion"), read after the abstract.
_RESULTS_HEADING = re.compile(r"(?i)results?\b")
#: A full text's Methods ("Methods", "Materials and methods", "Patients and methods",
#: "Interventions"), where its doses are written.
_METHODS_HEADING = re.compile(
    r"(?i)(?:(?:materials?|patients?|subjects?|participants?)\s+and\s+)?methods?\b|"
    r"methodology\b|interventions?\b"
)
_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[A-Z0-9(\"“])")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence and where it stands: section (``title``, ``tldr``, ``key_findings``,
    ``abstract``, or ``results`` for a full text's Results section), the abstract subsection
    heading in lower case (``results``) or ``""``.
    """

    text: str
    section: str
    subsection: str = ""
    position: int = 0


@dataclass(frozen=True, slots=True)
class Hit:
    """A concept named in a text span."""

    key: str
    kind: EntityKind
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; keeps "e.g." and "vs." inside their sentence."""
    text = " ".join(text.split())
    if not text:
        return []
    pieces: list[str] = []
    start = 0
    for match in _SPLIT.finditer(text):
        candidate = text[start : match.start()].strip()
        if _ABBREVIATIONS.search(candidate):
            continue
        pieces.append(candidate)
        start = match.end()
    pieces.append(text[start:].strip())
    return [chunk for piece in pieces if piece for chunk in _bounded(piece)]


#: Extraction reads at most this much of a record's prose (title, TL;DR, key findings, abstract,
#: in that order): a paper summary is a few thousand characters, and the cost must stay bounded
#: whatever a file holds. ``build`` warns when a record is cut.
MAX_PROSE_CHARS = 200_000

#: No prose sentence is longer; a longer run (a table, a pasted list, junk) is read in pieces so
#: the work per sentence, which grows with the square of its mentions, stays bounded.
MAX_SENTENCE_CHARS = 2_000


def _bounded(sentence: str) -> list[str]:
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return [sentence]
    chunks: list[str] = []
    start = 0
    while start < len(sentence):
        end = min(len(sentence), start + MAX_SENTENCE_CHARS)
        if end < len(sentence):
            space = sentence.rfind(" ", start + MAX_SENTENCE_CHARS // 2, end)
            end = space if space > start else end
        chunks.append(sentence[start:end].strip())
        start = end
    return [chunk for chunk in chunks if chunk]


def _heading_name(heading: str) -> str:
    """A heading in lower case; "Patients and Methods" is the methods."""
    name = heading.lower()
    return "methods" if " and " in name and "method" in name else name


def split_abstract(abstract: str) -> list[tuple[str, str]]:
    """``(subsection, sentence)`` pairs; subsections come from inline or line headings."""
    result: list[tuple[str, str]] = []
    for paragraph in re.split(r"\n\s*\n|\n", abstract):
        parts = _HEADING.split(paragraph)
        # parts = [before, heading1, text1, heading2, text2, ...]
        chunks: list[tuple[str, str]] = [("", parts[0])]
        chunks += [(_heading_name(parts[i]), parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
        current = result[-1][0] if result else ""
        for heading, chunk in chunks:
            if heading:
                current = heading
            result.extend((current, sentence) for sentence in split_sentences(chunk))
    return result


def record_sentences(record: PaperRecord) -> list[Sentence]:
    """All sentences of the parts extraction reads, each once (records may repeat sections)."""
    raw: list[tuple[str, str, str]] = []
    if record.title:
        raw.append(("title", "", " ".join(record.title.split())))
    if record.tldr:
        raw.extend(("tldr", "", s) for s in split_sentences(record.tldr))
    for finding in record.key_findings:
        raw.extend(("key_findings", "", s) for s in split_sentences(finding))
    if record.abstract:
        raw.extend(("abstract", sub, s) for sub, s in split_abstract(record.abstract))
    for heading, text in record.extra_sections:
        if record.source_format == "jats" and _RESULTS_HEADING.match(heading):
            # a full text's Results: section "results", so evidence says it is not the abstract
            raw.extend(("results", "results", s) for s in split_sentences(text))
    seen: set[tuple[str, str]] = set()
    sentences: list[Sentence] = []
    budget = MAX_PROSE_CHARS
    for section, subsection, text in raw:
        budget -= len(text)
        if budget < 0:
            break
        if (section, text) in seen:
            continue
        seen.add((section, text))
        sentences.append(Sentence(text, section, subsection, len(sentences)))
    return sentences


def methods_sentences(record: PaperRecord, start: int) -> list[Sentence]:
    """The sentences of a full text's Methods (section ``methods``), numbered from ``start``.

    A full text's abstract seldom gives the dose its Methods give; extraction reads them for
    doses alone (what a Methods section names is not what was found), and only of full texts.
    """
    if record.source_format != "jats":
        return []
    sentences: list[Sentence] = []
    budget = MAX_PROSE_CHARS
    for heading, text in record.extra_sections:
        if not _METHODS_HEADING.match(heading):
            continue
        for sentence in split_sentences(text):
            budget -= len(sentence)
            if budget < 0:
                return sentences
            sentences.append(Sentence(sentence, "methods", "methods", start + len(sentences)))
    return sentences


@functools.lru_cache(maxsize=8192)
def _surface_pattern(surface: str) -> re.Pattern[str]:
    """Word-bounded pattern; hyphens and spaces interchangeable; acronyms case-sensitive."""
    words = [re.escape(word) for word in re.split(r"[\s\-‐–]+", surface.strip()) if word]
    body = r"[\s\-‐–]+".join(words)
    acronym = surface.strip().upper() == surface.strip() and len(surface.strip()) <= 8
    flags = 0 if acronym else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){body}(?![\w])", flags)


class MentionIndex:
    """Finds concept names in text, longest name first, so "serotonin syndrome" (a disease) is
    not read as "serotonin" (a chemical) and "low-dose naltrexone" is one mention.
    """

    def __init__(self, surfaces: Iterable[tuple[str, str, EntityKind]]) -> None:
        unique: dict[tuple[str, str], EntityKind] = {}
        for surface, key, kind in surfaces:
            if len(surface.strip()) >= 2:
                unique.setdefault((surface.strip(), key), kind)
        ordered = sorted(unique.items(), key=lambda item: -len(item[0][0]))
        self._patterns = [
            (_surface_pattern(surface), key, kind) for (surface, key), kind in ordered
        ]

    def find(self, text: str) -> list[Hit]:
        """Non-overlapping hits in text order; a span that names two concepts of one kind (a
        composite mention, ``HCV/HIV co-infected``) gives a hit for each.
        """
        taken: dict[tuple[int, int], EntityKind] = {}
        hits: list[Hit] = []
        for pattern, key, kind in self._patterns:
            for match in pattern.finditer(text):
                start, end = match.span()
                if taken.get((start, end)) is kind:
                    hits.append(Hit(key, kind, start, end, match.group(0)))
                    continue
                if any(start < t_end and t_start < end for t_start, t_end in taken):
                    continue
                taken[(start, end)] = kind
                hits.append(Hit(key, kind, start, end, match.group(0)))
        return sorted(hits, key=lambda hit: hit.start)

    def keys_in(self, text: str, kinds: Sequence[EntityKind] | None = None) -> set[str]:
        """Keys of the concepts named in text (optionally of some kinds only)."""
        return {hit.key for hit in self.find(text) if kinds is None or hit.kind in kinds}


def states_aim(sentence: Sentence) -> bool:
    """An abstract sentence that says what the study is for: under an aim heading, or worded as
    an aim ("to evaluate", "was designed to").
    """
    return sentence.section == "abstract" and (
        sentence.subsection in lexicon.AIM_HEADINGS or bool(lexicon.INTENT.search(sentence.text))
    )
