"""What every answer carries (headers, Vary, no-store when signed in), rate limits on the views
that have them, CSRF on every POST, and the session cookie: signed, aged, and good across a
key rotation."""

from __future__ import annotations

from tests.conftest import fresh_database, make_config
from webapp import create_app
from webapp.security import HEADERS


def test_a_request_without_session_is_signed_out_and_varies_on_the_cookie(client):
    response = client.get("/healthz")
    for name, value in HEADERS.items():
        assert response.headers[name] == value
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Cookie" in response.headers.get("Vary", "")  # as when Flask-Login looked
    assert client.get_cookie("nara_session") is None


def test_the_cookie_joins_a_vary_the_view_set_itself(app, client):
    @app.get("/varies")
    def varies():
        return "x", 200, {"Vary": "Accept-Language"}

    vary = client.get("/varies").headers["Vary"]
    assert {word.strip() for word in vary.split(",")} == {"Accept-Language", "Cookie"}


def test_other_cookies_without_a_session_one_are_a_signed_out_visit(client):
    client.set_cookie("something_else", "1")
    response = client.get("/healthz")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Cookie" in response.headers["Vary"]
    assert client.get_cookie("nara_session") is None


def test_a_signed_in_request_is_no_store_on_any_path(patient_client):
    for path in ("/healthz", "/sw.js", "/offline"):
        assert patient_client.get(path).headers["Cache-Control"] == "no-store", path
    assert "no-store" not in patient_client.get("/static/css/app.css").headers["Cache-Control"]


def test_a_signed_out_session_with_content_is_not_no_store(client):
    client.get("/logga-in")  # an anonymous session with a CSRF token in it
    assert client.get_cookie("nara_session") is not None
    assert "no-store" not in client.get("/healthz").headers.get("Cache-Control", "")


def test_a_header_the_view_set_wins_whatever_its_case(app, client):
    @app.get("/own-headers")
    def own_headers():
        return "x", 200, {"content-security-policy": "default-src 'none'", "x-frame-options": "X"}

    response = client.get("/own-headers")
    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert response.headers.getlist("X-Frame-Options") == ["X"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_limited_view_answers_429_with_the_limits_headers(tmp_path):
    app = create_app(make_config(tmp_path, RATELIMIT_ENABLED=True, SIGN_IN_RATE_LIMIT="2/minute"))
    with app.app_context():
        fresh_database()
        client = app.test_client()
        answers = [client.get("/inbjudan/x") for _ in range(3)]
        assert [a.status_code for a in answers] == [410, 410, 429]
        # The limited view's answers carry the limit's headers, the 429 too ...
        assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["1", "0", "0"]
        assert all(a.headers["X-RateLimit-Limit"] == "2" for a in answers)
        assert "Retry-After" in answers[-1].headers
        # ... and an answer that no limit counted has none.
        assert not [name for name in client.get("/healthz").headers.keys() if "RateLimit" in name]


def test_a_post_without_its_csrf_token_is_still_refused_and_a_get_needs_none(app, client):
    @app.route("/csrf-probe", methods=["GET", "POST"])
    def csrf_probe():
        return "done"

    assert client.get("/csrf-probe").get_data(as_text=True) == "done"
    refused = client.post("/csrf-probe", data={"x": "1"})
    assert refused.status_code == 400
    assert "done" not in refused.get_data(as_text=True)


def test_a_session_signed_with_the_previous_key_still_opens_after_a_key_rotation(tmp_path):
    old_key, new_key = "o" * 64, "n" * 64
    before = create_app(make_config(tmp_path, SECRET_KEY=old_key))
    after = create_app(make_config(tmp_path, SECRET_KEY=new_key, SECRET_KEY_FALLBACKS=[old_key]))
    stranger = create_app(make_config(tmp_path, SECRET_KEY="s" * 64))
    for app in (before, after, stranger):

        @app.get("/probe-session")
        def probe_session():
            from flask import session

            session.setdefault("seen", 0)
            session["seen"] += 1
            return str(session["seen"])

    with before.app_context():
        fresh_database()
    client = before.test_client()
    assert client.get("/probe-session").get_data(as_text=True) == "1"
    cookie = client.get_cookie("nara_session")
    assert cookie is not None
    for app, expected in ((after, "2"), (stranger, "1")):
        other = app.test_client()
        other.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
        assert other.get("/probe-session").get_data(as_text=True) == expected


def test_a_session_cookie_past_its_lifetime_opens_nothing(patient_client, monkeypatch):
    assert patient_client.get("/nycklar").status_code == 200
    # The cookie's own age, not the server's idle limit (that reads the app's clock): the
    # signer's clock (itsdangerous' TimestampSigner.get_timestamp, there to be replaced)
    # moves past the cookie's lifetime.
    from itsdangerous import TimestampSigner

    idle = int(patient_client.application.permanent_session_lifetime.total_seconds())
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + idle + 5)
    late = patient_client.get("/nycklar")
    assert late.status_code == 302
    assert "/logga-in" in late.headers["Location"]


def test_a_changed_session_cookie_opens_nothing(patient_client):
    assert patient_client.get("/nycklar").status_code == 200
    cookie = patient_client.get_cookie("nara_session")
    assert cookie is not None
    payload, _dot, signature = cookie.value.rpartition(".")
    # The first character: the last one of unpadded base64 carries bits that are ignored.
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    patient_client.set_cookie(cookie.key, f"{payload}.{flipped}", domain=cookie.domain)
    refused = patient_client.get("/nycklar")
    assert refused.status_code == 302
    assert "/logga-in" in refused.headers["Location"]
