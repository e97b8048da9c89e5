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
    VIEW_PATIENT_RECORD = "view_patient_record"
    ISSUE_INVITATION = "issue_invitation"
    VIEW_ACCESS_LOG = "view_access_log"
    WRITE_WHAT_MATTERS = "write_what_matters"
    DRAFT_AGREEMENT = "draft_agreement"
    CONSENT_AS_PATIENT = "consent_as_patient"
    CONSENT_AS_CARE = "consent_as_care"
    BOOK_FOLLOW_UP = "book_follow_up"
    RESPOND_TO_FOLLOW_UP = "respond_to_follow_up"
    MANAGE_CALENDAR_FEED = "manage_calendar_feed"
    ANSWER_RECEIPT_AS_PATIENT = "answer_receipt_as_patient"
    ANSWER_RECEIPT_AS_CARE = "answer_receipt_as_care"
    ASSIGN_CONTACTS = "assign_contacts"
    EDIT_CARE_PARTS = "edit_care_parts"


class Relation(StrEnum):
    SELF = "self"
    CARE_CONTACT = "care_contact"
    UNIT_STAFF = "unit_staff"


_CARE_SIDE = frozenset(
    {
        Action.VIEW_PLAN,
        Action.VIEW_PATIENT_RECORD,
        Action.ISSUE_INVITATION,
        Action.DRAFT_AGREEMENT,
        Action.CONSENT_AS_CARE,
        Action.BOOK_FOLLOW_UP,
        Action.ANSWER_RECEIPT_AS_CARE,
        Action.ASSIGN_CONTACTS,
        Action.EDIT_CARE_PARTS,
    }
)

# What each relation may do. A relation missing from this table may do nothing.
PERMISSIONS: dict[Relation, frozenset[Action]] = {
    Relation.SELF: frozenset(
        {
            Action.VIEW_PLAN,
            Action.VIEW_ACCESS_LOG,
            Action.WRITE_WHAT_MATTERS,
            Action.CONSENT_AS_PATIENT,
            Action.RESPOND_TO_FOLLOW_UP,
            Action.MANAGE_CALENDAR_FEED,
            Action.ANSWER_RECEIPT_AS_PATIENT,
        }
    ),
    Relation.CARE_CONTACT: _CARE_SIDE,
    Relation.UNIT_STAFF: _CARE_SIDE,
}

# How each action reads in the patient's own log ("logglista").
ACTION_WORDS = {
    Action.VIEW_PLAN: _l("läste din plan"),
    Action.VIEW_PATIENT_RECORD: _l("öppnade dina uppgifter"),
    Action.ISSUE_INVITATION: _l("skapade en inbjudan så att du kan logga in"),
    Action.VIEW_ACCESS_LOG: _l("läste logglistan"),
    Action.WRITE_WHAT_MATTERS: _l("skrev om vad som är viktigt för dig"),
    Action.DRAFT_AGREEMENT: _l("ändrade i förslaget till överenskommelse"),
    Action.CONSENT_AS_PATIENT: _l("godkände överenskommelsen för din räkning"),
    Action.CONSENT_AS_CARE: _l("godkände överenskommelsen för vårdens del"),
    Action.BOOK_FOLLOW_UP: _l("bokade eller ändrade en planerad kontakt"),
    Action.RESPOND_TO_FOLLOW_UP: _l("svarade på en planerad kontakt"),
    Action.MANAGE_CALENDAR_FEED: _l("ändrade kalenderlänken"),
    Action.ANSWER_RECEIPT_AS_PATIENT: _l("svarade på frågorna i Mitt kvitto"),
    Action.ANSWER_RECEIPT_AS_CARE: _l("svarade på vårdens frågor i Mitt kvitto"),
    Action.ASSIGN_CONTACTS: _l("ändrade din fasta vårdkontakt eller läkarkontakt"),
    Action.EDIT_CARE_PARTS: _l("ändrade vilka delar av vården som finns i din plan"),
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


def own_patient(actor: User, action: Action, *, with_contacts: bool = True) -> Patient:
    """The signed-in patient's own record, through the same door.

    `with_contacts=False` returns the record loaded with the user, without its care
    contacts, for a page that has them already (the cached "Min plan").
    """
    if not actor.is_authenticated or actor.patient is None:
        abort(404)
    if not with_contacts:
        if action not in PERMISSIONS.get(Relation.SELF, frozenset()):
            abort(404)
        return actor.patient
    return load_patient(actor, actor.patient.id, action)
