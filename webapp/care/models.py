"""What the care side remembers about its own work with a patient."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import now_utc
from webapp.db import OffPlan
from webapp.extensions import Model


class PatientLastSeen(OffPlan, Model):
    __off_plan__ = "the care side's own bookkeeping of when it last looked"
    """When a staff member last opened a patient's plan: the line for "new since you looked"."""

    __tablename__ = "patient_last_seen"
    __table_args__ = (UniqueConstraint("staff_member_id", "patient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_member_id: Mapped[int] = mapped_column(ForeignKey("staff_member.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    seen_at: Mapped[datetime] = mapped_column(default=now_utc)
