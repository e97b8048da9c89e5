""" "Så säger våra patienter": Mitt kvitto's seven questions compiled for one unit, month by
month, both sides side by side, and how many patients have an established contract.

A month's figures are the state at its end: each patient's latest answer to each question
from each side given before the month was over (the current month: so far). The exact counts
are made here and leave only through `disclosure` (rounded to five, none under five).

Only months that are over are shown: their figures can no longer change, so each is counted
once by the database (a few queries over all the unit's answers) and kept
(`UnitMonthFigure`); a look at twelve kept months is one query. A month still going is not
shown: its figures would move with each answer, and a look before and after one patient's
visit could tell that patient's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webapp.agreement import services as agreements
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.people.models import Patient
from webapp.quality.disclosure import Split, shown
from webapp.quality.models import UnitMonthFigure
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


UNIT = "unit"
PATIENTS = "patients"


def _count_month(care_unit_id: int, end: datetime) -> dict[tuple[str, int, str], int]:
    """A month's exact counts, from all the answers given before its end (three queries)."""
    counts = receipts.month_counts(
        care_unit_id=care_unit_id,
        end=end,
        first_agreed=agreements.first_agreed_subquery(care_unit_id=care_unit_id),
    )
    established = counts.pop((receipts.ESTABLISHED, 0, ""), 0)
    counts[(UNIT, 0, receipts.ESTABLISHED)] = established
    counts[(UNIT, 0, PATIENTS)] = (
        db.session.scalar(
            select(func.count())
            .select_from(Patient)
            .where(Patient.care_unit_id == care_unit_id, Patient.created_at < end)
        )
        or 0
    )
    return counts


def _keep(care_unit_id: int, month: date, counts: dict[tuple[str, int, str], int]) -> None:
    """Keep a completed month's counts. Two looks at once may both count it: the second
    insert is skipped, not an error (the counts are the same)."""
    rows = [
        {
            "care_unit_id": care_unit_id,
            "month": month,
            "side": side,
            "question": question,
            "answer": answer,
            "count": number,
        }
        for (side, question, answer), number in counts.items()
    ]
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(UnitMonthFigure).on_conflict_do_nothing(), rows)


def month_figures(*, care_unit_id: int, months: list[date], zone: ZoneInfo) -> dict[date, Any]:
    """The exact counts of each of these completed months: kept ones read in one query,
    any not yet kept counted and kept."""
    kept: dict[date, dict[tuple[str, int, str], int]] = {}
    for month, side, question, answer, number in db.session.execute(
        select(
            UnitMonthFigure.month,
            UnitMonthFigure.side,
            UnitMonthFigure.question,
            UnitMonthFigure.answer,
            UnitMonthFigure.count,
        ).where(UnitMonthFigure.care_unit_id == care_unit_id, UnitMonthFigure.month.in_(months))
    ):
        kept.setdefault(month, {})[(side, question, answer)] = number
    now = now_utc()
    for month, end in zip(months, month_ends(months, zone), strict=True):
        if month not in kept:
            kept[month] = _count_month(care_unit_id, end)
            if end <= now:  # a month still going is counted, never kept
                _keep(care_unit_id, month, kept[month])
    return kept


def unit_figures(*, care_unit_id: int, last: date, zone: ZoneInfo) -> UnitFigures:
    """The twelve months up to `last`, which must be over (the caller checks)."""
    months = [month_add(last, step - MONTHS + 1) for step in range(MONTHS)]
    counted = month_figures(care_unit_id=care_unit_id, months=months, zone=zone)

    def split(counts: dict[tuple[str, int, str], int], side: str, question: int) -> Split:
        yes, partly, no = (counts.get((side, question, answer), 0) for answer in ANSWERS)
        return Split.of(yes, partly, no)

    return UnitFigures(
        months=[
            MonthFigures(
                month=month,
                patients=shown(counted[month].get((UNIT, 0, PATIENTS), 0)),
                established=shown(counted[month].get((UNIT, 0, receipts.ESTABLISHED), 0)),
                splits={
                    (side, question): split(counted[month], side, question)
                    for side in SIDES
                    for question in QUESTIONS
                },
            )
            for month in months
        ]
    )
