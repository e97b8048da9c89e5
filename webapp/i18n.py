"""Language: Swedish by default, English when the user chooses it; the choice is remembered."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, session, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.sessions import is_safe_next

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang") or request.cookies.get("lang")
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.post("/sprak")
def choose_language() -> Response:
    language = request.form.get("lang", "")
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    session["lang"] = language
    if current_user.is_authenticated:
        current_user.locale = language
        db.session.commit()
    target = request.form.get("next")
    response = redirect(target if is_safe_next(target) else url_for("plan.home"), 303)
    # A long-lived cookie too, so the choice outlives sign-out on this device.
    response.set_cookie(
        "lang",
        language,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.app_context_processor
def _locale_in_templates() -> dict[str, object]:
    return {
        "current_locale": lambda: str(get_locale() or "sv"),
        "format_date": format_date,
        "format_datetime": format_datetime,
    }
