"""Getting the sign-in link to the patient: making it (the first one, or one after a lost
phone), sending it as a text message from the care contact's own phone, and whether it has
been used since."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from webapp import audit
from webapp.auth import services as auth_services
from webapp.auth.models import Invitation, InvitationPurpose
from webapp.auth.passkeys.services import passkey_count
from webapp.care.needs import when_words
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.people.models import Patient, User


def sign_in_link_issue_for_patient(*, patient: Patient, by: User) -> str:
    """A sign-in link for a patient, made by staff: the first one, or after a lost phone.

    The door has already decided who may (the fixed care contact or the unit's
    administrator); the link is a change in the patient's log with who made it.
    """
    purpose = (
        InvitationPurpose.RECOVERY if passkey_count(patient.user) else InvitationPurpose.ONBOARDING
    )
    _invitation, token = auth_services.invitation_issue(
        user=patient.user, purpose=purpose, created_by=by
    )
    audit.change_record(actor=by, patient=patient, change=audit.Change.SIGN_IN_LINK_ISSUED)
    return token


SWEDEN = "+46"


def international_number(phone: str) -> str:
    """ "070-123 45 67" as "+46701234567": a text message app needs no guessing then."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.strip().startswith("+"):
        return f"+{digits}"
    if digits.startswith("00"):
        return f"+{digits[2:]}"
    if digits.startswith("0"):
        return f"{SWEDEN}{digits[1:]}"
    return digits


def sms_href(*, phone: str, url: str, unit_name: str) -> str:
    """An `sms:` link that opens the phone's messages with the text written. `?&body=` is
    the form both iOS and Android read; the body is percent-encoded (a space as %20, never
    "+", which iOS would show as a plus)."""
    body = _(
        "Hej! Här är din länk till Nära från %(unit)s. Öppna den i din telefon. "
        "Den fungerar en gång och går ut om %(hours)d timmar. %(url)s",
        unit=unit_name,
        hours=current_app.config["INVITATION_HOURS"],
        url=url,
    )
    return f"sms:{international_number(phone)}?&body={quote(body, safe='')}"


@dataclass(frozen=True)
class LinkStatus:
    text: str
    act: bool  # she should make a new link


def link_status(patient: Patient) -> LinkStatus | None:
    """What became of the last sign-in link care made for the patient (one query); None if
    care has made none."""
    invitation = db.session.scalar(
        select(Invitation)
        .where(
            Invitation.user_id == patient.user_id,
            Invitation.purpose.in_([InvitationPurpose.ONBOARDING, InvitationPurpose.RECOVERY]),
        )
        .order_by(Invitation.id.desc())
        .limit(1)
    )
    if invitation is None:
        return None
    if invitation.used_at is not None:
        return LinkStatus(
            _("Länken användes %(when)s.", when=when_words(invitation.used_at)), False
        )
    if invitation.revoked_at is not None:
        return LinkStatus(_("Länken gäller inte längre. Den användes aldrig."), True)
    if invitation.expires_at <= now_utc():
        return LinkStatus(
            _("Länken gick ut %(when)s utan att användas.", when=when_words(invitation.expires_at)),
            True,
        )
    return LinkStatus(
        _(
            "Länken har inte använts ännu. Den går ut %(when)s.",
            when=when_words(invitation.expires_at),
        ),
        False,
    )
