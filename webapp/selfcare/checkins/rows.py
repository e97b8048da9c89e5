"""Every check-in of a patient as plain rows: for her own copy of the plan (webapp/export),
where two years of them must stay cheap (no ORM object per row)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from webapp.extensions import db
from webapp.selfcare.models import CheckIn


class CheckInRow(NamedTuple):
    id: int
    goal_id: int
    taken_at: datetime
    done: bool | None
    value: float | None
    value2: float | None
    note: str
    outside_limits: bool
    logged_by_user_id: int
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None


def check_in_rows_of(*, patient_id: int) -> list[CheckInRow]:
    """Every check-in of the patient, removed ones too, by goal and time: one query."""
    c = CheckIn
    rows = db.session.execute(
        select(
            c.id,
            c.goal_id,
            c.taken_at,
            c.done,
            c.value,
            c.value2,
            c.note,
            c.outside_limits,
            c.logged_by_user_id,
            c.created_at,
            c.edited_at,
            c.deleted_at,
        )
        .where(c.patient_id == patient_id)
        .order_by(c.goal_id, c.taken_at, c.id)
    )
    return [CheckInRow._make(row) for row in rows]
