"""Sessions live on the server: signing out ends them wherever the cookie was copied, they
end by themselves when idle or old, and changing one's passkeys needs a fresh passkey check."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import api, csrf_token, register_with_invitation, sign_in
from tests.fakes.authenticator import SoftAuthenticator
from webapp.audit import AccessLogEntry
from webapp.auth.models import UserSession
from webapp.auth.passkeys.models import Credential
from webapp.extensions import db
from webapp.people import services as people

COOKIE = "nara_session"


def cookie_of(client) -> str:
    found = client.get_cookie(COOKIE)
    assert found is not None
    return found.value


def copy_of(app, client):
    """Another browser holding a copy of this browser's session cookie (a thief's)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie_of(client))
    return thief


def is_signed_in(client) -> bool:
    return client.get("/nycklar").status_code == 200


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, patient_client):
    thief = copy_of(app, patient_client)
    assert is_signed_in(thief)  # the copy works while the session lives...
    csrf = csrf_token(patient_client, "/nycklar")
    patient_client.post("/logga-ut", data={"csrf_token": csrf})
    assert not is_signed_in(patient_client)
    assert not is_signed_in(thief)  # ...and not after the owner signed out


def test_sign_out_everywhere_ends_every_copy(app, patient):
    key = register_with_invitation(app.test_client(), patient.user)
    phone, tablet = app.test_client(), app.test_client()
    sign_in(phone, key)
    sign_in(tablet, key)
    thief = copy_of(app, tablet)
    csrf = csrf_token(phone, "/nycklar")
    phone.post("/nycklar/logga-ut-overallt", data={"csrf_token": csrf})
    assert [is_signed_in(c) for c in (phone, tablet, thief)] == [False, False, False]


def test_an_idle_session_ends_on_the_server(app, clock, patient_client):
    thief = copy_of(app, patient_client)
    clock.advance(minutes=31)
    assert not is_signed_in(thief)
    assert not is_signed_in(patient_client)
    ended = db.session.scalars(select(UserSession.ended_at).order_by(UserSession.id)).all()
    assert all(ended)


def test_a_busy_session_still_ends_at_its_absolute_lifetime(app, clock, patient_client):
    for _ in range(12 * 4):  # a request every quarter of an hour, all day
        assert is_signed_in(patient_client)
        clock.advance(minutes=15)
    assert not is_signed_in(patient_client)


def test_the_cookie_is_sent_again_when_the_idle_clock_moves_and_not_with_every_page(
    clock, patient_client
):
    def session_cookie_sent() -> bool:
        response = patient_client.get("/")
        assert response.status_code == 200
        return any(h.startswith("nara_session=") for h in response.headers.getlist("Set-Cookie"))

    clock.advance(minutes=2)
    assert session_cookie_sent()  # the browser's expiry moves with the server's idle clock
    assert not session_cookie_sent()  # within the minute nothing has moved
    clock.advance(minutes=25)
    assert session_cookie_sent()
    clock.advance(minutes=25)  # 50 minutes after sign-in, used every 25: still signed in
    assert is_signed_in(patient_client)


def test_a_session_ended_while_a_page_read_it_stays_ended(app, clock, patient_client):
    # "Sign out everywhere" on another device lands between this request's read of its
    # session and its write of the session's last request: that write must not undo the end.
    from sqlalchemy import event, update

    from webapp.clock import now_utc

    clock.advance(minutes=2)  # this look moves the idle clock, so it writes the session row
    ended = []

    def end_it_elsewhere(_conn, _cursor, statement, *_args):
        if not ended and statement.lstrip().upper().startswith("SELECT"):
            if "FROM user_session" in statement:
                with db.engine.connect() as other:
                    other.execute(update(UserSession).values(ended_at=now_utc()))
                    other.commit()
                ended.append(True)

    event.listen(db.engine, "after_cursor_execute", end_it_elsewhere)
    try:
        patient_client.get("/")
    finally:
        event.remove(db.engine, "after_cursor_execute", end_it_elsewhere)
    assert ended
    db.session.expire_all()
    assert all(db.session.scalars(select(UserSession.ended_at)))
    assert not is_signed_in(patient_client)


def test_staff_sessions_end_sooner_than_patients(app, clock, nurse_client):
    for _ in range(10 * 4):
        assert is_signed_in(nurse_client)
        clock.advance(minutes=15)
    assert not is_signed_in(nurse_client)


# --- a fresh check before the keys change -----------------------------------------------


def test_a_stolen_cookie_cannot_add_a_passkey_without_a_fresh_check(app, clock, patient_client):
    thief = copy_of(app, patient_client)
    clock.advance(minutes=6)  # the owner signed in a while ago
    token = csrf_token(thief, "/nycklar")
    refused = api(thief, "/passkeys/api/register/options", {}, token)
    assert refused.status_code == 400
    assert "Bekräfta först med din nyckel" in refused.get_json()["error"]
    link = thief.post("/nycklar/ny-enhet", data={"csrf_token": token})
    assert link.status_code == 303 and "/inbjudan/" not in thief.get("/nycklar").get_data(True)
    assert "Bekräfta att det är jag" in thief.get("/nycklar").get_data(as_text=True)


def test_right_after_sign_in_the_owner_may_add_a_passkey(patient_client):
    token = csrf_token(patient_client, "/nycklar")
    assert api(patient_client, "/passkeys/api/register/options", {}, token).status_code == 200


def test_a_fresh_check_with_ones_own_passkey_opens_the_changes(app, clock, patient):
    key = register_with_invitation(app.test_client(), patient.user)
    phone = app.test_client()
    sign_in(phone, key)
    clock.advance(minutes=6)
    token = csrf_token(phone, "/nycklar")
    assert api(phone, "/passkeys/api/register/options", {}, token).status_code == 400
    options = api(phone, "/passkeys/api/confirm/options", {}, token).get_json()
    assert [c["id"] for c in options["allowCredentials"]]  # only this person's own keys
    verified = api(phone, "/passkeys/api/confirm/verify", {"credential": key.get(options)}, token)
    assert verified.status_code == 200
    assert api(phone, "/passkeys/api/register/options", {}, token).status_code == 200


def test_a_fresh_check_with_someone_elses_passkey_is_refused(app, clock, patient, nurse):
    own_key = register_with_invitation(app.test_client(), patient.user)
    other_key = register_with_invitation(app.test_client(), nurse.user)
    phone = app.test_client()
    sign_in(phone, own_key)
    clock.advance(minutes=6)
    token = csrf_token(phone, "/nycklar")
    options = api(phone, "/passkeys/api/confirm/options", {}, token).get_json()
    answer = api(
        phone, "/passkeys/api/confirm/verify", {"credential": other_key.get(options)}, token
    )
    assert answer.status_code == 400
    assert api(phone, "/passkeys/api/register/options", {}, token).status_code == 400


def test_removing_a_passkey_needs_a_fresh_check(app, clock, patient):
    key = register_with_invitation(app.test_client(), patient.user)
    register_with_invitation(
        app.test_client(), patient.user, SoftAuthenticator(origin="http://localhost")
    )
    phone = app.test_client()
    sign_in(phone, key)
    clock.advance(minutes=6)
    passkey_id = db.session.scalar(select(Credential.id))
    token = csrf_token(phone, "/nycklar")
    phone.post(f"/nycklar/{passkey_id}/ta-bort", data={"csrf_token": token})
    assert db.session.get(Credential, passkey_id) is not None


# --- secrets are not in the readable cookie ---------------------------------------------


def test_a_fresh_invitation_link_is_not_readable_in_the_cookie(app, nurse_client, patient):
    token = csrf_token(nurse_client, f"/vard/patienter/{patient.id}")
    nurse_client.post(f"/vard/patienter/{patient.id}/inbjudan", data={"csrf_token": token})
    serializer = app.session_interface.get_signing_serializer(app)
    content = serializer.loads(cookie_of(nurse_client))
    page = nurse_client.get(f"/vard/patienter/{patient.id}/inbjudan").get_data(as_text=True)
    link_token = page.split("/inbjudan/")[1].split('"')[0]
    assert link_token not in repr(content)
    # Shown once, then forgotten.
    again = nurse_client.get(f"/vard/patienter/{patient.id}/inbjudan")
    assert again.status_code == 303


# --- a staff member who leaves ----------------------------------------------------------


@pytest.fixture
def leaver(unit):
    member = people.staff_create(unit=unit, name="Per Slutar", title="Sjuksköterska")
    db.session.commit()
    return member


def test_an_administrator_ends_a_leavers_access_at_once(app, nurse_client, leaver, patient):
    key = register_with_invitation(app.test_client(), leaver.user)
    their_phone = app.test_client()
    sign_in(their_phone, key)
    their_phone.get(f"/vard/patienter/{patient.id}")  # a read, before leaving
    token = csrf_token(nurse_client, "/vard/personal")
    response = nurse_client.post(
        f"/vard/personal/{leaver.id}/avsluta", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Per Slutar kan inte längre logga in" in response.get_data(as_text=True)
    assert not is_signed_in(their_phone)
    assert (
        db.session.scalars(
            select(Credential).where(Credential.user_id == leaver.user_id).order_by(Credential.id)
        ).all()
        == []
    )
    assert sign_in(app.test_client(), key).status_code == 400
    # The read they made stays in the patient's log, naming them as former staff.
    assert db.session.scalar(
        select(AccessLogEntry).where(AccessLogEntry.actor_user_id == leaver.user_id)
    )
    own = app.test_client()
    register_with_invitation(own, patient.user)
    html = own.get("/logglista").get_data(as_text=True)
    assert "Per Slutar" in html and "har slutat" in html


def test_only_an_administrator_ends_access(app, leaver, physician):
    colleague = app.test_client()
    register_with_invitation(colleague, physician.user)
    assert colleague.get("/vard/personal").status_code == 404
    assert colleague.post(f"/vard/personal/{leaver.id}/avsluta").status_code in (400, 404)


# --- a personnummer tells a stranger unit nothing -----------------------------------------


def test_a_personnummer_at_another_unit_reveals_nothing_and_is_logged(
    app, patient, other_unit_nurse
):
    stranger = app.test_client()
    register_with_invitation(stranger, other_unit_nurse.user)
    token = csrf_token(stranger, "/vard/patienter/ny")
    response = stranger.post(
        "/vard/patienter/ny",
        data={
            "csrf_token": token,
            "name": "Astrid B",
            "phone": "070-111 22 33",
            "personal_number": "19490312-2382",
            "physician_id": "",
        },
    )
    assert response.status_code == 303  # as for anyone new: no "already a patient" answer
    (row,) = db.session.scalars(
        select(AccessLogEntry)
        .where(
            AccessLogEntry.patient_id == patient.id,
            AccessLogEntry.actor_user_id == other_unit_nurse.user_id,
        )
        .order_by(AccessLogEntry.id)
    ).all()
    assert row.action == "registered_at_other_unit"
