"""The care side's bookkeeping: what this staff member has marked as seen of a patient's plan.

"Nytt sedan du tittade senast" stays on the care contact's view of a plan until she presses
"Markera som sett": only that moves her line forward, so a reload or a look in passing never
hides news she has not read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from webapp.care.models import PatientLastSeen
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember


def _row(staff: StaffMember, patient: Patient) -> PatientLastSeen | None:
    return db.session.scalar(
        select(PatientLastSeen).where(
            PatientLastSeen.staff_member_id == staff.id, PatientLastSeen.patient_id == patient.id
        )
    )


def last_seen_line(*, staff: StaffMember, patient: Patient) -> datetime | None:
    """What is newer than this is news to `staff`. None on her very first look, which sets
    the line at "now": a plan she has never seen is not all news."""
    row = _row(staff, patient)
    if row is None:
        db.session.add(PatientLastSeen(staff_member_id=staff.id, patient_id=patient.id))
        db.session.flush()
        return None
    return row.seen_at


def last_seen_mark(*, staff: StaffMember, patient: Patient) -> None:
    """She has read what was new: move her line to now."""
    row = _row(staff, patient)
    if row is None:
        db.session.add(PatientLastSeen(staff_member_id=staff.id, patient_id=patient.id))
    else:
        row.seen_at = now_utc()
    db.session.flush()
