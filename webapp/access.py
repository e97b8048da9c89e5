"""The one access policy: who may do what with which patient's data.

Every view that reads or writes a patient's data asks `load_patient` (or `own_patient`) first.
The answer depends only on the actor's relation to the patient. A "no" is a 404, so a stranger
cannot even learn that a record exists. Every yes for someone other than the patient leaves a
row in the access log.
"""

from __future__ import annotations

from enum import StrEnum

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp import audit
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User


class Action(StrEnum):
    VIEW_PLAN = "view_plan"
    EDIT_PLAN = "edit_plan"
    VIEW_PATIENT_RECORD = "view_patient_record"
    ISSUE_INVITATION = "issue_invitation"
    VIEW_ACCESS_LOG = "view_access_log"


class Relation(StrEnum):
    SELF = "self"
    CARE_CONTACT = "care_contact"
    UNIT_STAFF = "unit_staff"


# What each relation may do. A relation missing from this table may do nothing.
PERMISSIONS: dict[Relation, frozenset[Action]] = {
    Relation.SELF: frozenset(
        {Action.VIEW_PLAN, Action.EDIT_PLAN, Action.VIEW_ACCESS_LOG}
    ),
    Relation.CARE_CONTACT: frozenset(
        {Action.VIEW_PLAN, Action.EDIT_PLAN, Action.VIEW_PATIENT_RECORD, Action.ISSUE_INVITATION}
    ),
    Relation.UNIT_STAFF: frozenset(
        {Action.VIEW_PLAN, Action.EDIT_PLAN, Action.VIEW_PATIENT_RECORD, Action.ISSUE_INVITATION}
    ),
}

# How each action reads in the patient's own log ("logglista").
ACTION_WORDS = {
    Action.VIEW_PLAN: _l("läste din plan"),
    Action.EDIT_PLAN: _l("ändrade i din plan"),
    Action.VIEW_PATIENT_RECORD: _l("öppnade dina uppgifter"),
    Action.ISSUE_INVITATION: _l("skapade en inbjudan så att du kan logga in"),
    Action.VIEW_ACCESS_LOG: _l("läste logglistan"),
}

ROLE_WORDS = {
    Relation.CARE_CONTACT: _l("din fasta vårdkontakt"),
    Relation.UNIT_STAFF: _l("personal på din vårdenhet"),
}


def relation_of(actor: User, patient: Patient) -> Relation | None:
    if actor.patient is not None and actor.patient.id == patient.id:
        return Relation.SELF
    staff = actor.staff
    if staff is not None:
        if patient.care_contact_id == staff.id:
            return Relation.CARE_CONTACT
        if patient.care_unit_id == staff.care_unit_id:
            return Relation.UNIT_STAFF
    return None


def may(actor: User, patient: Patient, action: Action) -> bool:
    relation = relation_of(actor, patient)
    return relation is not None and action in PERMISSIONS.get(relation, frozenset())


def load_patient(actor: User, patient_id: int, action: Action) -> Patient:
    """Return the patient if `actor` may do `action`, else answer 404. Logs others' access."""
    if not actor.is_authenticated:
        abort(404)
    patient = db.session.scalar(
        select(Patient)
        .where(Patient.id == patient_id)
        .options(
            joinedload(Patient.user),
            joinedload(Patient.care_unit),
            joinedload(Patient.care_contact).joinedload(StaffMember.user),
            joinedload(Patient.care_contact).joinedload(StaffMember.care_unit),
            joinedload(Patient.physician).joinedload(StaffMember.user),
            joinedload(Patient.physician).joinedload(StaffMember.care_unit),
        )
    )
    if patient is None:
        abort(404)
    relation = relation_of(actor, patient)
    if relation is None or action not in PERMISSIONS.get(relation, frozenset()):
        abort(404)
    if relation is not Relation.SELF:
        audit.record_access(actor=actor, patient=patient, role=relation, action=action)
    return patient


def own_patient(actor: User, action: Action) -> Patient:
    """The signed-in patient's own record, through the same door."""
    if not actor.is_authenticated or actor.patient is None:
        abort(404)
    return load_patient(actor, actor.patient.id, action)
