"""Dose parsing on invented phrases."""

from __future__ import annotations

import pytest

from paperkg.extraction import extract
from paperkg.extraction.dose import find_doses, normalise_unit, parse_doses
from paperkg.model import EntityKind, EntityMention, PaperRecord


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("took 4.5 mg/day at bedtime", ("4.5 mg/day", 4.5, None, "mg", "daily")),
        ("4.5 milligrams per day", ("4.5 milligrams per day", 4.5, None, "mg", "daily")),
        ("4.5 mg nightly", ("4.5 mg nightly", 4.5, None, "mg", "nightly")),
        ("a single tablet (50mg)", ("50mg", 50.0, None, "mg", None)),
        ("titrated within 150-600 mg/day", ("150-600 mg/day", 150.0, 600.0, "mg", "daily")),
        ("1,200-2,400 mg/day", ("1,200-2,400 mg/day", 1200.0, 2400.0, "mg", "daily")),
        # a mean and its spread: the dose is the mean
        ("a mean dose of 113 ± 46 mg/day", ("113 ± 46 mg/day", 113.0, None, "mg", "daily")),
        ("8.7 +/- 7.1 mg/day", ("8.7 +/- 7.1 mg/day", 8.7, None, "mg", "daily")),
        ("dosed at 500 mg/m2 of body surface", ("500 mg/m2", 500.0, None, "mg/m2", None)),
        ("1 mg/kg/day", ("1 mg/kg/day", 1.0, None, "mg/kg", "daily")),
        ("250 mcg twice daily", ("250 mcg twice daily", 250.0, None, "µg", "twice daily")),
        ("20 mL weekly", ("20 mL weekly", 20.0, None, "mL", "weekly")),
        ("1000 IU", ("1000 IU", 1000.0, None, "IU", None)),
        ("2 g a day", ("2 g a day", 2.0, None, "g", "daily")),
    ],
)
def test_single_dose(text: str, expected: tuple[object, ...]) -> None:
    doses = parse_doses(text)
    assert len(doses) == 1
    dose = doses[0]
    assert (dose.text, dose.value, dose.value_max, dose.unit, dose.frequency) == expected


def test_list_of_arm_doses_gives_one_dose_per_arm_sharing_the_frequency() -> None:
    doses = parse_doses("patients got 300, 450 or 600 mg/day of the study drug")
    assert [d.value for d in doses] == [300.0, 450.0, 600.0]
    assert {d.unit for d in doses} == {"mg"}
    assert {d.frequency for d in doses} == {"daily"}
    assert doses[1].text == "450 mg/day"


def test_repeated_units_joined_by_or_share_frequency() -> None:
    doses = parse_doses("an antibody at 70 mg or 140 mg monthly")
    assert [(d.value, d.frequency) for d in doses] == [(70.0, "monthly"), (140.0, "monthly")]


def test_schedule_with_duration_then_second_dose() -> None:
    doses = parse_doses("2.8 mg for 2 weeks, then 5.6 mg")
    assert [(d.value, d.duration) for d in doses] == [(2.8, "2 weeks"), (5.6, None)]


def test_route_and_duration_are_read_around_the_dose() -> None:
    (dose,) = parse_doses("an intravenous infusion of 10 mg/kg for 12 weeks")
    assert dose.route == "intravenous"
    assert dose.duration == "12 weeks"
    (oral,) = parse_doses("Twelve weeks of oral therapy at 20 mg daily")
    assert (oral.route, oral.duration, oral.frequency) == ("oral", "Twelve weeks", "daily")


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("velitrex 10 mg IV daily", "intravenous"),
        # a stage's or class's numeral, and the word "iv", are no route
        ("in stage IV disease, velitrex 10 mg daily", None),
        ("in NYHA class IV heart failure, velitrex 10 mg daily", None),
        ("velitrex 10 mg daily (arm iv)", None),
        ("velitrex 135 μg/wk SC", "subcutaneous"),
        ("velitrex 300 µg/d po", "oral"),
        ("velitrex 200 mg PO weekly", "oral"),
    ],
)
def test_route_abbreviations_count_only_as_written(text: str, route: str | None) -> None:
    (span,) = find_doses(text)
    assert span.dose.route == route


def test_per_wk_is_weekly() -> None:
    (span,) = find_doses("velitrex 135 μg/wk SC")
    assert (span.dose.text, span.dose.frequency) == ("135 μg/wk", "weekly")


def test_numbers_without_units_are_not_doses() -> None:
    assert parse_doses("scores fell by 3.2 points (P<0.001) in 50% of 120 patients") == []
    assert parse_doses("a 0-10 scale and 3- to 28-day holidays") == []


def test_spans_point_at_the_written_text() -> None:
    text = "the drug at 30 mg was stopped"
    (span,) = find_doses(text)
    assert text[span.start : span.end] == "30 mg"


@pytest.mark.parametrize(
    ("unit", "expected"),
    [("milligrams", "mg"), ("mcg", "µg"), ("mg/m²", "mg/m2"), ("ml", "mL"), ("mg/kg/day", "mg/kg")],
)
def test_units_are_normalised(unit: str, expected: str) -> None:
    assert normalise_unit(unit) == expected


def test_a_change_from_one_amount_to_another_is_not_a_range() -> None:
    # found by SHACL on a BC5CDR abstract: doseValue above doseMax
    spans = find_doses("Urinary protein decreased from 15.6 to 2.8 g daily.")
    assert all(s.dose.value_max is None for s in spans)
    (reversed_range,) = find_doses("600-150 mg/day")
    assert reversed_range.dose.value_max is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("titrated from 25 to 100 mg/day", [("25 to 100 mg/day", 25.0, 100.0)]),
        ("adjustable from 3 to 9 g nightly", [("3 to 9 g nightly", 3.0, 9.0)]),
        ("escalated from 15 mg to 25 mg once weekly", [("15 mg to 25 mg", 15.0, 25.0)]),
        ("serum urate decreased from 15.6 to 2.8 g", [("2.8 g", 2.8, None)]),
        ("1,000 or 2,000 mg/day", [("1,000 mg/day", 1000.0, None), ("2,000 mg/day", 2000.0, None)]),
    ],
)
def test_ranges_a_dose_moved_in_and_or_doses(
    text: str, expected: list[tuple[str, float, float | None]]
) -> None:
    assert [(d.text, d.value, d.value_max) for d in parse_doses(text)] == expected


def test_a_dose_per_part_of_a_combination_gives_each_part_its_number() -> None:
    spans = find_doses("SFC 50/500 μg twice daily and TIO 18 μg once daily")
    assert [(s.dose.value, s.dose.unit, s.dose.frequency, s.part) for s in spans] == [
        (50.0, "µg", "twice daily", 0),
        (500.0, "µg", "twice daily", 1),
        (18.0, "µg", "daily", None),
    ]
    assert spans[0].dose.text == "50 μg twice daily"


@pytest.mark.parametrize(
    "text",
    [
        "improved trough FEV1 compared with placebo (212 ml, p<0.001)",
        "a mean difference of 4 mg (95% CI 1 to 7)",
        "lowered it by 10 mg; p = 0.03",
    ],
)
def test_an_effect_with_its_p_value_or_interval_is_no_dose(text: str) -> None:
    assert parse_doses(text) == []


# --- a full text's Methods --------------------------------------------------------------------

VELITREX = EntityMention("velitrex", EntityKind.CHEMICAL, "MESH:D900001", "MESH:D900001", "linked")
RESCUE = EntityMention("orbazine", EntityKind.CHEMICAL, "MESH:D900002", "MESH:D900002", "linked")
WIDGETITIS = EntityMention(
    "widgetitis", EntityKind.DISEASE, "MONDO:0900001", "MONDO:0900001", "linked"
)


def full_text(source_format: str) -> PaperRecord:
    return PaperRecord(
        source="a.nxml",
        sha256="0",
        title="Velitrex for widgetitis: a randomised placebo-controlled trial",
        abstract="Adults were randomised to velitrex or placebo. Velitrex reduced widgetitis.",
        extra_sections=(
            (
                "Methods",
                "Patients received velitrex 20 mg twice daily for 12 weeks. "
                "Orbazine 500 mg was allowed as rescue medication.",
            ),
            ("Results", "Velitrex reduced widgetitis more than placebo."),
        ),
        linked_entities=(VELITREX, RESCUE, WIDGETITIS),
        source_format=source_format,
    )


def test_a_full_texts_dose_comes_from_its_methods_when_the_text_read_gives_none() -> None:
    result = extract(full_text("jats"))
    assert [(result.concept(f.drug).label, [d.text for d in f.doses]) for f in result.findings] == [
        ("velitrex", ["20 mg twice daily"])
    ]


def test_the_methods_give_doses_only_and_only_of_full_texts() -> None:
    # what a Methods section names is no finding; a record with sections of other names
    # (a summary's) is not read for them
    assert [f.doses for f in extract(full_text("markdown")).findings] == [()]
