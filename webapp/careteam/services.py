"""The patient's care team: fixed contacts (and telling the patient when they change), and the
other parts of care the patient meets, gathered in the one plan."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from webapp import audit
from webapp.careteam.models import CarePart, CarePartKind, ContactChange, ContactRole
from webapp.clock import now_utc
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User
from webapp.plan.changed import plan_changed

MESSAGE_MAX = 500
PART_LIMITS = {
    "organisation": 120,
    "role_text": 200,
    "contact_name": 120,
    "phone": 32,
    "phone_hours": 120,
}


class CareTeamError(UserFacingError):
    """A rule said no; `field` names the form field the message belongs to."""


@dataclass(frozen=True)
class CareTeamOverview:
    notices: list[ContactChange]  # unseen by the patient, newest per role first
    last_notice_id: int | None  # "Jag har läst" marks every change up to this one
    parts: list[CarePart]


def for_overview(patient: Patient) -> CareTeamOverview:
    """What "Min plan" shows of this area: two queries whatever the counts.

    The fixed contacts themselves are already loaded on `patient` by access.load_patient.
    """
    unseen = list(
        db.session.scalars(
            select(ContactChange)
            .where(
                ContactChange.patient_id == patient.id,
                ContactChange.seen_by_patient_at.is_(None),
            )
            .options(
                joinedload(ContactChange.new_staff).joinedload(StaffMember.user),
                joinedload(ContactChange.new_staff).joinedload(StaffMember.care_unit),
            )
            .order_by(ContactChange.changed_at.desc(), ContactChange.id.desc())
        )
    )
    # Two changes of the same role before the patient looked: only the latest one is true now.
    latest: dict[str, ContactChange] = {}
    for change in unseen:
        latest.setdefault(change.role, change)
    return CareTeamOverview(
        notices=list(latest.values()),
        last_notice_id=max((change.id for change in unseen), default=None),
        parts=care_parts_active(patient),
    )


# --- fixed care contact and physician ----------------------------------------------------


def _staff_at_patients_unit(patient: Patient, staff_id: int | None) -> StaffMember | None:
    if staff_id is None or staff_id < 1:
        return None
    member = db.session.get(StaffMember, staff_id)
    if (
        member is None
        or member.care_unit_id != patient.care_unit_id
        or member.is_quality_lead  # a leader sees no patient, so she is nobody's contact
        or member.has_left  # someone who has left can never be anyone's fixed contact again
    ):
        return None
    return member


def contacts_assign(
    *,
    patient: Patient,
    care_contact_id: int | None,
    physician_id: int | None,
    message: str,
    changed_by: User,
) -> list[ContactChange]:
    """Give the patient a new fixed care contact and/or physician, with a message saying why.

    Writes one ContactChange per role that changed; the patient sees it on "Min plan".
    """
    message = (message or "").strip()
    if not message:
        raise CareTeamError(_l("Skriv ett kort meddelande till patienten om varför."), "message")
    if len(message) > MESSAGE_MAX:
        raise CareTeamError(_l("Meddelandet får vara högst 500 tecken."), "message")
    care_contact = _staff_at_patients_unit(patient, care_contact_id)
    if care_contact is None:
        raise CareTeamError(
            _l("Välj en fast vårdkontakt som arbetar på patientens vårdenhet."), "care_contact_id"
        )
    physician = _staff_at_patients_unit(patient, physician_id)
    if physician_id is not None and (physician is None or not physician.is_physician):
        raise CareTeamError(
            _l("Välj en läkare på patientens vårdenhet som fast läkarkontakt."), "physician_id"
        )
    changes = [
        ContactChange(
            patient_id=patient.id,
            role=role,
            old_staff_id=old_id,
            new_staff_id=new.id if new else None,
            message=message,
            changed_by_user_id=changed_by.id,
        )
        for role, old_id, new in (
            (ContactRole.CARE_CONTACT, patient.care_contact_id, care_contact),
            (ContactRole.PHYSICIAN, patient.physician_id, physician),
        )
        if old_id != (new.id if new else None)
    ]
    if not changes:
        raise CareTeamError(
            _l("Du har inte valt någon ny kontakt. Välj en annan person, eller gå tillbaka."),
            "care_contact_id",
        )
    patient.care_contact = care_contact
    patient.physician = physician
    db.session.add_all(changes)
    audit.change_record(actor=changed_by, patient=patient, change=audit.Change.CONTACTS_ASSIGNED)
    return changes


def contact_changes_mark_seen(*, patient: Patient, up_to_id: int) -> None:
    """The patient tapped "Jag har läst": the notices they were shown are done."""
    plan_changed(patient.id)
    db.session.execute(
        update(ContactChange)
        .where(
            ContactChange.patient_id == patient.id,
            ContactChange.seen_by_patient_at.is_(None),
            ContactChange.id <= up_to_id,
        )
        .values(seen_by_patient_at=now_utc())
    )


def contact_changes_history(patient: Patient, limit: int = 20) -> list[ContactChange]:
    return list(
        db.session.scalars(
            select(ContactChange)
            .where(ContactChange.patient_id == patient.id)
            .options(
                joinedload(ContactChange.new_staff).joinedload(StaffMember.user),
                joinedload(ContactChange.old_staff).joinedload(StaffMember.user),
            )
            .order_by(ContactChange.changed_at.desc(), ContactChange.id.desc())
            .limit(limit)
        )
    )


# --- other parts of care -----------------------------------------------------------------


def care_parts_active(patient: Patient) -> list[CarePart]:
    return list(
        db.session.scalars(
            select(CarePart)
            .where(CarePart.patient_id == patient.id, CarePart.archived_at.is_(None))
            .order_by(CarePart.position, CarePart.id)
        )
    )


def care_part_find(*, patient: Patient, part_id: int) -> CarePart | None:
    """An active part of this patient's care, or None (so another patient's id finds nothing)."""
    return db.session.scalar(
        select(CarePart).where(
            CarePart.id == part_id,
            CarePart.patient_id == patient.id,
            CarePart.archived_at.is_(None),
        )
    )


def _clean_part_values(values: dict[str, str | None]) -> dict[str, str]:
    clean = {name: (values.get(name) or "").strip() for name in (*PART_LIMITS, "kind")}
    if not clean["organisation"]:
        raise CareTeamError(_l("Skriv namnet på verksamheten."), "organisation")
    if not clean["role_text"]:
        raise CareTeamError(_l("Skriv kort vad de gör för patienten."), "role_text")
    if clean["kind"] not in {kind.value for kind in CarePartKind}:
        raise CareTeamError(_l("Välj vilken sorts vård det är."), "kind")
    for name, limit in PART_LIMITS.items():
        if len(clean[name]) > limit:
            raise CareTeamError(_l("Texten är för lång."), name)
    return clean


def care_part_add(*, patient: Patient, actor: User, **values: str | None) -> CarePart:
    clean = _clean_part_values(values)
    last = db.session.scalar(
        select(func.max(CarePart.position)).where(CarePart.patient_id == patient.id)
    )
    part = CarePart(patient_id=patient.id, position=(last or 0) + 1, **clean)
    db.session.add(part)
    audit.change_record(actor=actor, patient=patient, change=audit.Change.CARE_PARTS_EDITED)
    return part


def care_part_edit(
    *, patient: Patient, part: CarePart, actor: User, **values: str | None
) -> CarePart:
    changed = False
    for name, value in _clean_part_values(values).items():
        if getattr(part, name) != value:
            setattr(part, name, value)
            changed = True
    if changed:  # saving the form as it was is no change, and the log says none
        part.updated_at = now_utc()
        audit.change_record(actor=actor, patient=patient, change=audit.Change.CARE_PARTS_EDITED)
    return part


def care_part_archive(*, patient: Patient, part: CarePart, actor: User) -> None:
    """Taken out of the plan; the row stays, so what was there can be told later."""
    if part.archived_at is None:
        part.archived_at = now_utc()
        audit.change_record(actor=actor, patient=patient, change=audit.Change.CARE_PARTS_EDITED)
