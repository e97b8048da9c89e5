"""The installable app: service worker at the root scope, manifest, offline page."""

from __future__ import annotations

import hashlib
import re
from functools import cache

from flask import current_app, jsonify, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

import webapp.pwa.offline  # noqa: F401  (its hooks register on bp)
from webapp.config import PROJECT_ROOT
from webapp.pwa.blueprint import bp

SERVICE_WORKER = PROJECT_ROOT / "service_worker" / "sw.js"
# The static files sw.js precaches, read from its SHELL list, so a file added there is part of
# the cache's version without a second list to keep.
SHELL_FILE = re.compile(r'"/static/([^"]+)"')


@cache
def _service_worker_source() -> str:
    """sw.js with its cache version: a hash of itself and the shell it precaches."""
    source = SERVICE_WORKER.read_bytes()
    digest = hashlib.sha256(source)
    for name in SHELL_FILE.findall(source.decode()):
        digest.update((PROJECT_ROOT / "static" / name).read_bytes())
    return SERVICE_WORKER.read_text().replace("__VERSION__", digest.hexdigest()[:12])


@bp.get("/sw.js")
def service_worker() -> Response:
    response = current_app.response_class(_service_worker_source(), mimetype="text/javascript")
    # The browser must always ask for a fresh copy, so an update reaches every phone.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    icons = [
        {
            "src": url_for("static", filename=f"icons/{name}"),
            "sizes": size,
            "type": "image/png",
            "purpose": purpose,
        }
        for name, size, purpose in (
            ("icon-192.png", "192x192", "any"),
            ("icon-512.png", "512x512", "any"),
            ("maskable-192.png", "192x192", "maskable"),
            ("maskable-512.png", "512x512", "maskable"),
        )
    ]
    body = {
        "name": _("Nära – mitt patientkontrakt"),
        "short_name": "Nära",
        "description": _("Din plan med vården, i din telefon."),
        "lang": "sv",
        "id": "/",
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5563",
        "icons": icons,
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/offline")
def offline() -> str:
    return render_template("pwa/offline.html")
