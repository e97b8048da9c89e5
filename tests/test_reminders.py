"""Påminnelser: when a reminder is due (in the person's zone, across daylight saving, out of
quiet hours), that booking, moving and cancelling a follow-up write, move and withdraw its
reminders in the same transaction, what a reminder says (nothing sensitive), and the pages a
person uses to turn reminders on, name and remove devices, choose times and see the latest.
Sending them is tests/test_dispatcher.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import (
    ORIGIN,
    committed,
    csrf_token,
    made_up_subscription,
    register_with_invitation,
)
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.followups.details import FollowUpError, FollowUpInput
from webapp.notify import services as notify
from webapp.notify.message import PAYLOAD_LIMIT, Message, payload_json
from webapp.notify.models import PushSubscription, Reminder, ReminderKind, ReminderState
from webapp.notify.schedule import Timing, follow_up_times

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# The tests run as if it were this moment (a Tuesday), so named dates never go stale.
FROZEN_NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


FCM = "https://fcm.googleapis.com/fcm/send/"


def at(day: str, clock: str) -> datetime:
    """A wall-clock time in Stockholm, in UTC."""
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=STOCKHOLM).astimezone(UTC)


def local(moment: datetime) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def frozen(clock) -> datetime:
    clock.now = FROZEN_NOW
    return FROZEN_NOW


def book(patient, nurse, day: str, clock: str = "10:00", kind: str = "visit"):
    return followups.follow_up_book(
        patient=patient,
        details=FollowUpInput(
            date=day,
            time=clock,
            end_time="",
            duration_minutes="30",
            kind=kind,
            with_whom="Karin Lind",
            place="Beroendemottagningen, Storgatan 1",
            purpose="Vi pratar om din alkoholbehandling.",
            preparation="Ta med listan över dina mediciner.",
        ),
        actor=nurse.user,
    )


def device(user, name: str = "Min telefon", endpoint: str | None = None) -> PushSubscription:
    subscription = made_up_subscription(endpoint or FCM + quote(f"{name}-{user.id}"))
    return committed(notify.device_add(user=user, subscription=subscription, name=name))


def queued(user=None, *states: ReminderState) -> list[Reminder]:
    db.session.expire_all()
    query = select(Reminder).order_by(Reminder.due_at, Reminder.id)
    if user is not None:
        query = query.where(Reminder.user_id == user.id)
    if states:
        query = query.where(Reminder.state.in_(states))
    return list(db.session.scalars(query))


def notification(row: Reminder) -> dict:
    payload = json.loads(row.payload)
    assert payload["web_push"] == 8030
    return payload["notification"]


# --- when (pure rules) -----------------------------------------------------------------


DEFAULT = Timing(zone=STOCKHOLM)


@pytest.mark.parametrize(
    ("follow_up_day", "utc_hour"),
    [
        ("2027-03-28", 17),  # Sunday, clocks go forward that night: Saturday is still CET
        ("2027-03-29", 16),  # the day before is the Sunday itself, already CEST
        ("2027-10-31", 16),  # Sunday, clocks go back: Saturday is still CEST
        ("2027-11-01", 17),  # the day before is the Sunday itself, CET again
    ],
)
def test_the_day_before_at_18_stays_18_across_daylight_saving(follow_up_day, utc_hour):
    (day_before, _hours_before) = follow_up_times(at(follow_up_day, "10:00"), DEFAULT, FROZEN_NOW)
    assert day_before.rule == "day"
    assert day_before.due_at.astimezone(STOCKHOLM).strftime("%H:%M") == "18:00"
    assert day_before.due_at.hour == utc_hour  # so the UTC hour really moved with the zone


def test_two_hours_before_is_two_real_hours_on_the_night_the_clocks_change():
    # 03:30 on 28 March 2027 comes one real hour after 01:30 (02:00–03:00 does not exist).
    starts = at("2027-03-28", "12:00")
    (_day, hours) = follow_up_times(starts, DEFAULT, FROZEN_NOW)
    assert starts - hours.due_at == timedelta(hours=2)
    assert local(hours.due_at) == "2027-03-28 10:00"


def test_a_reminder_inside_quiet_hours_waits_for_the_morning_or_comes_the_evening_before():
    (_day, hours) = follow_up_times(at("2027-01-12", "09:00"), DEFAULT, FROZEN_NOW)
    assert local(hours.due_at) == "2027-01-12 08:00"  # 07:00 is quiet; 08:00 is still useful
    (_day, hours) = follow_up_times(at("2027-01-12", "08:15"), DEFAULT, FROZEN_NOW)
    assert local(hours.due_at) == "2027-01-11 20:45"  # 08:00 would be too late


def test_a_time_the_person_chose_comes_even_inside_quiet_hours():
    late = Timing(zone=STOCKHOLM, day_before_at=time(22, 0), hours_before=None)
    (day,) = follow_up_times(at("2027-01-12", "09:00"), late, FROZEN_NOW)
    assert local(day.due_at) == "2027-01-11 22:00"


def test_no_reminder_in_the_past_and_none_while_paused():
    soon = FROZEN_NOW + timedelta(minutes=90)
    assert follow_up_times(soon, DEFAULT, FROZEN_NOW) == []
    in_three_hours = FROZEN_NOW + timedelta(hours=3)
    assert [o.rule for o in follow_up_times(in_three_hours, DEFAULT, FROZEN_NOW)] == ["hours"]
    paused = Timing(zone=STOCKHOLM, paused=True)
    assert follow_up_times(at("2027-01-12", "09:00"), paused, FROZEN_NOW) == []


# --- the outbox follows the follow-ups --------------------------------------------------


def test_booking_queues_a_reminder_per_device_that_says_what_and_when_and_nothing_else(
    frozen, app, patient, nurse
):
    device(patient.user, "Telefonen")
    device(patient.user, "Surfplattan")
    follow_up = committed(book(patient, nurse, "2026-12-08"))

    rows = queued(patient.user, ReminderState.PENDING)
    assert sorted((local(r.due_at), r.device_name) for r in rows) == [
        ("2026-12-07 18:00", "Surfplattan"),
        ("2026-12-07 18:00", "Telefonen"),
        ("2026-12-08 08:00", "Surfplattan"),
        ("2026-12-08 08:00", "Telefonen"),
    ]
    day_before = notification(rows[0])
    assert day_before["body"] == "Du har en tid hos vården i morgon kl. 10.00."
    assert notification(rows[-1])["body"] == "Du har en tid hos vården i dag kl. 10.00."
    assert day_before["navigate"] == f"{ORIGIN}/uppfoljning/#kontakt-{follow_up.id}"
    assert day_before["tag"] == f"kontakt-{follow_up.id}" and day_before["lang"] == "sv"
    for row in rows:
        # Nothing a lock screen should show: no unit, no purpose, no preparation, no name.
        for secret in ("Beroende", "alkohol", "mediciner", "Astrid", "Karin"):
            assert secret not in row.payload
        assert row.expires_at == follow_up.starts_at
    assert len({r.topic for r in rows}) == 2  # one per reminder, shared by the devices


def test_without_a_device_nothing_is_queued_and_a_device_added_later_gets_what_is_ahead(
    frozen, app, patient, nurse
):
    book(patient, nurse, "2026-12-08")
    book(patient, nurse, "2026-12-01", "10:30")  # in 90 minutes: too late for either reminder
    db.session.commit()
    assert queued() == []
    device(patient.user)
    assert [local(r.due_at) for r in queued(patient.user)] == [
        "2026-12-07 18:00",
        "2026-12-08 08:00",
    ]


def test_moving_moves_the_reminders_and_cancelling_withdraws_them(frozen, app, patient, nurse):
    device(patient.user)
    old = committed(book(patient, nurse, "2026-12-08"))
    new = committed(
        followups.follow_up_move(
            patient=patient,
            follow_up_id=old.id,
            details=FollowUpInput(
                date="2026-12-10",
                time="14:00",
                end_time="",
                duration_minutes="30",
                kind="phone",
                purpose="Samtal",
            ),
            actor=nurse.user,
        )
    )
    pending = queued(patient.user, ReminderState.PENDING)
    assert [(r.follow_up_id, local(r.due_at)) for r in pending] == [
        (new.id, "2026-12-09 18:00"),
        (new.id, "2026-12-10 12:00"),
    ]
    assert (
        notification(pending[0])["body"]
        == "Du har ett telefonsamtal med vården i morgon kl. 14.00."
    )
    assert {r.state for r in queued(patient.user) if r.follow_up_id == old.id} == {"withdrawn"}

    committed(
        followups.follow_up_cancel(
            patient=patient, follow_up_id=new.id, reason="Läkaren är sjuk.", actor=nurse.user
        )
    )
    assert queued(patient.user, ReminderState.PENDING) == []


def test_a_refused_booking_queues_nothing(frozen, app, patient, nurse):
    device(patient.user)
    with pytest.raises(FollowUpError):
        book(patient, nurse, "2026-02-30")
    db.session.rollback()
    assert queued() == []


def test_a_sent_reminder_is_never_queued_again(frozen, app, patient, nurse):
    device(patient.user)
    book(patient, nurse, "2026-12-08")
    db.session.commit()
    first = queued(patient.user)[0]
    first.state = ReminderState.SENT
    db.session.commit()
    # Anything that refreshes the queue: settings saved, another device, another booking.
    committed(notify.paused_set(user=patient.user, paused=False))
    book(patient, nurse, "2026-12-15")
    db.session.commit()
    same_key = [r for r in queued(patient.user) if r.dedupe_key == first.dedupe_key]
    assert [r.state for r in same_key] == ["sent"]


def test_settings_move_what_is_queued_and_a_pause_holds_everything_until_it_ends(
    frozen, app, patient, nurse
):
    device(patient.user)
    book(patient, nurse, "2026-12-08")
    db.session.commit()
    committed(
        notify.settings_save(
            user=patient.user,
            values=notify.SettingsInput(
                day_before=True,
                day_before_at="17:30",
                hours_before="0",
                quiet_from="22:00",
                quiet_until="07:00",
                paused=False,
                cannot_come_alerts=False,
            ),
        )
    )
    assert [local(r.due_at) for r in queued(patient.user, ReminderState.PENDING)] == [
        "2026-12-07 17:30"
    ]
    committed(notify.paused_set(user=patient.user, paused=True))
    assert queued(patient.user, ReminderState.PENDING) == []
    committed(notify.paused_set(user=patient.user, paused=False))
    assert [local(r.due_at) for r in queued(patient.user, ReminderState.PENDING)] == [
        "2026-12-07 17:30"
    ]
    assert db.session.scalar(select(func.count(Reminder.id))) == 2  # revived, not duplicated


def test_the_largest_reminder_stays_far_below_the_push_services_4_kb(app):
    message = Message(
        title="Påminnelse från Nära" * 3,
        body="Du har ett videosamtal med vården på onsdag den 30 september kl. 23.59." * 2,
        path="/uppfoljning/#kontakt-" + "9" * 12,
        tag="kontakt-" + "9" * 12,
        topic="fu999999999999-hours",
    )
    text = payload_json(message, base_url="https://" + "nara." * 30 + "region.se", lang="sv")
    # The encrypted body adds 86 bytes (RFC 8188 header, padding, tag) to these.
    assert len(text.encode()) + 86 < PAYLOAD_LIMIT < 4096


# --- care contacts: "Jag kan inte komma" ------------------------------------------------


def test_a_care_contact_who_asked_gets_a_push_that_names_no_patient(frozen, app, patient, nurse):
    follow_up = committed(book(patient, nurse, "2026-12-08"))
    device(nurse.user, "Jobbtelefonen")
    committed(
        followups.follow_up_cannot_come(
            patient=patient, follow_up_id=follow_up.id, reason="Jag ska på begravning."
        )
    )
    assert queued(nurse.user) == []  # not asked for: nothing

    committed(
        notify.settings_save(
            user=nurse.user,
            values=notify.SettingsInput(
                day_before=False,
                day_before_at="",
                hours_before="",
                quiet_from="21:00",
                quiet_until="08:00",
                paused=False,
                cannot_come_alerts=True,
            ),
        )
    )
    other = committed(book(patient, nurse, "2026-12-09"))
    committed(
        followups.follow_up_cannot_come(patient=patient, follow_up_id=other.id, reason="Sjuk.")
    )
    (alert,) = queued(nurse.user)
    assert alert.kind == ReminderKind.CANNOT_COME and alert.due_at == FROZEN_NOW
    assert notification(alert)["body"] == "Ett nytt svar från en patient"
    assert "Astrid" not in alert.payload and "Sjuk" not in alert.payload
    assert notification(alert)["navigate"].endswith(f"/vard/patienter/{patient.id}")


# --- the pages ---------------------------------------------------------------------------


PAGE = "/paminnelser/"


def add_device(client, subscription: dict, name: str = "Min telefon"):
    token = csrf_token(client, PAGE)
    return client.post(
        "/paminnelser/enheter",
        json={"subscription": subscription, "name": name},
        headers={"X-CSRFToken": token},
    )


def test_the_page_says_what_will_come_before_anything_is_asked(frozen, patient_client):
    html = patient_client.get(PAGE).get_data(as_text=True)
    assert "Du får en påminnelse dagen före kl. 18.00 och 2 timmar före" in html
    assert "Mellan kl. 21.00 och 08.00 är det tyst" in html
    assert "Slå på påminnelser i den här telefonen" in html
    assert "Lägg till på hemskärmen" in html  # the iPhone steps, shown by the script there
    assert "Ingen telefon eller dator får påminnelser ännu." in html


def test_a_stranger_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_a_device_is_added_named_and_listed(frozen, patient_client, patient):
    response = add_device(patient_client, made_up_subscription(), "Mormors telefon")
    assert response.status_code == 201
    html = patient_client.get(PAGE).get_data(as_text=True)
    assert "Mormors telefon" in html and "Skicka en provpåminnelse" in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.update(endpoint="http://fcm.googleapis.com/x"), "pushtjänster"),
        (lambda s: s.update(endpoint="javascript:alert(1)"), "pushtjänster"),
        (lambda s: s.update(endpoint=""), "ingen adress"),
        (lambda s: s["keys"].update(p256dh="bm90IGEga2V5"), "inga nycklar"),
        (lambda s: s["keys"].update(auth=123), "inga nycklar"),
        (lambda s: s.pop("keys"), "inga nycklar"),
    ],
)
def test_a_subscription_that_cannot_be_used_is_refused_and_nothing_is_saved(
    patient_client, change, message
):
    subscription = made_up_subscription()
    change(subscription)
    response = add_device(patient_client, subscription)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert db.session.scalar(select(func.count(PushSubscription.id))) == 0


def test_an_empty_or_long_name_is_refused(patient_client):
    for name, message in (("  ", "Skriv ett namn"), ("x" * 61, "högst 60 tecken")):
        response = add_device(patient_client, made_up_subscription(), name)
        assert response.status_code == 400 and message in response.get_json()["error"]
    assert db.session.scalar(select(func.count(PushSubscription.id))) == 0


def test_a_shared_phone_reminds_only_the_person_who_turned_reminders_on_last(
    frozen, app, patient, nurse, patient_client
):
    subscription = made_up_subscription()
    book(patient, nurse, "2026-12-08")
    db.session.commit()
    assert add_device(patient_client, subscription).status_code == 201
    assert len(queued(patient.user, ReminderState.PENDING)) == 2

    nurse_client = app.test_client()
    register_with_invitation(nurse_client, nurse.user)
    assert add_device(nurse_client, subscription, "Delad telefon").status_code == 201
    assert queued(patient.user, ReminderState.PENDING) == []  # withdrawn from the patient
    (shared,) = db.session.scalars(select(PushSubscription))
    assert shared.user_id == nurse.user.id


def test_someone_elses_device_cannot_be_renamed_tested_or_removed(
    app, patient, nurse, patient_client
):
    theirs = device(nurse.user, "Jobbtelefonen")
    token = csrf_token(patient_client, PAGE)
    for action in ("namn", "prov", "ta-bort"):
        path = f"/paminnelser/enheter/{theirs.id}/{action}"
        response = patient_client.post(path, data={"csrf_token": token, "name": "Min"})
        assert response.status_code == 404, action
    assert patient_client.get(f"/paminnelser/enheter/{theirs.id}/namn").status_code == 404
    db.session.expire_all()
    assert db.session.get(PushSubscription, theirs.id).name == "Jobbtelefonen"
    assert queued() == []


def test_a_test_reminder_is_queued_now_and_shows_in_the_latest(frozen, patient_client, patient):
    mine = device(patient.user)
    token = csrf_token(patient_client, PAGE)
    response = patient_client.post(
        f"/paminnelser/enheter/{mine.id}/prov", data={"csrf_token": token}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/senaste")
    (test,) = queued(patient.user)
    assert test.kind == ReminderKind.TEST and test.due_at == FROZEN_NOW
    html = patient_client.get("/paminnelser/senaste").get_data(as_text=True)
    assert "Det här är en provpåminnelse." in html
    assert "Skickas nu till Min telefon." in html


def test_removing_a_device_withdraws_its_reminders(frozen, patient_client, patient, nurse):
    mine = device(patient.user)
    book(patient, nurse, "2026-12-08")
    db.session.commit()
    token = csrf_token(patient_client, PAGE)
    response = patient_client.post(
        f"/paminnelser/enheter/{mine.id}/ta-bort", data={"csrf_token": token}
    )
    assert response.status_code == 303
    assert {r.state for r in queued(patient.user)} == {"withdrawn"}
    assert "Ingen telefon eller dator" in patient_client.get(PAGE).get_data(as_text=True)


def test_a_wrong_time_is_refused_kept_and_nothing_changes(frozen, patient_client, patient, nurse):
    device(patient.user)
    book(patient, nurse, "2026-12-08")
    db.session.commit()
    before = [(r.due_at, r.state) for r in queued()]
    path = "/paminnelser/installningar"
    token = csrf_token(patient_client, path)
    response = patient_client.post(
        path,
        data={
            "csrf_token": token,
            "day_before": "y",
            "day_before_at": "25:99",
            "hours_before": "2",
            "quiet_from": "21:00",
            "quiet_until": "8",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Skriv en tid som 18:00." in html and 'value="25:99"' in html
    assert [(r.due_at, r.state) for r in queued()] == before


def test_only_staff_are_offered_the_cannot_come_push(patient_client, nurse_client):
    path = "/paminnelser/installningar"
    assert "Jag kan inte komma" not in patient_client.get(path).get_data(as_text=True)
    staff_page = nurse_client.get(path).get_data(as_text=True)
    assert "Jag kan inte komma" in staff_page
    assert "Påminn mig dagen före" not in staff_page


def test_the_reminder_pages_run_the_same_few_queries_however_many_devices_and_reminders(
    frozen, patient_client, patient, nurse
):
    from tests.conftest import count_queries

    def queries(path: str) -> int:
        with count_queries() as statements:
            assert patient_client.get(path).status_code == 200
        return len(statements)

    device(patient.user, "Första")
    book(patient, nurse, "2026-12-08")
    db.session.commit()
    few = {path: queries(path) for path in (PAGE, "/paminnelser/senaste")}
    for n in range(5):
        device(patient.user, f"Telefon {n}")
        book(patient, nurse, f"2026-12-{10 + n}")
    db.session.commit()
    many = {path: queries(path) for path in (PAGE, "/paminnelser/senaste")}
    assert many == few
    assert few[PAGE] <= 6 and few["/paminnelser/senaste"] <= 3, few


def test_booking_another_follow_up_leaves_the_queued_reminders_of_the_others_alone(
    app, frozen, clock, patient, nurse
):
    device(patient.user)
    first = committed(book(patient, nurse, "2026-12-08"))
    before = {r.id: r.updated_at for r in queued(patient.user) if r.follow_up_id == first.id}
    clock.advance(minutes=5)
    book(patient, nurse, "2026-12-15")
    db.session.commit()
    after = {r.id: r.updated_at for r in queued(patient.user) if r.follow_up_id == first.id}
    assert after == before and len(after) == 2
