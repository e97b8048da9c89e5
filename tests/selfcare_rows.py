"""Self-care rows made directly, for tests that need goals and history without going through
the screens that make them (those screens have their own tests)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from webapp.extensions import db
from webapp.people.models import Patient, User
from webapp.selfcare.models import CheckIn, GoalKind, GoalLimit, PatientUpdate, SelfCareGoal


def goal_make(patient: Patient, **fields: Any) -> SelfCareGoal:
    """A weight goal, daily, agreed with the patient's care contact, unless told otherwise."""
    limits: list[dict[str, Any]] = fields.pop("limits", [])
    values: dict[str, Any] = {
        "patient_id": patient.id,
        "kind": GoalKind.OWN,
        "title": "Väga mig varje morgon",
        "measure": "number",
        "unit": "kg",
        "frequency": "daily",
        "agreed_by_staff_id": patient.care_contact_id,
        "created_by_user_id": patient.user_id,
    }
    values.update(fields)
    goal = SelfCareGoal(**values)
    goal.limits = [GoalLimit(**limit) for limit in limits]
    db.session.add(goal)
    db.session.commit()
    return goal


def check_in_make(goal: SelfCareGoal, taken_at: datetime, **fields: Any) -> CheckIn:
    values: dict[str, Any] = {
        "client_uuid": str(uuid.uuid4()),
        "goal_id": goal.id,
        "patient_id": goal.patient_id,
        "taken_at": taken_at,
        "logged_by_user_id": goal.created_by_user_id,
    }
    values.update(fields)
    row = CheckIn(**values)
    db.session.add(row)
    db.session.commit()
    return row


def flagged_update_make(
    check_in: CheckIn,
    actor: User,
    *,
    reason: str = "Vikten har ökat mer än 2 kg på 3 dagar.",
    advice: str = "Ring din kontakt i dag.",
) -> PatientUpdate:
    """The update a check-in outside its limits makes (flushed, not committed)."""
    from webapp.selfcare.updates import services as updates

    return updates.update_flagged(
        patient_id=check_in.patient_id,
        goal_id=check_in.goal_id,
        check_in_id=check_in.id,
        actor=actor,
        reason=reason,
        advice=advice,
    )
