"""The WebAuthn ceremonies, with single-use server-side challenges.

The challenge is a database row with an expiry; the session holds only its id. Verification
first deletes the row (and commits), so a response can never be checked against the same
challenge twice. RP ID and origin come from configuration, never from the request.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from flask import current_app, session
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from webapp.auth import services as auth_services
from webapp.auth.models import InvitationPurpose, SecurityEvent, SecurityEventKind
from webapp.auth.passkeys.models import Credential, WebAuthnChallenge
from webapp.auth.sessions import (
    current_session,
    session_is_fresh,
    session_mark_fresh,
    sessions_end_all,
    start_session,
)
from webapp.clock import now_utc
from webapp.db import rowcount
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import User
from webapp.unit_of_work import atomic

SESSION_KEY = "webauthn_challenge_id"
REGISTER = "register"
AUTHENTICATE = "authenticate"


class PasskeyError(UserFacingError):
    pass


CHALLENGE_GONE = _l(
    "Det tog för lång tid, eller så har försöket redan använts. Tryck på knappen och försök igen."
)
NOT_ACCEPTED = _l(
    "Nyckeln kunde inte godkännas. Försök igen. Fungerar det inte, ring din vårdkontakt."
)
NEEDS_FRESH_CHECK = _l(
    'Bekräfta först med din nyckel att det är du. Tryck på "Bekräfta att det är jag".'
)
UNKNOWN_PASSKEY = _l(
    "Den här nyckeln känns inte igen. Den kan ha tagits bort. Be din vårdkontakt om en ny inbjudan."
)


def _store_challenge(
    *, purpose: str, challenge: bytes, user: User | None, invitation_id: int | None = None
) -> None:
    now = now_utc()
    # Housekeeping on the way: expired challenges are of no use to anyone.
    db.session.execute(delete(WebAuthnChallenge).where(WebAuthnChallenge.expires_at < now))
    row = WebAuthnChallenge(
        id=secrets.token_urlsafe(32),
        purpose=purpose,
        challenge=challenge,
        user_id=user.id if user else None,
        invitation_id=invitation_id,
        expires_at=now + timedelta(seconds=current_app.config["WEBAUTHN_CHALLENGE_SECONDS"]),
    )
    db.session.add(row)
    db.session.flush()
    session[SESSION_KEY] = row.id


def _take_challenge(purpose: str) -> WebAuthnChallenge:
    """Remove the session's challenge from the database and return it, or refuse."""
    challenge_id = session.pop(SESSION_KEY, None)
    if not isinstance(challenge_id, str):
        raise PasskeyError(CHALLENGE_GONE)
    row = db.session.get(WebAuthnChallenge, challenge_id)
    if row is None:
        raise PasskeyError(CHALLENGE_GONE)
    # Used up and committed before the response is checked, whatever the check says next,
    # so the same challenge can never be answered twice.
    with atomic():
        deleted = db.session.execute(
            delete(WebAuthnChallenge).where(WebAuthnChallenge.id == challenge_id)
        )
    if rowcount(deleted) != 1 or row.purpose != purpose or row.expires_at <= now_utc():
        raise PasskeyError(CHALLENGE_GONE)
    return row


def _rp() -> tuple[str, str, str]:
    config = current_app.config
    return config["WEBAUTHN_RP_ID"], config["WEBAUTHN_RP_NAME"], config["WEBAUTHN_ORIGIN"]


def registration_options(*, user: User, invitation_id: int | None) -> dict[str, Any]:
    if invitation_id is None and not session_is_fresh():
        raise PasskeyError(NEEDS_FRESH_CHECK)
    rp_id, rp_name, _origin = _rp()
    existing = db.session.scalars(
        select(Credential.credential_id).where(Credential.user_id == user.id)
    )
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=rp_name,
        user_id=user.webauthn_handle,
        user_name=user.name,
        user_display_name=user.name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=cid) for cid in existing],
    )
    _store_challenge(
        purpose=REGISTER, challenge=options.challenge, user=user, invitation_id=invitation_id
    )
    options_json: dict[str, Any] = json.loads(options_to_json(options))
    return options_json


def _default_name(user: User) -> str:
    count = db.session.scalar(
        select(func.count()).select_from(Credential).where(Credential.user_id == user.id)
    )
    return str(
        _(
            "Nyckel %(number)s, skapad %(date)s",
            number=(count or 0) + 1,
            date=format_date(now_utc()),
        )
    )


def _transports(credential: Any) -> list[str]:
    """The transports the browser named (a hint for later sign-ins): the known ones of a list
    of strings; anything else the browser cannot have meant, so there is no hint."""
    response = credential.get("response") if isinstance(credential, dict) else None
    raw = response.get("transports") if isinstance(response, dict) else None
    if not isinstance(raw, list):
        return []
    known = {member.value for member in AuthenticatorTransport}
    named = [value for value in raw if isinstance(value, str) and value in known]
    return list(dict.fromkeys(named))  # each once, in the browser's order


def registration_complete(
    *, credential: Any, signed_in_user: User | None
) -> tuple[User, Credential]:
    """Verify a registration response; store the passkey. Redeems the invitation if any."""
    row = _take_challenge(REGISTER)
    user = db.session.get(User, row.user_id) if row.user_id else None
    if user is None or (signed_in_user is not None and signed_in_user.id != user.id):
        raise PasskeyError(CHALLENGE_GONE)
    if signed_in_user is None and row.invitation_id is None:
        raise PasskeyError(CHALLENGE_GONE)
    rp_id, _name, origin = _rp()
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=row.challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        current_app.logger.info("passkey registration refused: %s", exc)
        raise PasskeyError(NOT_ACCEPTED) from exc

    if signed_in_user is not None and not session_is_fresh():
        raise PasskeyError(NEEDS_FRESH_CHECK)
    purpose, issued_by = None, None
    if row.invitation_id is not None:
        invitation = auth_services.invitation_redeem(row.invitation_id)
        purpose = invitation.purpose
        if invitation.created_by_id not in (None, user.id):
            issued_by = invitation.created_by_id
    if db.session.scalar(
        select(Credential.id).where(Credential.credential_id == verified.credential_id)
    ):
        raise PasskeyError(NOT_ACCEPTED)
    transports = _transports(credential)
    passkey = Credential(
        user_id=user.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(transports),
        backed_up=verified.credential_backed_up,
        name=_default_name(user),
        added_via=purpose or "signed_in",
        link_issued_by_user_id=issued_by,
    )
    db.session.add(passkey)
    kind = (
        SecurityEventKind.PASSKEY_ADDED_BY_RECOVERY
        if purpose == InvitationPurpose.RECOVERY
        else SecurityEventKind.PASSKEY_ADDED
    )
    auth_services.security_event_record(user=user, kind=kind, detail=passkey.name)
    db.session.flush()
    return user, passkey


def session_begin_after_registration(user: User, passkey: Credential) -> None:
    """Sign in on the device that just made a passkey with a link.

    A lost-phone link ends every other session of the account: whoever holds the old phone
    (or a copy of its cookie) is out, and the patient is told on every device they sign in on.
    """
    start_session(user, passkey_id=passkey.id)
    if passkey.added_via == InvitationPurpose.RECOVERY:
        sessions_end_all(user, keep_current=True)
        auth_services.security_event_record(user=user, kind=SecurityEventKind.SIGNED_IN_BY_RECOVERY)


def authentication_options(*, for_user: User | None = None) -> dict[str, Any]:
    """Options for signing in (no user: a discoverable passkey finds its own account, no user
    name needed) or for a signed-in user's fresh check (only their own passkeys)."""
    rp_id, _name, _origin = _rp()
    allowed = (
        [
            PublicKeyCredentialDescriptor(id=cid)
            for cid in db.session.scalars(
                select(Credential.credential_id).where(Credential.user_id == for_user.id)
            )
        ]
        if for_user is not None
        else None
    )
    options = generate_authentication_options(
        rp_id=rp_id,
        user_verification=UserVerificationRequirement.REQUIRED,
        allow_credentials=allowed,
    )
    _store_challenge(purpose=AUTHENTICATE, challenge=options.challenge, user=for_user)
    options_json: dict[str, Any] = json.loads(options_to_json(options))
    return options_json


def authentication_complete(*, credential: Any) -> tuple[User, Credential]:
    row = _take_challenge(AUTHENTICATE)
    if not isinstance(credential, dict) or not isinstance(credential.get("rawId"), str):
        raise PasskeyError(NOT_ACCEPTED)
    try:
        raw_id = base64url_to_bytes(credential["rawId"])
    except (ValueError, TypeError) as exc:
        raise PasskeyError(NOT_ACCEPTED) from exc
    passkey = db.session.scalar(select(Credential).where(Credential.credential_id == raw_id))
    if passkey is None:
        raise PasskeyError(UNKNOWN_PASSKEY)
    rp_id, _name, origin = _rp()
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=row.challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        current_app.logger.info("passkey sign-in refused: %s", exc)
        raise PasskeyError(NOT_ACCEPTED) from exc
    # user.handle must match when the authenticator sends one.
    handle = (credential.get("response") or {}).get("userHandle")
    user = db.session.get(User, passkey.user_id)
    assert user is not None
    if handle and handle != bytes_to_base64url(user.webauthn_handle):
        raise PasskeyError(NOT_ACCEPTED)
    if row.user_id is not None and row.user_id != user.id:
        raise PasskeyError(NOT_ACCEPTED)  # a fresh check must be made with one's own passkey
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now_utc()
    return user, passkey


def fresh_check_complete(*, credential: Any, user: User) -> None:
    """The signed-in user proved again, with their passkey, that it is them."""
    found, _passkey = authentication_complete(credential=credential)
    if found.id != user.id:
        raise PasskeyError(NOT_ACCEPTED)
    session_mark_fresh()


def passkey_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Credential).where(Credential.user_id == user.id)
        )
        or 0
    )


def passkeys_remove_all(user: User) -> None:
    db.session.execute(delete(Credential).where(Credential.user_id == user.id))


def passkeys_of(user: User) -> list[Credential]:
    return list(
        db.session.scalars(
            select(Credential)
            .where(Credential.user_id == user.id)
            .options(joinedload(Credential.link_issued_by))
            .order_by(Credential.created_at)
        )
    )


def passkey_signed_in_with() -> Credential | None:
    """The passkey this session was signed in with (None: by a link, or it is gone)."""
    row = current_session()
    if row is None or row.passkey_id is None:
        return None
    return db.session.get(Credential, row.passkey_id)


def _owned(user: User, passkey_id: int) -> Credential:
    passkey = db.session.get(Credential, passkey_id)
    if passkey is None or passkey.user_id != user.id:
        raise PasskeyError(_l("Nyckeln finns inte."))
    return passkey


def passkey_rename(*, user: User, passkey_id: int, name: str) -> Credential:
    passkey = _owned(user, passkey_id)
    passkey.name = name
    return passkey


def passkey_remove(*, user: User, passkey_id: int) -> None:
    if not session_is_fresh():
        raise PasskeyError(NEEDS_FRESH_CHECK)
    passkey = _owned(user, passkey_id)
    if len(passkeys_of(user)) <= 1:
        raise PasskeyError(
            _l(
                "Du kan inte ta bort din enda nyckel, för då kan du inte logga in. "
                "Lägg först till en nyckel på en annan enhet."
            )
        )
    auth_services.security_event_record(
        user=user, kind=SecurityEventKind.PASSKEY_REMOVED, detail=passkey.name
    )
    db.session.delete(passkey)


# A key added with a staff-made link could be the staff member's own: from that key, the notice
# about it cannot be put away until a day has passed, so the patient's own devices see it.
NOTICE_KEPT_FROM_NEW_KEY = timedelta(days=1)

NOTICE_KEPT = _l(
    "Meddelandet om den nya nyckeln kan inte tas bort från den nya nyckeln i dag. "
    "Ta bort det från en annan av dina enheter, eller i morgon. Känner du inte igen "
    "nyckeln? Ring din vårdenhet."
)


def security_events_acknowledge(user: User, *, signed_in_with: Credential | None) -> None:
    """Put away the notices, unless this session signed in with a key that a staff-made link
    added less than a day ago (it may be that very key the notice warns about)."""
    if (
        signed_in_with is not None
        and signed_in_with.added_via == InvitationPurpose.RECOVERY
        and now_utc() - signed_in_with.created_at < NOTICE_KEPT_FROM_NEW_KEY
    ):
        raise PasskeyError(NOTICE_KEPT)
    db.session.execute(
        update(SecurityEvent)
        .where(SecurityEvent.user_id == user.id, SecurityEvent.acknowledged_at.is_(None))
        .values(acknowledged_at=now_utc())
    )
