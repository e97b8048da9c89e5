"""Creating care units, staff members and patients."""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, true
from sqlalchemy.orm import joinedload

from webapp import audit
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import CareUnit, Patient, StaffMember, User, UserKind
from webapp.people.personnummer import InvalidPersonalNumber, normalise
from webapp.people.phone_hours import times_from_text

logger = logging.getLogger(__name__)


class PeopleError(UserFacingError):
    """A rule about people said no."""


def hours_split(text: str) -> tuple[list[list[int]] | None, str]:
    """Typed phone hours as weekdays and times when they read as such (then no text is
    kept), else as the text, shown as typed."""
    times = times_from_text(text) if text else None
    return (times, "") if times else (None, text)


def phone_hours_set(
    *, holder: StaffMember | CareUnit, phone: str, times: list[list[int]], note: str
) -> None:
    """A staff member's or unit's number and when it is answered; every plan showing it is
    rendered anew (they are directory rows)."""
    holder.phone, holder.phone_times, holder.phone_hours = phone, times or None, note


def care_unit_address_set(*, unit: CareUnit, address: str) -> None:
    unit.address = address


def care_unit_get_or_create(
    *, name: str, phone: str = "", phone_hours: str = "", address: str = ""
) -> CareUnit:
    unit = db.session.scalar(select(CareUnit).where(CareUnit.name == name))
    if unit is None:
        times, text = hours_split(phone_hours)
        unit = CareUnit(
            name=name, phone=phone, phone_hours=text, phone_times=times, address=address
        )
        db.session.add(unit)
        db.session.flush()
    return unit


def staff_create(
    *,
    unit: CareUnit,
    name: str,
    title: str,
    phone: str = "",
    phone_hours: str = "",
    is_physician: bool = False,
    is_unit_admin: bool = False,
    is_quality_lead: bool = False,
) -> StaffMember:
    user = User(kind=UserKind.STAFF, name=name)
    times, text = hours_split(phone_hours)
    staff = StaffMember(
        user=user,
        care_unit=unit,
        title=title,
        phone=phone,
        phone_hours=text,
        phone_times=times,
        is_physician=is_physician,
        is_unit_admin=is_unit_admin,
        is_quality_lead=is_quality_lead,
    )
    db.session.add(staff)
    db.session.flush()
    return staff


def personal_number_clean(raw: str | None) -> str | None:
    """None for an empty field; the 12-digit form for a valid one; PeopleError otherwise."""
    if raw is None or not raw.strip():
        return None
    try:
        return normalise(raw)
    except InvalidPersonalNumber as exc:
        raise PeopleError(
            _l(
                "Personnumret stämmer inte. Skriv det som ÅÅÅÅMMDD-NNNN, "
                "till exempel 19490312-1234, och kontrollera siffrorna."
            ),
            field="personal_number",
        ) from exc


def patient_create(
    *,
    created_by: StaffMember,
    name: str,
    phone: str,
    personal_number: str | None,
    physician_id: int | None = None,
) -> Patient:
    """A new patient at the creator's unit, with the creator as fixed care contact.

    A personnummer already listed at *another* unit is no reason to refuse: refusing would
    tell a stranger unit that the person is a patient elsewhere. The registration is written
    in the other record's access log instead, so that patient sees it.
    """
    number = personal_number_clean(personal_number)
    elsewhere: list[Patient] = []
    if number:
        same_number = list(
            db.session.scalars(select(Patient).where(Patient.personal_number == number))
        )
        if any(found.care_unit_id == created_by.care_unit_id for found in same_number):
            raise PeopleError(
                _l("Det finns redan en patient med det personnumret på din vårdenhet."),
                field="personal_number",
            )
        elsewhere = same_number
    physician = None
    if physician_id:
        physician = db.session.get(StaffMember, physician_id)
        if (
            physician is None
            or physician.care_unit_id != created_by.care_unit_id
            or physician.deactivated_at is not None
        ):
            raise PeopleError(_l("Välj en läkare på din vårdenhet."), field="physician_id")
    user = User(kind=UserKind.PATIENT, name=name)
    patient = Patient(
        user=user,
        care_unit_id=created_by.care_unit_id,
        phone=phone,
        personal_number=number,
        care_contact=created_by,
        physician=physician,
    )
    db.session.add(patient)
    db.session.flush()
    audit.change_record(actor=created_by.user, patient=patient, change=audit.Change.PATIENT_CREATED)
    for other in elsewhere:
        audit.change_record(
            actor=created_by.user, patient=other, change=audit.Change.REGISTERED_AT_OTHER_UNIT
        )
        logger.warning(
            "patient %s registered at unit %s with a personnummer already at unit %s",
            patient.id,
            created_by.care_unit_id,
            other.care_unit_id,
        )
    return patient


def physicians_at_unit(unit_id: int) -> list[StaffMember]:
    return list(
        db.session.scalars(
            select(StaffMember)
            .where(
                StaffMember.care_unit_id == unit_id,
                StaffMember.is_physician.is_(True),
                StaffMember.deactivated_at.is_(None),
                StaffMember.is_quality_lead.is_(False),
            )
            .options(joinedload(StaffMember.user))
        )
    )


def staff_at_unit(unit_id: int, *, include_former: bool = False) -> list[StaffMember]:
    return list(
        db.session.scalars(
            select(StaffMember)
            .where(
                StaffMember.care_unit_id == unit_id,
                true() if include_former else StaffMember.deactivated_at.is_(None),
                # A leader is nobody's contact: she sees no patient (webapp/access.py).
                true() if include_former else StaffMember.is_quality_lead.is_(False),
            )
            .options(joinedload(StaffMember.user))
            .join(StaffMember.user)
            .order_by(User.name)
        )
    )


def users_by_id(ids: set[int]) -> dict[int, User]:
    """The accounts with these ids, with their staff record and its unit: one query."""
    if not ids:
        return {}
    found = db.session.scalars(
        select(User)
        .where(User.id.in_(ids))
        .options(joinedload(User.staff).joinedload(StaffMember.care_unit))
    )
    return {user.id: user for user in found}
