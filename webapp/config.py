"""Settings from the environment, with safe defaults for the embedded (SQLite) mode.

Every setting README's configuration table lists is read here and nowhere else.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from webapp.notify.endpoints import DEFAULT_PUSH_SERVICE_HOSTS
from webapp.notify.vapid import vapid_keys_generate, vapid_subject_problem

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A well-known placeholder (tests use it); production refuses it by name.
DEVELOPMENT_SECRET = "development-only-not-secret"  # noqa: S105
ENVIRONMENTS = ("development", "production")
# A production SECRET_KEY: this long, with this many different characters. A key from
# `secrets.token_hex(32)` (64 characters, 16 different) passes with room to spare; "a" * 40
# or "password" * 4 do not. A simple rule that catches the typed-in keys, not a measure of
# entropy.
SECRET_MIN_LENGTH = 32
SECRET_MIN_DISTINCT = 10


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


def _list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _development_secret(instance: Path) -> str:
    """A random key kept in instance/, so sessions survive restarts and all workers agree."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _development_vapid_key(instance: Path) -> str:
    """A VAPID private key kept in instance/, so devices that subscribed keep working across
    restarts (a new key makes every browser subscription refuse our messages)."""
    path = instance / "vapid_private_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(vapid_keys_generate()[0])
        path.chmod(0o600)
    return path.read_text().strip()


def _weak_secret(secret: str) -> str | None:
    """Why this key is too weak for production, or None."""
    if secret == DEVELOPMENT_SECRET:
        return "it is the development placeholder"
    if len(secret) < SECRET_MIN_LENGTH:
        return f"it has {len(secret)} characters, fewer than {SECRET_MIN_LENGTH}"
    if len(set(secret)) < SECRET_MIN_DISTINCT:
        return (
            f"it has only {len(set(secret))} different characters "
            f"(at least {SECRET_MIN_DISTINCT}), so it was typed, not generated"
        )
    return None


def _refuse_unsafe_production(config: dict[str, object]) -> None:
    """Production fails closed: each setting that would weaken it stops the start, naming
    the variable to change."""
    why = _weak_secret(str(config.get("SECRET_KEY") or ""))
    if why:
        raise ConfigError(
            f"SECRET_KEY is too weak for production: {why}. Set it to a random value of at "
            f"least {SECRET_MIN_LENGTH} characters "
            '(python -c "import secrets; print(secrets.token_hex(32))").'
        )
    if config.get("SESSION_COOKIE_SECURE") is not True:
        raise ConfigError(
            "SESSION_COOKIE_SECURE cannot be turned off in production: the session cookie "
            "is sent over HTTPS only, and pages carry HSTS. Remove the variable."
        )
    if not config.get("VAPID_PRIVATE_KEY"):
        raise ConfigError(
            "VAPID_PRIVATE_KEY is not set: push reminders need a key pair of their own. "
            "Make one with `flask notify keys` and keep the private key secret."
        )
    why = vapid_subject_problem(str(config.get("VAPID_SUBJECT") or ""))
    if why:
        raise ConfigError(
            f"VAPID_SUBJECT will not do in production: {why}. Set it to an address where the "
            "push services can reach whoever runs Nära, e.g. mailto:drift@region.se."
        )
    if config.get("PUSH_SERVICE_LOCAL"):
        raise ConfigError(
            "PUSH_SERVICE_LOCAL cannot be on in production: it lets the dispatcher post to "
            "this machine's own addresses. Remove the variable."
        )
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "")
    workers = str(config.get("WEB_CONCURRENCY") or "")
    if storage.startswith("memory://") and workers != "1":
        raise ConfigError(
            "RATELIMIT_STORAGE_URI is memory://, which counts rate limits in each worker "
            f"apart (WEB_CONCURRENCY is {workers or 'not set'}): with two workers twice the "
            "sign-in attempts would pass. Set RATELIMIT_STORAGE_URI to a shared store, "
            "e.g. redis://localhost:6379/0, or WEB_CONCURRENCY=1 for a single worker."
        )
    for name in ("WEBAUTHN_ORIGIN", "PUBLIC_BASE_URL"):
        value = str(config.get(name) or "")
        if not value.startswith("https://"):
            raise ConfigError(
                f"{name} must be an https:// address in production, not {value!r}: "
                "passkeys and sign-in links work only over HTTPS."
            )


def from_environment(overrides: dict[str, object] | None = None) -> dict[str, object]:
    """Build the config mapping. Production (NARA_ENV=production) refuses unsafe settings,
    including those given in code (create_app's test_config wins over the environment)."""
    overrides = overrides or {}
    env = os.environ.get("NARA_ENV", "development").strip().lower()
    if env not in ENVIRONMENTS:
        raise ConfigError(
            f"NARA_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}: an unknown "
            "name would start without production's protections."
        )
    production = env == "production"
    secret = os.environ.get("SECRET_KEY", "")
    instance = PROJECT_ROOT / "instance"
    if not production and not secret and "SECRET_KEY" not in overrides:
        secret = _development_secret(instance)

    vapid_key = os.environ.get("VAPID_PRIVATE_KEY", "")
    if not production and not vapid_key and "VAPID_PRIVATE_KEY" not in overrides:
        vapid_key = _development_vapid_key(instance)

    port = _int("PORT", 5000)
    origin = os.environ.get("WEBAUTHN_ORIGIN", f"http://localhost:{port}")
    trusted_proxies = _int("TRUSTED_PROXIES", 0)
    if trusted_proxies < 0:
        raise ConfigError(f"TRUSTED_PROXIES must be 0 or more, not {trusted_proxies}.")
    config: dict[str, object] = {
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
        "FIRST_CONTACT_WORKING_DAYS": _int("FIRST_CONTACT_WORKING_DAYS", 3),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "SIGN_IN_RATE_LIMIT": os.environ.get("SIGN_IN_RATE_LIMIT", "20 per minute"),
        # The patient's own copy (the FHIR file and "Min plan – hela"), per account.
        "EXPORT_RATE_LIMIT": os.environ.get("EXPORT_RATE_LIMIT", "5 per minute"),
        "DEFAULT_TIMEZONE": os.environ.get("DEFAULT_TIMEZONE", "Europe/Stockholm"),
        "SQLALCHEMY_ECHO": _bool("SQLALCHEMY_ECHO", False),
        "VAPID_PRIVATE_KEY": vapid_key,
        "VAPID_SUBJECT": os.environ.get("VAPID_SUBJECT", ""),
        # The dispatcher (`flask notify run`): messages in flight at once, and how often it
        # looks for due reminders when there were none.
        "NOTIFY_CONCURRENCY": _int("NOTIFY_CONCURRENCY", 200),
        "NOTIFY_POLL_SECONDS": _int("NOTIFY_POLL_SECONDS", 5),
        # The push services the dispatcher may post to (host names, "*.name" for any below
        # it), comma-separated; the default is the four that browsers use (notify/endpoints.py).
        "PUSH_SERVICE_HOSTS": _list("PUSH_SERVICE_HOSTS", DEFAULT_PUSH_SERVICE_HOSTS),
        # Development and tests: also the local fake push service (http(s) to 127.0.0.1, ::1
        # or localhost, any port). Refused in production.
        "PUSH_SERVICE_LOCAL": _bool("PUSH_SERVICE_LOCAL", False),
        # Each person's devices, and the test pushes they may ask for in an hour.
        "PUSH_DEVICES_PER_PERSON": _int("PUSH_DEVICES_PER_PERSON", 10),
        "PUSH_TESTS_PER_HOUR": _int("PUSH_TESTS_PER_HOUR", 6),
        # gunicorn's own variable for its number of workers (the Procfile passes it on): with
        # more than one, rate limits need a shared store (RATELIMIT_STORAGE_URI).
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", ""),
        # How many proxies in front of the app set X-Forwarded-For and -Proto: rate limits
        # see the address the last of them saw. 0 (the default) trusts no such header.
        "TRUSTED_PROXIES": trusted_proxies,
        # Where a user reports an accessibility problem or asks for content in another way
        # (the accessibility statement shows them). Empty: the statement sends them to their
        # own care unit, whose number is on Min plan.
        "ACCESSIBILITY_CONTACT_EMAIL": os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", ""),
        "ACCESSIBILITY_CONTACT_PHONE": os.environ.get("ACCESSIBILITY_CONTACT_PHONE", ""),
    }
    if production:
        _refuse_unsafe_production({**config, **overrides})
    return config


# Fixed settings that are not the operator's to change: they are the security baseline.
BASELINE: dict[str, object] = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "nara_session",
    # The cookie's expiry moves with the server's idle clock, which sessions.load_user
    # moves once a minute (TOUCH_EVERY) and then marks the cookie for sending again: signing
    # and sending the same cookie with every page would only cost time.
    "SESSION_REFRESH_EACH_REQUEST": False,
    "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the (idle-limited) session
    "WTF_CSRF_HEADERS": ["X-CSRFToken"],
    # Flask-WTF's extra check over HTTPS wants a Referer from this host, but our
    # Referrer-Policy (no-referrer, so invitation tokens never leak) means browsers send
    # none: it would refuse every form. The token, SameSite=Lax cookies and HSTS remain.
    "WTF_CSRF_SSL_STRICT": False,
    "BABEL_DEFAULT_LOCALE": "sv",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    "LANGUAGES": ("sv", "en"),
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "RATELIMIT_HEADERS_ENABLED": True,
    "WEBAUTHN_CHALLENGE_SECONDS": 300,
}
