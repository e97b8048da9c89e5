"""Language: Swedish by default, English when the user chooses it; the choice is remembered."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.auth.sessions import is_safe_next

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    default: str = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # a `flask` command or a script: the default language
        return default
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        locale: str = current_user.locale
        return locale
    chosen = session.get("lang") or request.cookies.get("lang")
    return chosen if isinstance(chosen, str) and chosen in languages else default


@bp.post("/sprak")
def choose_language() -> Response:
    language = request.form.get("lang", "")
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    session["lang"] = language
    if current_user.is_authenticated:
        current_user.locale = language
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


def current_locale() -> str:
    return str(get_locale() or "sv")


@bp.record_once
def _locale_in_templates(state: BlueprintSetupState) -> None:
    # Globals rather than a context processor, so imported macros see them too.
    state.app.jinja_env.globals.update(
        current_locale=current_locale, format_date=format_date, format_datetime=format_datetime
    )
