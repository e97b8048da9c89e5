"""The dispatcher against a local fake push service (tests/fakes/push_service.py) that checks
the VAPID signature and decrypts each message: every outcome a real push service gives, a
dispatcher stopped or killed mid-batch, and (on PostgreSQL) several dispatchers sharing one
queue. Nothing here waits for a clock: the fake says when messages arrived, and the app's
clock is moved by hand."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_VAPID_PRIVATE_KEY, committed, run_coroutine
from tests.fakes.push_service import FakePushService
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.notify import outbox
from webapp.notify import services as notify
from webapp.notify.cli import dispatcher_from_config
from webapp.notify.dispatcher import Tally
from webapp.notify.message import Message
from webapp.notify.models import PushSubscription, Reminder, ReminderKind, ReminderState
from webapp.notify.outcomes import MAX_ATTEMPTS
from webapp.notify.vapid import vapid_public_key_of

OUR_KEY = vapid_public_key_of(TEST_VAPID_PRIVATE_KEY)


@pytest.fixture(autouse=True)
def many_devices_each(app):
    """Here one person has many devices, to have many reminders due at once (the app's
    limit per person is tested in test_push_safety.py)."""
    app.config["PUSH_DEVICES_PER_PERSON"] = 1000


@pytest.fixture
def push():
    with FakePushService(vapid_public_key=OUR_KEY) as service:
        yield service


def dispatch(**settings: object) -> Tally:
    """One `flask notify once`, in this process."""
    dispatcher = dispatcher_from_config()
    for name, value in settings.items():
        setattr(dispatcher, name, value)
    tally = run_coroutine(dispatcher.run(once=True))
    db.session.expire_all()
    return tally


def device_of(user, push: FakePushService, name: str = "Min telefon") -> PushSubscription:
    return committed(notify.device_add(user=user, subscription=push.subscription(), name=name))


def queue(user, device: PushSubscription, n: int = 1, *, key: str = "t", **when) -> list[Reminder]:
    """n reminders due now (or `due_at=`), as any source would queue them."""
    now = now_utc()
    due = when.get("due_at", now)
    rows = []
    for i in range(n):
        with outbox.speaking_to(user):
            wanted = outbox.Wanted(
                key=f"{key}:{i}",
                kind=ReminderKind.TEST,
                due_at=due,
                expires_at=when.get("expires_at", due + timedelta(hours=2)),
                message=Message(
                    title="Nära",
                    body=f"Påminnelse {i}",
                    path="/paminnelser/",
                    tag=f"t{i}",
                    topic=f"{key}{i}",
                ),
            )
        rows += outbox.reminder_now(user, wanted, [device])
    db.session.commit()
    return rows


def states() -> dict[str, int]:
    db.session.expire_all()
    return dict(
        db.session.execute(select(Reminder.state, func.count()).group_by(Reminder.state)).all()
    )


def test_a_due_reminder_arrives_signed_encrypted_and_with_its_headers(app, clock, patient, push):
    phone = device_of(patient.user, push)
    (row,) = queue(patient.user, phone, expires_at=clock.now + timedelta(hours=3))
    assert dispatch().counts == {"sent": 1}

    (message,) = push.received
    assert message.json == json.loads(row.payload)  # what was queued is what arrives
    assert message.json["web_push"] == 8030
    assert message.k == OUR_KEY and message.claims["sub"] == "mailto:drift@nara-test.se"
    assert message.claims["aud"] == push.base_url
    assert 3 * 3600 - 60 <= message.ttl <= 3 * 3600  # never 0: an offline phone still gets it
    assert message.topic == "t0" and message.urgency == "normal"
    assert states() == {"sent": 1}
    assert db.session.get(Reminder, row.id).sent_at == clock.now


def test_nothing_is_sent_before_its_time(app, clock, patient, push):
    phone = device_of(patient.user, push)
    queue(patient.user, phone, due_at=clock.now + timedelta(minutes=10))
    assert dispatch().counts == {}
    clock.advance(minutes=10)
    assert dispatch().counts == {"sent": 1}
    assert len(push.received) == 1


def test_a_device_that_is_gone_is_removed_and_the_person_sees_it(
    app, clock, patient, push, patient_client
):
    phone = device_of(patient.user, push, "Gamla telefonen")
    queue(patient.user, phone, key="now")
    later = queue(patient.user, phone, key="later", due_at=clock.now + timedelta(days=1))
    push.gone(phone.endpoint)
    assert dispatch().counts == {"gone": 1}
    assert db.session.scalar(select(func.count(PushSubscription.id))) == 0
    assert db.session.get(Reminder, later[0].id).state == ReminderState.GONE
    assert "Ingen telefon eller dator" in patient_client.get("/paminnelser/").get_data(as_text=True)
    latest = patient_client.get("/paminnelser/senaste").get_data(as_text=True)
    assert "Gamla telefonen tar inte längre emot påminnelser." in latest


def test_too_many_requests_waits_as_long_as_the_push_service_asks(app, clock, patient, push):
    phone = device_of(patient.user, push)
    (row,) = queue(patient.user, phone)
    push.answer(phone.endpoint, (429, {"Retry-After": "120"}))
    assert dispatch().counts == {"retried": 1}
    waiting = db.session.get(Reminder, row.id)
    assert waiting.state == ReminderState.PENDING
    assert waiting.available_at == clock.now + timedelta(seconds=120)
    clock.advance(seconds=119)
    assert dispatch().counts == {}  # not before it said
    clock.advance(seconds=1)
    assert dispatch().counts == {"sent": 1}
    assert len(push.received) == 1


def test_server_errors_are_retried_with_growing_waits_then_given_up_and_shown(
    app, clock, patient, push, patient_client
):
    phone = device_of(patient.user, push)
    (row,) = queue(patient.user, phone, expires_at=clock.now + timedelta(days=1))
    push.answer(phone.endpoint, *([500] * MAX_ATTEMPTS))
    waits = []
    for _attempt in range(MAX_ATTEMPTS - 1):
        assert dispatch().counts == {"retried": 1}
        reminder = db.session.get(Reminder, row.id)
        waits.append(reminder.available_at - clock.now)
        clock.now = reminder.available_at
    assert waits == sorted(waits) and waits[0] < waits[-1]  # exponential backoff
    assert dispatch().counts == {"failed": 1}
    assert db.session.get(Reminder, row.id).attempts == MAX_ATTEMPTS
    assert push.received == []
    html = patient_client.get("/paminnelser/senaste").get_data(as_text=True)
    assert "Kunde inte skickas till Min telefon." in html


def test_no_answer_in_time_is_tried_again(app, clock, patient, push):
    phone = device_of(patient.user, push)
    queue(patient.user, phone)
    push.delay = 2.0  # ten times the dispatcher's patience
    assert dispatch(timeout=0.2).counts == {"retried": 1}
    push.delay = 0
    clock.advance(minutes=1)
    assert dispatch().counts == {"sent": 1}


def test_a_refusal_as_too_large_is_logged_as_our_bug(app, clock, patient, push, caplog):
    phone = device_of(patient.user, push)
    queue(patient.user, phone)
    push.answer(phone.endpoint, 413)
    with caplog.at_level(logging.ERROR, logger="nara.notify"):
        assert dispatch().counts == {"failed": 1}
    assert "413" in caplog.text and "bug" in caplog.text


def test_a_reminder_too_late_to_be_of_use_is_not_sent(app, clock, patient, push):
    phone = device_of(patient.user, push)
    queue(patient.user, phone, expires_at=clock.now + timedelta(minutes=5))
    clock.advance(minutes=6)  # the dispatcher was down meanwhile
    assert dispatch().counts == {"failed": 1}
    assert push.requests == 0


def test_a_follow_up_reminder_end_to_end(app, clock, patient, nurse, push):
    from tests.test_reminders import book

    clock.now = clock.now.replace(hour=9, minute=0, second=0, microsecond=0)
    device_of(patient.user, push)
    day = (clock.now + timedelta(days=7)).astimezone(ZoneInfo("Europe/Stockholm"))
    follow_up = committed(book(patient, nurse, day.date().isoformat(), "14:00"))
    rows = db.session.scalars(select(Reminder).order_by(Reminder.due_at)).all()
    clock.now = rows[0].due_at
    assert dispatch().counts == {"sent": 1}
    (message,) = push.received
    assert message.json["notification"]["body"] == "Du har en tid hos vården i morgon kl. 14.00."
    assert message.json["notification"]["navigate"].endswith(f"#kontakt-{follow_up.id}")
    assert message.topic == f"fu{follow_up.id}-day"


def test_many_reminders_are_sent_concurrently_each_once(app, clock, patient, push):
    phones = [device_of(patient.user, push, f"Telefon {n}") for n in range(20)]
    for phone in phones:
        queue(patient.user, phone, 10, key=f"k{phone.id}")
    push.delay = 0.05
    assert dispatch(concurrency=50, batch=40).counts == {"sent": 200}
    topics = [m.topic for m in push.received]
    assert len(topics) == len(set(topics)) == 200
    assert states() == {"sent": 200}


# --- a dispatcher in its own process, stopped or killed mid-batch ------------------------

PROJECT = Path(__file__).resolve().parent.parent


def dispatcher_process(app, *args: str, concurrency: int = 10) -> subprocess.Popen:
    """`flask notify ...` as it runs beside gunicorn, on the test's database."""
    env = {
        **os.environ,
        "NARA_ENV": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "VAPID_PRIVATE_KEY": TEST_VAPID_PRIVATE_KEY,
        "VAPID_SUBJECT": app.config["VAPID_SUBJECT"],
        "PUSH_SERVICE_LOCAL": "1",
        "NOTIFY_CONCURRENCY": str(concurrency),
        "NOTIFY_POLL_SECONDS": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "webapp", "notify", *args],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def many_due(patient, push: FakePushService, count: int) -> list[Reminder]:
    rows = []
    for n in range(count // 10):
        phone = device_of(patient.user, push, f"Telefon {n}")
        rows += queue(patient.user, phone, 10, key=f"k{phone.id}")
    return rows


def test_a_dispatcher_stopped_mid_batch_finishes_what_it_holds_and_sends_nothing_twice(
    app, patient, push
):
    rows = many_due(patient, push, 60)
    # A batch in flight when the stop comes: the rest needs some seconds, the stop a moment.
    push.delay = 1.0
    process = dispatcher_process(app, "run")
    push.wait_for(10, timeout=120)
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "stopped" in err
    after_stop = states()
    assert "sending" not in after_stop  # nothing left held: finished or never taken
    assert after_stop["sent"] == len(push.received) < len(rows)

    push.delay = 0
    dispatch()
    topics = [m.topic for m in push.received]
    assert sorted(topics) == sorted(r.topic for r in rows)  # every one, each exactly once
    assert states() == {"sent": len(rows)}


def test_a_dispatcher_killed_mid_batch_loses_nothing(app, clock, patient, push):
    rows = many_due(patient, push, 60)
    push.delay = 1.0  # a batch in flight when the kill comes, as above
    process = dispatcher_process(app, "run", "--lease", "60")
    push.wait_for(10, timeout=120)
    process.kill()
    process.communicate(timeout=30)
    held = states().get("sending", 0)
    assert held > 0  # it died holding a batch

    push.delay = 0
    clock.now = datetime.now(UTC) + timedelta(seconds=61)  # its lease has run out
    dispatch()
    topics = [m.topic for m in push.received]
    assert set(topics) == {r.topic for r in rows}  # every reminder arrived
    # Only what was in flight at the kill can have gone twice (at most its 10 senders: each
    # outcome is written as it comes, before its sender takes the next); the Topic header
    # lets the push service replace an undelivered copy, and the tag shows one notification.
    assert len(topics) - len(rows) <= 10
    assert states() == {"sent": len(rows)}


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="several dispatchers share a queue on PostgreSQL only (SQLite: one dispatcher)",
)
@pytest.mark.parametrize("dispatchers", [2, 4])
def test_dispatchers_on_one_postgresql_queue_send_each_reminder_exactly_once(
    app, patient, push, dispatchers
):
    rows = many_due(patient, push, 400)
    # The push service answers no one until every dispatcher has claimed a share: one that
    # starts first on a busy machine could otherwise send all 400 before the others are up.
    # Each holds at most two batches of 20 while its sends wait, so every one gets a share.
    push.hold_answers()
    processes = [dispatcher_process(app, "once", concurrency=20) for _ in range(dispatchers)]
    deadline = time.monotonic() + 120
    while len(claimers()) < dispatchers:
        assert all(process.poll() is None for process in processes), "a dispatcher stopped"
        assert time.monotonic() < deadline, f"{len(claimers())} of {dispatchers} claimed a share"
        time.sleep(0.05)
    push.release_answers()
    for process in processes:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    topics = [m.topic for m in push.received]
    assert len(topics) == len(set(topics)) == len(rows)
    assert states() == {"sent": len(rows)}
    assert len(claimers()) == dispatchers  # they really shared the work


def claimers() -> set[str]:
    """Who has claimed reminders so far, read afresh (the dispatchers commit elsewhere)."""
    with db.engine.connect() as connection:
        found = connection.scalars(select(Reminder.claimed_by).distinct()).all()
    return {claimer for claimer in found if claimer}


# --- an outcome respects what happened to the row meanwhile --------------------------------


def in_background(dispatcher) -> tuple[threading.Thread, dict]:
    """`notify once` on a thread of its own, while the test goes on."""
    result: dict = {}

    def run() -> None:
        result["tally"] = asyncio.run(dispatcher.run(once=True))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the dispatcher never got there"
        time.sleep(0.02)


def test_a_reminder_cancelled_while_its_send_is_in_flight_is_not_sent_later(
    app, clock, patient, nurse, push
):
    """The push service answers 503 only after the visit was cancelled: the row stays
    withdrawn, not pending again, and the next round sends nothing."""
    from tests.test_reminders import book

    clock.now = clock.now.replace(hour=9, minute=0, second=0, microsecond=0)
    phone = device_of(patient.user, push)
    day = (clock.now + timedelta(days=7)).astimezone(ZoneInfo("Europe/Stockholm"))
    follow_up = committed(book(patient, nurse, day.date().isoformat(), "14:00"))
    first = db.session.scalars(select(Reminder).order_by(Reminder.due_at)).first()
    clock.now = first.due_at
    push.answer(phone.endpoint, 503)
    push.hold_answers()
    thread, result = in_background(dispatcher_from_config())
    until(lambda: push.requests == 1)  # in flight
    committed(
        followups.follow_up_cancel(
            patient=patient, follow_up_id=follow_up.id, reason="Ändrad plan.", actor=nurse.user
        )
    )
    push.release_answers()
    thread.join(timeout=60)
    assert result["tally"].counts == {"superseded": 1}
    assert db.session.get(Reminder, first.id).state == ReminderState.WITHDRAWN
    clock.advance(hours=1)
    assert dispatch().counts == {}
    assert push.received == [] and push.requests == 1


def test_a_push_service_that_never_answers_does_not_hold_up_another(app, clock, patient, push):
    """40 reminders to an origin that takes every message and never answers, due first,
    beside one to a healthy origin: with 10 senders, the healthy one arrives while the
    black hole still holds its share."""
    with FakePushService(vapid_public_key=OUR_KEY) as black_hole:
        black_hole.hold_answers()
        sink = device_of(patient.user, black_hole, "Svart hål")
        queue(patient.user, sink, 40, key="hole", due_at=clock.now - timedelta(minutes=5))
        healthy = device_of(patient.user, push, "Telefonen")
        queue(patient.user, healthy, 1, key="ok")
        dispatcher = dispatcher_from_config()
        dispatcher.concurrency, dispatcher.batch, dispatcher.timeout = 10, 10, 30
        thread, result = in_background(dispatcher)
        (message,) = push.wait_for(1, timeout=30)
        assert message.topic == "ok0"
        # The black hole's share of senders is taken (on a busy machine they may still be
        # connecting when the healthy one arrives), and none of them has been answered.
        until(lambda: black_hole.requests >= 5)
        assert black_hole.received == []
        black_hole.release_answers()
        thread.join(timeout=60)
    assert result["tally"].counts == {"sent": 41}


def test_a_retry_after_of_ten_to_the_23_waits_six_hours_at_most(app, clock, patient, push):
    phone = device_of(patient.user, push)
    (row,) = queue(patient.user, phone, expires_at=clock.now + timedelta(days=2))
    push.answer(phone.endpoint, (429, {"Retry-After": "1" + "0" * 23}))
    assert dispatch().counts == {"retried": 1}
    assert db.session.get(Reminder, row.id).available_at == clock.now + timedelta(hours=6)


def test_an_address_saved_before_the_allow_list_is_not_posted_to(app, clock, patient, push):
    phone = device_of(patient.user, push)
    queue(patient.user, phone)
    app.config["PUSH_SERVICE_LOCAL"] = False  # the local fake is no push service any more
    assert dispatch().counts == {"failed": 1}
    assert push.requests == 0
    (row,) = db.session.scalars(select(Reminder)).all()
    assert row.error.startswith("not a push service")


def test_a_push_service_name_that_resolves_to_loopback_is_refused_at_connect_time(
    app, clock, patient, push
):
    """An operator's allow-list that names a host resolving inside our network: the
    device is accepted (a name, https, port 443), but no connection is ever made."""
    app.config.update(PUSH_SERVICE_LOCAL=False, PUSH_SERVICE_HOSTS=("localhost",))
    subscription = push.subscription()
    subscription["endpoint"] = "https://localhost/push/" + subscription["endpoint"].rsplit("/")[-1]
    phone = committed(notify.device_add(user=patient.user, subscription=subscription, name="X"))
    (row,) = queue(patient.user, phone)
    assert dispatch().counts == {"retried": 1}
    assert db.session.get(Reminder, row.id).error.startswith("no answer: address refused")
    assert push.requests == 0
