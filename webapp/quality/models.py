"""The unit's monthly figures, kept once a month is over: they can no longer change (every
answer, agreement and patient is stamped with the moment it was made), so each completed
month is counted once, from all the answers, and read back from here after that."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model


class UnitMonthFigure(Model):
    """One exact count of one month (never shown as is: webapp/quality/disclosure.py rounds
    it). `side` is "patient" or "care" for the answers, "unit" for the month's patients and
    established contracts (question 0, `answer` "patients" or "established")."""

    __tablename__ = "unit_month_figure"
    __table_args__ = (UniqueConstraint("care_unit_id", "month", "side", "question", "answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    care_unit_id: Mapped[int] = mapped_column(ForeignKey("care_unit.id"))
    month: Mapped[date] = mapped_column()
    side: Mapped[str] = mapped_column(String(8))
    question: Mapped[int] = mapped_column()
    answer: Mapped[str] = mapped_column(String(12))
    count: Mapped[int] = mapped_column()
