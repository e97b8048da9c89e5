"""Swedish first; English when the user chooses it, remembered on the device and the account."""

from __future__ import annotations

from tests.conftest import csrf_token, sign_in
from webapp.extensions import db


def choose(client, language, next_path="/"):
    token = csrf_token(client, "/inbjudan/none")  # any page with the meta tag
    return client.post("/sprak", data={"csrf_token": token, "lang": language, "next": next_path})


def test_swedish_by_default(client):
    html = client.get("/logga-in").get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "Logga in med nyckel" in html


def test_browser_language_alone_does_not_switch(client):
    html = client.get("/logga-in", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="sv">' in html


def test_choosing_english_switches_and_is_remembered_on_the_device(client):
    response = choose(client, "en", "/logga-in")
    assert response.status_code == 303
    assert response.headers["Location"] == "/logga-in"
    cookie = client.get_cookie("lang")
    assert cookie.value == "en" and cookie.http_only
    assert '<html lang="en">' in client.get("/logga-in").get_data(as_text=True)


def test_unknown_language_falls_back_to_swedish(client):
    choose(client, "xx")
    assert '<html lang="sv">' in client.get("/logga-in").get_data(as_text=True)


def test_unsafe_next_after_choosing_goes_home(client):
    response = choose(client, "en", "//evil.example")
    assert response.headers["Location"] == "/"


def test_choice_without_csrf_is_refused(client):
    response = client.post("/sprak", data={"lang": "en"})
    assert response.status_code == 400
    assert client.get_cookie("lang") is None


def test_choice_is_stored_on_the_account_and_outlives_sign_out(app, patient_client, patient):
    assert choose(patient_client, "en", "/nycklar").status_code == 303
    db.session.refresh(patient.user)
    assert patient.user.locale == "en"
    assert '<html lang="en">' in patient_client.get("/").get_data(as_text=True)
    token = csrf_token(patient_client, "/nycklar")
    patient_client.post("/logga-ut", data={"csrf_token": token})
    assert '<html lang="en">' in patient_client.get("/logga-in").get_data(as_text=True)


def test_account_choice_follows_the_user_to_a_new_device(app, patient):
    from tests.conftest import register_with_invitation

    phone = app.test_client()
    authenticator = register_with_invitation(phone, patient.user)
    choose(phone, "en", "/nycklar")
    laptop = app.test_client()
    assert '<html lang="sv">' in laptop.get("/logga-in").get_data(as_text=True)
    assert sign_in(laptop, authenticator).status_code == 200
    assert '<html lang="en">' in laptop.get("/").get_data(as_text=True)


def test_choosing_swedish_again(patient_client, patient):
    choose(patient_client, "en", "/nycklar")
    choose(patient_client, "sv", "/nycklar")
    db.session.refresh(patient.user)
    assert patient.user.locale == "sv"
    assert '<html lang="sv">' in patient_client.get("/").get_data(as_text=True)


def test_there_is_a_language_choice_on_the_pages(client):
    html = client.get("/logga-in").get_data(as_text=True)
    assert 'action="/sprak"' in html


def test_a_template_follows_the_language_in_force_also_inside_a_forced_one(app):
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Min plan') }} / {{ ngettext('%(num)d nyckel', '%(num)d nycklar', 2) }}"
    with app.test_request_context("/"):
        assert render_template_string(page) == "Min plan / 2 nycklar"
        with force_locale("en"):  # as a reminder written in the receiver's language
            assert render_template_string(page) == "My plan / 2 passkeys"
        assert render_template_string(page) == "Min plan / 2 nycklar"


def test_the_form_librarys_own_messages_follow_the_chosen_language(app):
    from wtforms import StringField
    from wtforms.validators import DataRequired, Length

    from webapp.forms import AppForm

    class NameForm(AppForm):
        class Meta:
            csrf = False

        name = StringField(validators=[DataRequired()])
        initials = StringField(validators=[Length(max=2)])

    said = {}
    for language in ("sv", "en"):
        request = app.test_request_context(
            "/", method="POST", data={"initials": "ABCD"}, headers={"Cookie": f"lang={language}"}
        )
        with app.app_context(), request:  # a request of its own, as every request has
            form = NameForm()
            assert not form.validate()
            said[language] = form.errors
    assert said["sv"] == {
        "name": ["Det här fältet är obligatoriskt."],
        "initials": ["Fältet får inte vara längre än 2 tecken."],
    }
    assert said["en"] == {
        "name": ["This field is required."],
        "initials": ["Field cannot be longer than 2 characters."],
    }
