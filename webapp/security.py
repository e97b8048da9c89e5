"""Response headers that every page carries: CSP, no sniffing, no framing, no referrer leaks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask_login import current_user
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Invitation links carry their token in the path: never send it to anyone.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class ConstantHeaders:
    """WSGI middleware: the headers every answer carries, added as the answer starts.

    They never change, so they are checked once, here, rather than by Werkzeug's header
    validation on every response (a tenth of a health check's cost). A header the view or a
    hook set itself wins, whatever its case.
    """

    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = list(headers.items())

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _value in headers}
            headers.extend(item for item in self.headers if item[0].lower() not in present)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def security_headers(app: Flask) -> dict[str, str]:
    headers = dict(HEADERS)
    if app.config["SESSION_COOKIE_SECURE"]:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


def init_app(app: Flask) -> None:
    app.wsgi_app = ConstantHeaders(app.wsgi_app, security_headers(app))  # type: ignore[method-assign]

    @app.after_request
    def _no_store_when_signed_in(response: Response) -> Response:
        # Health data must not linger in shared caches or the back/forward cache.
        if current_user.is_authenticated and not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response
