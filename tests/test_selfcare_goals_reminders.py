"""Self-care reminders: written to the outbox when a goal's schedule changes, at each reminder
time in the patient's zone, out of quiet hours, withdrawn when the goal ends or reminders are
paused, and saying nothing on the lock screen but "Dags för din egenvård"."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import made_up_subscription
from tests.selfcare_rows import check_in_make
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.notify import services as notify
from webapp.notify.models import Reminder, ReminderKind, ReminderState
from webapp.selfcare.checkins.rules import GoalRules
from webapp.selfcare.goals import services as service
from webapp.selfcare.goals.validation import GoalInput
from webapp.selfcare.reminders import (
    HORIZON_DAYS,
    self_care_reminders_refresh,
    self_care_reminders_top_up,
)
from webapp.selfcare.schedule import local_zone

EXERCISES = GoalInput(
    title="Hemövningar för knät",
    measure="done",
    frequency="times_a_day",
    times_per_day="3",
    reminder_times="09:00, 13:00, 18:00",
)


@pytest.fixture
def morning(clock):
    """07:00 today where the patient lives."""
    day = now_utc().astimezone(local_zone()).date()
    clock.now = datetime(day.year, day.month, day.day, 7, 0, tzinfo=local_zone())
    return clock


@pytest.fixture
def phone(patient):
    device = notify.device_add(
        user=patient.user, subscription=made_up_subscription(), name="Min telefon"
    )
    db.session.commit()
    return device


def pending(goal_id: int | None = None) -> list[Reminder]:
    statement = select(Reminder).where(
        Reminder.kind == ReminderKind.SELF_CARE, Reminder.state == ReminderState.PENDING
    )
    if goal_id is not None:
        statement = statement.where(Reminder.goal_id == goal_id)
    return list(db.session.scalars(statement.order_by(Reminder.due_at)))


def local_times(rows: list[Reminder]) -> list[str]:
    return [row.due_at.astimezone(local_zone()).strftime("%d %H:%M") for row in rows]


def test_each_reminder_time_is_queued_for_the_days_ahead_saying_nothing_of_health(
    morning, patient, phone
):
    goal = service.goal_create(patient=patient, details=EXERCISES, actor=patient.user)
    db.session.commit()
    rows = pending(goal.id)
    assert len(rows) == 3 * HORIZON_DAYS
    assert {row.goal_id for row in rows} == {goal.id}
    assert local_times(rows)[:3] == [
        f"{morning.now:%d} 09:00",
        f"{morning.now:%d} 13:00",
        f"{morning.now:%d} 18:00",
    ]
    note = json.loads(rows[0].payload)["notification"]
    assert note["body"] == "Dags för din egenvård"
    assert note["navigate"].endswith("/egenvard/")
    assert "knä" not in rows[0].payload and "Hemövningar" not in rows[0].payload
    assert len({row.dedupe_key for row in rows}) == len(rows)


def test_quiet_hours_move_a_reminder_within_its_own_day(morning, patient, phone):
    goal = service.goal_create(
        patient=patient,
        details=replace(EXERCISES, frequency="daily", reminder_times="06:30, 08:00, 22:00"),
        actor=patient.user,
    )
    db.session.commit()
    today = local_times(pending(goal.id))[:3]
    day = f"{morning.now:%d}"
    # 06:30 is in the quiet morning: it comes at 08:00, once with the 08:00 one; 22:00 is in
    # the quiet evening: it comes just before the evening's quiet begins.
    assert today == [f"{day} 08:00", f"{day} 20:45", today[2]]
    assert today[2].endswith("08:00") and not today[2].startswith(day)


def test_chosen_weekdays_only(morning, patient, phone):
    goal = service.goal_create(
        patient=patient,
        details=replace(
            EXERCISES, frequency="weekdays", weekdays=("0", "3"), reminder_times="10:00"
        ),
        actor=patient.user,
    )
    db.session.commit()
    days = {row.due_at.astimezone(local_zone()).weekday() for row in pending(goal.id)}
    assert days == {0, 3}


def test_changing_the_times_moves_them_and_ending_the_goal_withdraws_them(morning, patient, phone):
    goal = service.goal_create(patient=patient, details=EXERCISES, actor=patient.user)
    db.session.commit()
    service.goal_update(
        patient=patient,
        goal_id=goal.id,
        details=replace(EXERCISES, times_per_day="1", frequency="daily", reminder_times="10:00"),
        expected_lock=1,
        actor=patient.user,
    )
    db.session.commit()
    assert local_times(pending(goal.id))[0] == f"{morning.now:%d} 10:00"
    assert len(pending(goal.id)) == HORIZON_DAYS
    service.goal_archive(patient=patient, goal_id=goal.id, expected_lock=2, actor=patient.user)
    db.session.commit()
    assert pending(goal.id) == []
    withdrawn = db.session.scalars(
        select(Reminder).where(Reminder.state == ReminderState.WITHDRAWN)
    ).all()
    assert len(withdrawn) == 3 * HORIZON_DAYS + HORIZON_DAYS


def test_a_pause_withdraws_them_and_what_is_done_today_is_not_nagged(morning, patient, phone):
    goal = service.goal_create(
        patient=patient,
        details=replace(EXERCISES, frequency="daily", reminder_times="12:00"),
        actor=patient.user,
    )
    db.session.commit()
    check_in_make(goal, now_utc(), done=True)
    self_care_reminders_refresh(patient)  # as a check-in does
    db.session.commit()
    assert local_times(pending(goal.id))[0] != f"{morning.now:%d} 12:00"
    assert len(pending(goal.id)) == HORIZON_DAYS - 1
    notify.paused_set(user=patient.user, paused=True)
    db.session.commit()
    assert pending() == []


def test_opening_todays_self_care_tops_up_the_days_ahead(morning, patient, phone):
    goal = service.goal_create(
        patient=patient,
        details=replace(EXERCISES, frequency="daily", reminder_times="12:00"),
        actor=patient.user,
    )
    db.session.commit()
    last = pending(goal.id)[-1].due_at
    morning.advance(days=8)
    self_care_reminders_top_up(patient)
    db.session.commit()
    assert pending(goal.id)[-1].due_at == last + timedelta(days=8)


def test_no_device_no_reminders_and_no_work(morning, patient):
    service.goal_create(patient=patient, details=EXERCISES, actor=patient.user)
    db.session.commit()
    assert pending() == []


def test_logging_what_today_asks_stops_todays_reminders_and_a_removal_brings_them_back(
    morning, patient, phone
):
    from webapp.selfcare.checkins import services as checkins

    goal = service.goal_create(
        patient=patient,
        details=replace(EXERCISES, frequency="daily", reminder_times="12:00"),
        actor=patient.user,
    )
    db.session.commit()
    today_at_noon = f"{morning.now:%d} 12:00"
    assert local_times(pending(goal.id))[0] == today_at_noon
    logged = checkins.check_in_record(
        goal=GoalRules.of(goal),
        actor=patient.user,
        client_uuid=str(uuid.uuid4()),
        taken_at=None,
        reading=checkins.Reading(done=True),
    )
    db.session.commit()
    assert today_at_noon not in local_times(pending(goal.id))
    checkins.check_in_delete(
        patient=patient, goal=goal, actor=patient.user, check_in_id=logged.check_in_id
    )
    db.session.commit()
    assert local_times(pending(goal.id))[0] == today_at_noon
