"""Creating care units, staff members and patients."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import CareUnit, Patient, StaffMember, User, UserKind
from webapp.people.personnummer import InvalidPersonalNumber, normalise


class PeopleError(UserFacingError):
    """A rule about people said no; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def care_unit_get_or_create(*, name: str, phone: str = "", phone_hours: str = "") -> CareUnit:
    unit = db.session.scalar(select(CareUnit).where(CareUnit.name == name))
    if unit is None:
        unit = CareUnit(name=name, phone=phone, phone_hours=phone_hours)
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
) -> StaffMember:
    user = User(kind=UserKind.STAFF, name=name)
    staff = StaffMember(
        user=user,
        care_unit=unit,
        title=title,
        phone=phone,
        phone_hours=phone_hours,
        is_physician=is_physician,
        is_unit_admin=is_unit_admin,
    )
    db.session.add(staff)
    db.session.commit()
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
    """A new patient at the creator's unit, with the creator as fixed care contact."""
    number = personal_number_clean(personal_number)
    if number and db.session.scalar(select(Patient.id).where(Patient.personal_number == number)):
        raise PeopleError(
            _l("Det finns redan en patient med det personnumret."), field="personal_number"
        )
    physician = None
    if physician_id:
        physician = db.session.get(StaffMember, physician_id)
        if physician is None or physician.care_unit_id != created_by.care_unit_id:
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
    db.session.commit()
    return patient


def patients_at_unit(unit_id: int) -> list[Patient]:
    return list(
        db.session.scalars(
            select(Patient)
            .where(Patient.care_unit_id == unit_id)
            .options(
                joinedload(Patient.user),
                joinedload(Patient.care_contact).joinedload(StaffMember.user),
            )
            .join(Patient.user)
            .order_by(User.name)
        )
    )


def physicians_at_unit(unit_id: int) -> list[StaffMember]:
    return list(
        db.session.scalars(
            select(StaffMember)
            .where(StaffMember.care_unit_id == unit_id, StaffMember.is_physician.is_(True))
            .options(joinedload(StaffMember.user))
        )
    )


def staff_at_unit(unit_id: int) -> list[StaffMember]:
    return list(
        db.session.scalars(
            select(StaffMember)
            .where(StaffMember.care_unit_id == unit_id)
            .options(joinedload(StaffMember.user))
            .join(StaffMember.user)
            .order_by(User.name)
        )
    )
