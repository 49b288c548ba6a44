"""Names inside a hyphenated word: "cocaine-induced", "lithium-treated", "OCD-like", "non-PD".

The tokeniser keeps a hyphenated word whole, so that "non-small-cell" stays one word of its
name; a drug or condition joined to a word that qualifies it is then no name of the
vocabulary, and annotated corpora mark the name inside it (most of the chemicals BC5CDR's
training text marks and paperkg missed are of this kind). A word's parts are read as names,
longest first; the parts left over must be words ("induced", "non"), so that numbers and
letters joined to a name ("5-HT", "IL-6") say it is something else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

__all__ = ["inner_names"]


def inner_names(word: str, known: Callable[[str], bool]) -> Iterator[tuple[int, int]]:
    """The spans (character offsets into ``word``) of the names ``known`` finds among the
    hyphen-joined parts of ``word``, none when the word is a name itself or a part left over
    is not a word of letters.
    """
    parts = word.split("-")
    if len(parts) < 2 or known(word):
        return
    starts = [0]
    for part in parts:
        starts.append(starts[-1] + len(part) + 1)
    spans: list[tuple[int, int]] = []
    first = 0
    while first < len(parts):
        for last in range(len(parts), first, -1):
            if known("-".join(parts[first:last])):
                spans.append((starts[first], starts[last] - 1))
                first = last
                break
        else:
            if not parts[first].isalpha():
                return
            first += 1
    yield from spans
