"""A relative who may get the patient's reminders gets them on their own devices, with
nothing on the lock screen that names her or her health, and a tap that opens her page as
the relative acting for her; when the grant ends, their reminders for her stop."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import committed, register_with_invitation
from tests.test_reminders import FROZEN_NOW, at, book, device, local, notification, queued
from webapp.extensions import db
from webapp.notify.models import ReminderState
from webapp.people.models import User, UserKind
from webapp.relatives import services as relatives
from webapp.relatives.models import ProxyGrant


@pytest.fixture
def frozen(clock) -> datetime:
    clock.now = FROZEN_NOW  # the moment tests/test_reminders.py books against
    return FROZEN_NOW


def relative(patient, scopes, name="Eva"):
    grant, token = relatives.grant_invite(
        patient=patient, by=patient.user, name=name, relation="dotter", scopes=scopes
    )
    user = User(kind=UserKind.RELATIVE, name=f"{name} Berg")
    db.session.add(user)
    db.session.flush()
    relatives.grant_accept(token=token, user=user)
    db.session.commit()
    return user, grant


def test_the_relative_gets_her_reminders_and_the_lock_screen_names_nobody(
    frozen, app, patient, nurse
):
    eva, grant = relative(patient, ["view_plan", "reminders"])
    device(eva, "Evas telefon")
    follow_up = committed(book(patient, nurse, "2026-12-08"))
    rows = queued(eva, ReminderState.PENDING)
    assert len(rows) == 2  # the day before and the morning, as the patient's own
    for row in rows:
        shown = notification(row)
        assert shown["body"] == "Du har en påminnelse om någon du hjälper."
        for secret in ("Astrid", "Berg", "Beroende", "alkohol", "tid hos vården"):
            assert secret not in shown["title"] + shown["body"]
        tap = urlsplit(shown["navigate"])
        assert tap.path == f"/narstaende/hjalper/{grant.id}/oppna"
        assert f"kontakt-{follow_up.id}" in tap.query


def test_without_the_reminders_scope_nothing_is_queued_for_the_relative(
    frozen, app, patient, nurse
):
    eva, _grant = relative(patient, ["view_plan"])
    device(eva, "Evas telefon")
    committed(book(patient, nurse, "2026-12-08"))
    assert queued(eva, ReminderState.PENDING) == []


def test_ending_the_grant_stops_the_relatives_reminders(frozen, app, patient, nurse):
    eva, grant = relative(patient, ["reminders"])
    device(eva, "Evas telefon")
    committed(book(patient, nurse, "2026-12-08"))
    assert len(queued(eva, ReminderState.PENDING)) == 2
    relatives.grant_end(patient=patient, by=patient.user, grant_id=grant.id)
    db.session.commit()
    assert queued(eva, ReminderState.PENDING) == []


def test_a_tap_opens_her_page_as_the_relative_and_an_ended_grant_opens_nothing(app, patient, nurse):
    eva, grant = relative(patient, ["view_plan", "reminders"])
    client = app.test_client()
    register_with_invitation(client, eva)
    opened = client.get(f"/narstaende/hjalper/{grant.id}/oppna?till=/uppfoljning/")
    assert opened.status_code == 303 and opened.headers["Location"] == "/uppfoljning/"
    page = client.get("/uppfoljning/").get_data(as_text=True)
    assert "Du hjälper:" in page and "Astrid Berg" in page
    elsewhere = client.get(f"/narstaende/hjalper/{grant.id}/oppna?till=//evil.example/")
    assert elsewhere.headers["Location"] == "/"
    relatives.grant_end(patient=patient, by=patient.user, grant_id=grant.id)
    db.session.commit()
    ended = client.get(f"/narstaende/hjalper/{grant.id}/oppna?till=/uppfoljning/")
    assert ended.headers["Location"] == "/narstaende/hjalper"
    assert db.session.scalar(select(ProxyGrant.ended_at)) is not None


def test_no_reminder_reaches_the_relative_after_the_grants_last_day(frozen, app, patient, nurse):
    grant, token = relatives.grant_invite(
        patient=patient,
        by=patient.user,
        name="Eva",
        relation="dotter",
        scopes=["reminders"],
        ends_on=date(2026, 12, 7),  # the day before the visit
    )
    eva = User(kind=UserKind.RELATIVE, name="Eva Berg")
    db.session.add(eva)
    db.session.flush()
    relatives.grant_accept(token=token, user=eva)
    db.session.commit()
    device(eva, "Evas telefon")
    device(patient.user, "Astrids telefon")
    committed(book(patient, nurse, "2026-12-08"))
    assert len(queued(patient.user, ReminderState.PENDING)) == 2
    rows = queued(eva, ReminderState.PENDING)
    assert [local(row.due_at) for row in rows] == ["2026-12-07 18:00"]  # not the 8th's
    assert all(row.expires_at <= at("2026-12-08", "00:00") for row in rows)
