"""Abbreviations a text defines: "low-dose naltrexone (LDN)", "Low Dose Naltrexone or LDN",
"LDN (low-dose naltrexone)". Used where concepts are grouped and where names are found in text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["abbreviation_pairs", "covers_letters", "long_form", "looks_like_short_form"]

_SHORT_FORM = re.compile(r"^[A-Za-z][\w/.&-]{0,11}$")


def looks_like_short_form(text: str) -> bool:
    """Two or more capitals in a short token ("LDN", "SSRIs"): a candidate abbreviation."""
    letters = [c for c in text if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper())
    return bool(_SHORT_FORM.match(text)) and len(letters) >= 2 and upper >= 2


def long_form(short: str, before: str) -> str | None:
    """The words ending ``before`` that ``short`` abbreviates (Schwartz & Hearst), or ``None``.

    Each letter of the short form must appear in order, the first one starting a word, and the
    long form never holds the short form itself ("SFC+TIO compared with TIO (22%) or SFC" defines
    nothing).
    """
    letters = [c.lower() for c in short if c.isalnum()]
    words = re.findall(r"[\w'’]+(?:[-‐–/][\w'’]+)*|\S", before.strip())
    if short in words:
        words = words[len(words) - words[::-1].index(short) :]
    if not letters or not words:
        return None
    words = words[-(len(letters) + 5) :]
    for size in range(1, len(words) + 1):
        candidate = " ".join(words[-size:])
        if not candidate[0].isalnum() or candidate[0].lower() != letters[0]:
            continue
        if covers_letters(letters, candidate.lower()):
            start = before.lower().rfind(words[-size].lower())
            return before[start:].strip() if start >= 0 else candidate
    return None


def covers_letters(letters: Sequence[str], text: str) -> bool:
    """Letters appear in text in order, the first at the start; word starts are preferred."""
    position = len(text)
    for index in range(len(letters) - 1, -1, -1):
        letter = letters[index]
        position -= 1
        while position >= 0 and (
            text[position] != letter
            or (index == 0 and position > 0 and text[position - 1].isalnum())
        ):
            position -= 1
        if position < 0:
            return False
    return position == 0


def abbreviation_pairs(text: str) -> list[tuple[str, str]]:
    """``(long form, short form)`` pairs: "long (SF)", "long or SF", "SF (long)"."""
    pairs: list[tuple[str, str]] = []
    for match in re.finditer(r"\(([^()]{1,80})\)", text):
        inside = match.group(1).strip()
        before = text[max(0, match.start() - 120) : match.start()]
        before = re.split(r"[.;:()]", before)[-1]
        alternatives = [a.strip() for a in re.split(r"\s+or\s+|;|,", inside) if a.strip()]
        for alt in alternatives:
            if looks_like_short_form(alt):
                found = long_form(alt, before)
                siblings = [s for s in alternatives if s != alt]
                for sibling in siblings:
                    if found is None and long_form(alt, sibling) == sibling:
                        found = sibling
                if found:
                    pairs.append((found, alt))
        prior = re.findall(r"[\w/-]+$", before.strip())
        if prior and looks_like_short_form(prior[0]) and long_form(prior[0], inside) == inside:
            pairs.append((inside, prior[0]))
    # "Low Dose Naltrexone or LDN": find the short form first, then read the words before it
    # (a pattern that starts at every word would be slow on long texts).
    for match in re.finditer(r"\sor ([A-Z][A-Za-z0-9/-]{1,9})\b", text):
        short = match.group(1)
        if looks_like_short_form(short):
            words = re.findall(r"[\w-]+", text[max(0, match.start() - 100) : match.start()])
            found = long_form(short, " ".join(words[-7:]))
            if found:
                pairs.append((found, short))
    return pairs
