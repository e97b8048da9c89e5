"""Updates to the care contact (patientuppdateringar): the patient's own, and those a
check-in outside agreed limits makes by itself."""

from __future__ import annotations

from webapp.extensions import db
from webapp.people.models import Patient, User
from webapp.selfcare.models import CheckIn, PatientUpdate, UpdateFeeling


def update_send(
    *, patient: Patient, actor: User, feeling: UpdateFeeling, text: str = ""
) -> PatientUpdate:
    """The patient tells care how it goes."""
    update = PatientUpdate(
        patient_id=patient.id, feeling=feeling, text=text.strip(), created_by_user_id=actor.id
    )
    db.session.add(update)
    db.session.flush()
    return update


def update_flagged(*, check_in: CheckIn, actor: User, reason: str, advice: str) -> PatientUpdate:
    """A check-in crossed an agreed limit: an update made by itself, marked so, carrying the
    limit in words and the advice care agreed for it."""
    update = PatientUpdate(
        patient_id=check_in.patient_id,
        flagged=True,
        flag_reason=reason,
        advice=advice,
        goal_id=check_in.goal_id,
        check_in_id=check_in.id,
        created_by_user_id=actor.id,
    )
    db.session.add(update)
    db.session.flush()
    return update
