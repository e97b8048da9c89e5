"""Whose offline copy of the plan this device may keep.

A phone can be shared, so the copy of "Min plan" kept for reading without internet belongs to
one person: it is kept under an opaque key of theirs, and a page served to anyone else (or to
a signed-out visitor) has the device forget it before it is shown (service_worker/sw.js,
static/js/offline.js). The key is an HMAC of the user id with SECRET_KEY: stable per person,
no column to store, and it tells nobody who the person is.

Signed-in pages carry the key in <meta name="nara-offline-key">; every response (not the
static files) says in a header whose it is, so the service worker can tell before it hands a
page over.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.pwa.blueprint import bp
from webapp.relatives.acting import acting_grant

OFFLINE_KEY_HEADER = "Nara-Offline-Key"
SIGNED_OUT = "signed-out"  # the header's value when nobody is signed in


def offline_key(user_id: int, grant_id: int | None = None) -> str:
    """The person's key; while a relative acts for a patient, a key of that grant's, so the
    copy kept while helping her is forgotten on the first page after the grant ends."""
    secret = current_app.config["SECRET_KEY"]
    secret_bytes = secret if isinstance(secret, bytes) else str(secret).encode()
    whose = f"{user_id}" if grant_id is None else f"{user_id}:grant:{grant_id}"
    digest = hmac.new(secret_bytes, f"nara-offline-plan:{whose}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:16]).rstrip(b"=").decode()


def current_offline_key() -> str:
    """The signed-in person's key, or "" when nobody is signed in."""
    if not current_user.is_authenticated:
        return ""
    grant = acting_grant()
    return offline_key(current_user.id, grant.id if grant is not None else None)


@bp.app_context_processor
def _offline_key_for_templates() -> dict[str, object]:
    return {"offline_key": current_offline_key}


@bp.after_app_request
def _say_whose_response_this_is(response: Response) -> Response:
    # Only pages say whose they are: the service worker reads it on navigations, and asking
    # costs a session lookup that a health check or a calendar feed has no use for. Nor does
    # a redirect (a check-in sent, a form saved): the worker cannot read its headers (it
    # gets an opaque redirect), only those of the page it leads to.
    if (
        response.mimetype == "text/html"
        and not 300 <= response.status_code < 400
        and request.endpoint != "static"
    ):
        response.headers[OFFLINE_KEY_HEADER] = current_offline_key() or SIGNED_OUT
    return response


def signed_out_redirect() -> Response:
    """The sign-out POST's answer: on to the signed-out page, and the device forgets what it
    kept (caches, storage, the service worker). Only here, never on GET /utloggad: that is a
    page anyone can link to, and a link must not wipe a signed-in patient's offline plan.
    Browsers honour Clear-Site-Data on the 303 itself."""
    response = redirect(url_for("auth.signed_out"), 303)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
