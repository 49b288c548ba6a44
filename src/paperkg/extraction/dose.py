"""Structured doses from text: "4.5 mg/day", "150-600 mg/day", "70 mg or 140 mg monthly".

A dose keeps its text as written (whitespace normalised) and whatever could be parsed from it,
so a query can filter by value while a reader can still see what the paper said. A list of arm
doses ("150, 300, or 450 mg/day") gives one :class:`Dose` per arm; a range gives one dose with
``value`` and ``value_max``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from paperkg.model import Dose

__all__ = ["DoseSpan", "find_doses", "normalise_unit", "parse_doses"]

_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_UNIT = (
    r"mg/kg(?:/d(?:ay)?)?|mg/m(?:2|²)|mcg/kg|µg/kg|μg/kg|mg|milligrams?|µg|μg|mcg|micrograms?|"
    r"g|grams?|IU|international units|mL|ml|milliliters?|millilitres?"
)
_ATOM = re.compile(rf"(?<![\w.,])({_NUM})(?:\s*|-)({_UNIT})(?![\w²])")
_RANGE_BEFORE = re.compile(rf"({_NUM})\s*(?:-|–|—|to)\s*$")
#: "113 ± 46 mg/day": a mean and its spread; the dose is the mean, not the spread.
_SPREAD_BEFORE = re.compile(rf"({_NUM})\s*(?:±|\+/-|\+/−|\+-)\s*$")
_LIST_BEFORE = re.compile(rf"((?:{_NUM}\s*(?:,\s*(?:and\s+|or\s+)?|\s+or\s+|\s+and\s+))+)$")
#: "50/500 µg": one number per part of a fixed combination, in the order its name gives them.
_PARTS_BEFORE = re.compile(rf"((?:{_NUM}\s*/\s*)+)$")
#: An effect with its p-value or interval ("improved FEV1 (212 ml, p<0.001)"), not a dose.
_RESULT_AFTER = re.compile(
    r"^\s*[,;]?\s*\(?\s*(?:p\s*[<=>≤≥]|95\s*%|(?:95\s*%\s*)?CI\b)", re.IGNORECASE
)
_JOIN = re.compile(r"^\s*(?:,\s*(?:or|and)?|or|and)\s*$")
_FREQUENCY = [
    (r"twice (?:a |per )?day|twice daily|b\.?i\.?d\.?", "twice daily"),
    (r"three times (?:a |per )?day|t\.?i\.?d\.?", "three times daily"),
    (r"/\s*day|/\s*d\b|per day|a day|daily|once daily|once a day|/24 ?h", "daily"),
    (r"nightly|at night|at bedtime|every night", "nightly"),
    (r"/\s*week|/\s*wk\b|per week|a week|weekly|once a week", "weekly"),
    (r"/\s*month|per month|a month|monthly|once a month|every month", "monthly"),
    (r"every \d+ (?:days|weeks|months)", ""),
]
_FREQ_AFTER = re.compile(
    r"^\s*(" + "|".join(pattern for pattern, _ in _FREQUENCY) + r")(?![\w])", re.IGNORECASE
)
_FREQ_NEAR = re.compile(r"^[^.;]{0,30}?\b(nightly|daily|weekly|monthly)\b", re.IGNORECASE)
_ROUTES = [
    (r"\borally\b|\boral\b|by mouth|\bp\.o\.|\b(?-i:PO|po)\b", "oral"),
    # "IV" in capitals, and not the numeral of a stage or class ("stage IV", "NYHA class IV")
    (
        r"intravenous(?:ly)?|\bi\.v\.|"
        r"(?<!stage )(?<!class )(?<!grade )(?<!phase )(?<!type )\b(?-i:IV)\b",
        "intravenous",
    ),
    (r"subcutaneous(?:ly)?|\bs\.c\.|\b(?-i:SC)\b", "subcutaneous"),
    (r"intramuscular(?:ly)?|\bi\.m\.", "intramuscular"),
    (r"topical(?:ly)?", "topical"),
    (r"intranasal(?:ly)?|nasal spray", "intranasal"),
    (r"transdermal(?:ly)?|patch", "transdermal"),
    (r"sublingual(?:ly)?", "sublingual"),
    (r"inhaled|inhalation", "inhaled"),
    (r"infusions?", "intravenous"),
]
_FREQUENCY_PATTERNS = [(re.compile(pattern, re.IGNORECASE), name) for pattern, name in _FREQUENCY]
_ROUTE_PATTERNS = [(re.compile(pattern, re.IGNORECASE), name) for pattern, name in _ROUTES]
_WORD_NUMBERS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|sixteen|twenty"
)
_PERIOD = rf"(?:\d+|{_WORD_NUMBERS})[\s-](?:days?|weeks?|months?|years?)"
_DURATION_AFTER = re.compile(rf"^[\s,]*(?:for|over|during)\s+({_PERIOD})", re.IGNORECASE)
_DURATION_BEFORE = re.compile(rf"({_PERIOD})\s+of\s+[^.;]{{0,40}}$", re.IGNORECASE)
_UNITS = {
    "milligram": "mg",
    "milligrams": "mg",
    "microgram": "µg",
    "micrograms": "µg",
    "μg": "µg",
    "mcg": "µg",
    "gram": "g",
    "grams": "g",
    "international units": "IU",
    "ml": "mL",
    "milliliter": "mL",
    "milliliters": "mL",
    "millilitre": "mL",
    "millilitres": "mL",
    "mg/m²": "mg/m2",
    "μg/kg": "µg/kg",
    "mcg/kg": "µg/kg",
}


@dataclass(frozen=True, slots=True)
class DoseSpan:
    """A dose and the character span it was read from."""

    start: int
    end: int
    dose: Dose
    #: of a dose written for each part of a fixed combination ("50/500 µg"), which part (0, 1, ...)
    part: int | None = None


def normalise_unit(unit: str) -> str:
    """Canonical unit spelling: ``milligrams`` → ``mg``, ``mcg`` → ``µg``; ``mg/kg/day`` →
    ``mg/kg`` (the per-day part is the frequency).
    """
    text = unit.strip()
    lowered = text.lower()
    if lowered.startswith("mg/kg/"):
        return "mg/kg"
    return _UNITS.get(lowered, _UNITS.get(text, "IU" if lowered == "iu" else text))


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _frequency(text: str) -> str | None:
    for pattern, name in _FREQUENCY_PATTERNS:
        if pattern.fullmatch(text.strip()):
            return name or text.strip().lower()
    return None


def _route(window: str) -> str | None:
    for pattern, name in _ROUTE_PATTERNS:
        if pattern.search(window):
            return name
    return None


def _begin_of(previous_end: int, match: re.Match[str]) -> int:
    """Where a match in the text before a dose starts, as an offset into the whole text."""
    return previous_end + match.start()


_DOSING_BEFORE = re.compile(
    r"\b(?:titrat\w*|adjust\w*|escalat\w*|increas\w*|dos(?:e|es|ed|ing)|rang\w*|flexib\w*|"
    r"uptitrat\w*)\b",
    re.IGNORECASE,
)


def _is_range(before: str, match: re.Match[str], high: float | None) -> bool:
    """Tell a range ("150-600 mg") from a change ("decreased from 15.6 to 2.8 g").

    A reversed pair ("600-150 mg") is not a dose range either.
    """
    low = _number(match.group(1))
    rising = low is None or high is None or low <= high
    if re.search(r"\bfrom\s*$", before, re.IGNORECASE):
        # "titrated from 25 to 100 mg", "adjustable from 3 to 9 g": the range a dose moved in;
        # "decreased from 15.6 to 2.8 g" is a measurement changing.
        return rising and bool(_DOSING_BEFORE.search(before[-60:]))
    return rising


def _clean(text: str) -> str:
    return " ".join(text.split())


def find_doses(text: str) -> list[DoseSpan]:
    """Every dose in text, in order, with spans (a list of arm doses gives one span each)."""
    atoms = list(_ATOM.finditer(text))
    spans: list[DoseSpan] = []
    groups: list[list[int]] = []
    for index, atom in enumerate(atoms):
        if _RESULT_AFTER.match(text[atom.end() :]):
            continue
        next_start = atoms[index + 1].start() if index + 1 < len(atoms) else len(text)
        previous_end = spans[-1].end if spans else 0
        made = _atom_doses(text, atom, previous_end, next_start)
        if spans and len(made) == 1 and _unit_range(text, spans[-1], made[0]):
            # "15 mg to 25 mg once weekly": one range, written with the unit twice
            low, high = spans[-1], made[0]
            written = _clean(text[low.start : high.end])
            spans[-1] = DoseSpan(
                low.start,
                high.end,
                replace(high.dose, text=written, value=low.dose.value, value_max=high.dose.value),
            )
            continue
        joined = bool(spans) and _JOIN.match(text[spans[-1].end : made[0].start]) is not None
        indices = list(range(len(spans), len(spans) + len(made)))
        if joined:
            groups[-1].extend(indices)
        else:
            groups.append(indices)
        spans.extend(made)
    for group in groups:
        last = spans[group[-1]].dose
        for index in group:
            dose = spans[index].dose
            spans[index] = replace(
                spans[index],
                dose=replace(
                    dose,
                    frequency=dose.frequency or last.frequency,
                    route=dose.route or last.route,
                    duration=dose.duration or last.duration,
                ),
            )
    return spans


_UNIT_RANGE_GAP = re.compile(r"^\s*(?:-|–|—|to)\s*$")


def _unit_range(text: str, low: DoseSpan, high: DoseSpan) -> bool:
    """Two single doses of one unit joined by "to" or a dash, rising: a range."""
    first, second = low.dose, high.dose
    return (
        _UNIT_RANGE_GAP.match(text[low.end : high.start]) is not None
        and first.unit == second.unit
        and first.value_max is None
        and second.value_max is None
        and first.value is not None
        and second.value is not None
        and first.value < second.value
    )


def _atom_doses(
    text: str, atom: re.Match[str], previous_end: int, next_start: int
) -> list[DoseSpan]:
    """The dose(s) one "number unit" atom stands for, with a range or list written before it."""
    unit_text = atom.group(2)
    unit = normalise_unit(unit_text)
    start, end = atom.start(), atom.end()
    rest = text[end:next_start]
    frequency = "daily" if unit_text.lower().startswith("mg/kg/") else None
    match = _FREQ_AFTER.match(rest)
    if match:
        frequency = _frequency(match.group(1))
        end += match.end()
    elif frequency is None:
        near = _FREQ_NEAR.match(rest)
        if near:
            frequency = near.group(1).lower()
    duration_match = _DURATION_AFTER.match(text[end:next_start])
    duration = duration_match.group(1) if duration_match else None
    if duration is None:
        before_match = _DURATION_BEFORE.search(text[max(previous_end, start - 80) : start])
        duration = before_match.group(1) if before_match else None
    route = _route(text[max(0, start - 60) : min(len(text), end + 60)])
    value = _number(atom.group(1))
    written = _clean(text[start:end])
    between = text[previous_end:start]
    spread = _SPREAD_BEFORE.search(between)
    if spread:
        begin = previous_end + spread.start()
        mean = _number(spread.group(1))
        written = _clean(text[begin:end])
        return [DoseSpan(begin, end, Dose(written, mean, None, unit, frequency, route, duration))]
    range_match = _RANGE_BEFORE.search(between)
    if range_match and _is_range(text[: _begin_of(previous_end, range_match)], range_match, value):
        begin = previous_end + range_match.start()
        written = _clean(text[begin:end])
        low = _number(range_match.group(1))
        return [DoseSpan(begin, end, Dose(written, low, value, unit, frequency, route, duration))]
    made: list[DoseSpan] = []
    parts_match = _PARTS_BEFORE.search(text[max(previous_end, start - 40) : start])
    if parts_match:
        begin = start - len(parts_match.group(1))
        tail = written[len(atom.group(1)) :]
        numbers = [*re.findall(_NUM, parts_match.group(1)), atom.group(1)]
        return [
            DoseSpan(
                begin,
                end,
                Dose(_clean(n + tail), _number(n), None, unit, frequency, route, duration),
                part,
            )
            for part, n in enumerate(numbers)
        ]
    list_match = _LIST_BEFORE.search(between)
    if list_match:
        begin = previous_end + list_match.start()
        tail = written[len(atom.group(1)) :]
        for number in re.findall(_NUM, list_match.group(1)):
            dose = Dose(_clean(number + tail), _number(number), None, unit, frequency, route)
            made.append(DoseSpan(begin, end, replace(dose, duration=duration)))
    made.append(DoseSpan(start, end, Dose(written, value, None, unit, frequency, route, duration)))
    return made


def parse_doses(text: str) -> list[Dose]:
    """The doses written in text (see :func:`find_doses`)."""
    return [span.dose for span in find_doses(text)]
