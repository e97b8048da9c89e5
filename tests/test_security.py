"""Security from the first line: headers, cookies, CSRF, rate limits, idle timeout, redirects."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import request_started
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from tests.conftest import (
    api,
    csrf_token,
    forget_previous_request,
    fresh_database,
    make_config,
    register_with_invitation,
    sign_in,
)
from webapp import create_app
from webapp.auth.sessions import is_safe_next
from webapp.extensions import db
from webapp.people.models import Patient

PUBLIC_PAGES = ("/", "/logga-in", "/utloggad", "/offline", "/inbjudan/unknown", "/saknas")


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_headers_on_public_pages(client, path):
    assert_security_headers(client.get(path))


def test_headers_and_no_store_on_signed_in_pages(patient_client):
    for path in ("/", "/nycklar", "/logglista", "/vard/"):
        response = patient_client.get(path)
        assert_security_headers(response)
        assert response.headers["Cache-Control"] == "no-store", path


def test_signed_out_pages_may_be_cached(client):
    assert "no-store" not in client.get("/logga-in").headers.get("Cache-Control", "")


def test_session_cookie_is_httponly_and_lax(client, patient):
    register_with_invitation(client, patient.user)
    cookie = client.get_cookie("nara_session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure  # development over plain http


def test_session_cookie_is_secure_when_configured(tmp_path, patient):
    secure = create_app(make_config(tmp_path, SESSION_COOKIE_SECURE=True))
    client = secure.test_client()
    with secure.app_context():
        response = client.get("/logga-in", base_url="https://localhost")
    header = response.headers.get("Set-Cookie", "")
    assert "nara_session=" in header
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    assert "Strict-Transport-Security" in response.headers


def test_forms_work_over_https_without_a_referer(tmp_path, patient):
    # Our Referrer-Policy is no-referrer, so browsers send no Referer; Flask-WTF's HTTPS
    # check demands one and would refuse every form a real server receives over HTTPS (or
    # from behind TRUSTED_PROXIES proxies that say the client used HTTPS).
    secure = create_app(make_config(tmp_path, SESSION_COOKIE_SECURE=True, TRUSTED_PROXIES=1))
    request_started.connect(forget_previous_request, secure)
    with secure.app_context():
        client = secure.test_client()
        register_with_invitation(client, patient.user)
        for how in ({"base_url": "https://localhost"}, {"headers": {"X-Forwarded-Proto": "https"}}):
            page = client.get("/viktigt/", **how).get_data(as_text=True)
            token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
            response = client.post(
                "/viktigt/ny", data={"csrf_token": token, "text": "Att sjunga i kör."}, **how
            )
            assert response.status_code == 303, response.get_data(as_text=True)[:300]


def test_form_post_without_csrf_token_is_refused_in_swedish(nurse_client):
    count = db.session.scalar(select(func.count()).select_from(Patient))
    response = nurse_client.post(
        "/vard/patienter/ny", data={"name": "Ny Patient", "phone": "070-000 00 00"}
    )
    assert response.status_code == 400
    assert "Ingenting har sparats" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Patient)) == count


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://localhost"},
        {"Origin": "HTTP://LOCALHOST:80"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Referer": "http://localhost/viktigt/"},  # an older browser without Origin
    ],
    ids=["origin", "origin-spelled-otherwise", "sec-fetch-site", "referer"],
)
def test_a_refused_form_from_our_page_shows_what_was_written(patient_client, headers):
    text = "Att kunna plantera tomater på balkongen i maj."
    response = patient_client.post(
        "/viktigt/ny",
        data={"csrf_token": "too-old", "text": text, "direction": "up"},
        headers=headers,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ingenting har sparats" in page
    assert "Det här hade du skrivit" in page and text in page
    assert ">up<" not in page  # choices and ids are not shown as writing


@pytest.mark.parametrize(
    "headers",
    [
        {},  # nothing says where it came from
        {"Origin": "https://evil.example"},
        {"Origin": "http://localhost.evil.example"},
        {"Origin": "http://localhost:8080"},
        {"Origin": "null"},  # sandboxed frame, or a privacy redirect
        {"Origin": "null", "Referer": "http://localhost/viktigt/"},
        {"Referer": "https://evil.example/nara.html"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://other.localhost"},
    ],
)
def test_a_cross_site_post_does_not_get_its_words_on_a_nara_page(patient_client, headers):
    # Another site's form, posted to us by the patient's browser: refused, and its text is
    # not shown, or that site could put any words it likes on a page that says Nära.
    text = "Ring 070-666 66 66 och uppge din kod, annars stängs ditt konto."
    response = patient_client.post(
        "/viktigt/ny", data={"csrf_token": "forged", "text": text}, headers=headers
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ingenting har sparats" in page
    assert "Det här hade du skrivit" not in page and "070-666" not in page


@pytest.mark.parametrize(
    ("path", "field", "form_page"),
    [
        ("/viktigt/ny", "text", "/viktigt/"),
        ("/vard/patienter/ny", "name", "/vard/patienter/ny"),
    ],
)
def test_a_nul_character_is_refused_in_plain_words_keeping_the_text(
    patient_client, nurse_client, path, field, form_page
):
    # PostgreSQL cannot store a NUL in text (it was a 500 there); no one means to type it.
    client = nurse_client if path.startswith("/vard/") else patient_client
    data = {"name": "Ny Patient", "phone": "070-000 00 00", field: "Att gå\x00 ut med hunden."}
    counts = _data_counts()
    response = client.post(path, data={**data, "csrf_token": csrf_token(client, form_page)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Texten innehöll ett osynligt tecken som inte går att spara." in page
    assert "Att gå ut med hunden." in page and "\x00" not in page
    assert _data_counts() == counts


def _data_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
        if table.name not in ("access_log_entry", "patient_last_seen", "webauthn_challenge")
    }


def test_form_post_with_a_wrong_csrf_token_is_refused(nurse_client):
    response = nurse_client.post(
        "/vard/patienter/ny",
        data={"csrf_token": "forged", "name": "Ny Patient", "phone": "070-000 00 00"},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Patient)) == 0


def test_json_post_without_csrf_header_gets_json_400(client):
    response = client.post("/passkeys/api/login/options", json={})
    assert response.status_code == 400
    assert response.is_json
    assert "Ingenting har sparats" in response.get_json()["error"]


def test_unknown_page_is_a_swedish_404(client):
    response = client.get("/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)
    json_response = client.get("/finns-inte", headers={"Accept": "application/json"})
    assert json_response.is_json and json_response.status_code == 404


def test_wrong_method_is_not_a_500(client):
    assert client.delete("/").status_code == 405
    assert client.get("/logga-ut").status_code == 405


def test_too_large_body_is_refused_in_swedish(nurse_client):
    csrf = csrf_token(nurse_client, "/vard/patienter/ny")
    response = nurse_client.post(
        "/vard/patienter/ny", data={"csrf_token": csrf, "name": "x" * 300_000}
    )
    assert response.status_code == 413
    assert "För mycket text" in response.get_data(as_text=True)


def test_unexpected_error_is_a_calm_500_page(app, client):
    @app.get("/_boom")
    def _boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/_boom")
    assert response.status_code == 500
    assert "Ingenting har ändrats" in response.get_data(as_text=True)


def test_rate_limit_gives_429_in_swedish(tmp_path):
    limited = create_app(
        make_config(tmp_path, RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="2 per minute")
    )
    with limited.app_context():
        fresh_database()
        client = limited.test_client()
        statuses = [client.get("/inbjudan/whatever").status_code for _ in range(3)]
        assert statuses == [410, 410, 429]
        page = client.get("/inbjudan/whatever")
        assert "För många försök" in page.get_data(as_text=True)
        csrf = csrf_token(client)
        answers = [api(client, "/passkeys/api/login/options", {}, csrf) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert "Vänta en minut" in answers[-1].get_json()["error"]


def test_idle_timeout_signs_out(app, patient, monkeypatch):
    client = app.test_client()
    register_with_invitation(client, patient.user)
    assert client.get("/nycklar").status_code == 200
    idle = app.config["PERMANENT_SESSION_LIFETIME"]
    assert idle == timedelta(minutes=30)
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda self: real(self) + int(idle.total_seconds()) + 5
    )
    response = client.get("/nycklar")
    assert response.status_code == 302
    assert "/logga-in" in response.headers["Location"]


def test_activity_renews_the_idle_limit(app, patient):
    client = app.test_client()
    register_with_invitation(client, patient.user)
    response = client.get("/nycklar")
    assert "Expires=" in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//x",
        "///x",
        "/\\x",
        "\\\\x",
        "http://x",
        "https://x/y",
        "javascript:alert(1)",
        "/ok\x00",
        "/a\nb",
        "/a\tb",
        "x",
        "ftp://x",
        " /nycklar",
        "/\t/x",
        "%2F%2Fx",
    ],
)
def test_is_safe_next_rejects_anything_but_local_paths(target):
    assert not is_safe_next(target)


@pytest.mark.parametrize("target", ["/nycklar", "/", "/vard/patienter/3?x=1"])
def test_is_safe_next_accepts_local_paths(target):
    assert is_safe_next(target)


def test_login_page_honours_only_a_safe_next(app, patient):
    client = app.test_client()
    authenticator = register_with_invitation(app.test_client(), patient.user)
    html = client.get("/logga-in?next=//evil.example").get_data(as_text=True)
    assert "evil.example" not in html
    assert 'data-next="/nycklar"' in client.get("/logga-in?next=/nycklar").get_data(as_text=True)
    assert sign_in(client, authenticator).status_code == 200
    assert client.get("/logga-in?next=/nycklar").headers["Location"].endswith("/nycklar")
    assert client.get("/logga-in?next=https://evil.example").headers["Location"] == "/"
