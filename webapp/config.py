"""Settings from the environment, with safe defaults for the embedded (SQLite) mode.

Every setting README's configuration table lists is read here and nowhere else.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A well-known placeholder (tests use it); production refuses it by name.
DEVELOPMENT_SECRET = "development-only-not-secret"  # noqa: S105


class ConfigError(RuntimeError):
    """Raised when the app is asked to start with settings that are unsafe."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None


def _development_secret(instance: Path) -> str:
    """A random key kept in instance/, so sessions survive restarts and all workers agree."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(overrides: dict[str, object] | None = None) -> dict[str, object]:
    """Build the config mapping. Production (NARA_ENV=production) refuses weak secrets."""
    overrides = overrides or {}
    env = os.environ.get("NARA_ENV", "development").strip().lower()
    production = env == "production"
    secret = os.environ.get("SECRET_KEY", "")
    # The secret that will be used: one given in code (create_app's test_config) wins.
    effective = str(overrides.get("SECRET_KEY", secret) or "")
    if production and (len(effective) < 32 or effective == DEVELOPMENT_SECRET):
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            '(python -c "import secrets; print(secrets.token_hex(32))").'
        )
    instance = PROJECT_ROOT / "instance"
    if not secret and "SECRET_KEY" not in overrides:
        secret = _development_secret(instance)

    port = _int("PORT", 5000)
    origin = os.environ.get("WEBAUTHN_ORIGIN", f"http://localhost:{port}")
    return {
        "ENV_NAME": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'nara.db'}"
        ),
        "WEBAUTHN_RP_ID": os.environ.get("WEBAUTHN_RP_ID", "localhost"),
        "WEBAUTHN_RP_NAME": os.environ.get("WEBAUTHN_RP_NAME", "Nära"),
        "WEBAUTHN_ORIGIN": origin,
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", origin),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=_int("SESSION_IDLE_MINUTES", 30)),
        "SESSION_MAX_HOURS_PATIENT": _int("SESSION_MAX_HOURS_PATIENT", 12),
        "SESSION_MAX_HOURS_STAFF": _int("SESSION_MAX_HOURS_STAFF", 10),
        "FRESH_SIGN_IN_MINUTES": _int("FRESH_SIGN_IN_MINUTES", 5),
        "INVITATION_HOURS": _int("INVITATION_HOURS", 72),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "SIGN_IN_RATE_LIMIT": os.environ.get("SIGN_IN_RATE_LIMIT", "20 per minute"),
        "DEFAULT_TIMEZONE": os.environ.get("DEFAULT_TIMEZONE", "Europe/Stockholm"),
        "SQLALCHEMY_ECHO": _bool("SQLALCHEMY_ECHO", False),
    }


# Fixed settings that are not the operator's to change: they are the security baseline.
BASELINE: dict[str, object] = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "nara_session",
    "SESSION_REFRESH_EACH_REQUEST": True,
    "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the (idle-limited) session
    "WTF_CSRF_HEADERS": ["X-CSRFToken"],
    "BABEL_DEFAULT_LOCALE": "sv",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    "LANGUAGES": ("sv", "en"),
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "RATELIMIT_HEADERS_ENABLED": True,
    "WEBAUTHN_CHALLENGE_SECONDS": 300,
}
