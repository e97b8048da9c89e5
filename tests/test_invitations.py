"""One-time invitations: stored as a hash, expire, work once, and the newest one wins."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import func, select, text

from tests.conftest import ORIGIN, api, csrf_token, make_config
from tests.fakes.authenticator import SoftAuthenticator
from webapp import create_app
from webapp.auth import services as auth_services
from webapp.auth.models import Invitation, InvitationPurpose
from webapp.auth.passkeys.models import Credential
from webapp.extensions import db


def issue(user, **kwargs):
    return auth_services.invitation_issue(
        user=user, purpose=kwargs.pop("purpose", InvitationPurpose.ONBOARDING), created_by=None
    )


def credential_count():
    return db.session.scalar(select(func.count()).select_from(Credential))


def register(client, token, authenticator=None):
    authenticator = authenticator or SoftAuthenticator(origin=ORIGIN)
    csrf = csrf_token(client, "/logga-in")
    options = api(client, "/passkeys/api/register/options", {"invitation": token}, csrf)
    if options.status_code != 200:
        return options
    return api(
        client,
        "/passkeys/api/register/verify",
        {"credential": authenticator.create(options.get_json())},
        csrf,
    )


def test_only_the_sha256_of_the_token_is_stored(app, patient):
    invitation, token = issue(patient.user)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    dump = "\n".join(str(row) for row in db.session.execute(text("SELECT * FROM invitation")))
    assert token not in dump


def test_invitation_page_greets_the_patient(client, patient):
    _invitation, token = issue(patient.user)
    response = client.get(f"/inbjudan/{token}")
    assert response.status_code == 200
    assert "Välkommen, Astrid Berg" in response.get_data(as_text=True)


def test_invitation_expires_after_72_hours_by_default(client, patient):
    invitation, token = issue(patient.user)
    lifetime = invitation.expires_at - invitation.created_at
    assert timedelta(hours=71, minutes=59) < lifetime <= timedelta(hours=72)
    invitation.expires_at = invitation.created_at - timedelta(seconds=1)
    db.session.commit()
    response = client.get(f"/inbjudan/{token}")
    assert response.status_code == 410
    assert "Länken har gått ut" in response.get_data(as_text=True)
    assert register(client, token).status_code == 400
    assert credential_count() == 0


def test_invitation_hours_come_from_configuration(tmp_path, patient):
    other = create_app(make_config(tmp_path, INVITATION_HOURS=5))
    with other.app_context():
        invitation, _token = issue(patient.user)
        assert invitation.expires_at - invitation.created_at <= timedelta(hours=5)
        assert invitation.expires_at - invitation.created_at > timedelta(hours=4, minutes=59)


def test_invitation_works_once(app, patient):
    _invitation, token = issue(patient.user)
    assert register(app.test_client(), token).status_code == 200
    second = app.test_client()
    page = second.get(f"/inbjudan/{token}")
    assert page.status_code == 410
    assert "redan använts" in page.get_data(as_text=True)
    refused = register(second, token)
    assert refused.status_code == 400
    assert "redan använts" in refused.get_json()["error"]
    assert credential_count() == 1


def test_two_ceremonies_started_from_one_invitation_only_one_wins(app, patient):
    _invitation, token = issue(patient.user)
    first, second = app.test_client(), app.test_client()
    csrf_first, csrf_second = csrf_token(first), csrf_token(second)
    options_first = api(first, "/passkeys/api/register/options", {"invitation": token}, csrf_first)
    options_second = api(
        second, "/passkeys/api/register/options", {"invitation": token}, csrf_second
    )
    done = api(
        first,
        "/passkeys/api/register/verify",
        {"credential": SoftAuthenticator().create(options_first.get_json())},
        csrf_first,
    )
    assert done.status_code == 200
    late = api(
        second,
        "/passkeys/api/register/verify",
        {"credential": SoftAuthenticator().create(options_second.get_json())},
        csrf_second,
    )
    assert late.status_code == 400
    assert "redan använts" in late.get_json()["error"]
    assert credential_count() == 1


def test_a_new_invitation_revokes_older_open_ones(client, patient):
    old, old_token = issue(patient.user)
    _new, new_token = issue(patient.user)
    db.session.refresh(old)
    assert old.revoked_at is not None
    assert client.get(f"/inbjudan/{old_token}").status_code == 410
    assert client.get(f"/inbjudan/{new_token}").status_code == 200


def test_forged_or_unknown_token_gives_a_clear_page_and_changes_nothing(client, patient):
    issue(patient.user)
    before = db.session.execute(
        select(Invitation.id, Invitation.used_at).order_by(Invitation.id)
    ).all()
    for token in ("nonsense", "x" * 43, "a" * 500, "%C3%A5%00", "..%2F..%2Fetc"):
        response = client.get(f"/inbjudan/{token}")
        assert response.status_code in (404, 410), token
        if response.status_code == 410:
            assert "Länken fungerar inte" in response.get_data(as_text=True)
    refused = register(client, "forged-token")
    assert refused.status_code == 400
    assert "Länken fungerar inte" in refused.get_json()["error"]
    assert (
        db.session.execute(select(Invitation.id, Invitation.used_at).order_by(Invitation.id)).all()
        == before
    )
    assert credential_count() == 0


def test_new_device_link_lives_fifteen_minutes(patient):
    invitation, _token = issue(patient.user, purpose=InvitationPurpose.NEW_DEVICE)
    assert invitation.expires_at - invitation.created_at <= timedelta(minutes=15)
