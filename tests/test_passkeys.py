"""Passkeys with a software authenticator: both ceremonies, their refusals, and managing keys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import ORIGIN, api, csrf_token, register_with_invitation, sign_in
from tests.fakes.authenticator import SoftAuthenticator
from webapp.auth import services as auth_services
from webapp.auth.models import InvitationPurpose
from webapp.auth.passkeys.models import Credential, WebAuthnChallenge
from webapp.db import now_utc
from webapp.extensions import db

LOGIN_OPTIONS = "/passkeys/api/login/options"
LOGIN_VERIFY = "/passkeys/api/login/verify"
REGISTER_OPTIONS = "/passkeys/api/register/options"
REGISTER_VERIFY = "/passkeys/api/register/verify"


def signed_in_as(client) -> str | None:
    response = client.get("/nycklar")
    return None if response.status_code != 200 else response.get_data(as_text=True)


def passkeys_of(user):
    return list(
        db.session.scalars(
            select(Credential).where(Credential.user_id == user.id).order_by(Credential.id)
        )
    )


def registered_then_signed_out(app, user) -> SoftAuthenticator:
    authenticator = register_with_invitation(app.test_client(), user)
    return authenticator


def test_registration_through_invitation_signs_in(client, patient):
    register_with_invitation(client, patient.user)
    assert "Mina nycklar" in signed_in_as(client)
    assert "Min plan" in client.get("/").get_data(as_text=True)
    (passkey,) = passkeys_of(patient.user)
    assert passkey.name.startswith("Nyckel 1")


def test_later_sign_in_without_user_name(app, patient):
    authenticator = registered_then_signed_out(app, patient.user)
    client = app.test_client()
    options = api(client, LOGIN_OPTIONS, {}, csrf_token(client)).get_json()
    assert not options.get("allowCredentials")  # discoverable: no user name asked
    assert options["userVerification"] == "required"
    response = sign_in(client, authenticator)
    assert response.status_code == 200
    assert response.get_json()["redirect"] == "/"
    assert "Karin Lind" in client.get("/").get_data(as_text=True)


def test_replayed_sign_in_response_is_refused(app, patient):
    authenticator = registered_then_signed_out(app, patient.user)
    client = app.test_client()
    csrf = csrf_token(client)
    options = api(client, LOGIN_OPTIONS, {}, csrf).get_json()
    credential = authenticator.get(options)
    # The attacker copies the session cookie that still names the challenge, and the response.
    attacker = app.test_client()
    attacker.set_cookie("nara_session", client.get_cookie("nara_session").value)
    assert api(client, LOGIN_VERIFY, {"credential": credential}, csrf).status_code == 200
    replayed = api(attacker, LOGIN_VERIFY, {"credential": credential}, csrf)
    assert replayed.status_code == 400
    assert "redan använts" in replayed.get_json()["error"]
    assert signed_in_as(attacker) is None
    again = api(client, LOGIN_VERIFY, {"credential": credential}, csrf)
    assert again.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(WebAuthnChallenge)) == 0


def test_challenge_is_deleted_before_verification(app, patient):
    authenticator = registered_then_signed_out(app, patient.user)
    client = app.test_client()
    csrf = csrf_token(client)
    options = api(client, LOGIN_OPTIONS, {}, csrf).get_json()
    bad = api(client, LOGIN_VERIFY, {"credential": authenticator.get(options, tamper=True)}, csrf)
    assert bad.status_code == 400
    # The failed try used the challenge up: the good signature over it is refused too.
    good = api(client, LOGIN_VERIFY, {"credential": authenticator.get(options)}, csrf)
    assert good.status_code == 400
    assert signed_in_as(client) is None


def test_response_for_another_origin_is_refused(app, patient):
    authenticator = registered_then_signed_out(app, patient.user)
    client = app.test_client()
    response = sign_in(client, authenticator, origin="https://evil.example")
    assert response.status_code == 400
    assert "Nyckeln kunde inte godkännas" in response.get_json()["error"]
    assert signed_in_as(client) is None


def test_registration_for_another_origin_is_refused(client, patient):
    _invitation, token = auth_services.invitation_issue(
        user=patient.user, purpose=InvitationPurpose.ONBOARDING, created_by=None
    )
    csrf = csrf_token(client)
    options = api(client, REGISTER_OPTIONS, {"invitation": token}, csrf).get_json()
    credential = SoftAuthenticator().create(options, origin="http://localhost.evil.example")
    response = api(client, REGISTER_VERIFY, {"credential": credential}, csrf)
    assert response.status_code == 400
    assert passkeys_of(patient.user) == []
    assert client.get(f"/inbjudan/{token}").status_code == 200  # still usable


@pytest.mark.parametrize(
    "body",
    [
        None,
        "not json at all",
        {},
        {"credential": None},
        {"credential": "text"},
        {"credential": []},
        {"credential": {}},
        {"credential": {"rawId": "!!!not base64!!!"}},
        {"credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}},
        {"credential": {"id": "AAAA", "rawId": "AAAA", "response": "x"}},
        {"credential": {"id": 1, "rawId": 5, "response": {"clientDataJSON": 3}}},
        {
            "credential": {
                "id": "AAAA",
                "rawId": "AAAA",
                "type": "public-key",
                "response": {
                    "clientDataJSON": "%%%",
                    "authenticatorData": "@@",
                    "signature": "~~",
                    "attestationObject": "^^",
                },
            }
        },
    ],
)
@pytest.mark.parametrize("path", [LOGIN_VERIFY, REGISTER_VERIFY])
def test_malformed_responses_get_a_clear_400(app, patient, path, body):
    client = app.test_client()
    csrf = csrf_token(client)
    if path == LOGIN_VERIFY:
        api(client, LOGIN_OPTIONS, {}, csrf)
    else:
        _inv, token = auth_services.invitation_issue(
            user=patient.user, purpose=InvitationPurpose.ONBOARDING, created_by=None
        )
        api(client, REGISTER_OPTIONS, {"invitation": token}, csrf)
    if isinstance(body, str):
        response = client.post(
            path, data=body, content_type="application/json", headers={"X-CSRFToken": csrf}
        )
    else:
        response = api(client, path, body, csrf)
    assert response.status_code == 400
    assert response.is_json
    assert response.get_json()["error"]
    assert passkeys_of(patient.user) == []


def test_good_response_for_a_made_up_credential_is_unknown(app, patient):
    registered_then_signed_out(app, patient.user)
    client = app.test_client()
    stranger = SoftAuthenticator()
    response = sign_in(client, stranger)
    assert response.status_code == 400
    assert "känns inte igen" in response.get_json()["error"]


def test_sign_in_without_user_verification_is_refused(app, patient):
    authenticator = registered_then_signed_out(app, patient.user)
    client = app.test_client()
    response = sign_in(client, authenticator, user_verified=False)
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_registration_without_user_verification_is_refused(client, patient):
    _invitation, token = auth_services.invitation_issue(
        user=patient.user, purpose=InvitationPurpose.ONBOARDING, created_by=None
    )
    csrf = csrf_token(client)
    options = api(client, REGISTER_OPTIONS, {"invitation": token}, csrf).get_json()
    assert options["authenticatorSelection"]["userVerification"] == "required"
    credential = SoftAuthenticator().create(options, user_verified=False)
    response = api(client, REGISTER_VERIFY, {"credential": credential}, csrf)
    assert response.status_code == 400
    assert passkeys_of(patient.user) == []
    assert signed_in_as(client) is None


def test_sign_count_going_backwards_is_refused(app, patient):
    authenticator = registered_then_signed_out(app, patient.user)
    assert sign_in(app.test_client(), authenticator, counter_step=5).status_code == 200
    cloned = app.test_client()
    response = sign_in(cloned, authenticator, counter_step=-3)
    assert response.status_code == 400
    assert signed_in_as(cloned) is None
    (passkey,) = passkeys_of(patient.user)
    assert passkey.sign_count == 5


def test_synced_passkey_always_reporting_zero_keeps_working(app, patient):
    authenticator = registered_then_signed_out(app, patient.user)
    for _ in range(3):
        client = app.test_client()
        assert sign_in(client, authenticator, counter_step=0).status_code == 200
        assert signed_in_as(client)
    (passkey,) = passkeys_of(patient.user)
    assert passkey.sign_count == 0
    assert passkey.last_used_at is not None


def test_expired_challenge_is_refused(app, patient):
    authenticator = registered_then_signed_out(app, patient.user)
    client = app.test_client()
    csrf = csrf_token(client)
    options = api(client, LOGIN_OPTIONS, {}, csrf).get_json()
    for row in db.session.scalars(select(WebAuthnChallenge)):
        row.expires_at = now_utc() - timedelta(seconds=1)
    db.session.commit()
    response = api(client, LOGIN_VERIFY, {"credential": authenticator.get(options)}, csrf)
    assert response.status_code == 400
    assert "tog för lång tid" in response.get_json()["error"]


def test_registration_challenge_cannot_be_used_to_sign_in(app, patient):
    authenticator = registered_then_signed_out(app, patient.user)
    client = app.test_client()
    _invitation, token = auth_services.invitation_issue(
        user=patient.user, purpose=InvitationPurpose.NEW_DEVICE, created_by=patient.user
    )
    csrf = csrf_token(client)
    options = api(client, REGISTER_OPTIONS, {"invitation": token}, csrf).get_json()
    response = api(
        client,
        LOGIN_VERIFY,
        {"credential": authenticator.get({"challenge": options["challenge"]})},
        csrf,
    )
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_add_a_passkey_while_signed_in(patient_client, patient):
    csrf = csrf_token(patient_client, "/nycklar")
    options = api(patient_client, REGISTER_OPTIONS, {}, csrf).get_json()
    existing = options["excludeCredentials"]
    assert len(existing) == 1
    response = api(
        patient_client, REGISTER_VERIFY, {"credential": SoftAuthenticator().create(options)}, csrf
    )
    assert response.status_code == 200
    assert response.get_json()["redirect"] == "/nycklar"
    assert len(passkeys_of(patient.user)) == 2
    assert "Nyckeln är tillagd" in patient_client.get("/nycklar").get_data(as_text=True)


def test_new_device_link_lets_another_device_register(app, patient_client, patient):
    csrf = csrf_token(patient_client, "/nycklar")
    page = patient_client.post("/nycklar/ny-enhet", data={"csrf_token": csrf})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html
    token = html.split("/inbjudan/")[1].split('"')[0]
    other = app.test_client()
    from tests.test_invitations import register

    assert register(other, token).status_code == 200
    assert len(passkeys_of(patient.user)) == 2


def test_rename_a_passkey(patient_client, patient):
    (passkey,) = passkeys_of(patient.user)
    csrf = csrf_token(patient_client, "/nycklar")
    response = patient_client.post(
        f"/nycklar/{passkey.id}/namn", data={"csrf_token": csrf, "name": "  Min telefon "}
    )
    assert response.status_code == 303
    db.session.refresh(passkey)
    assert passkey.name == "Min telefon"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("   ", "Skriv ett namn"), ("Lång" * 20, "högst 60 tecken")],
)
def test_rename_refuses_empty_or_long_names_and_keeps_what_was_typed(
    patient_client, patient, typed, message
):
    (passkey,) = passkeys_of(patient.user)
    before = passkey.name
    csrf = csrf_token(patient_client, "/nycklar")
    response = patient_client.post(
        f"/nycklar/{passkey.id}/namn", data={"csrf_token": csrf, "name": typed}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    if typed.strip():
        assert typed in html
    db.session.refresh(passkey)
    assert passkey.name == before


def test_cannot_rename_or_remove_someone_elses_passkey(app, patient_client, nurse):
    register_with_invitation(app.test_client(), nurse.user)
    register_with_invitation(app.test_client(), nurse.user)
    theirs = passkeys_of(nurse.user)
    csrf = csrf_token(patient_client, "/nycklar")
    patient_client.post(f"/nycklar/{theirs[0].id}/namn", data={"csrf_token": csrf, "name": "X"})
    patient_client.post(f"/nycklar/{theirs[0].id}/ta-bort", data={"csrf_token": csrf})
    assert [p.name for p in passkeys_of(nurse.user)] == [p.name for p in theirs]


def test_remove_a_passkey_but_never_the_last(app, patient_client, patient):
    register_with_invitation(app.test_client(), patient.user)  # a second device
    first, second = sorted(passkeys_of(patient.user), key=lambda p: p.id)
    csrf = csrf_token(patient_client, "/nycklar")
    response = patient_client.post(f"/nycklar/{second.id}/ta-bort", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert [p.id for p in passkeys_of(patient.user)] == [first.id]
    refused = patient_client.post(
        f"/nycklar/{first.id}/ta-bort", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert "Du kan inte ta bort din enda nyckel" in refused.get_data(as_text=True)
    assert [p.id for p in passkeys_of(patient.user)] == [first.id]


def test_sign_out_everywhere_ends_other_sessions(app, patient):
    authenticator = register_with_invitation(app.test_client(), patient.user)
    phone, tablet = app.test_client(), app.test_client()
    assert sign_in(phone, authenticator).status_code == 200
    assert sign_in(tablet, authenticator).status_code == 200
    csrf = csrf_token(phone, "/nycklar")
    response = phone.post("/nycklar/logga-ut-overallt", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert signed_in_as(tablet) is None
    assert signed_in_as(phone) is None
    assert sign_in(tablet, authenticator).status_code == 200  # the passkey still works


def test_sign_out_clears_site_data(patient_client):
    # On the POST's own answer (a 303): the page after it is one anyone can link to.
    csrf = csrf_token(patient_client, "/nycklar")
    response = patient_client.post("/logga-ut", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/utloggad")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert signed_in_as(patient_client) is None
    page = patient_client.get("/utloggad")
    assert page.status_code == 200
    assert "Clear-Site-Data" not in page.headers


def test_sign_out_everywhere_clears_site_data(patient_client):
    csrf = csrf_token(patient_client, "/nycklar")
    response = patient_client.post("/nycklar/logga-ut-overallt", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/utloggad")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_a_link_to_the_signed_out_page_neither_clears_nor_signs_out(patient_client):
    response = patient_client.get("/utloggad")
    assert response.status_code == 302  # a signed-in patient is not told she is signed out
    assert response.headers["Location"].endswith("/")
    assert "Clear-Site-Data" not in response.headers
    assert signed_in_as(patient_client) is not None


def test_a_link_to_the_signed_out_page_clears_nothing(patient_client):
    # Any site can link here; only the sign-out POST's own answer may wipe the device.
    response = patient_client.get("/utloggad")
    assert response.status_code in (200, 302)
    assert "Clear-Site-Data" not in response.headers
    assert signed_in_as(patient_client) is not None


def test_lost_phone_recovery_invitation_and_notice(app, nurse_client, patient):
    lost_phone = app.test_client()
    old_key = register_with_invitation(lost_phone, patient.user)
    csrf = csrf_token(nurse_client, f"/vard/patienter/{patient.id}")
    issued = nurse_client.post(
        f"/vard/patienter/{patient.id}/inbjudan", data={"csrf_token": csrf}, follow_redirects=True
    )
    html = issued.get_data(as_text=True)
    token = html.split("/inbjudan/")[1].split('"')[0]
    new_phone = app.test_client()
    page = new_phone.get(f"/inbjudan/{token}").get_data(as_text=True)
    assert "ny telefon" in page
    from tests.test_invitations import register

    assert register(new_phone, token).status_code == 200
    assert len(passkeys_of(patient.user)) == 2
    home = new_phone.get("/").get_data(as_text=True)
    assert "med en länk från din vårdkontakt" in home
    # Signing in with the link ended every other session: the lost phone is out.
    assert signed_in_as(lost_phone) is None
    # The new key cannot put the notice away on its first day (it may be the very key the
    # notice warns about)...
    csrf = csrf_token(new_phone, "/")
    refused = new_phone.post("/nycklar/handelser/sett", data={"csrf_token": csrf})
    assert "kan inte tas bort från den nya nyckeln" in new_phone.get(
        refused.headers["Location"]
    ).get_data(as_text=True)
    assert "med en länk från din vårdkontakt" in new_phone.get("/").get_data(as_text=True)
    # ...but the patient's own older key can, and sees it there too.
    own_device = app.test_client()
    assert sign_in(own_device, old_key).status_code == 200
    assert "med en länk från din vårdkontakt" in own_device.get("/").get_data(as_text=True)
    csrf = csrf_token(own_device, "/")
    own_device.post("/nycklar/handelser/sett", data={"csrf_token": csrf})
    assert "med en länk från din vårdkontakt" not in own_device.get("/").get_data(as_text=True)


def test_sign_in_starts_a_fresh_session(app, patient):
    authenticator = registered_then_signed_out(app, patient.user)
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    assert sign_in(client, authenticator).status_code == 200
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_sign_in_honours_a_safe_next_only(app, patient):
    authenticator = registered_then_signed_out(app, patient.user)
    for target, expected in (("/nycklar", "/nycklar"), ("//evil.example", "/")):
        client = app.test_client()
        csrf = csrf_token(client)
        options = api(client, LOGIN_OPTIONS, {}, csrf).get_json()
        body = {"credential": authenticator.get(options), "next": target}
        assert api(client, LOGIN_VERIFY, body, csrf).get_json()["redirect"] == expected


@pytest.mark.parametrize("target", [["/nycklar"], {"path": "/nycklar"}, 5, 2**70, True, None])
def test_a_next_that_is_not_text_goes_to_min_plan(app, patient, target):
    authenticator = registered_then_signed_out(app, patient.user)
    client = app.test_client()
    csrf = csrf_token(client)
    options = api(client, LOGIN_OPTIONS, {}, csrf).get_json()
    body = {"credential": authenticator.get(options), "next": target}
    response = api(client, LOGIN_VERIFY, body, csrf)
    assert response.status_code == 200
    assert response.get_json() == {"redirect": "/"}


@pytest.mark.parametrize(
    ("transports", "kept"),
    [
        (["internal", "hybrid", "internal"], "internal,hybrid"),
        (["usb", {"usb": 1}, ["nfc"], 7, None, "pigeon"], "usb"),
        (5, ""),
        ("usb", ""),  # a string is not a list of transports
        ({"usb": True}, ""),
        (None, ""),
    ],
)
def test_transports_of_the_wrong_json_type_still_register_without_a_hint(
    client, patient, transports, kept
):
    _invitation, token = auth_services.invitation_issue(
        user=patient.user, purpose=InvitationPurpose.ONBOARDING, created_by=None
    )
    csrf = csrf_token(client)
    options = api(client, REGISTER_OPTIONS, {"invitation": token}, csrf).get_json()
    credential = SoftAuthenticator().create(options)
    credential["response"]["transports"] = transports
    response = api(client, REGISTER_VERIFY, {"credential": credential}, csrf)
    assert response.status_code == 200, response.get_json()
    (passkey,) = passkeys_of(patient.user)
    assert passkey.transports == kept


def test_origin_comes_from_configuration_not_the_request(app, patient):
    authenticator = registered_then_signed_out(app, patient.user)
    client = app.test_client()
    csrf = csrf_token(client)
    options = api(client, LOGIN_OPTIONS, {}, csrf).get_json()
    response = client.post(
        LOGIN_VERIFY,
        json={"credential": authenticator.get(options, origin="http://evil.example")},
        headers={"X-CSRFToken": csrf, "Host": "evil.example", "Origin": "http://evil.example"},
        base_url="http://evil.example",
    )
    assert response.status_code == 400
    assert ORIGIN == app.config["WEBAUTHN_ORIGIN"]
