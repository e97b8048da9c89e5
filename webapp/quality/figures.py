""" "Så säger våra patienter": Mitt kvitto's seven questions compiled for one unit, month by
month, both sides side by side, and how many patients have an established contract.

A month's figures are the state at its end: each patient's latest answer to each question
from each side given before the month was over (the current month: so far). The exact counts
are made here and leave only through `disclosure` (rounded to five, none under five).

Three queries whatever the unit's size: the unit's patients, the answers (one row per patient,
side, question and month in which it changed), and when each first had an agreed agreement.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from webapp.agreement import services as agreements
from webapp.extensions import db
from webapp.people.models import Patient
from webapp.quality.disclosure import Split, shown
from webapp.receipt import services as receipts
from webapp.receipt.models import QUESTION_COUNT, Answer, Side

MONTHS = 12
SIDES = (Side.PATIENT, Side.CARE)
QUESTIONS = tuple(range(1, QUESTION_COUNT + 1))
ANSWERS = (Answer.YES, Answer.PARTLY, Answer.NO)


def month_add(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_ends(months: Sequence[date], zone: ZoneInfo) -> list[datetime]:
    """The moment each month is over: midnight, local time, as the next one starts."""
    return [datetime.combine(month_add(m, 1), time(), tzinfo=zone) for m in months]


@dataclass(frozen=True)
class MonthFigures:
    month: date
    patients: int | None  # the unit's patients at the month's end, as shown
    established: int | None  # of them, with an established contract, as shown
    splits: dict[tuple[str, int], Split]  # (side, question) -> the answers

    def split(self, side: str, question: int) -> Split:
        return self.splits[(side, question)]


@dataclass(frozen=True)
class UnitFigures:
    months: list[MonthFigures]  # the oldest first; the last is the month asked for

    @property
    def last(self) -> MonthFigures:
        return self.months[-1]


def unit_figures(*, care_unit_id: int, last: date, zone: ZoneInfo) -> UnitFigures:
    months = [month_add(last, step - MONTHS + 1) for step in range(MONTHS)]
    ends = month_ends(months, zone)
    created = db.session.execute(
        select(Patient.id, Patient.created_at).where(Patient.care_unit_id == care_unit_id)
    ).all()
    answers = receipts.answers_by_period(care_unit_id=care_unit_id, ends=ends)
    first_agreed = agreements.first_agreed_by_patient(care_unit_id=care_unit_id)

    def period_of(moment: datetime) -> int:
        """The first month at whose end `moment` is past (MONTHS when none is)."""
        return bisect_right(ends, moment)

    # Each answer counts from its month up to the month of the next answer to the same
    # question from the same side: added there, taken away again there (a running sum).
    changes: dict[tuple[str, int, str], list[int]] = defaultdict(lambda: [0] * (MONTHS + 1))
    yes_changes: dict[int, list[int]] = defaultdict(lambda: [0] * (MONTHS + 1))
    history: dict[tuple[int, str, int], list[tuple[int, str]]] = defaultdict(list)
    for row in answers:
        history[(row.patient_id, row.side, row.question)].append((row.period, row.answer))
    for (patient_id, side, question), given in history.items():
        given.sort()
        for index, (start, answer) in enumerate(given):
            stop = given[index + 1][0] if index + 1 < len(given) else MONTHS
            changes[(side, question, answer)][start] += 1
            changes[(side, question, answer)][stop] -= 1
            if answer == Answer.YES:
                yes_changes[patient_id][start] += 1
                yes_changes[patient_id][stop] -= 1

    established = [0] * MONTHS
    all_yes = 2 * QUESTION_COUNT
    for patient_id, steps in yes_changes.items():
        agreed_at = first_agreed.get(patient_id)
        agreed_from = period_of(agreed_at) if agreed_at is not None else MONTHS
        running = 0
        for month_index in range(MONTHS):
            running += steps[month_index]
            if running == all_yes and month_index >= agreed_from:
                established[month_index] += 1

    patients = [0] * MONTHS
    for _patient_id, created_at in created:
        for month_index in range(period_of(created_at), MONTHS):
            patients[month_index] += 1

    counts: dict[tuple[str, int, str], list[int]] = {}
    for key, steps in changes.items():
        running, totals = 0, []
        for month_index in range(MONTHS):
            running += steps[month_index]
            totals.append(running)
        counts[key] = totals
    zero = [0] * MONTHS

    def split(side: str, question: int, month_index: int) -> Split:
        yes, partly, no = (
            counts.get((side, question, answer), zero)[month_index] for answer in ANSWERS
        )
        return Split.of(yes, partly, no)

    return UnitFigures(
        months=[
            MonthFigures(
                month=month,
                patients=shown(patients[index]),
                established=shown(established[index]),
                splits={
                    (side, question): split(side, question, index)
                    for side in SIDES
                    for question in QUESTIONS
                },
            )
            for index, month in enumerate(months)
        ]
    )
