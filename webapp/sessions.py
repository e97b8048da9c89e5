"""Signed-in sessions: loading the user, starting a session, and where to go afterwards."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User


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


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session epoch that sign-out-everywhere bumps."""
    raw_id, _, raw_epoch = user_id.partition(".")
    if not raw_id.isdigit() or not raw_epoch.isdigit():
        return None
    user = db.session.scalar(
        select(User)
        .where(User.id == int(raw_id))
        .options(
            joinedload(User.patient).joinedload(Patient.care_unit),
            joinedload(User.staff).joinedload(StaffMember.care_unit),
        )
    )
    if user is None or user.session_epoch != int(raw_epoch):
        return None
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
