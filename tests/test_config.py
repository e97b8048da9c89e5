"""Configuration: safe defaults for the embedded mode, a refusal to start unsafely in production."""

from __future__ import annotations

from datetime import timedelta

import pytest

from webapp import create_app
from webapp.config import DEVELOPMENT_SECRET, ConfigError, from_environment


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
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_development_defaults(clean_env):
    config = from_environment({"SECRET_KEY": "x" * 40})
    assert config["INVITATION_HOURS"] == 72
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["WEBAUTHN_ORIGIN"] == "http://localhost:5000"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.parametrize("secret", [None, "", "short", DEVELOPMENT_SECRET])
def test_production_refuses_to_start_without_a_real_secret(clean_env, secret):
    clean_env.setenv("NARA_ENV", "production")
    if secret is not None:
        clean_env.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_a_weak_secret_given_in_code_too(clean_env):
    clean_env.setenv("NARA_ENV", "production")
    clean_env.setenv("SECRET_KEY", "s" * 64)
    with pytest.raises(ConfigError):
        create_app({"SECRET_KEY": "weak", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_with_a_real_secret_starts_with_secure_cookies(clean_env):
    clean_env.setenv("NARA_ENV", "production")
    clean_env.setenv("SECRET_KEY", "s" * 64)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_settings_from_the_environment(clean_env):
    clean_env.setenv("INVITATION_HOURS", "24")
    clean_env.setenv("SESSION_IDLE_MINUTES", "10")
    clean_env.setenv("WEBAUTHN_ORIGIN", "https://nara.example")
    config = from_environment({"SECRET_KEY": "x" * 40})
    assert config["INVITATION_HOURS"] == 24
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=10)
    assert config["WEBAUTHN_ORIGIN"] == "https://nara.example"


def test_a_malformed_number_is_a_clear_config_error(clean_env):
    clean_env.setenv("INVITATION_HOURS", "seventy-two")
    with pytest.raises(ConfigError, match="INVITATION_HOURS"):
        from_environment({"SECRET_KEY": "x" * 40})


def test_baseline_cannot_be_weakened_from_the_environment(clean_env):
    clean_env.setenv("SESSION_COOKIE_HTTPONLY", "0")
    app = create_app({"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
