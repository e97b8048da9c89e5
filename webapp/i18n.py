"""Language: Swedish by default, English when the user chooses it; the choice is remembered."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import format_date, format_datetime, get_locale, get_translations
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp import hyphenation
from webapp.hyphenation import soft_hyphens
from webapp.sessions import is_safe_next

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


def _translations() -> Any:
    """This request's translations, looked up once per locale rather than once per string.

    Flask-Babel's own lookup, which its template callables make for every string, walks its
    context, the locale and its cache each time; a page has tens of strings. The answer is
    kept on `g` with the locale object it was made for, so a `force_locale` block (a new
    locale object, and the old one again after it) is never answered from the wrong one.
    """
    locale = getattr(getattr(g, "_flask_babel", None), "babel_locale", None)
    kept = g.get("_nara_translations")
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    g._nara_translations = (g._flask_babel.babel_locale, translations)
    return translations


def install_template_gettext(app: Flask) -> None:
    """The templates' _() and ngettext(), as Flask-Babel installs them, with the lookup above,
    and soft hyphens in the long words of what they return (`hyphenation.py`): our own words
    break with a hyphen at large text; the values put into a string are left as they are."""

    def shy(text: str) -> str:
        return soft_hyphens(text, current_locale())

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: shy(_translations().ugettext(s)),
        ngettext=lambda s, p, n: shy(_translations().ungettext(s, p, n)),
        newstyle=True,
        pgettext=lambda c, s: shy(_translations().upgettext(c, s)),
        npgettext=lambda c, s, p, n: shy(_translations().unpgettext(c, s, p, n)),
    )
    hyphenation.init_app(app)


def current_locale() -> str:
    return str(get_locale() or "sv")


@bp.record_once
def _locale_in_templates(state: BlueprintSetupState) -> None:
    # Globals rather than a context processor, so imported macros see them too.
    state.app.jinja_env.globals.update(
        current_locale=current_locale, format_date=format_date, format_datetime=format_datetime
    )
