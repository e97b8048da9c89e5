"""A push for a flagged update: to the patient's fixed contacts who asked for it on their
reminder settings, queued in the same transaction as the update, one per update and device,
saying nothing of who or what on the lock screen, and delivered by the dispatcher."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.conftest import committed, csrf_token, made_up_subscription
from tests.fakes.push_service import FakePushService
from tests.selfcare_rows import check_in_make, flagged_update_make, goal_make
from tests.test_dispatcher import OUR_KEY, dispatch
from webapp.extensions import db
from webapp.notify import outbox
from webapp.notify import services as notify
from webapp.notify.models import Reminder, ReminderKind, ReminderState
from webapp.selfcare.models import UpdateFeeling
from webapp.selfcare.updates import services as updates
from webapp.selfcare.updates.alerts import flagged_update_alert

SETTINGS = "/paminnelser/installningar"


FCM = "https://fcm.googleapis.com/fcm/send/"


def daytime(clock) -> None:
    """Today at 10:00 UTC: outside the quiet hours (21:00 to 08:00 Stockholm), which an alert
    waits out."""
    clock.now = clock.now.replace(hour=10, minute=0, second=0, microsecond=0)


def opt_in(user, *, flagged: bool = True, paused: bool = False) -> None:
    committed(
        notify.settings_save(
            user=user,
            values=notify.SettingsInput(
                day_before=False,
                day_before_at="",
                hours_before="",
                quiet_from="21:00",
                quiet_until="08:00",
                paused=paused,
                cannot_come_alerts=False,
                flagged_update_alerts=flagged,
            ),
        )
    )


def device(user, name: str, subscription: dict | None = None):
    subscription = subscription or made_up_subscription(FCM + quote(name))
    return committed(notify.device_add(user=user, subscription=subscription, name=name))


def flag(patient, *, commit: bool = True):
    goal = goal_make(patient, limits=[{"kind": "above", "value": 80, "advice": "Ring i dag."}])
    check_in = check_in_make(goal, datetime.now(UTC), value=82.5, outside_limits=True)
    update = flagged_update_make(check_in, patient.user, reason="Över 80 kg.", advice="Ring i dag.")
    if commit:
        db.session.commit()
    return update


def alerts(user=None) -> list[Reminder]:
    db.session.expire_all()
    query = select(Reminder).where(Reminder.kind == ReminderKind.FLAGGED_UPDATE)
    if user is not None:
        query = query.where(Reminder.user_id == user.id)
    return list(db.session.scalars(query.order_by(Reminder.id)))


def test_a_contact_who_asked_gets_a_push_per_device_that_names_no_one(
    app, clock, patient, nurse, physician
):
    daytime(clock)
    work, home = device(nurse.user, "Jobbtelefonen"), device(nurse.user, "Hemma")
    device(physician.user, "Läkarens telefon")
    flag(patient)
    assert alerts() == []  # nobody asked: nothing

    opt_in(nurse.user)
    update = flag(patient)
    rows = alerts()
    assert [row.dedupe_key for row in rows] == [
        f"upd:{update.id}:d{work.id}",
        f"upd:{update.id}:d{home.id}",
    ]
    for row in rows:
        shown = json.loads(row.payload)["notification"]
        assert row.user_id == nurse.user_id and row.due_at == clock.now
        assert row.urgency == "high" and row.state == ReminderState.PENDING
        assert shown["body"] == "En patient har skickat en uppdatering som behöver ses"
        assert shown["navigate"].endswith("/egenvard/inkorg")
        for secret in ("Astrid", "Berg", "82", "kg", "Ring i dag", "Väga", "gräns"):
            assert secret not in row.payload, secret

    # Asked again for the same update (a retried request): nothing more is queued.
    flagged_update_alert(patient, update)
    db.session.commit()
    assert len(alerts()) == 2


def test_the_physician_who_asked_gets_one_too(app, patient, nurse, physician):
    device(physician.user, "Läkarens telefon")
    opt_in(physician.user)
    flag(patient)
    assert [row.user_id for row in alerts()] == [physician.user_id]


def test_a_patients_own_update_pushes_nothing(app, patient, nurse):
    device(nurse.user, "Jobbtelefonen")
    opt_in(nurse.user)
    updates.update_send(patient=patient, actor=patient.user, feeling=UpdateFeeling.WORSE)
    db.session.commit()
    assert alerts() == []


def test_a_flagged_update_rolled_back_leaves_no_push(app, patient, nurse):
    device(nurse.user, "Jobbtelefonen")
    opt_in(nurse.user)
    flag(patient, commit=False)
    db.session.rollback()
    assert alerts() == []


def test_the_push_keeps_to_the_contacts_pause_and_quiet_hours(app, clock, patient, nurse):
    device(nurse.user, "Jobbtelefonen")
    opt_in(nurse.user, paused=True)
    flag(patient)
    assert alerts() == []  # paused: the inbox shows it, no push

    opt_in(nurse.user)
    stockholm = ZoneInfo("Europe/Stockholm")
    evening = clock.now.astimezone(stockholm).replace(hour=22, minute=15, second=0, microsecond=0)
    clock.now = evening.astimezone(UTC)
    flag(patient)
    (alert,) = alerts()
    assert alert.due_at.astimezone(stockholm) == (evening + timedelta(days=1)).replace(
        hour=8, minute=0
    )


def test_a_contact_who_left_gets_nothing(app, patient, nurse):
    device(nurse.user, "Jobbtelefonen")
    opt_in(nurse.user)
    nurse.deactivated_at = datetime.now(UTC)
    db.session.commit()
    flag(patient)
    assert alerts() == []


@pytest.fixture
def push():
    with FakePushService(vapid_public_key=OUR_KEY) as service:
        yield service


def test_the_dispatcher_delivers_it_once(app, clock, patient, nurse, push):
    daytime(clock)
    device(nurse.user, "Jobbtelefonen", push.subscription())
    opt_in(nurse.user)
    flag(patient)
    assert dispatch().counts == {"sent": 1}
    (message,) = push.received
    assert message.json["notification"]["body"] == (
        "En patient har skickat en uppdatering som behöver ses"
    )
    assert message.urgency == "high"
    assert dispatch().counts == {}  # never twice


def test_staff_turn_it_on_in_their_settings_and_patients_are_not_offered_it(
    app, patient_client, nurse_client, nurse
):
    label = "uppdatering utanför en överenskommen gräns"
    assert label not in patient_client.get(SETTINGS).get_data(as_text=True)
    assert label in nurse_client.get(SETTINGS).get_data(as_text=True)
    response = nurse_client.post(
        SETTINGS,
        data={
            "csrf_token": csrf_token(nurse_client, SETTINGS),
            "quiet_from": "21:00",
            "quiet_until": "08:00",
            "flagged_update_alerts": "y",
        },
    )
    assert response.status_code == 303
    page = nurse_client.get(SETTINGS).get_data(as_text=True)
    (box,) = re.findall(r'<input[^>]*name="flagged_update_alerts"[^>]*>', page)
    assert "checked" in box
    assert outbox.settings_of(nurse.user).flagged_update_alerts
    index = nurse_client.get("/paminnelser/").get_data(as_text=True)
    assert "skickar en uppdatering utanför en överenskommen gräns" in index
