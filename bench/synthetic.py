"""Synthetic paper records for the benchmarks: the seed layout, invented names, real-looking skew.

Real corpora are skewed: a few conditions and drugs fill many papers, most appear a handful of
times, and the same authors and journals come back. Queries, the concept index and the views
cost what that skew makes them cost, so the records are drawn the same way (Zipf-like weights),
from vocabularies invented from syllables (no real drug or disease, so no extraction rule is
tuned on them): a few hundred drugs with MeSH-like ids ``D9xxxxx``, ~200 conditions with
MONDO-like ids ``09xxxxx`` (and a MeSH-like ``D8xxxxx`` in the full-text entities), authors from
a pool of a third as many names as records, ~300 journals. Designs, arms, comparators, doses,
sample sizes and the outcome sentences vary. Everything follows from ``seed``: the same
arguments write the same bytes.

Records go to sub-folders of 1,000 files, so a million records stay browsable.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CONDITION_COUNT",
    "DRUG_COUNT",
    "Corpus",
    "Vocabulary",
    "author_name",
    "most_frequent_condition",
    "vocabulary",
    "write_records",
]

DRUG_COUNT = 300
CONDITION_COUNT = 200
JOURNAL_COUNT = 300
PER_FOLDER = 1000


def _words(text: str, separator: str | None = None) -> list[str]:
    return text.split(separator)


_DRUG_HEADS = _words(
    "vel or plen tes quel mar zan dor kal bren lum sar tor fen cor ner dal ves pra "
    "mon tal ben cyr lex nov xal gal per sol"
)
_DRUG_MIDDLES = _words("a i o e u ri la to mi ra")
_DRUG_TAILS = _words(
    "trex zine mil rafen lindol vastin pril olol sartan oxetine mab tinib profen cillin "
    "dronate gliptin azepam setron tidine lukast"
)
_CONDITION_HEADS = _words(
    "brax cald dren fald gor hesp jurn kelv lorv mesk narth obr pelv quor rask "
    "sterv tarn ulm vard wesk yorm zelt"
)
_CONDITION_MIDDLES = _words("a e i o u ae io")
_CONDITION_FORMS = (
    "{}itis",
    "{}osis",
    "{}emia",
    "{}algia",
    "{}opathy",
    "{} syndrome",
    "{} disease",
    "{}ic fever",
)
_SURNAME_PARTS = (
    _words(
        "ab bar cal den el fa gor hal is jon kal lin mor nor ol pet quin ros sal tam ul van wer"
    ),
    _words("a e i o u an en in on ar"),
    _words("berg son ton ley man sen dez ski ner ford vic ro lli ta ne"),
)
_SURNAMES = ["".join(parts).capitalize() for parts in itertools.product(*_SURNAME_PARTS)]
_INITIALS = [a + b for a in "ABCDEFGHIJKLMNOPRSTVW" for b in ("", *"ABCDEFGHJKLMNPRSTW")]
_JOURNAL_FIELDS = _words(
    "Clinical Pharmacology|Internal Medicine|Rheumatology|Neurology|Pain Research|"
    "Therapeutics|Psychiatry|Dermatology|Gastroenterology|Cardiology|Endocrinology|"
    "Pulmonology|Nephrology|Immunology|Family Medicine|Drug Research|Clinical Trials|"
    "Rare Diseases|Hepatology|Sleep Medicine",
    "|",
)
_JOURNAL_FORMS = (
    "Journal of {}",
    "{} Reports",
    "Annals of {}",
    "Archives of {}",
    "{} Research",
    "International Journal of {}",
    "European Journal of {}",
    "Current {}",
    "{} Today",
    "Advances in {}",
    "Frontiers in {}",
    "Clinical {} Letters",
    "Nordic {} Review",
    "{} Open",
    "Acta {}",
    "Pacific Journal of {}",
)
#: Harms a drug caused, with the MeSH ids an annotator links them to (a harm the record does
#: not annotate as a disease is not read as one).
_ADVERSE = (
    ("rash", "D012042"),
    ("nausea", "D009325"),
    ("dizziness", "D004244"),
    ("headache", "D006261"),
    ("insomnia", "D007319"),
    ("dry mouth", "D014987"),
)
_ENDPOINTS = (
    "symptom score",
    "pain score",
    "quality-of-life score",
    "global impression of change",
    "disability index",
)
#: (design, title suffix, share of records)
_DESIGNS = (
    ("rct", "a randomized, double-blind, placebo-controlled trial", 0.5),
    ("open", "an open-label study", 0.2),
    ("cohort", "a prospective cohort study", 0.2),
    ("case", "a case report", 0.1),
)
#: (outcome, share of the drugs given)
_OUTCOMES = (("improved", 0.4), ("no_benefit", 0.25), ("mixed", 0.15), ("adverse", 0.2))
_DOSES = (0.5, 1, 2.5, 5, 10, 20, 25, 40, 50, 100, 150, 200, 300, 500, 1000)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Invented drugs, conditions and journals, each list ordered from most to least frequent."""

    drugs: tuple[tuple[str, str], ...]  # (name, MeSH-like id D9xxxxx)
    conditions: tuple[tuple[str, str], ...]  # (name, MONDO-like id 09xxxxx)
    journals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Corpus:
    """What :func:`write_records` wrote: enough for a benchmark to ask sensible questions."""

    count: int
    seed: int
    #: papers per condition label, most frequent first
    condition_papers: tuple[tuple[str, int], ...]
    #: an author of the first record (a small neighbourhood)
    an_author: str
    #: records per outcome sentence written (one per drug given)
    outcomes: dict[str, int]

    @property
    def top_condition(self) -> str:
        """The condition with most papers."""
        return self.condition_papers[0][0]

    @property
    def rare_condition(self) -> str:
        """A condition with few papers (but at least one): for a cheap query."""
        return self.condition_papers[-1][0]


def _cumulative(size: int, exponent: float = 1.0, offset: float = 2.0) -> list[float]:
    """Cumulative Zipf–Mandelbrot weights: with the defaults, the first of 200 items takes
    ~7.5%, the first ten ~37%, the last ~0.1%."""
    weights = [1 / (rank + offset) ** exponent for rank in range(1, size + 1)]
    return list(itertools.accumulate(weights))


def _draw(rng: random.Random, cumulative: list[float]) -> int:
    return min(bisect.bisect(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def vocabulary(seed: int = 7) -> Vocabulary:
    """The drugs, conditions and journals of ``seed``'s records (distinct names and ids)."""
    rng = random.Random(f"{seed}:vocabulary")
    drug_names = rng.sample(
        ["".join(parts) for parts in itertools.product(_DRUG_HEADS, _DRUG_MIDDLES, _DRUG_TAILS)],
        DRUG_COUNT,
    )
    condition_names = rng.sample(
        [
            form.format(head + middle)
            for head, middle, form in itertools.product(
                _CONDITION_HEADS, _CONDITION_MIDDLES, _CONDITION_FORMS
            )
        ],
        CONDITION_COUNT,
    )
    journals = rng.sample(
        [form.format(field) for form in _JOURNAL_FORMS for field in _JOURNAL_FIELDS],
        JOURNAL_COUNT,
    )
    return Vocabulary(
        drugs=tuple((name, f"D9{n:05d}") for n, name in enumerate(drug_names, 1)),
        conditions=tuple((name, f"09{n:05d}") for n, name in enumerate(condition_names, 1)),
        journals=tuple(journals),
    )


def author_name(index: int) -> str:
    """The ``index``-th author of the pool, PubMed style (``Kalenson JB``): distinct for the
    first 1.5 million indices, neighbours shuffled (a step coprime to the pool's size)."""
    spread = index * 7919 % (len(_SURNAMES) * len(_INITIALS))
    initials, surname = divmod(spread, len(_SURNAMES))
    return f"{_SURNAMES[surname]} {_INITIALS[initials]}"


def _condition_draws(count: int, seed: int) -> list[int]:
    """The condition of each record, from its own random stream so that it can be replayed
    without writing anything (:func:`most_frequent_condition`)."""
    rng = random.Random(f"{seed}:conditions")
    cumulative = _cumulative(CONDITION_COUNT)
    return [_draw(rng, cumulative) for _ in range(count)]


def most_frequent_condition(count: int, seed: int = 7) -> str:
    """The label of the condition with most papers among ``write_records(_, count, seed)``."""
    drawn = Counter(_condition_draws(count, seed)).most_common(1)[0][0]
    return vocabulary(seed).conditions[drawn][0]


def _sample_size(rng: random.Random, design: str) -> int:
    """Log-uniform within the design's usual range (a case report has one patient)."""
    low, high = {"rct": (20, 1200), "open": (10, 300), "cohort": (100, 20000)}.get(design, (1, 1))
    return round(math.exp(rng.uniform(math.log(low), math.log(high))))


def _pick_drugs(
    rng: random.Random,
    condition: int,
    wanted: int,
    cumulative: list[float],
    avoid: tuple[int, ...] = (),
) -> list[int]:
    """``wanted`` distinct drugs not in ``avoid``: mostly among the few each condition is
    usually treated with, else from the whole (skewed) list."""
    usual = [(condition * 37 + k * 101) % DRUG_COUNT for k in range(8)]
    chosen: list[int] = []
    while len(chosen) < wanted:
        drug = rng.choice(usual) if rng.random() < 0.6 else _draw(rng, cumulative)
        if drug not in chosen and drug not in avoid:
            chosen.append(drug)
    return chosen


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([name for name, _ in options], [share for _, share in options])[0]


def _result(
    outcome: str, design: str, drug: str, dose: str, condition: str, versus: str, harm: str
) -> str:
    """One result sentence for one drug given, from the four templates of the first version
    (improved, not superior to placebo, mixed, adverse effect), worded for the design."""
    named = f"{drug.capitalize()} {dose}"
    if outcome == "improved":
        than = {"rct": f" more than {versus}", "case": " within 4 weeks"}
        return f"{named} reduced {condition} symptoms{than.get(design, ' from baseline')}."
    if outcome == "no_benefit" and design == "rct":
        return f"{named} was not superior to {versus} in {condition}."
    if outcome == "no_benefit":
        return f"{named} did not improve {condition} symptoms."
    if outcome == "mixed":
        return f"{named} improved pain at 4 weeks, but the effect was not sustained at 12 weeks."
    who = "The patient" if design == "case" else f"Patients with {condition}"
    return f"{who} developed {harm} after {drug} {dose}."


def _methods(design: str, who: str, arms: list[str], control: str, weeks: int) -> tuple[str, str]:
    """The abstract's methods sentence and the first key finding, as each design words them."""
    if design == "rct":
        given = f"{', '.join(arms)} or {control}"
        return (
            f"In this randomized, double-blind trial, {who} were randomly assigned to {given} "
            f"for {weeks} weeks.",
            f"{who} were randomized to {given}.",
        )
    if design == "open":
        given = " and ".join(arms)
        return (
            f"In this open-label, single-arm study, {who} received {given} for {weeks} weeks.",
            f"{who} received {given} open-label.",
        )
    if design == "cohort":
        given = " or ".join(arms)
        return (
            f"In this prospective cohort study, {who} who started {given} were followed for "
            f"{weeks} weeks.",
            f"{who} starting {given} were followed for {weeks} weeks.",
        )
    return f"We report {who} who was treated with {arms[0]}.", f"{who} was treated with {arms[0]}."


@dataclass(slots=True)
class _Words:
    """The vocabularies and weights every record draws from, and what was written so far."""

    vocab: Vocabulary
    authors: int
    drug_weights: list[float]
    journal_weights: list[float]
    outcomes: Counter[str]


def _record(number: int, condition_index: int, rng: random.Random, words: _Words) -> str:
    """One record in the seed layout."""
    vocab = words.vocab
    condition, mondo = vocab.conditions[condition_index]
    design, kind = rng.choices([d[:2] for d in _DESIGNS], [d[2] for d in _DESIGNS])[0]
    wanted = rng.choices((1, 2, 3), (0.6, 0.3, 0.1))[0]
    wanted = {"case": 1, "open": min(wanted, 2), "cohort": min(wanted, 2)}.get(design, wanted)
    given = _pick_drugs(rng, condition_index, wanted, words.drug_weights)
    named = list(given)
    if design == "rct" and rng.random() < 0.25:  # an active comparator instead of placebo
        named += _pick_drugs(rng, condition_index, 1, words.drug_weights, avoid=tuple(given))
    names = [vocab.drugs[d][0] for d in given]
    doses = [f"{rng.choice(_DOSES):g} mg/day" for _ in named]
    arms = [f"{vocab.drugs[d][0]} {dose}" for d, dose in zip(named, doses, strict=True)]
    versus, control = "placebo", "placebo"
    if len(named) > len(given):
        versus, control = vocab.drugs[named[-1]][0], f"{arms.pop()} (active comparator)"
    if design == "case":
        who = f"a {rng.randint(18, 85)}-year-old {rng.choice(('woman', 'man'))} with {condition}"
    else:
        who = f"{_sample_size(rng, design)} patients with {condition}"
    weeks = rng.choice((8, 12, 16, 24, 52))
    methods, design_line = _methods(design, who, arms, control, weeks)
    methods = methods[0].upper() + methods[1:]
    outcomes = [_weighted(rng, _OUTCOMES) for _ in given]
    words.outcomes.update(outcomes)
    harms = [rng.choice(_ADVERSE) if outcome == "adverse" else None for outcome in outcomes]
    results = [
        _result(outcome, design, name, dose, condition, versus, harm[0] if harm else "")
        for outcome, name, dose, harm in zip(
            outcomes, names, doses[: len(given)], harms, strict=True
        )
    ]
    diseases = [f"{condition} (MESH:D8{mondo[2:]})", "pain (MESH:D010146)"]
    diseases += [f"{harm} (MESH:{mesh})" for harm, mesh in dict(h for h in harms if h).items()]
    listed = " and ".join(names)
    if design == "case":
        title = f"{condition.capitalize()} treated with {listed}: {kind}"
    elif versus != "placebo":
        title = f"{listed.capitalize()} versus {versus} for {condition}: a randomized trial"
    else:
        joint = {"rct": "for", "open": "in", "cohort": "and outcomes in"}[design]
        title = f"{listed.capitalize()} {joint} {condition}: {kind}"

    # Prolific authors first: index = pool * u^2 favours the start of the pool.
    authors = [
        author_name(int(words.authors * rng.random() ** 2)) for _ in range(rng.randint(2, 8))
    ]
    journal = vocab.journals[_draw(rng, words.journal_weights)]
    year = rng.randint(1995, 2024)
    volume, issue, page = year - 1990 + rng.randint(0, 20), rng.randint(1, 12), rng.randint(1, 900)
    date = f"{year}-{rng.randint(1, 12):02d}"
    if rng.random() < 0.5:
        date += f"-{rng.randint(1, 28):02d}"
    pages = f"{page}-{page + rng.randint(3, 12)}"
    chemicals = ", ".join(f"{vocab.drugs[d][0]} (MESH:{vocab.drugs[d][1]})" for d in named)
    findings = "\n".join(f"- {line[0].upper()}{line[1:]}" for line in (design_line, *results))
    return f"""# {title}

**Authors:** {", ".join(authors)}

PubMed · DOI: 10.5555/bench.{number} · {journal} {volume}({issue}):{pages} · {date}

## TL;DR

{results[0]}

## Key findings

{findings}

## Abstract

BACKGROUND: Few treatments for {condition} have been tested in controlled studies.
OBJECTIVE: To assess {" and ".join(names)} in {condition}. METHODS: {methods}
The primary endpoint was the change in {rng.choice(_ENDPOINTS)} at week {weeks}.
RESULTS: {" ".join(results)} CONCLUSIONS: Further studies are needed.

## Linked entities

- **Chemicals:** {chemicals}
- **Diseases:** {condition} (MONDO:{mondo})

## Full-text entities

- **Diseases:** {", ".join(diseases)}
- **Chemicals:** {chemicals}
- **Species:** Homo sapiens (human, species) [taxon 9606]
"""


def write_records(folder: Path, count: int, seed: int = 7) -> Corpus:
    """Write ``count`` records under ``folder`` (``0000/000000.txt``, …) and say what they hold.

    Memory stays flat in ``count``: one record at a time, the vocabularies, and a small int
    per record for the condition counts.
    """
    vocab = vocabulary(seed)
    rng = random.Random(seed)
    words = _Words(
        vocab,
        max(50, count // 3),
        _cumulative(DRUG_COUNT),
        _cumulative(JOURNAL_COUNT, exponent=0.8),
        Counter(),
    )
    conditions = _condition_draws(count, seed)
    first = ""
    for number, condition in enumerate(conditions):
        sub = folder / f"{number // PER_FOLDER:04d}"
        if number % PER_FOLDER == 0:
            sub.mkdir(parents=True, exist_ok=True)
        text = _record(number, condition, rng, words)
        first = first or text.split("**Authors:** ", 1)[1].split(",", 1)[0]
        (sub / f"{number:06d}.txt").write_text(text, encoding="utf-8")
    return Corpus(
        count=count,
        seed=seed,
        condition_papers=tuple(
            (vocab.conditions[index][0], papers)
            for index, papers in Counter(conditions).most_common()
        ),
        an_author=first,
        outcomes=dict(words.outcomes),
    )
