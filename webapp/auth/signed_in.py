"""Who is signed in for this request: Flask-Login's user loader.

The browser's cookie (Flask's signed session) holds the user's id and a random token; the
`UserSession` row with that token's hash decides. One query loads the row with its account,
the account's patient or staff record, whether a security notice waits for the account and
the directory version (which keys the kept "Min plan" with the staff and unit details it
shows). Flask-Login gets the account, a plain `User`; the rest of what was loaded is this
request's `SignedIn`, from `signed_in()`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from flask import current_app, g, has_request_context, session
from flask_login import current_user
from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.orm import joinedload

from webapp.auth.models import SecurityEvent, SecurityEventKind, UserSession
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.people.models import DirectoryVersion, User
from webapp.routing import ID_MAX

TOKEN_KEY = "sid"  # noqa: S105 - the name of a cookie field, not a secret
# Writing last_seen_at on every request would make every page a write; a minute's precision
# is plenty for an idle limit counted in tens of minutes.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SignedIn:
    """What a signed-in request knows besides the account: its server-side session, whether
    a security notice waits, and the directory version its kept pages are keyed by."""

    session: UserSession
    security_notice_waits: bool
    directory_version: int


def token_hash(token: str) -> str:
    """What the session row keeps of the cookie's token: a copy of the table signs no one in."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _security_notice_waits() -> Any:
    return (
        exists()
        .where(
            SecurityEvent.user_id == UserSession.user_id,
            SecurityEvent.acknowledged_at.is_(None),
            SecurityEvent.kind == SecurityEventKind.PASSKEY_ADDED_BY_RECOVERY,
        )
        .label("security_notice_waits")
    )


def _directory_version() -> Select[Any]:
    """The directory version's one row (none before the first write to staff or unit
    details, which counts as 0)."""
    return select(DirectoryVersion.value).where(DirectoryVersion.id == 1)


# Built once: composing the statement costs more than running it, and every signed-in request
# runs it.
@cache
def _signed_in_query() -> Select[Any]:
    return (
        select(
            UserSession,
            _security_notice_waits(),
            _directory_version().scalar_subquery().label("directory_version"),
        )
        .options(
            joinedload(UserSession.user).joinedload(User.patient),
            joinedload(UserSession.user).joinedload(User.staff),
        )
        .where(
            UserSession.token_hash == bindparam("token_hash"),
            UserSession.user_id == bindparam("user_id"),
            UserSession.ended_at.is_(None),
        )
    )


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the account behind this cookie's server-side session, if the
    session lives. One that has run out of time is ended here."""
    token = session.get(TOKEN_KEY)
    if not user_id.isdigit() or int(user_id) > ID_MAX or not isinstance(token, str):
        return None
    found = db.session.execute(
        _signed_in_query(), {"token_hash": token_hash(token), "user_id": int(user_id)}
    ).first()
    if found is None:
        return None
    row: UserSession = found[0]
    notice_waits, directory_version = found[1], found[2]
    user = row.user
    now = now_utc()
    idle = current_app.config["PERMANENT_SESSION_LIFETIME"]
    if (
        row.expires_at <= now
        or row.last_seen_at + idle <= now
        or (user.staff is not None and user.staff.deactivated_at is not None)
    ):
        row.ended_at = now
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.modified = True  # the cookie's expiry follows (SESSION_REFRESH_EACH_REQUEST off)
    g.signed_in = SignedIn(row, bool(notice_waits), directory_version or 0)
    return user


def signed_in_now(row: UserSession) -> None:
    """This request's `SignedIn` for a session that starts now (its account just proved
    who it is, so no notice is shown on this request)."""
    g.signed_in = SignedIn(row, False, db.session.scalar(_directory_version()) or 0)


def signed_in() -> SignedIn | None:
    """This request's signed-in session (None when nobody is signed in)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    found: SignedIn | None = g.get("signed_in")
    return found


def security_notice_waits() -> bool:
    """Whether the signed-in account has a security notice to read (False when nobody is
    signed in)."""
    found = signed_in()
    return found is not None and found.security_notice_waits


def directory_version() -> int:
    """The directory version as the signed-in request read it (0 when nobody is signed in)."""
    found = signed_in()
    return found.directory_version if found is not None else 0
