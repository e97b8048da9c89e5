"""Error pages in plain Swedish (or English), as HTML or JSON; never a bare 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from webapp.extensions import db


class UserFacingError(Exception):
    """A rule said no. The message is for the user, in their language, and says what to do.

    `field` names the form field it is about (None: the form as a whole); `errors` carries
    several fields' messages at once when one rule speaks of more than one field.
    """

    def __init__(
        self, message: Any, field: str | None = None, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.errors = errors or {}


MESSAGES = {
    400: (
        _l("Något gick fel"),
        _l("Det du skickade gick inte att läsa. Gå tillbaka och försök igen."),
    ),
    403: (_l("Du har inte behörighet"), _l("Du kan inte göra det här med ditt konto.")),
    404: (
        _l("Sidan finns inte"),
        _l("Sidan finns inte, eller så har du inte behörighet att se den."),
    ),
    405: (
        _l("Något gick fel"),
        _l("Sidan kan inte användas på det sättet. Gå tillbaka och försök igen."),
    ),
    413: (
        _l("För mycket text"),
        _l("Det du skickade var för stort. Korta texten och försök igen."),
    ),
    429: (
        _l("För många försök"),
        _l("Du har försökt många gånger på kort tid. Vänta en minut och försök igen."),
    ),
    500: (
        _l("Något gick fel hos oss"),
        _l("Ingenting har ändrats. Försök igen om en stund. Brådskande? Ring din vårdenhet."),
    ),
}

CSRF_MESSAGE = _l(
    "Sidan hade varit öppen för länge eller kom inte från Nära. Ingenting har sparats. "
    "Ladda om sidan och försök igen."
)


def wants_json() -> bool:
    if request.is_json or request.path.startswith("/passkeys/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(
    status: int, message: str | None = None, typed: list[str] | None = None
) -> tuple[Response | str, int]:
    title, default_message = MESSAGES.get(status, MESSAGES[400])
    text = str(message or default_message)
    if wants_json():
        return jsonify(error=text), status
    page = render_template(
        "errors/error.html", title=title, message=text, status=status, typed=typed or []
    )
    return page, status


def _typed_words() -> list[str]:
    """What the person wrote in a refused form, so it is not lost: free text only (ids,
    choices and tokens are short words without spaces, and mean nothing to copy)."""
    return [
        value.strip()
        for key, value in request.form.items(multi=True)
        if key != "csrf_token" and (" " in value.strip() or len(value.strip()) >= 12)
    ]


def _origin_of(url: str | None) -> str | None:
    """scheme://host[:port] of a URL, lower case and without a default port; None if it has
    none (the "null" origin of a sandboxed or privacy-stripped request, or nonsense)."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port and port != default else "")


def posted_from_our_pages() -> bool:
    """Whether the browser says the request came from one of our own pages: Sec-Fetch-Site
    says same-origin, or the Origin header (else the Referer, which our no-referrer policy
    usually leaves out) is the configured origin. Another site cannot forge these headers in
    a browser; when neither proves where the post came from, the answer is no."""
    if request.headers.get("Sec-Fetch-Site") == "same-origin":
        return True
    ours = {
        _origin_of(current_app.config.get(name)) for name in ("PUBLIC_BASE_URL", "WEBAUTHN_ORIGIN")
    } - {None}
    sent = request.headers.get("Origin")
    if sent is None:
        sent = request.headers.get("Referer")
    return _origin_of(sent) in ours


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[Response | str, int]:
        # What was written is shown only for a post from our own pages: from another site it
        # would let that site put its words on a Nära page.
        typed = _typed_words() if posted_from_our_pages() else []
        return error_response(400, CSRF_MESSAGE, typed=typed)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[Response | str, int]:
        status = error.code or 500
        return error_response(status if status in MESSAGES else 400)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response | str, int]:
        db.session.rollback()
        app.logger.exception("unhandled error", exc_info=error)
        return error_response(500)
