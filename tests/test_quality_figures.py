"""Så säger våra patienter: the compilation against a hand-counted unit, the rule that no
figure is a count under five (also not by subtracting one month or view from another), and
what the compilation costs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import count_queries
from webapp.agreement import services as agreements
from webapp.demo import agreement_agreed_by_both
from webapp.extensions import db
from webapp.people import services as people
from webapp.quality.disclosure import Split, shown
from webapp.quality.figures import unit_figures
from webapp.receipt import services as receipts

ZONE = ZoneInfo("Europe/Stockholm")
NOVEMBER = date(2026, 11, 1)


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def answer(clock, patient, side, question, value, by):
    receipts.receipt_answer_save(
        patient=patient, side=side, question=question, answer=value, comment=None, by_user=by
    )


def answer_all_yes(patient, nurse):
    for question in range(1, 8):
        answer(None, patient, "patient", question, "yes", patient.user)
        answer(None, patient, "care", question, "yes", nurse.user)


def agree(patient, nurse):
    agreement_agreed_by_both(
        patient=patient,
        care=nurse.user,
        items=[agreements.ItemInput(kind="action", text="Gå en promenad varje dag.")],
    )


def figures(last=NOVEMBER, unit_id=None):
    return unit_figures(care_unit_id=unit_id, last=last, zone=ZONE)


def by_month(result):
    return {m.month: m for m in result.months}


@pytest.fixture
def twelve(clock, nurse):
    """Twelve patients from 15 September; in October nine say yes to question 1, two delvis
    and one nej; the care side says yes for all twelve; six have an established contract
    from October. In November the one who said nej says yes."""
    clock.now = at(9, 15)
    patients = [
        people.patient_create(
            created_by=nurse, name=f"Patient {n}", phone="070-000 00 00", personal_number=None
        )
        for n in range(12)
    ]
    clock.now = at(10, 10)
    for index, patient in enumerate(patients):
        value = "yes" if index < 9 else "partly" if index < 11 else "no"
        answer(clock, patient, "patient", 1, value, patient.user)
        answer(clock, patient, "care", 1, "yes", nurse.user)
    for patient in patients[:6]:
        answer_all_yes(patient, nurse)
        agree(patient, nurse)
    clock.now = at(11, 5)
    answer(clock, patients[11], "patient", 1, "yes", patients[11].user)
    db.session.commit()
    return patients


def test_the_rounding_rule():
    assert [shown(n) for n in range(0, 5)] == [None] * 5
    assert [shown(n) for n in (5, 6, 7, 8, 12, 13, 17, 18, 5000)] == [
        5, 5, 5, 10, 10, 15, 15, 20, 5000
    ]  # fmt: skip


def test_shares_are_of_the_shown_counts_and_a_hidden_count_has_none():
    split = Split.of(yes=30, partly=9, no=3)
    assert split.counts == (30, 10, None)
    assert split.shares == (75, 25, None)
    assert Split.of(2, 1, 0).shares == (None, None, None)


def test_a_hand_counted_unit(twelve, unit):
    months = by_month(figures(unit_id=unit.id))
    august, september = months[date(2026, 8, 1)], months[date(2026, 9, 1)]
    october, november = months[date(2026, 10, 1)], months[NOVEMBER]
    assert (august.patients, september.patients, october.patients) == (None, 10, 10)
    # Nobody had answered in September.
    assert september.split("patient", 1).counts == (None, None, None)
    # October: 9 yes (shown as 10), 2 delvis and 1 nej (fewer than five each).
    assert october.split("patient", 1).counts == (10, None, None)
    assert october.split("patient", 1).shares == (100, None, None)
    assert october.split("care", 1).counts == (10, None, None)  # 12 yes
    # Six said yes to question 2 on both sides (the rest did not answer it).
    assert october.split("patient", 2).counts == (5, None, None)
    assert (september.established, october.established) == (None, 5)  # 0, then 6
    # November: the nej became a yes, 10 yes; the figures do not move.
    assert november.split("patient", 1).counts == (10, None, None)
    assert november.established == 5


def test_one_patient_changing_is_not_seen_by_subtracting_months(twelve, unit):
    months = by_month(figures(unit_id=unit.id))
    october, november = months[date(2026, 10, 1)], months[NOVEMBER]
    # The one patient who went from nej to yes moved no shown figure at all.
    assert october.splits == november.splits
    assert october.patients == november.patients


def test_a_newcomers_nej_is_not_seen_by_subtracting_months(clock, nurse, unit):
    clock.now = at(9, 1)
    patients = [
        people.patient_create(
            created_by=nurse, name=f"P {n}", phone="070-000 00 00", personal_number=None
        )
        for n in range(10)
    ]
    for patient in patients:
        answer(clock, patient, "patient", 3, "yes", patient.user)
    clock.now = at(10, 20)  # the unit knows who came in October
    newcomer = people.patient_create(
        created_by=nurse, name="Ny Patient", phone="070-000 00 01", personal_number=None
    )
    answer(clock, newcomer, "patient", 3, "no", newcomer.user)
    db.session.commit()
    months = by_month(figures(last=date(2026, 10, 1), unit_id=unit.id))
    september, october = months[date(2026, 9, 1)], months[date(2026, 10, 1)]
    assert september.patients == october.patients == 10
    assert september.split("patient", 3) == october.split("patient", 3)
    assert october.split("patient", 3).counts == (10, None, None)


def test_two_overlapping_views_show_the_same_figures_for_the_same_month(twelve, unit):
    # A window ending in October and one ending in November share eleven months: each
    # shows the very same figures for them, so setting one beside the other tells nothing
    # new, and every difference between any two shown counts is a multiple of five.
    october_view = by_month(figures(last=date(2026, 10, 1), unit_id=unit.id))
    november_view = by_month(figures(unit_id=unit.id))
    shared = set(october_view) & set(november_view)
    assert len(shared) == 11
    for month in shared:
        assert october_view[month] == november_view[month]
    numbers = [
        count
        for view in (october_view, november_view)
        for month in view.values()
        for split in month.splits.values()
        for count in (*split.counts, month.patients, month.established)
        if count is not None
    ]
    assert numbers and all(count >= 5 and count % 5 == 0 for count in numbers)


def test_another_units_patients_are_not_counted(twelve, unit, other_unit_nurse):
    months = by_month(figures(unit_id=other_unit_nurse.care_unit_id))
    assert all(m.patients is None for m in months.values())
    assert all(
        split.counts == (None, None, None) for m in months.values() for split in m.splits.values()
    )


def test_a_month_is_counted_once_when_it_is_over_and_then_read_back(twelve, unit, clock, nurse):
    unit_id = unit.id
    clock.now = at(12, 2)  # November is over
    with count_queries() as first:
        before = figures(unit_id=unit_id)
    db.session.commit()
    with count_queries() as second:
        again = figures(unit_id=unit_id)
    assert len(second) == 1  # twelve kept months, one query
    assert len(first) > 12  # each month counted from all the answers
    assert again == before
    # A kept month no longer moves, and may not: nothing said later changes how it stood.
    for patient in twelve[:3]:
        answer(clock, patient, "patient", 1, "no", patient.user)
    db.session.commit()
    assert figures(unit_id=unit_id) == before


def test_a_month_still_going_is_never_kept(twelve, unit, clock):
    unit_id = unit.id
    figures(unit_id=unit_id)  # the clock is in November: counted, not kept
    db.session.commit()
    with count_queries() as statements:
        figures(unit_id=unit_id)
    assert len(statements) > 1


def test_flask_quality_count_keeps_the_months_that_are_over(app, twelve, unit, clock):
    unit_id = unit.id
    clock.now = at(12, 2)
    result = app.test_cli_runner().invoke(args=["quality", "count"])
    assert result.exit_code == 0, result.output
    assert "Vårdcentralen Test: 12 months" in result.output
    with count_queries() as statements:
        figures(unit_id=unit_id)
    assert len(statements) == 1
