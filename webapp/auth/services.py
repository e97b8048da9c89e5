"""Invitations: issuing, checking and redeeming the one-time links that let a passkey be made;
and the security events (a key added, signed out everywhere) a person is told about.

Passkeys build on this module (webapp/auth/passkeys/), never the other way round: what needs
both, like a patient's link that depends on the keys they have, lives with its caller
(webapp/care/invitation.py, webapp/care/staff.py).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

import segno
from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select, update

from webapp.auth.models import Invitation, InvitationPurpose, SecurityEvent, SecurityEventKind
from webapp.auth.sessions import sessions_end_all
from webapp.clock import now_utc
from webapp.db import rowcount
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User

NEW_DEVICE_LIFETIME = timedelta(minutes=15)


class InvitationError(UserFacingError):
    pass


UNKNOWN = _l(
    "Länken fungerar inte. Kontrollera att du har fått med hela länken, "
    "eller be din vårdkontakt om en ny."
)
EXPIRED = _l("Länken har gått ut. Be din vårdkontakt om en ny länk.")
USED = _l(
    "Länken har redan använts. Logga in med din nyckel, eller be din vårdkontakt om en ny länk."
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def invitations_revoke_open(user: User) -> None:
    """Every link of the user that could still be used stops working."""
    db.session.execute(
        update(Invitation)
        .where(
            Invitation.user_id == user.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now_utc())
    )


def invitation_issue(
    *, user: User, purpose: InvitationPurpose, created_by: User | None
) -> tuple[Invitation, str]:
    """Make a new invitation and return it with its token; older open ones stop working."""
    now = now_utc()
    invitations_revoke_open(user)
    lifetime = (
        NEW_DEVICE_LIFETIME
        if purpose is InvitationPurpose.NEW_DEVICE
        else timedelta(hours=current_app.config["INVITATION_HOURS"])
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        user_id=user.id,
        purpose=purpose,
        token_hash=hash_token(token),
        created_by_id=created_by.id if created_by else None,
        expires_at=now + lifetime,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def sign_in_link_issue_for_staff(*, member: StaffMember, by: User) -> str:
    """A new staff member's first sign-in link, made by the unit's administrator."""
    _invitation, token = invitation_issue(
        user=member.user, purpose=InvitationPurpose.ONBOARDING, created_by=by
    )
    return token


def invitation_find_redeemable(token: str) -> Invitation:
    """The open invitation behind a token, or InvitationError saying why it cannot be used."""
    if not token or len(token) > 100:
        raise InvitationError(UNKNOWN)
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None:
        raise InvitationError(UNKNOWN)
    if invitation.used_at is not None:
        raise InvitationError(USED)
    if invitation.revoked_at is not None or invitation.expires_at <= now_utc():
        raise InvitationError(EXPIRED)
    return invitation


def invitation_redeem(invitation_id: int) -> Invitation:
    """Mark the invitation used, once: two racing redemptions cannot both win."""
    now = now_utc()
    result = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now)
    )
    if rowcount(result) != 1:
        raise InvitationError(USED)
    invitation = db.session.get(Invitation, invitation_id)
    assert invitation is not None
    return invitation


def invitation_url(token: str) -> str:
    base: str = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for("auth.invitation", token=token)
    with current_app.test_request_context():  # from a flask command: build the path alone
        return base + url_for("auth.invitation", token=token)


def qr_svg(url: str) -> Markup:
    """The link as an inline SVG QR code (markup only: no script, no style attribute)."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=5, dark="#000", light="#fff", omitsize=True)
    return Markup(svg)  # noqa: S704 - segno's own output, the URL is ours


SECURITY_EVENT_WORDS = {
    SecurityEventKind.PASSKEY_ADDED: _l("En nyckel lades till"),
    SecurityEventKind.PASSKEY_ADDED_BY_RECOVERY: _l(
        "En nyckel lades till med en länk från din vårdkontakt"
    ),
    SecurityEventKind.PASSKEY_REMOVED: _l("En nyckel togs bort"),
    SecurityEventKind.SIGNED_OUT_EVERYWHERE: _l("Du loggade ut på alla enheter"),
    SecurityEventKind.SIGNED_IN_BY_RECOVERY: _l(
        "Någon loggade in med en länk från vårdenheten. Dina andra inloggningar avslutades."
    ),
}


def security_event_record(*, user: User, kind: SecurityEventKind, detail: str = "") -> None:
    db.session.add(SecurityEvent(user_id=user.id, kind=kind, detail=detail[:200]))


def security_events_unacknowledged(user: User) -> list[SecurityEvent]:
    return list(
        db.session.scalars(
            select(SecurityEvent)
            .where(
                SecurityEvent.user_id == user.id,
                SecurityEvent.acknowledged_at.is_(None),
                SecurityEvent.kind == SecurityEventKind.PASSKEY_ADDED_BY_RECOVERY,
            )
            .order_by(SecurityEvent.created_at)
        )
    )


def security_events_recent(user: User, limit: int = 20) -> list[SecurityEvent]:
    return list(
        db.session.scalars(
            select(SecurityEvent)
            .where(SecurityEvent.user_id == user.id)
            .order_by(SecurityEvent.created_at.desc(), SecurityEvent.id.desc())
            .limit(limit)
        )
    )


def sign_out_everywhere(user: User) -> None:
    sessions_end_all(user)
    security_event_record(user=user, kind=SecurityEventKind.SIGNED_OUT_EVERYWHERE)


def sign_in_links_unused(
    patient_ids: Sequence[int],
) -> list[tuple[int, datetime, datetime | None]]:
    """Each patient's latest sign-in link made by care (first or after a lost phone), if it
    was never used: (patient id, when it runs out, when it was revoked). One query."""
    latest = (
        select(func.max(Invitation.id))
        .join(Patient, Patient.user_id == Invitation.user_id)
        .where(
            Patient.id.in_(patient_ids),
            Invitation.purpose.in_([InvitationPurpose.ONBOARDING, InvitationPurpose.RECOVERY]),
        )
        .group_by(Invitation.user_id)
    )
    rows = db.session.execute(
        select(Patient.id, Invitation.expires_at, Invitation.revoked_at)
        .join(Invitation, Invitation.user_id == Patient.user_id)
        .where(Invitation.id.in_(latest), Invitation.used_at.is_(None))
    )
    return [(patient_id, expires_at, revoked_at) for patient_id, expires_at, revoked_at in rows]
