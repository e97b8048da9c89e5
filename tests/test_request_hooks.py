"""What every request pays (issue 8): the trimmed hooks still do all they did."""

from __future__ import annotations

from webapp.security import HEADERS


def test_a_request_without_session_is_signed_out_and_varies_on_the_cookie(client):
    response = client.get("/healthz")
    for name, value in HEADERS.items():
        assert response.headers[name] == value
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Cookie" in response.headers.get("Vary", "")  # as when Flask-Login looked
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
