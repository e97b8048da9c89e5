"""Signed-in sessions: loading the user, starting a session, and where to go afterwards."""

from __future__ import annotations

import secrets
from functools import cache
from urllib.parse import urlsplit

from flask import Flask, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user, logout_user
from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.people.models import User
from webapp.routing import ID_MAX


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


# Built once: composing a statement with its loader options costs more than running it.
# Kept lean, since every signed-in request runs it; `has_security_notice` saves the home
# page a query of its own.
@cache
def _user_query() -> Select:
    # Imported here: webapp.auth's views import this module.
    from webapp.auth.models import SecurityEvent, SecurityEventKind

    return (
        select(
            User,
            exists()
            .where(
                SecurityEvent.user_id == User.id,
                SecurityEvent.acknowledged_at.is_(None),
                SecurityEvent.kind == SecurityEventKind.PASSKEY_ADDED_BY_RECOVERY,
            )
            .label("has_security_notice"),
        )
        .where(User.id == bindparam("user_id"))
        .options(joinedload(User.patient), joinedload(User.staff))
    )


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session epoch that sign-out-everywhere bumps."""
    raw_id, _, raw_epoch = user_id.partition(".")
    if not raw_id.isdigit() or not raw_epoch.isdigit() or int(raw_id) > ID_MAX:
        return None
    row = db.session.execute(_user_query(), {"user_id": int(raw_id)}).unique().first()
    if row is None or row.User.session_epoch != int(raw_epoch):
        return None
    user = row.User
    user.has_security_notice = bool(row.has_security_notice)
    return user


def start_session(user: User) -> None:
    """Sign in with a fresh session: nothing from before sign-in survives (no fixation)."""
    language = session.get("lang")
    session.clear()
    session.permanent = True  # the idle limit is PERMANENT_SESSION_LIFETIME, renewed per request
    session["sid"] = secrets.token_urlsafe(16)
    if language:
        session["lang"] = language
    login_user(user)


def end_session() -> None:
    logout_user()
    session.clear()


def is_safe_next(target: str | None) -> bool:
    """Only a local path may follow sign-in: no scheme, no host, no //, no backslash tricks."""
    if not target or not target.startswith("/"):
        return False
    if target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
