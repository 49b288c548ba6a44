"""What a review pooled: effect estimates with their confidence intervals, read as results.

A meta-analysis reports its findings as estimates ("risk ratio for ≥50% pain relief 1.46, 95%
CI 1.22-1.75", "the risk of hip fracture (RR 0.61, 95% CI 0.48 to 0.77)"), rarely as a primary
endpoint sentence a trial would write. The interval decides the direction by arithmetic, not by
words: a ratio (risk, odds, hazard, rate) whose interval lies above 1 increased the endpoint,
below 1 decreased it, across 1 made no significant difference; a difference (mean,
standardised mean, risk) the same around 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from paperkg.model import Direction

__all__ = ["PooledEstimate", "pooled_estimates"]

_MEASURE = (
    r"(?P<measure>(?:risk|odds|hazard|rate|incidence rate) ratios?|relative risks?|"
    r"(?:weighted |standardi[sz]ed )?mean differences?|risk differences?|"
    r"RR|OR|HR|IRR|MD|SMD|WMD|RD)(?:\s*[\[(](?:RR|OR|HR|IRR|MD|SMD|WMD|RD)[\])])?"
)
_NUMBER = r"[-−–]?\d+(?:\.\d+)?"
#: the 95% interval, or else the P value, that says whether the estimate differs from null
_CI = (
    r"(?:95\s*%\s*(?:CI|confidence intervals?)\s*[:=,]?\s*[\[(]?\s*"
    rf"(?P<low>{_NUMBER})\s*(?:to|,|;|[-–—](?!\d*\s*%))\s*(?P<high>{_NUMBER})"
    r"|P\s*(?P<relation>[<=≤>≥])\s*(?P<p>0?\.\d+))"
)
#: "<measure> for <endpoint> 1.46, 95% CI 1.22-1.75"
_MEASURE_FOR = re.compile(
    rf"\b{_MEASURE}\s+(?:for|of|on)\s+(?P<endpoint>[^,;()]{{3,80}}?)"
    r"(?:\s+(?:was|were|is|of))?\s*[:=,]?\s*"
    rf"(?P<estimate>{_NUMBER})\s*[,;(]?\s*{_CI}",
    re.IGNORECASE,
)
#: "... the risk of <endpoint> (RR 0.61, 95% CI 0.48 to 0.77)", "fewer exacerbations of <X>
#: (...)", "a reduction in <endpoint> (...)", "an effect on <endpoint> (...)"; not "in <X>"
#: alone ("effective in <population>") nor "for <X>" (an arm or a subgroup more often).
_ENDPOINT_THEN_MEASURE = re.compile(
    r"(?:\b(?P<head>[A-Za-z][\w-]*)\s+of\s+|"
    r"\b(?:improvement|reduction|change|decrease|increase|difference|rise|fall)s?\s+in\s+|"
    r"\bon\s+)"
    rf"(?P<endpoint>(?:[\w≥≤%'-]+\s+){{0,5}}?[\w≥≤%'-]+)\s*"
    rf"\(\s*(?:pooled\s+)?{_MEASURE}\s*[:=,]?\s*(?P<estimate>{_NUMBER})\s*[,;]\s*{_CI}",
    re.IGNORECASE,
)
#: Words before "of" that measure the endpoint rather than name it ("the odds of X": X), or
#: that join clauses ("but not of X": X). "Risk of X" and "incidence of X" stay whole: they
#: say which way is better.
_MEASURING = frozenset(
    {"odds", "rate", "rates", "likelihood", "chance", "number"}
    | {"occurrence", "use", "effect", "effects", "terms", "frequency", "proportion"}
    | {"not", "but", "and", "or", "also", "all", "both", "each", "any", "none", "most", "some"}
)
_RATIO = re.compile(r"ratio|relative|^(?:RR|OR|HR|IRR)$", re.IGNORECASE)
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PooledEstimate:
    """One estimate as written: its endpoint, measure, value and 95% interval, and where."""

    endpoint: str
    measure: str
    estimate: float
    #: the 95% interval; ``None`` where the text gives a P value instead
    interval: tuple[float, float] | None
    #: the P value as written, when no interval is: ``("<", 0.001)``
    p_value: tuple[str, float] | None
    sentence: str
    section: str

    @property
    def direction(self) -> Direction:
        """Which way the interval (or P < 0.05) says the endpoint went against the comparator."""
        null = 1.0 if _RATIO.search(self.measure) else 0.0
        if self.interval is not None:
            low, high = self.interval
            differs = (low > null and high > null) or (low < null and high < null)
        else:
            relation, value = self.p_value or (">", 1.0)
            differs = value < 0.05 if relation == "=" else relation in "<≤" and value <= 0.05
        if not differs or self.estimate == null:
            return Direction.NO_DIFFERENCE
        return Direction.INCREASED if self.estimate > null else Direction.DECREASED


def pooled_estimates(pairs: Iterable[tuple[str, str]]) -> list[PooledEstimate]:
    """The estimates of ``(section, sentence)`` pairs with a readable interval around their
    value, in text order, each endpoint once (the first estimate of it).
    """
    found: list[PooledEstimate] = []
    seen: set[str] = set()
    for section, sentence in pairs:
        matches = [*_MEASURE_FOR.finditer(sentence), *_ENDPOINT_THEN_MEASURE.finditer(sentence)]
        for match in sorted(matches, key=lambda m: m.start()):
            endpoint = _LEADING_ARTICLE.sub("", match.group("endpoint").strip())
            head = match.groupdict().get("head")
            if head and head.lower() not in _MEASURING:
                endpoint = f"{head} of {endpoint}"
            value = _number(match.group("estimate"))
            interval = None
            if match.group("low") is not None:
                interval = (_number(match.group("low")), _number(match.group("high")))
                if not interval[0] <= value <= interval[1]:
                    continue  # an interval that does not hold its estimate was misread
            p_value = None
            if match.group("p") is not None:
                p_value = (match.group("relation"), float(match.group("p")))
            if not endpoint or endpoint.lower() in seen:
                continue
            seen.add(endpoint.lower())
            measure = match.group("measure")
            found.append(
                PooledEstimate(endpoint, measure, value, interval, p_value, sentence, section)
            )
    return found


def _number(text: str) -> float:
    return float(text.replace("−", "-").replace("–", "-"))
