"""Who someone is to a patient: themself, their care contact or physician, an administrator
or other staff of their unit, or a relative acting for them by a grant. The door
(webapp/access.py) decides from these what someone may do; the access log (webapp/audit.py)
names the first of them on every row it writes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from webapp.people.models import Patient, StaffMember, User


class Relation(StrEnum):
    """How an actor stands to a patient. An actor may hold several (an admin who is the
    care contact); they may do what any of them allows, and the log names the first of
    `RELATION_ORDER` they hold."""

    SELF = "self"
    CARE_CONTACT = "care_contact"
    PHYSICIAN = "physician"
    UNIT_ADMIN = "unit_admin"
    UNIT_STAFF = "unit_staff"
    RELATIVE = "relative"  # a närstående acting for the patient, within their grant


RELATION_ORDER = (
    Relation.SELF,
    Relation.RELATIVE,
    Relation.CARE_CONTACT,
    Relation.PHYSICIAN,
    Relation.UNIT_ADMIN,
    Relation.UNIT_STAFF,
)


def active_staff(actor: Any) -> StaffMember | None:
    """The actor's staff membership, if they are signed-in staff still in service."""
    if not getattr(actor, "is_authenticated", False):
        return None
    staff: StaffMember | None = actor.staff
    if staff is None or staff.deactivated_at is not None:
        return None
    return staff


def relations_of(actor: User, patient: Patient) -> list[Relation]:
    """Every relation the actor holds to the patient, strongest first."""
    # Imported when first asked: the relatives' package builds on these relations.
    from webapp.relatives.acting import acting_grant

    held: list[Relation] = []
    grant = acting_grant()
    if grant is not None and grant.patient_id == patient.id and grant.relative_user_id == actor.id:
        # While acting for the patient, a relative is only that, even where they are staff.
        return [Relation.RELATIVE]
    if actor.patient is not None and actor.patient.id == patient.id:
        held.append(Relation.SELF)
    staff = active_staff(actor)
    if staff is not None and patient.care_unit_id == staff.care_unit_id:
        if patient.care_contact_id == staff.id:
            held.append(Relation.CARE_CONTACT)
        if patient.physician_id == staff.id:
            held.append(Relation.PHYSICIAN)
        if staff.is_unit_admin:
            held.append(Relation.UNIT_ADMIN)
        held.append(Relation.UNIT_STAFF)
    return held


def relation_of(actor: User, patient: Patient) -> Relation | None:
    held = relations_of(actor, patient)
    return held[0] if held else None
