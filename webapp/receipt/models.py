"""Mitt kvitto: the patient's and the care side's answers to the seven questions.

Every answer is kept (history); the current answer for a side and question is the latest one.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import now_utc
from webapp.db import PlanRow
from webapp.extensions import Model

COMMENT_MAX = 500
QUESTION_COUNT = 7


class Side(StrEnum):
    PATIENT = "patient"
    CARE = "care"


class Answer(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class ReceiptAnswer(PlanRow, Model):
    __tablename__ = "receipt_answer"
    # "The latest answer per side and question" is looked up by this, for one patient or many.
    __table_args__ = (Index("ix_receipt_answer_current", "patient_id", "side", "question", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    side: Mapped[str] = mapped_column(String(8))
    question: Mapped[int] = mapped_column()
    answer: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(String(COMMENT_MAX))
    answered_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime] = mapped_column(default=now_utc)
    # After a Delvis or Nej: the patient asked her care contact to call her about it. Kept on
    # the answer it is about, so answering the question again starts without it.
    call_wanted_at: Mapped[datetime | None] = mapped_column()
