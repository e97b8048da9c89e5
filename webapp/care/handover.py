"""When a colleague leaves: whose fixed care contact or physician they are, and who takes
over, in the same step as their access ends.

Ending access never leaves a patient with the number of someone who has gone: a patient
nobody takes over yet keeps the departed person as a name only, and her plan says so and
shows the unit's number (`StaffMember.reachable_phone`) until a new contact is set; the
worklist names her for whoever can choose one.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from webapp.access import Action, allowed_actions
from webapp.care.staff import StaffError, staff_deactivate
from webapp.careteam.services import CareTeamError, contacts_assign
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User


@dataclass(frozen=True)
class Handover:
    member: StaffMember
    contact_of: list[Patient]  # patients for whom the member is fixed care contact
    physician_of: list[Patient]  # ... and fixed physician

    @property
    def patients(self) -> list[Patient]:
        seen = {patient.id: patient for patient in (*self.contact_of, *self.physician_of)}
        return list(seen.values())


def handover_of(*, admin: StaffMember, member_id: int) -> Handover:
    """What ending this colleague's access touches (one query for the patients)."""
    member = db.session.get(StaffMember, member_id)
    if member is None or member.care_unit_id != admin.care_unit_id:
        raise StaffError(_l("Personen finns inte på din vårdenhet."))
    if member.id == admin.id:
        raise StaffError(_l("Du kan inte avsluta din egen åtkomst. Be en annan administratör."))
    patients = list(
        db.session.scalars(
            select(Patient)
            .where(
                Patient.care_unit_id == admin.care_unit_id,
                or_(Patient.care_contact_id == member.id, Patient.physician_id == member.id),
            )
            .options(joinedload(Patient.user))
            .join(Patient.user)
            .order_by(User.name)
        )
    )
    return Handover(
        member=member,
        contact_of=[patient for patient in patients if patient.care_contact_id == member.id],
        physician_of=[patient for patient in patients if patient.physician_id == member.id],
    )


def staff_leave(
    *,
    admin: StaffMember,
    actor: User,
    member_id: int,
    care_contact_id: int | None,
    physician_id: int | None,
    message: str,
) -> tuple[StaffMember, int]:
    """End a colleague's access and give their patients to whoever takes over: one contact
    change per patient, with the message the patient reads on "Min plan". `None` for a role
    leaves its patients with the unit's number until someone is chosen. Returns the member
    and how many patients got someone new. A refusal raises before anything is kept (the
    request then rolls back)."""
    handover = handover_of(admin=admin, member_id=member_id)
    member = handover.member
    moved = 0
    if member.deactivated_at is not None:
        return member, moved
    for patient in handover.patients:
        # A role nobody takes over yet stays with the member, who is then shown as gone.
        contact_id = patient.care_contact_id
        if contact_id == member.id and care_contact_id is not None:
            contact_id = care_contact_id
        doctor_id = patient.physician_id
        if doctor_id == member.id and physician_id is not None:
            doctor_id = physician_id
        if contact_id is None or (contact_id, doctor_id) == (
            patient.care_contact_id,
            patient.physician_id,
        ):
            continue  # no one chosen yet: the plan shows the unit's number meanwhile
        if Action.ASSIGN_CONTACTS not in allowed_actions(actor, patient):
            continue
        contacts_assign(
            patient=patient,
            care_contact_id=contact_id,
            physician_id=doctor_id,
            message=message,
            changed_by=actor,
        )
        moved += 1
    staff_deactivate(admin=admin, member_id=member_id)
    return member, moved


__all__ = ["CareTeamError", "Handover", "StaffError", "handover_of", "staff_leave"]
