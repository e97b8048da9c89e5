"""Nära: the app factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from webapp.config import BASELINE, PROJECT_ROOT, from_environment

# One package per domain area; the app registers the blueprint of its views (`views.bp`).
# Passkeys build on auth, inside it.
AREAS = (
    "auth",
    "auth.passkeys",
    "plan",
    "care",
    "whatmatters",
    "agreement",
    "followups",
    "receipt",
    "careteam",
    "notify",
    "selfcare",
    "quality",
    "stories",
    "relatives",
    "pwa",
    "accessibility",
    "export",
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    from webapp.json_body import JsonSafeRequest
    from webapp.session_cookies import SessionCookies

    app = Flask(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.session_interface = SessionCookies()
    app.request_class = JsonSafeRequest  # JSON nested too deep is a 400, not a RecursionError
    app.config.update(from_environment(test_config))
    app.config.update(BASELINE)
    if test_config:
        app.config.update(test_config)
    register_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_errors(app)
    register_commands(app)
    return app


def register_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address and scheme from the
    X-Forwarded-For/-Proto headers they add, so rate limits count per client, not per proxy.
    Only as many entries as there are proxies are believed: a client cannot claim another
    address by sending the header itself. With 0 the headers are ignored."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    import webapp.plan.version  # noqa: F401  (its listeners keep each plan's version true)
    from webapp import hyphenation, i18n, unit_of_work
    from webapp.auth import sessions
    from webapp.extensions import babel, csrf, db, limiter, login_manager, migrate

    # First, so that its after_request hook runs last: it commits or rolls back the request.
    unit_of_work.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(PROJECT_ROOT / "webapp" / "translations"),
    )
    hyphenation.init_app(app)  # after Babel: soft hyphens in the templates' own words
    sessions.init_login(app, login_manager)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _sqlite_pragmas(db.engine)


def _sqlite_pragmas(engine: Any) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs at checkpoints, not at every commit: the database stays
        # whole after a crash or power loss, which may only roll back the last commits. It is
        # SQLite's advice for WAL (and Rails' default); without it every check-in waits for a
        # disk flush while holding the one write lock. PostgreSQL is production's database.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    from webapp import health, i18n
    from webapp.routing import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added
    for area in AREAS:
        app.register_blueprint(import_module(f"webapp.{area}.views").bp)
        if (PROJECT_ROOT / "webapp" / area.replace(".", "/") / "models.py").exists():
            import_module(f"webapp.{area}.models")  # so create_all and Alembic see its tables
    app.register_blueprint(i18n.bp)
    app.register_blueprint(health.bp)
    import_module("webapp.audit")


def register_request_hooks(app: Flask) -> None:
    from webapp import security

    security.init_app(app)


def register_errors(app: Flask) -> None:
    from webapp import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from webapp import cli

    cli.init_app(app)
