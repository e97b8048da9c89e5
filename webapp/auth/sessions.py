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

import json
import secrets
from datetime import timedelta
from typing import TypeGuard
from urllib.parse import urlsplit

from flask import Flask, current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user, logout_user
from sqlalchemy import update

from webapp.auth.models import UserSession
from webapp.auth.signed_in import TOKEN_KEY, load_user, signed_in, signed_in_now, token_hash
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.people.models import User


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


def current_session() -> UserSession | None:
    """The signed-in request's `UserSession` row (None when nobody is signed in)."""
    found = signed_in()
    return found.session if found is not None else None


def start_session(user: User, *, passkey_id: int | None) -> None:
    """Sign in with a fresh session: nothing from before sign-in survives (no fixation).

    Signing in is itself a passkey check with user verification, so the session starts fresh.
    """
    language = session.get("lang")
    session.clear()
    session.permanent = True  # the cookie's own idle limit matches the server's
    token = secrets.token_urlsafe(32)
    now = now_utc()
    hours_key = "SESSION_MAX_HOURS_STAFF" if user.staff is not None else "SESSION_MAX_HOURS_PATIENT"
    row = UserSession(
        token_hash=token_hash(token),
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
    signed_in_now(row)


def end_session() -> None:
    """Sign out here: the server forgets this session, and the browser its cookie."""
    row = current_session()
    if row is not None:
        row.ended_at = now_utc()
    logout_user()
    session.clear()


def sessions_end_all(user: User, *, keep_current: bool = False) -> None:
    """End every session of the user (all devices); `keep_current` spares this one."""
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
