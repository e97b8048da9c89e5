"""Signed-in sessions, kept on the server.

The cookie (Flask's signed session) holds a random token and nothing readable of value; the
`UserSession` row behind it decides. A session ends when its owner signs out (that session)
or signs out everywhere (all of them), after `SESSION_IDLE_MINUTES` without a request, at its
absolute end (`SESSION_MAX_HOURS_PATIENT` / `_STAFF`), when a recovery link is used, and when
a staff member is deactivated. An ended session's cookie opens nothing, wherever it was
copied to.

Adding or removing a passkey needs a *fresh* session: one whose owner proved with their
passkey, within the last `FRESH_SIGN_IN_MINUTES`, that it is them.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_request_context, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user, logout_user
from sqlalchemy import Select, bindparam, exists, select, update

from webapp.auth.signed_in import SignedIn, columns_labelled
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User
from webapp.routing import ID_MAX

TOKEN_KEY = "sid"  # noqa: S105 - the name of a cookie field, not a secret
# Writing last_seen_at on every request would make every page a write; a minute's precision
# is plenty for an idle limit counted in tens of minutes.
TOUCH_EVERY = timedelta(seconds=60)


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Logga in för att se sidan.")
    login_manager.login_message_category = "info"
    # "basic", not "strong": a phone moving between wifi and mobile data changes its address,
    # and an old patient must not be thrown out for that. Fixation is prevented instead by
    # start_session() clearing the cookie's content at sign-in.
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# Built once: composing a statement costs more than running it. Kept to one query, since
# every signed-in request runs it: the session, the account with its patient or staff
# record, whether a security notice waits, and the directory version that keys the cached
# plan. Plain columns, no ORM objects (webapp/signed_in.py).
@cache
def _session_query() -> Select[Any]:
    # Imported here: webapp.auth's views import this module.
    from webapp.auth.models import SecurityEvent, SecurityEventKind, UserSession
    from webapp.plan.freshness import directory_version_query

    return (
        select(
            *columns_labelled(UserSession, "session_"),
            *columns_labelled(User, "user_"),
            *columns_labelled(Patient, "patient_"),
            *columns_labelled(StaffMember, "staff_"),
            exists()
            .where(
                SecurityEvent.user_id == User.id,
                SecurityEvent.acknowledged_at.is_(None),
                SecurityEvent.kind == SecurityEventKind.PASSKEY_ADDED_BY_RECOVERY,
            )
            .label("has_security_notice"),
            directory_version_query().label("directory_version"),
        )
        .select_from(UserSession)
        .join(User, User.id == UserSession.user_id)
        .outerjoin(Patient, Patient.user_id == User.id)
        .outerjoin(StaffMember, StaffMember.user_id == User.id)
        .where(
            UserSession.token_hash == bindparam("token_hash"),
            UserSession.user_id == bindparam("user_id"),
            UserSession.ended_at.is_(None),
        )
    )


@cache
def _session_update(column: str) -> Any:
    """One time of a session row: its last request, or its end (one column only, so a touch
    never undoes an end written meanwhile by another request)."""
    from webapp.auth.models import UserSession

    target = UserSession.__table__.c[column]
    return (
        update(UserSession)
        .where(UserSession.id == bindparam("session_id"))
        .values({target: bindparam("value", type_=target.type)})
    )


def load_user(user_id: str) -> SignedIn | None:
    """Flask-Login's loader: the person behind this cookie's server-side session, if it lives."""
    token = session.get(TOKEN_KEY)
    if not user_id.isdigit() or int(user_id) > ID_MAX or not isinstance(token, str):
        return None
    found = (
        db.session.connection()
        .execute(_session_query(), {"token_hash": _hash(token), "user_id": int(user_id)})
        .mappings()
        .first()
    )
    if found is None:
        return None
    row = dict(found)
    now = now_utc()
    idle = current_app.config["PERMANENT_SESSION_LIFETIME"]
    last_seen = row["session_last_seen_at"]
    if (
        row["session_expires_at"] <= now
        or last_seen + idle <= now
        or (row["staff_id"] is not None and row["staff_deactivated_at"] is not None)
    ):
        _session_write(row, "ended_at", now)
        return None
    if now - last_seen >= TOUCH_EVERY:
        _session_write(row, "last_seen_at", now)
        session.modified = True  # the cookie's expiry follows (SESSION_REFRESH_EACH_REQUEST off)
    return SignedIn(row)


def _session_write(row: dict[str, Any], column: str, value: datetime) -> None:
    """Write one time of the session row, and keep `row` as it now is."""
    row["session_" + column] = value
    db.session.execute(_session_update(column), {"session_id": row["session_id"], "value": value})


def current_session() -> Any:
    """The signed-in request's `UserSession` row (None when nobody is signed in)."""
    from flask_login import current_user

    if not has_request_context() or not current_user.is_authenticated:
        return None
    row = g.get("user_session")
    if row is None and isinstance(current_user._get_current_object(), SignedIn):
        row = g.user_session = current_user.session_row()
    return row


def start_session(user: User, *, passkey_id: int | None) -> None:
    """Sign in with a fresh session: nothing from before sign-in survives (no fixation).

    Signing in is itself a passkey check with user verification, so the session starts fresh.
    """
    from webapp.auth.models import UserSession

    language = session.get("lang")
    session.clear()
    session.permanent = True  # the cookie's own idle limit matches the server's
    token = secrets.token_urlsafe(32)
    now = now_utc()
    hours_key = "SESSION_MAX_HOURS_STAFF" if user.staff is not None else "SESSION_MAX_HOURS_PATIENT"
    row = UserSession(
        token_hash=_hash(token),
        user_id=user.id,
        passkey_id=passkey_id,
        created_at=now,
        last_seen_at=now,
        verified_at=now,
        expires_at=now + timedelta(hours=current_app.config[hours_key]),
    )
    db.session.add(row)
    db.session.flush()
    session[TOKEN_KEY] = token
    if language:
        session["lang"] = language
    login_user(user)
    g.user_session = row


def end_session() -> None:
    """Sign out here: the server forgets this session, and the browser its cookie."""
    row = current_session()
    if row is not None:
        row.ended_at = now_utc()
    logout_user()
    session.clear()


def sessions_end_all(user: User, *, keep_current: bool = False) -> None:
    """End every session of the user (all devices); `keep_current` spares this one."""
    from webapp.auth.models import UserSession

    statement = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=now_utc())
    )
    current = current_session()
    if keep_current and current is not None:
        statement = statement.where(UserSession.id != current.id)
    db.session.execute(statement)


def session_is_fresh() -> bool:
    row = current_session()
    if row is None:
        return False
    window = timedelta(minutes=current_app.config["FRESH_SIGN_IN_MINUTES"])
    return bool(now_utc() - row.verified_at <= window)


def session_mark_fresh() -> None:
    row = current_session()
    if row is not None:
        row.verified_at = now_utc()


def stash_put(kind: str, value: str, owner_id: int) -> None:
    """Keep a secret for the next page of this session only (not in the readable cookie)."""
    row = current_session()
    if row is not None:
        row.stash = json.dumps({"kind": kind, "value": value, "owner": owner_id})


def stash_take(kind: str, owner_id: int) -> str | None:
    """The stashed secret, once: it is forgotten as it is read."""
    row = current_session()
    if row is None or not row.stash:
        return None
    try:
        found = json.loads(row.stash)
    except ValueError:
        found = {}
    row.stash = None
    if found.get("kind") == kind and found.get("owner") == owner_id:
        return str(found.get("value"))
    return None


def is_safe_next(target: object) -> TypeGuard[str]:
    """Only a local path may follow sign-in: no scheme, no host, no //, no backslash tricks."""
    if not isinstance(target, str) or not target.startswith("/"):
        return False
    if target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
