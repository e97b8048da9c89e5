"""Närstående: the patient invites, the relative signs up with their own passkey and acts for
her through the same routes; the patient changes and ends it; the ledger keeps every step."""

from __future__ import annotations

from sqlalchemy import select

from tests.relatives_helpers import invite, post, take_with_new_account
from webapp.audit import AccessLogEntry
from webapp.extensions import db
from webapp.people.models import User, UserKind
from webapp.relatives.models import GrantEvent, ProxyGrant


def relative_client(app, patient_client):
    link = invite(patient_client)
    client = app.test_client()
    take_with_new_account(client, link)
    return client


def test_the_relative_gets_an_account_of_their_own_and_sees_her_plan(app, patient_client, patient):
    eva = relative_client(app, patient_client)
    home = eva.get("/", follow_redirects=True)
    html = home.get_data(as_text=True)
    assert home.status_code == 200
    assert "Du hjälper:" in html and "Astrid Berg" in html
    grant = db.session.scalar(select(ProxyGrant))
    relative = db.session.get(User, grant.relative_user_id)
    assert relative.kind == UserKind.RELATIVE and relative.id != patient.user_id
    assert relative.name == "Eva"


def test_a_relative_never_reaches_the_patients_own_things(app, patient_client):
    eva = relative_client(app, patient_client)
    eva.get("/", follow_redirects=True)
    for path in ("/logglista", "/narstaende/", "/narstaende/ny", "/narstaende/samtycken"):
        assert eva.get(path).status_code == 404, path
    html = eva.get("/", follow_redirects=True).get_data(as_text=True)
    assert "logglista" not in html.lower()


def test_a_relatives_read_is_in_her_logglista_in_plain_words(app, patient_client, patient):
    eva = relative_client(app, patient_client)
    eva.get("/", follow_redirects=True)
    grant = db.session.scalar(select(ProxyGrant))
    rows = db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.actor_user_id == grant.relative_user_id)
    ).all()
    assert [(row.patient_id, row.actor_role, row.action) for row in rows] == [
        (patient.id, "relative", "read_plan")
    ]
    html = patient_client.get("/logglista").get_data(as_text=True)
    assert "Eva (dotter)" in html


def test_ending_the_grant_refuses_the_relatives_next_request(app, patient_client, patient):
    eva = relative_client(app, patient_client)
    assert eva.get("/", follow_redirects=True).status_code == 200
    grant = db.session.scalar(select(ProxyGrant))
    response = post(patient_client, f"/narstaende/{grant.id}/avsluta", page="/narstaende/")
    assert response.status_code == 303
    refused = eva.get("/egenvard/")
    assert refused.status_code == 404
    assert "Din åtkomst har upphört" in refused.get_data(as_text=True)
    home = eva.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Astrid Berg" not in home
    kinds = db.session.scalars(select(GrantEvent.kind).order_by(GrantEvent.id)).all()
    assert kinds == ["invited", "accepted", "ended"]


def test_an_invitation_link_works_once(app, patient_client):
    link = invite(patient_client)
    take_with_new_account(app.test_client(), link)
    again = app.test_client().get(link)
    assert again.status_code == 410
    assert "redan använts" in again.get_data(as_text=True)


def test_the_patient_opening_her_own_link_is_told_to_send_it(patient_client):
    link = invite(patient_client)
    response = patient_client.get(link)
    assert response.status_code == 410
    assert "Skicka den till din närstående" in response.get_data(as_text=True)
