"""Who someone is to a patient: themself, their care contact or physician, an administrator
or other staff of their unit, or a relative acting for them by a grant. The door
(webapp/access.py) decides from these what someone may do; the access log (webapp/audit.py)
names the first of them on every row it writes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from webapp.people.models import Patient, StaffMember, User
from webapp.relatives.acting import acting_grant


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
    # Verksamhetschef or quality lead: the unit's figures (webapp/quality), no patient at all.
    LEADER = "leader"


RELATION_ORDER = (
    Relation.SELF,
    Relation.RELATIVE,
    Relation.CARE_CONTACT,
    Relation.PHYSICIAN,
    Relation.UNIT_ADMIN,
    Relation.UNIT_STAFF,
    Relation.LEADER,
)


def in_service(actor: Any) -> StaffMember | None:
    """The actor's staff membership, if they are signed-in staff still in service."""
    if not getattr(actor, "is_authenticated", False):
        return None
    staff: StaffMember | None = actor.staff
    if staff is None or staff.deactivated_at is not None:
        return None
    return staff


def active_staff(actor: Any) -> StaffMember | None:
    """The actor's staff membership, if they are signed-in care staff still in service. A
    leader is not: every care route, list and patient is closed to them."""
    staff = in_service(actor)
    return None if staff is None or staff.is_quality_lead else staff


def active_leader(actor: Any) -> StaffMember | None:
    """Someone who may see the unit's figures and usable stories (never a patient): its
    verksamhetschef or quality lead, or its administrator."""
    staff = in_service(actor)
    return staff if staff is not None and (staff.is_quality_lead or staff.is_unit_admin) else None


def relations_of(actor: User, patient: Patient) -> list[Relation]:
    """Every relation the actor holds to the patient, strongest first."""
    held: list[Relation] = []
    grant = acting_grant()
    if grant is not None and grant.patient_id == patient.id and grant.relative_user_id == actor.id:
        # While acting for the patient, a relative is only that, even where they are staff.
        return [Relation.RELATIVE]
    if actor.patient is not None and actor.patient.id == patient.id:
        held.append(Relation.SELF)
    leader = in_service(actor)
    if (
        leader is not None
        and leader.is_quality_lead
        and patient.care_unit_id == leader.care_unit_id
    ):
        held.append(Relation.LEADER)
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
