"""The care side's bookkeeping: when did this staff member last look at this patient."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from webapp.care.models import PatientLastSeen
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember


def last_seen_swap(*, staff: StaffMember, patient: Patient) -> datetime | None:
    """Return when `staff` last looked at `patient` (None: never) and record "now"."""
    row = db.session.scalar(
        select(PatientLastSeen).where(
            PatientLastSeen.staff_member_id == staff.id, PatientLastSeen.patient_id == patient.id
        )
    )
    previous = row.seen_at if row else None
    if row is None:
        db.session.add(PatientLastSeen(staff_member_id=staff.id, patient_id=patient.id))
    else:
        row.seen_at = now_utc()
    db.session.flush()
    return previous
