"""Nära: the app factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from webapp.config import BASELINE, PROJECT_ROOT, from_environment


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(from_environment(test_config))
    app.config.update(BASELINE)
    if test_config:
        app.config.update(test_config)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_errors(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from webapp import i18n, sessions
    from webapp.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(PROJECT_ROOT / "webapp" / "translations"),
    )
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
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def register_blueprints(app: Flask) -> None:
    from webapp import i18n
    from webapp.auth import bp as auth_bp
    from webapp.care import bp as care_bp
    from webapp.passkeys import bp as passkeys_bp
    from webapp.plan import bp as plan_bp
    from webapp.pwa import bp as pwa_bp

    for blueprint in (auth_bp, passkeys_bp, plan_bp, care_bp, pwa_bp, i18n.bp):
        app.register_blueprint(blueprint)

    # Imported for their models' sake, so create_all and Alembic see every table.
    from webapp import audit  # noqa: F401
    from webapp.auth import models as _auth_models  # noqa: F401
    from webapp.passkeys import models as _passkey_models  # noqa: F401


def register_request_hooks(app: Flask) -> None:
    from webapp import security

    security.init_app(app)


def register_errors(app: Flask) -> None:
    from webapp import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from webapp import cli

    cli.init_app(app)
