"""Configuration: safe defaults for the embedded mode, a refusal to start unsafely in production."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import fresh_database, make_config
from webapp import create_app
from webapp.config import DEVELOPMENT_SECRET, ConfigError, from_environment
from webapp.notify.vapid import vapid_keys_generate

# What `python -c "import secrets; print(secrets.token_hex(32))"` prints, written down.
REAL_SECRET = "9f2c4e7a1b8d3f60a5c9e2b7d4f1a8c3e6b9d2f5a8c1e4b7d0f3a6c9e2b5d8f1"


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "NARA_ENV",
        "SECRET_KEY",
        "SESSION_COOKIE_SECURE",
        "INVITATION_HOURS",
        "SESSION_IDLE_MINUTES",
        "WEBAUTHN_ORIGIN",
        "PORT",
        "RATELIMIT_ENABLED",
        "PUBLIC_BASE_URL",
        "TRUSTED_PROXIES",
        "VAPID_PRIVATE_KEY",
        "VAPID_SUBJECT",
        "RATELIMIT_STORAGE_URI",
        "WEB_CONCURRENCY",
        "PUSH_SERVICE_LOCAL",
        "PUSH_SERVICE_HOSTS",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def production(clean_env):
    """The environment of a real production server; each test spoils one thing."""
    clean_env.setenv("NARA_ENV", "production")
    clean_env.setenv("SECRET_KEY", REAL_SECRET)
    clean_env.setenv("WEBAUTHN_ORIGIN", "https://nara.example")
    clean_env.setenv("VAPID_PRIVATE_KEY", vapid_keys_generate()[0])
    clean_env.setenv("VAPID_SUBJECT", "mailto:drift@region.se")
    clean_env.setenv("RATELIMIT_STORAGE_URI", "redis://localhost:6379/0")
    return clean_env


IN_MEMORY = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}


def test_development_defaults(clean_env):
    config = from_environment({"SECRET_KEY": "x" * 40})
    assert config["INVITATION_HOURS"] == 72
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["WEBAUTHN_ORIGIN"] == "http://localhost:5000"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.parametrize(
    "secret",
    [
        None,
        "",
        "short",
        DEVELOPMENT_SECRET,
        "a" * 40,  # long enough, but typed
        "ab" * 32,
        "password" * 4,
        "0123456789abcdef"[:9] * 5,  # 45 characters, 9 different
    ],
)
def test_production_refuses_to_start_without_a_real_secret(production, secret):
    production.delenv("SECRET_KEY")
    if secret is not None:
        production.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(IN_MEMORY)


def test_production_refuses_a_weak_secret_given_in_code_too(production):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": "weak", **IN_MEMORY})


def test_production_with_a_real_secret_starts_with_secure_cookies_and_hsts(production):
    app = create_app(IN_MEMORY)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    response = app.test_client().get("/logga-in", base_url="https://nara.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("env", ["prod", "staging", "test", "produktion"])
def test_an_unknown_nara_env_is_refused(clean_env, env):
    # A typo must not start a production server without production's protections.
    clean_env.setenv("NARA_ENV", env)
    with pytest.raises(ConfigError, match="NARA_ENV"):
        from_environment({"SECRET_KEY": REAL_SECRET})


@pytest.mark.parametrize("value", ["0", "false", "no", "off"])
def test_secure_cookies_and_hsts_cannot_be_turned_off_in_production(production, value):
    production.setenv("SESSION_COOKIE_SECURE", value)
    with pytest.raises(ConfigError, match="SESSION_COOKIE_SECURE"):
        create_app(IN_MEMORY)


def test_secure_cookies_cannot_be_turned_off_in_code_either(production):
    with pytest.raises(ConfigError, match="SESSION_COOKIE_SECURE"):
        create_app({"SESSION_COOKIE_SECURE": False, **IN_MEMORY})


@pytest.mark.parametrize("origin", ["http://nara.example", "nara.example", ""])
def test_production_needs_an_https_webauthn_origin(production, origin):
    production.setenv("WEBAUTHN_ORIGIN", origin)
    with pytest.raises(ConfigError, match="WEBAUTHN_ORIGIN"):
        create_app(IN_MEMORY)


def test_production_needs_https_sign_in_links(production):
    production.setenv("PUBLIC_BASE_URL", "http://nara.example")
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app(IN_MEMORY)


def test_production_without_an_origin_is_refused(production):
    production.delenv("WEBAUTHN_ORIGIN")  # the default is http://localhost:5000
    with pytest.raises(ConfigError, match="WEBAUTHN_ORIGIN"):
        create_app(IN_MEMORY)


def test_production_needs_a_vapid_key_of_its_own(production):
    production.delenv("VAPID_PRIVATE_KEY")
    with pytest.raises(ConfigError, match="VAPID_PRIVATE_KEY.*flask notify keys"):
        create_app(IN_MEMORY)


@pytest.mark.parametrize(
    "subject",
    [
        "",
        "drift@region.se",  # no scheme
        "mailto:nara@localhost",
        "mailto:admin@example.com",
        "https://localhost",
        "https://nara.invalid",
        "http://region.se",
    ],
)
def test_production_needs_a_real_vapid_subject(production, subject):
    """Apple's push service refuses placeholder subjects: every reminder to an iPhone would
    fail, so production does not start with one."""
    production.setenv("VAPID_SUBJECT", subject)
    with pytest.raises(ConfigError, match="VAPID_SUBJECT"):
        create_app(IN_MEMORY)


def test_development_makes_and_keeps_a_vapid_key(clean_env, tmp_path, monkeypatch):
    import webapp.config as config_module

    monkeypatch.setattr(config_module, "PROJECT_ROOT", tmp_path)
    first = from_environment({"SECRET_KEY": "x" * 40})["VAPID_PRIVATE_KEY"]
    again = from_environment({"SECRET_KEY": "x" * 40})["VAPID_PRIVATE_KEY"]
    assert first and first == again  # devices that subscribed keep working after a restart
    assert (tmp_path / "instance" / "vapid_private_key").stat().st_mode & 0o077 == 0


def test_development_keeps_its_easy_defaults(clean_env):
    clean_env.setenv("SESSION_COOKIE_SECURE", "0")
    config = from_environment({"SECRET_KEY": "a" * 40})
    assert config["WEBAUTHN_ORIGIN"] == "http://localhost:5000"
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["TRUSTED_PROXIES"] == 0


def test_settings_from_the_environment(clean_env):
    clean_env.setenv("INVITATION_HOURS", "24")
    clean_env.setenv("SESSION_IDLE_MINUTES", "10")
    clean_env.setenv("WEBAUTHN_ORIGIN", "https://nara.example")
    config = from_environment({"SECRET_KEY": "x" * 40})
    assert config["INVITATION_HOURS"] == 24
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=10)
    assert config["WEBAUTHN_ORIGIN"] == "https://nara.example"


@pytest.mark.parametrize("value", ["-1", "one"])
def test_trusted_proxies_must_be_a_count(clean_env, value):
    clean_env.setenv("TRUSTED_PROXIES", value)
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        from_environment({"SECRET_KEY": REAL_SECRET})


def _limited_app(tmp_path, **config):
    app = create_app(
        make_config(tmp_path, RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="2 per minute", **config)
    )
    with app.app_context():
        fresh_database()
    return app


def _via_proxy(client, forwarded_for: str) -> int:
    # The proxy (10.0.0.1) adds the address it saw to X-Forwarded-For.
    return client.get(
        "/inbjudan/whatever",
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    ).status_code


def test_behind_a_trusted_proxy_each_client_has_its_own_rate_limit(tmp_path):
    app = _limited_app(tmp_path, TRUSTED_PROXIES=1)
    with app.app_context():
        client = app.test_client()
        assert [_via_proxy(client, "203.0.113.5") for _ in range(3)] == [410, 410, 429]
        assert _via_proxy(client, "198.51.100.7") == 410  # another patient, same proxy
        # A client cannot pose as another: only the entry the proxy added is believed.
        assert _via_proxy(client, "198.51.100.99, 203.0.113.5") == 429


def test_without_trusted_proxies_forwarded_headers_are_ignored(tmp_path):
    app = _limited_app(tmp_path)
    with app.app_context():
        client = app.test_client()
        assert [_via_proxy(client, "203.0.113.5") for _ in range(2)] == [410, 410]
        assert _via_proxy(client, "198.51.100.7") == 429  # all one address: the proxy's


def test_a_malformed_number_is_a_clear_config_error(clean_env):
    clean_env.setenv("INVITATION_HOURS", "seventy-two")
    with pytest.raises(ConfigError, match="INVITATION_HOURS"):
        from_environment({"SECRET_KEY": "x" * 40})


def test_baseline_cannot_be_weakened_from_the_environment(clean_env):
    clean_env.setenv("SESSION_COOKIE_HTTPONLY", "0")
    app = create_app({"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("workers", ["", "2", "4"])
def test_production_refuses_rate_limits_counted_in_each_worker(production, workers):
    """memory:// counts in each worker apart: with two workers, 40 sign-in attempts a
    minute would pass where 20 should."""
    production.setenv("RATELIMIT_STORAGE_URI", "memory://")
    if workers:
        production.setenv("WEB_CONCURRENCY", workers)
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI.*redis://"):
        create_app(IN_MEMORY)


def test_production_with_one_worker_may_count_in_memory(production):
    production.setenv("RATELIMIT_STORAGE_URI", "memory://")
    production.setenv("WEB_CONCURRENCY", "1")
    assert create_app(IN_MEMORY).config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_production_refuses_the_local_fake_push_service(production):
    production.setenv("PUSH_SERVICE_LOCAL", "1")
    with pytest.raises(ConfigError, match="PUSH_SERVICE_LOCAL"):
        create_app(IN_MEMORY)


def test_the_push_services_are_the_browsers_unless_configured(clean_env):
    config = from_environment({"SECRET_KEY": "x" * 40})
    assert config["PUSH_SERVICE_HOSTS"] == (
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "*.push.apple.com",
        "*.notify.windows.com",
    )
    assert config["PUSH_SERVICE_LOCAL"] is False
    clean_env.setenv("PUSH_SERVICE_HOSTS", " push.region.se, *.push.example ")
    config = from_environment({"SECRET_KEY": "x" * 40})
    assert config["PUSH_SERVICE_HOSTS"] == ("push.region.se", "*.push.example")
