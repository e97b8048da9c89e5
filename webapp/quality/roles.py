"""The leader role (verksamhetschef or quality lead), set by the unit's administrator.

A leader sees the unit's figures and the stories the unit may use, and no patient: the door
gives the role no patient route at all (webapp/access.py). So a leader is nobody's fixed
care contact or physician: the role is refused while she is still one.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember


class RoleError(UserFacingError):
    """The role could not be changed; the message says why."""


def quality_lead_set(*, admin: StaffMember, member_id: int, lead: bool) -> StaffMember | None:
    """Give or take the leader role. The member when it changed, None when it already was so."""
    member = db.session.get(StaffMember, member_id)
    if member is None or member.care_unit_id != admin.care_unit_id:
        raise RoleError(_l("Personen finns inte på din vårdenhet."))
    if member.deactivated_at is not None:
        raise RoleError(_l("%(name)s har slutat. Rollen kan inte ändras.", name=member.name))
    if member.is_quality_lead == lead:
        return None
    if lead:
        patients = db.session.scalar(
            select(func.count())
            .select_from(Patient)
            .where(or_(Patient.care_contact_id == member.id, Patient.physician_id == member.id))
        )
        if patients:
            raise RoleError(
                _l(
                    "%(name)s är fast vårdkontakt eller läkare för %(num)d patienter. Ge dem en "
                    "annan kontakt först: en verksamhetschef ser inga patienter.",
                    name=member.name,
                    num=patients,
                )
            )
    member.is_quality_lead = lead
    db.session.flush()
    return member
