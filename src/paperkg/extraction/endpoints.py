"""What a trial measured and which way is better on it.

Endpoints are read from the sentences that name them ("The primary outcome was ...", "...
was the primary end point", "Secondary endpoints included A, B and C"). Polarity comes from
general measurement words, never from a condition's name: on pain, mortality, HbA1c or
exacerbations lower is better; on response, remission, survival or quality of life higher is.
A responder or relief endpoint ("a 30% reduction in pain") counts what got better, so higher is
better there whatever it counts.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Endpoint", "Polarity", "endpoint_polarity", "stated_endpoints"]


class Polarity(enum.StrEnum):
    """Which way an endpoint is better."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An endpoint as the paper writes it, and whether the paper calls it primary."""

    text: str
    primary: bool


_KIND = r"(?:outcome|end[\s-]?point)(?P<plural>s)?(?:\s+(?:measure|variable|parameter)s?)?"
_FIRST = r"(?:co-?)?(?:primary|main)"
#: An endpoint phrase runs to the end of its clause; a decimal point ("0.5 mg/dL") is no end.
_PHRASE = r"(?:[^;.]|\.(?=\d))+"
_PRIMARY_FIRST = re.compile(
    rf"\b{_FIRST}\s+(?:efficacy\s+|study\s+)?{_KIND}\s*(?:was|were|is|are|included|"
    rf"consisted of|comprised|being|of|:|=)\s+(?P<text>{_PHRASE})",
    re.IGNORECASE,
)
#: "The primary endpoint, change in pain intensity, did not differ ..."
_PRIMARY_APPOSITIVE = re.compile(
    rf"\b{_FIRST}\s+(?:efficacy\s+)?{_KIND}\s*,\s+(?P<text>[^,;.]+),", re.IGNORECASE
)
_PRIMARY_LAST = re.compile(
    rf"^(?:the\s+)?(?P<text>[^;,.]{{4,120}}?)\s+(?:was|were|served as)\s+(?:the\s+|our\s+)?"
    rf"(?:primary|main)\s+(?:efficacy\s+)?{_KIND}\b",
    re.IGNORECASE,
)
_SECONDARY = re.compile(
    rf"\bsecondary\s+(?:efficacy\s+)?{_KIND}\s*(?:was|were|is|are|included|consisted of|"
    rf"comprised|:)\s+(?P<text>{_PHRASE})",
    re.IGNORECASE,
)
#: Where an endpoint phrase stops: what follows names the next endpoint, a time or a method.
_TAIL = re.compile(
    r",?\s+(?:and|while|whereas|with)\s+(?:the\s+)?(?:secondary|other)\b.*$|"
    r"\s+\((?![^)]*\b(?:score|scale|index|questionnaire)\b).*$|"
    r",?\s+(?:as\s+)?(?:measured|assessed|evaluated|determined|defined|recorded)\b.*$|"
    r",?\s+(?:at|after|over|during|from baseline to)\s+(?:\d+|one|two|three|four|six|eight|"
    r"twelve|the end|week|month|year)\b.*$",
    re.IGNORECASE,
)
_LIST_SPLIT = re.compile(r",\s*(?:and\s+|or\s+)?|\s+and\s+(?=(?:the\s+)?[a-z])", re.IGNORECASE)
_LEAD = re.compile(
    r"^(?:the\s+|a\s+|an\s+)?(?:(?:mean|absolute|relative|percent(?:age)?)\s+)?"
    r"(?:change|difference|reduction|improvement)\s+(?:from baseline\s+)?in\s+(?:the\s+)?",
    re.IGNORECASE,
)
_MAX_WORDS = 16

# A responder or relief endpoint counts improvement, whatever the symptom it names.
_GOOD_COUNT = re.compile(
    r"\b(?:respon\w*|remission|remitters?|relief|cure[ds]?|healing|healed|recover\w*|"
    r"success\w*|improve\w*|eradicat\w*|abstinen\w*|resolution|resolved|clearance|"
    r"(?:at least|≥|>=)\s*\d+\s*%\s*(?:reduction|decrease|improvement))\b",
    re.IGNORECASE,
)
_TIME_TO_BAD = re.compile(
    r"\btime to (?:first\s+)?(?:relapse|recurrence|progression|exacerbation|death|event|"
    r"failure|treatment failure|discontinuation|hospitali[sz]ation|rescue)",
    re.IGNORECASE,
)
_TIME_TO_GOOD = re.compile(
    r"\btime to (?:first\s+)?(?:recovery|resolution|healing|remission|response|improvement|"
    r"relief|onset of (?:action|relief|analgesia))|\blength of (?:hospital\s+)?stay\b|"
    r"\bduration of (?:symptoms|illness|hospitali[sz]ation|fever|diarrh\w*)",
    re.IGNORECASE,
)
_LOWER_BETTER = re.compile(
    r"\b(?:pain\w*|ache|symptoms?|severity|mortality|deaths?|died|dying|fatal\w*|exacerbations?|"
    r"relapses?|recurrences?|hospitali[sz]ations?|admissions?|readmissions?|incidence|risk|"
    r"(?:adverse\s+)?events?|adverse|complications?|infections?|failure|progression|"
    r"disabilit\w*|fatigue|depressi\w*|anxiety|hba1c|a1c|glyc(?:at)?ed\s+ha?emoglobin|"
    r"glucose|cholesterol|ldl|triglycerides?|(?:blood|systolic|diastolic)\s+pressure|"
    r"viral load|attacks?|seizures?|frequency|nausea|vomiting|pruritus|itch\w*|"
    r"inflammat\w*|c-reactive protein|crp|disease activity|impact|stiffness|tender\w*|"
    r"insomnia|craving|use of rescue|rescue medication|relapse rate|bleeding|toxicity|"
    r"hamd|ham-d|hdrs|madrs|panss|bdi|vas|nrs|das28|edss|morbidity)\b",
    re.IGNORECASE,
)
_HIGHER_BETTER = re.compile(
    r"\b(?:survival|quality of life|qol|function\w*|well-being|wellbeing|satisfaction|"
    r"thresholds?|bone (?:mineral )?density|bmd|fev1|fvc|lung function|exercise capacity|"
    r"walking distance|walk distance|cd4|sleep quality|adherence|cognition|cognitive|"
    r"memory|mobility|strength|global impression|pgic|hdl|haemoglobin|hemoglobin|"
    r"continence|patency|live births?|pregnanc\w*)\b",
    re.IGNORECASE,
)


def stated_endpoints(sentences: Iterable[str]) -> list[Endpoint]:
    """The endpoints the text names as primary or secondary, primary first, each once."""
    primary: list[str] = []
    secondary: list[str] = []
    for sentence in sentences:
        for pattern in (_PRIMARY_FIRST, _PRIMARY_APPOSITIVE):
            for match in pattern.finditer(sentence):
                # "The co-primary endpoints were A and B": two endpoints; "was A and B": one.
                whole = match.group("plural") is None
                primary.extend(_items(match.group("text"), whole=whole))
        named_last = _PRIMARY_LAST.search(sentence)
        if named_last is not None and not primary:
            primary.extend(_items(named_last.group("text"), whole=True))
        for match in _SECONDARY.finditer(sentence):
            secondary.extend(_items(match.group("text"), whole=False))
    seen: set[str] = set()
    endpoints: list[Endpoint] = []
    for text, is_primary in [(t, True) for t in primary] + [(t, False) for t in secondary]:
        key = text.lower()
        if key not in seen:
            seen.add(key)
            endpoints.append(Endpoint(text, is_primary))
    return endpoints


def _items(phrase: str, *, whole: bool) -> list[str]:
    """A primary endpoint phrase stays whole ("pain and fatigue" can be one composite); a list
    of secondary endpoints splits into its items.
    """
    phrase = _TAIL.sub("", phrase.strip())
    parts = [phrase] if whole else _LIST_SPLIT.split(phrase)
    cleaned: list[str] = []
    for part in parts:
        text = _LEAD.sub("", part.strip()).strip(" ,:")
        words = text.split()
        if 1 <= len(words) <= _MAX_WORDS and any(c.isalpha() for c in text):
            cleaned.append(text)
    return cleaned


def endpoint_polarity(endpoint: str) -> Polarity:
    """Which way the endpoint is better, from general measurement words; unknown if none."""
    if _TIME_TO_BAD.search(endpoint):
        return Polarity.HIGHER_IS_BETTER
    if _TIME_TO_GOOD.search(endpoint):
        return Polarity.LOWER_IS_BETTER
    if _GOOD_COUNT.search(endpoint):
        return Polarity.HIGHER_IS_BETTER
    lower = [m.start() for m in _LOWER_BETTER.finditer(endpoint)]
    higher = [m.start() for m in _HIGHER_BETTER.finditer(endpoint)]
    if len(lower) != len(higher):
        return Polarity.LOWER_IS_BETTER if len(lower) > len(higher) else Polarity.HIGHER_IS_BETTER
    if not lower:
        return Polarity.UNKNOWN
    # As many words each way: the head noun, the last of them, decides ("pain threshold").
    return Polarity.LOWER_IS_BETTER if lower[-1] > higher[-1] else Polarity.HIGHER_IS_BETTER
