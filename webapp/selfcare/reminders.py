"""What self-care asks the reminder machinery (webapp/notify) to send: a reminder at each of
a goal's reminder times, in the patient's zone, on the days the goal asks something.

Reminders are written for the days ahead (`HORIZON_DAYS`) whenever a goal's schedule
changes (in the same transaction: the transactional outbox), withdrawn when the goal is
archived or the patient pauses reminders, and moved out of quiet hours like every other
reminder. The lock screen says only "Dags för din egenvård": never what the goal is about.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp.clock import now_utc
from webapp.extensions import db
from webapp.notify import outbox
from webapp.notify.message import Message
from webapp.notify.models import PushSubscription, Reminder, ReminderKind, ReminderState
from webapp.notify.schedule import Timing, out_of_quiet_hours, wall_clock
from webapp.people.models import Patient, User
from webapp.relatives import reminding
from webapp.selfcare.models import CheckIn, Frequency, GoalStatus, SelfCareGoal
from webapp.selfcare.schedule import expected_on, reminder_times_of, weekdays_of

SOURCE = "sc"
HORIZON_DAYS = 14
# Opening today's self-care tops the queue up when fewer days than this are left in it.
TOP_UP_WHEN_LESS_THAN = timedelta(days=7)
PATH = "/egenvard/"


def _goals_with_reminders(patient: Patient) -> list[SelfCareGoal]:
    return list(
        db.session.scalars(
            select(SelfCareGoal).where(
                SelfCareGoal.patient_id == patient.id,
                SelfCareGoal.status == GoalStatus.ACTIVE,
                SelfCareGoal.reminder_times != "",
            )
        )
    )


def _done_today(patient: Patient, start: datetime, end: datetime) -> Counter[int]:
    rows = db.session.execute(
        select(CheckIn.goal_id, func.count())
        .where(
            CheckIn.patient_id == patient.id,
            CheckIn.taken_at >= start,
            CheckIn.taken_at < end,
            CheckIn.deleted_at.is_(None),
        )
        .group_by(CheckIn.goal_id)
    )
    return Counter({goal_id: count for goal_id, count in rows})


def _asks_on(goal: SelfCareGoal, day: date) -> bool:
    if goal.frequency == Frequency.WEEKDAYS:
        return day.weekday() in weekdays_of(goal)
    return True  # daily, several times a day, or n times a week (any day may be one)


def occurrences(
    goal: SelfCareGoal, day: date, timing: Timing, now: datetime
) -> list[tuple[time, datetime]]:
    """The reminder times of one goal on one day, out of quiet hours: (the time as set, when it
    is sent). One that would come in the quiet evening comes before it begins, that same day."""
    end_of_day = wall_clock(day + timedelta(days=1), time(0), timing.zone)
    found: list[tuple[time, datetime]] = []
    sent_at: set[datetime] = set()
    for at in reminder_times_of(goal):
        due = out_of_quiet_hours(wall_clock(day, at, timing.zone), end_of_day, timing)
        if due <= now or due >= end_of_day or due in sent_at:
            continue
        sent_at.add(due)
        found.append((at, due))
    return found


@outbox.reminder_source(SOURCE)
def self_care_reminders(user: User, timing: Timing) -> list[outbox.Wanted]:
    """The patient's self-care reminders for the days ahead, and those of each patient whose
    reminders this person gets as a relative."""
    wanted = _reminders_of(user.patient, timing) if user.patient is not None else []
    return wanted + reminding.as_relative(
        user, SOURCE, lambda patient: _reminders_of(patient, timing)
    )


def _reminders_of(patient: Patient, timing: Timing) -> list[outbox.Wanted]:
    goals = _goals_with_reminders(patient)
    if not goals:
        return []
    now = now_utc()
    today = now.astimezone(timing.zone).date()
    done = _done_today(
        patient,
        wall_clock(today, time(0), timing.zone),
        wall_clock(today + timedelta(days=1), time(0), timing.zone),
    )
    wanted = []
    for goal in goals:
        for offset in range(HORIZON_DAYS):
            day = today + timedelta(days=offset)
            if not _asks_on(goal, day):
                continue
            asked = expected_on(goal, day)
            if offset == 0 and asked and done[goal.id] >= asked:
                continue  # all done today: no more nagging today
            end_of_day = wall_clock(day + timedelta(days=1), time(0), timing.zone)
            for at, due in occurrences(goal, day, timing, now):
                stamp = f"{day:%Y%m%d}:{at:%H%M}"
                wanted.append(
                    outbox.Wanted(
                        key=f"{SOURCE}:{goal.id}:{stamp}",
                        kind=ReminderKind.SELF_CARE,
                        due_at=due,
                        expires_at=end_of_day,
                        goal_id=goal.id,
                        message=Message(
                            title=_("Påminnelse från Nära"),
                            body=_("Dags för din egenvård"),
                            path=PATH,
                            tag="egenvard",
                            topic=f"sc{goal.id}-{day:%m%d}{at:%H%M}",
                        ),
                    )
                )
    return wanted


def self_care_reminders_refresh(patient: Patient) -> None:
    """After a goal of this patient was set, changed or archived, or a check-in was logged."""
    outbox.reminders_refresh([patient.user, *reminding.reminded_of(patient)], SOURCE)


def self_care_reminders_top_up(patient: Patient) -> None:
    """Keep the days ahead queued: when the last queued self-care reminder is less than a
    week away (and the patient has a device that takes reminders), write the next ones. One
    query when nothing is needed."""
    last_queued = (
        select(func.max(Reminder.due_at))
        .where(
            Reminder.user_id == patient.user_id,
            Reminder.state == ReminderState.PENDING,
            Reminder.kind == ReminderKind.SELF_CARE,
        )
        .scalar_subquery()
    )
    devices = (
        select(func.count())
        .select_from(PushSubscription)
        .where(PushSubscription.user_id == patient.user_id)
        .scalar_subquery()
    )
    wanting = (
        select(func.count())
        .select_from(SelfCareGoal)
        .where(
            SelfCareGoal.patient_id == patient.id,
            SelfCareGoal.status == GoalStatus.ACTIVE,
            SelfCareGoal.reminder_times != "",
        )
        .scalar_subquery()
    )
    row = db.session.execute(select(last_queued, devices, wanting)).one()
    last, device_count, goal_count = row
    if not device_count or not goal_count:
        return
    if last is not None and last.tzinfo is None:  # an aggregate may come back without its zone
        last = last.replace(tzinfo=UTC)
    if last is None or last - now_utc() < TOP_UP_WHEN_LESS_THAN:
        self_care_reminders_refresh(patient)
