"""The unit's staff: ending a member's access when they leave."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.auth import services as auth_services
from webapp.auth.passkeys.services import passkeys_remove_all
from webapp.auth.sessions import sessions_end_all
from webapp.clock import now_utc
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import StaffMember


class StaffError(UserFacingError):
    pass


def staff_deactivate(*, admin: StaffMember, member_id: int) -> StaffMember:
    """End a staff member's access at once: sessions, passkeys and open links go; the person
    stays, so logs still name them (as former staff)."""
    member = db.session.get(StaffMember, member_id)
    if member is None or member.care_unit_id != admin.care_unit_id:
        raise StaffError(_l("Personen finns inte på din vårdenhet."))
    if member.id == admin.id:
        raise StaffError(_l("Du kan inte avsluta din egen åtkomst. Be en annan administratör."))
    if member.deactivated_at is not None:
        return member
    member.deactivated_at = now_utc()
    sessions_end_all(member.user)
    passkeys_remove_all(member.user)
    auth_services.invitations_revoke_open(member.user)
    return member
