"""How a trial sentence compares two arms on an endpoint, as features for the results model.

A result sentence says which arm had more or less of something, and whether the difference was
significant. A bag of words cannot tell "A lower than B" from "B lower than A", so the features
are structural: where each arm is named (by its words, its abbreviation or its group letter, as
the abstract defines them), which clause holds the endpoint, the comparative nearest to it
("greater reduction" is one decrease), which arm stands after "than" / "compared with", and the
p-values and confidence intervals of that clause (crossing the null or not), and "better" read
through the endpoint's polarity. Arms and endpoint are then masked (``INTARM``, ``COMPARM``,
``OUTC``) so the remaining words generalise across trials.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from paperkg.extraction import lexicon
from paperkg.extraction.endpoints import Polarity, endpoint_polarity

__all__ = [
    "ArmNames",
    "arm_names",
    "label_features",
    "ranking_features",
    "section_kind",
]

Features = dict[str, float]

_WORD = re.compile(r"[A-Za-z0-9\u00b5\u03b1-\u03c9]+")
_STOP_WORDS = (
    "a an the of in on at to for with and or by from vs versus group groups patients patient "
    "mg kg g ml day daily dose doses per week weeks h hr hours min was were is are be been "
    "than that this which as after before during into between each both who received "
    "receiving treated treatment therapy plus alone"
)
_STOP = frozenset(_STOP_WORDS.split())
_NO_DIFFERENCE = re.compile(
    r"\b(?:no|not|nor|without|non)\b[^.;]{0,40}\b(?:significant|statistically|differ|difference|"
    r"change)|\bnon-?significant|\bsimilar\b|\bcomparable\b|\bequivalent\b|did not differ|"
    r"\bn\.?s\.?\b|\bunchanged\b|\bwas not\b|\bwere not\b|failed to",
    re.IGNORECASE,
)
_SIGNIFICANT = re.compile(r"significant(?:ly)?|\bp\s*[<≤]\s*0?\.0", re.IGNORECASE)
_P_VALUE = re.compile(r"\bp\s*(?:value)?\s*([<>=≤≥])\s*(0?\.\d+|1\.0|1)\b", re.IGNORECASE)
#: A confidence interval: "95% CI 0.76 to 3.08", "(95% confidence interval [CI] -1.87, -1.03)".
_CI = re.compile(
    r"\b(?:CI|confidence interval)\b[^0-9\u2212\-.]{0,12}"
    r"(?P<low>[\u2212\-]?\d*\.?\d+)\s*%?\s*[a-zA-Z/\u00b5]{0,6}\s*"
    r"(?:to|,|;|\u2013|\u2014|\-)\s*(?P<high>[\u2212\-]?\d*\.?\d+)",
    re.IGNORECASE,
)
#: A ratio measure, whose null value is 1 (a difference's is 0).
_RATIO = re.compile(
    # the abbreviations in capitals only: "or" is not an odds ratio
    r"\b(?:ratios?|(?-i:OR|RR|HR|IRR|aOR|aHR)|odds|hazard|relative risk|risk ratio)\b",
    re.IGNORECASE,
)
_UP = re.compile(
    r"\b(?:higher|greater|increas\w*|more|longer|larger|elevat\w*|rais\w*|rose|improv\w*|better|"
    r"superior|enhanc\w*|gain\w*|augment\w*|prolong\w*|exceed\w*|boost\w*)\b",
    re.IGNORECASE,
)
_DOWN = re.compile(
    r"\b(?:lower|less|decreas\w*|reduc\w*|fewer|shorter|smaller|declin\w*|drop\w*|fell|fall\w*|"
    r"attenuat\w*|diminish\w*|inferior|worse|suppress\w*|lowered|lowering|prevent\w*|"
    r"shorten\w*)\b",
    re.IGNORECASE,
)
_COMPARATIVE_HEAD = re.compile(r"(?:greater|more|larger|less|smaller|fewer|higher|lower)\b", re.I)
_AGAINST = re.compile(
    r"\b(?:than|compared (?:with|to)|versus|vs\.?|relative to|over|against|"
    r"in comparison (?:with|to))\b",
    re.IGNORECASE,
)
#: Words that say an arm did better, whichever way the endpoint's scale runs.
_BETTER = re.compile(r"\b(?:improv\w*|better|superior|benefit\w*|favou?r\w*)\b", re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:not|no|failed|without|nor)\b[^.;]{0,24}$", re.IGNORECASE)
#: "did not improve", "failed to reduce": a change denied is a test not passed.
_DENIED_CHANGE = re.compile(
    r"\b(?:not|no|failed to|neither|nor)\s+(?:\w+\s+){0,2}?(?:improv|increas|decreas|reduc|"
    r"lower|rais|chang|affect|alter|impact)\w*",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(
    r";|,\s*(?:while|whereas|but)\s+|\s+(?:while|whereas|but)\s+|"
    r",\s+and\s+(?=(?:a|the|an|in|for)\b)|\s+and\s+(?=(?:a|an)\s)"
)
_ABBREVIATION = re.compile(r"\(([A-Za-z][A-Za-z0-9+/\-]{0,10})\)")
_GROUP_NAME = re.compile(r"\b[Gg]roups?\s+([A-Z][A-Za-z0-9]{0,3})\b")
_SECTION_KINDS = (
    ("title", ("title",)),
    ("results", ("result", "finding")),
    ("conclusions", ("conclu", "interpret")),
    ("methods", ("method", "design", "setting", "patient", "particip", "intervention", "measure")),
    ("background", ("background", "introd", "object", "aim", "purpose", "context")),
)
#: Words an arm and its endpoint share at most this far apart to name a definition.
_ALIAS_WINDOW = 6


def _tokens(text: str) -> list[str]:
    return [match.group(0).lower() for match in _WORD.finditer(text)]


@functools.lru_cache(maxsize=4096)
def _content(text: str) -> tuple[str, ...]:
    """The words of ``text`` that carry content (read once per text: prompts repeat)."""
    return tuple(t for t in _tokens(text) if t not in _STOP and not t.isdigit() and len(t) > 1)


def _same_word(a: str, b: str) -> bool:
    """Equal, or sharing a five-letter stem ("reduced" ~ "reduction")."""
    return a == b or (len(a) >= 5 and len(b) >= 5 and a[:5] == b[:5])


@functools.lru_cache(maxsize=4096)
def _word_index(tokens: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The tokens, and the five-letter stems of the long ones: :func:`_same_word` by lookup."""
    return frozenset(tokens), frozenset(t[:5] for t in tokens if len(t) >= 5)


def _recall_in(query: Sequence[str], index: tuple[frozenset[str], frozenset[str]]) -> float:
    """Share of ``query``'s words that some token of ``index`` is the same word as."""
    if not query:
        return 0.0
    words, stems = index
    return sum(q in words or (len(q) >= 5 and q[:5] in stems) for q in query) / len(query)


def section_kind(section: str) -> str:
    """``title``, ``results``, ``conclusions``, ``methods``, ``background`` or ``other``."""
    low = section.lower()
    for kind, stems in _SECTION_KINDS:
        if any(stem in low for stem in stems):
            return kind
    return "other"


@dataclass(frozen=True, slots=True)
class ArmNames:
    """The words that name each arm in one abstract: distinctive words and defined aliases."""

    intervention: tuple[str, ...]
    comparator: tuple[str, ...]
    intervention_aliases: frozenset[str]
    comparator_aliases: frozenset[str]
    control_comparator: bool


def arm_names(abstract: str, intervention: str, comparator: str) -> ArmNames:
    """Read how the abstract names the two arms.

    Words both arms share ("bupivacaine" in "bupivacaine + dexmedetomidine" vs "bupivacaine")
    name neither; an abbreviation or a group letter defined next to an arm's words ("tenofovir
    (TDF)", "dexmedetomidine (group D)") names that arm.
    """
    mine, theirs = set(_content(intervention)), set(_content(comparator))
    only_mine = tuple(sorted(t for t in mine if not any(_same_word(t, o) for o in theirs)))
    only_theirs = tuple(sorted(t for t in theirs if not any(_same_word(t, o) for o in mine)))
    words_i = only_mine or tuple(sorted(mine))
    words_c = only_theirs or tuple(sorted(theirs))
    aliases: dict[str, set[str]] = {"I": set(), "C": set()}
    for key, arm in (("I", intervention), ("C", comparator)):
        aliases[key].update(m.group(1).lower() for m in _ABBREVIATION.finditer(arm))
    for match in [*_ABBREVIATION.finditer(abstract), *_GROUP_NAME.finditer(abstract)]:
        nearest = _nearest_arm(abstract, match.start(), match.end(), words_i, words_c)
        if nearest:
            aliases[nearest].add(match.group(1).lower())
    shared = aliases["I"] & aliases["C"]
    generic = bool(lexicon.CONTROL_ARM.search(comparator)) and not lexicon.CONTROL_ARM.search(
        intervention
    )
    return ArmNames(
        words_i,
        words_c,
        frozenset(aliases["I"] - shared),
        frozenset(aliases["C"] - shared),
        generic,
    )


def _nearest_arm(
    text: str, start: int, end: int, words_i: Sequence[str], words_c: Sequence[str]
) -> str | None:
    best: tuple[int, str] | None = None
    before = _tokens(text[max(0, start - 60) : start])
    after = _tokens(text[end : end + 60])
    for key, words in (("I", words_i), ("C", words_c)):
        hits_before = [i for i, t in enumerate(before) if any(_same_word(t, w) for w in words)]
        hits_after = [i for i, t in enumerate(after) if any(_same_word(t, w) for w in words)]
        for distance in ([len(before) - hits_before[-1]] if hits_before else []) + (
            [hits_after[0] + 1] if hits_after else []
        ):
            if best is None or distance < best[0]:
                best = (distance, key)
    return best[1] if best and best[0] <= _ALIAS_WINDOW else None


def _spans(sentence: str, words: Sequence[str], aliases: frozenset[str]) -> list[tuple[int, int]]:
    return [
        (m.start(), m.end())
        for m in _WORD.finditer(sentence)
        if m.group(0).lower() in aliases or any(_same_word(m.group(0).lower(), w) for w in words)
    ]


def _clauses(sentence: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _CLAUSE_BREAK.finditer(sentence):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(sentence)))
    return [(a, b) for a, b in spans if b > a]


def _p_flags(text: str) -> tuple[bool, bool]:
    """(some p below 0.05, some p at or above 0.05)."""
    below = above = False
    for match in _P_VALUE.finditer(text):
        operator, raw = match.group(1), match.group(2)
        value = float("0" + raw if raw.startswith(".") else raw)
        if (operator in "<≤" and value <= 0.05) or (operator == "=" and value < 0.05):
            below = True
        elif operator in ">≥=" and value >= 0.05:
            above = True
    return below, above


def _number(raw: str) -> float:
    return float(raw.replace("\u2212", "-"))


def _ci_flags(text: str) -> tuple[int, int, int]:
    """(intervals that exclude the null, that include it, the sign of the last excluding one
    against the null: +1 above, -1 below). A ratio's null is 1, a difference's 0; an interval
    with a negative bound is a difference.
    """
    excludes = includes = sign = 0
    for match in _CI.finditer(text):
        low, high = sorted((_number(match.group("low")), _number(match.group("high"))))
        before = text[max(0, match.start() - 60) : match.start()]
        ratio = low >= 0 and bool(_RATIO.search(before + match.group(0)))
        null = 1.0 if ratio else 0.0
        if low < null < high or null in (low, high):
            includes += 1
        elif not ratio and low >= 0 and not re.search(r"differ|change|reduc|increas", before):
            # a positive interval of a level, not of a difference: says nothing
            continue
        else:
            excludes += 1
            sign = 1 if low > null else -1
    return excludes, includes, sign


def _orientation(
    sentence: str, lo: int, hi: int, mine: list[tuple[int, int]], theirs: list[tuple[int, int]]
) -> int:
    """+1 when the sentence speaks of the intervention against the comparator, -1 reversed."""
    first_i = [s for s, _ in mine if lo <= s < hi]
    first_c = [s for s, _ in theirs if lo <= s < hi]
    result = 0
    if first_i and first_c:
        result = 1 if first_i[0] < first_c[0] else -1
    elif first_i:
        result = 1
    elif first_c:
        result = -1
    for match in _AGAINST.finditer(sentence, lo, hi):
        next_i = [p for p in first_i if p >= match.end()]
        next_c = [p for p in first_c if p >= match.end()]
        if next_c and (not next_i or next_c[0] < next_i[0]):
            result = 1
        elif next_i and (not next_c or next_i[0] < next_c[0]):
            result = -1
    return result


def _direction(clause: str, anchor: float | None) -> int:
    """+1 more, -1 less: the comparative nearest the endpoint; "greater reduction" is -1."""
    words = sorted(
        [(m.start(), 1) for m in _UP.finditer(clause)]
        + [(m.start(), -1) for m in _DOWN.finditer(clause)]
    )
    merged: list[tuple[int, int]] = []
    index = 0
    while index < len(words):
        position, sign = words[index]
        if (
            index + 1 < len(words)
            and words[index + 1][0] - position <= 14
            and _COMPARATIVE_HEAD.match(clause, position)
        ):
            merged.append((position, sign * words[index + 1][1]))
            index += 2
        else:
            merged.append((position, sign))
            index += 1
    if not merged:
        return 0
    if anchor is None:
        return merged[0][1]
    return min(merged, key=lambda item: abs(item[0] - anchor))[1]


def ranking_features(
    section: str, sentence: str, position: int, count: int, prompt: tuple[str, str, str]
) -> Features:
    """Features of one abstract sentence as the evidence for ``(intervention, comparator,
    endpoint)``: how much of each it names, where it stands, whether it states a test.
    """
    intervention, comparator, endpoint = prompt
    tokens = _tokens(sentence)
    index = _word_index(tuple(tokens))
    endpoint_recall = _recall_in(_content(endpoint), index)
    kind = section_kind(section)
    significant = float(bool(_SIGNIFICANT.search(sentence)))
    return {
        "endpoint": endpoint_recall,
        "intervention": _recall_in(_content(intervention), index),
        "comparator": _recall_in(_content(comparator), index),
        "control_named": float(
            bool(lexicon.CONTROL_ARM.search(comparator) and lexicon.CONTROL_ARM.search(sentence))
        ),
        "endpoint_all": float(endpoint_recall == 1.0),
        "endpoint_none": float(endpoint_recall == 0.0),
        f"section={kind}": 1.0,
        "significant": significant,
        "no_difference": float(bool(_NO_DIFFERENCE.search(sentence))),
        "p_value": float(bool(_P_VALUE.search(sentence))),
        "number": float(bool(re.search(r"\d", sentence))),
        "position": position / max(1, count),
        "length": min(len(tokens), 80) / 80,
        "endpoint*results": endpoint_recall * (kind == "results"),
        "endpoint*significant": endpoint_recall * significant,
    }


def label_features(sentence: str, prompt: tuple[str, str, str], arms: ArmNames) -> Features:
    """Features of the comparison one sentence states (see the module docstring)."""
    _intervention, _comparator, endpoint = prompt
    mine = _spans(sentence, arms.intervention, arms.intervention_aliases)
    theirs = _spans(sentence, arms.comparator, arms.comparator_aliases)
    if arms.control_comparator:
        theirs += [(m.start(), m.end()) for m in lexicon.CONTROL_ARM.finditer(sentence)]
    both = set(mine) & set(theirs)
    mine = sorted(s for s in mine if s not in both)
    theirs = sorted(s for s in theirs if s not in both)
    endpoint_words = _content(endpoint)
    named = [
        (m.start(), m.end())
        for m in _WORD.finditer(sentence)
        if any(_same_word(m.group(0).lower(), w) for w in endpoint_words)
    ]
    lo, hi = max(
        _clauses(sentence),
        key=lambda span: (
            len({sentence[s:e].lower()[:5] for s, e in named if span[0] <= s < span[1]}),
            -span[0],
        ),
    )
    clause = sentence[lo:hi]
    features: Features = {}
    for scope, text in (("clause", clause), ("sentence", sentence)):
        below, above = _p_flags(text)
        features[f"{scope}.no_difference"] = float(bool(_NO_DIFFERENCE.search(text)))
        features[f"{scope}.significant"] = float(bool(_SIGNIFICANT.search(text)))
        features[f"{scope}.denied_change"] = float(bool(_DENIED_CHANGE.search(text)))
        features[f"{scope}.p_below"] = float(below)
        features[f"{scope}.p_above"] = float(above)
        excludes, includes, ci_sign = _ci_flags(text)
        features[f"{scope}.ci_excludes_null"] = float(excludes > 0)
        features[f"{scope}.ci_includes_null"] = float(includes > 0)
    orientation = _orientation(sentence, lo, hi, mine, theirs) or _orientation(
        sentence, 0, len(sentence), mine, theirs
    )
    anchors = [(s + e) / 2 - lo for s, e in named if lo <= s < hi]
    direction = _direction(clause, anchors[0] if anchors else None)
    polarity = -1 if _DOWN.search(endpoint) else (1 if _UP.search(endpoint) else 0)
    signed = direction * (orientation or 1) * (polarity or 1)
    features[f"orientation={orientation}"] = 1.0
    features[f"endpoint_polarity={polarity}"] = 1.0
    features[f"direction={signed}"] = 1.0
    features[f"direction_known={signed if orientation else 0}"] = 1.0
    # the label is a test's verdict and a direction: a linear model needs them crossed
    verdict = _verdict(features)
    features[f"verdict={verdict}|direction={signed if orientation else 0}"] = 1.0
    features[f"verdict={verdict}|direction={signed}"] = 1.0
    # "greater improvement in depression scores" is a decrease: better is lower on that scale
    scale = endpoint_polarity(endpoint)
    if scale is not Polarity.UNKNOWN and any(
        not _NEGATED.search(clause[: m.start()]) for m in _BETTER.finditer(clause)
    ):
        better = 1 if scale is Polarity.HIGHER_IS_BETTER else -1
        features[f"better_direction={better * (orientation or 1)}"] = 1.0
    ci_sign = _ci_flags(clause)[2] or _ci_flags(sentence)[2]
    if ci_sign:
        # a difference or ratio below the null is "less" for the arm named first
        features[f"ci_direction={ci_sign * (orientation or 1) * (polarity or 1)}"] = 1.0
    words = _masked_words(clause, lo, mine, theirs, named)
    # Each comparative as seen from the intervention: "higher with placebo than with A" is
    # "less" for A.
    sign = (orientation or 1) * (polarity or 1)
    features["more_for_intervention"] = float(
        len(_UP.findall(clause)) if sign > 0 else len(_DOWN.findall(clause))
    )
    features["less_for_intervention"] = float(
        len(_DOWN.findall(clause)) if sign > 0 else len(_UP.findall(clause))
    )
    for word in words:
        features["w:" + word] = 1.0
    for first, second in itertools.pairwise(words):
        features[f"b:{first}_{second}"] = 1.0
    return features


def _verdict(features: Features) -> str:
    """What the clause's test says: ``same`` (no difference), ``differ``, or ``unknown``; the
    clause's own words first, the sentence's when the clause says nothing.
    """
    for scope in ("clause", "sentence"):
        same = (
            features[f"{scope}.no_difference"]
            or features[f"{scope}.denied_change"]
            or (
                (features[f"{scope}.p_above"] or features[f"{scope}.ci_includes_null"])
                and not features[f"{scope}.p_below"]
            )
        )
        differ = (
            features[f"{scope}.p_below"]
            or features[f"{scope}.ci_excludes_null"]
            or features[f"{scope}.significant"]
        )
        if same and not differ:
            return "same"
        if differ and not same:
            return "differ"
        if same and differ:
            return "both"
    return "unknown"


def _masked_words(
    clause: str,
    offset: int,
    mine: list[tuple[int, int]],
    theirs: list[tuple[int, int]],
    named: list[tuple[int, int]],
) -> list[str]:
    marks = sorted(
        [(s - offset, e - offset, " INTARM ") for s, e in mine]
        + [(s - offset, e - offset, " COMPARM ") for s, e in theirs]
        + [(s - offset, e - offset, " OUTC ") for s, e in named]
    )
    pieces: list[str] = []
    last = 0
    for start, end, tag in marks:
        if start < last or start < 0 or start >= len(clause):
            continue
        pieces += [clause[last:start], tag]
        last = end
    pieces.append(clause[last:])
    words = re.findall(r"[a-z]+|[<>=]", "".join(pieces).lower())
    return [w for i, w in enumerate(words) if i == 0 or w != words[i - 1]]
