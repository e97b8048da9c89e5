"""The access log (logglista): who looked at or changed a patient's data, when, and why.

Rows are only ever inserted. Nothing in the app updates or deletes them; they are kept for at
least five years (the operator's retention job, not the app, may remove older rows).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from webapp.db import commit_keeping_loaded, now_utc
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User


class AccessLogEntry(db.Model):
    __tablename__ = "access_log_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=now_utc, index=True)
    actor_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    actor_role: Mapped[str] = mapped_column(String(32))
    actor_care_unit_id: Mapped[int | None] = mapped_column(ForeignKey("care_unit.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))

    actor: Mapped[User] = relationship()


def record_access(*, actor: User, patient: Patient, role: str, action: str) -> None:
    """Write one log row and commit it, so the look is recorded even if the view fails later."""
    unit_id = actor.staff.care_unit_id if actor.staff is not None else None
    db.session.add(
        AccessLogEntry(
            actor_user_id=actor.id,
            actor_role=role,
            actor_care_unit_id=unit_id,
            patient_id=patient.id,
            action=action,
        )
    )
    commit_keeping_loaded(db.session())


def entries_for(patient: Patient, limit: int = 200) -> list[AccessLogEntry]:
    statement = (
        select(AccessLogEntry)
        .where(AccessLogEntry.patient_id == patient.id)
        .options(
            joinedload(AccessLogEntry.actor)
            .joinedload(User.staff)
            .joinedload(StaffMember.care_unit)
        )
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))
