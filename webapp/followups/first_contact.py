"""The first contact a new patient is promised: her care contact gets in touch within a few
working days of creating her (`FIRST_CONTACT_WORKING_DAYS`), and the promise stands until a
first contact is booked.

The patient's "Min plan" keeps saying "Karin Lind hör av sig senast …" and the care
contact's worklist keeps the patient near the top until then; both read it here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select

from webapp.extensions import db
from webapp.followups.details import local_zone
from webapp.followups.models import FollowUp
from webapp.people.models import Patient

SATURDAY = 5


def first_contact_by(created_at: datetime) -> date:
    """The last day of the promise: so many working days (Monday to Friday) after the day
    the patient was created, in the unit's time zone."""
    days = int(current_app.config.get("FIRST_CONTACT_WORKING_DAYS") or 3)
    day = created_at.astimezone(local_zone()).date()
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < SATURDAY:
            days -= 1
    return day


def waiting_for_first_contact(patient_ids: Sequence[int]) -> dict[int, date]:
    """The patients among these with no contact ever booked, each with the promised day
    (one query)."""
    if not patient_ids:
        return {}
    rows = db.session.execute(
        select(Patient.id, Patient.created_at).where(
            Patient.id.in_(patient_ids),
            ~exists().where(FollowUp.patient_id == Patient.id),
        )
    )
    return {patient_id: first_contact_by(created_at) for patient_id, created_at in rows}
