"""Writing the outbox, always inside the caller's unit of work.

Areas that remind of something register a *source*: a function that says, for one person
and their settings, which reminders they should get from now on. When something they depend
on changes (a follow-up booked, moved or cancelled; a device added or removed; the settings),
`reminders_refresh` makes the queued rows match: new ones are added, changed ones move, and
ones no longer wanted are withdrawn. A row already sent is never queued again, because its
dedupe key is unique.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import or_, select

from webapp.clock import now_utc
from webapp.extensions import db
from webapp.notify.message import Message, payload_json
from webapp.notify.models import (
    DEFAULT_DAY_BEFORE_AT,
    DEFAULT_HOURS_BEFORE,
    DEFAULT_QUIET_FROM,
    DEFAULT_QUIET_UNTIL,
    OPEN_STATES,
    PushSubscription,
    Reminder,
    ReminderKind,
    ReminderSettings,
    ReminderState,
)
from webapp.notify.schedule import Timing, out_of_quiet_hours
from webapp.people.models import User


@dataclass(frozen=True)
class Wanted:
    """One reminder a source wants a person to get (on each of their devices)."""

    key: str  # unique for this occurrence, e.g. "fu:123:day"; the device is added to it
    kind: ReminderKind
    due_at: datetime
    expires_at: datetime
    message: Message
    follow_up_id: int | None = None
    urgency: str = "normal"
    goal_id: int | None = None  # a self-care goal's reminder


Source = Callable[[User, Timing], list[Wanted]]
_sources: dict[str, Source] = {}


def reminder_source(name: str) -> Callable[[Source], Source]:
    """Register the reminders an area wants; `name` starts every key it makes."""

    def register(source: Source) -> Source:
        _sources[name] = source
        return source

    return register


# --- settings --------------------------------------------------------------------------


def settings_of(user: User) -> ReminderSettings:
    """The person's settings, or the defaults (not saved) when they never changed them."""
    found = db.session.scalar(select(ReminderSettings).where(ReminderSettings.user_id == user.id))
    if found is not None:
        return found
    return ReminderSettings(
        user_id=user.id,
        day_before_at=DEFAULT_DAY_BEFORE_AT,
        hours_before=DEFAULT_HOURS_BEFORE,
        quiet_from=DEFAULT_QUIET_FROM,
        quiet_until=DEFAULT_QUIET_UNTIL,
        paused=False,
        time_zone=current_app.config["DEFAULT_TIMEZONE"],
        cannot_come_alerts=False,
        flagged_update_alerts=False,
    )


def zone_of(settings: ReminderSettings) -> ZoneInfo:
    try:
        return ZoneInfo(settings.time_zone or current_app.config["DEFAULT_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Stockholm")


def timing_of(settings: ReminderSettings) -> Timing:
    return Timing(
        zone=zone_of(settings),
        day_before_at=settings.day_before_at,
        hours_before=settings.hours_before,
        quiet_from=settings.quiet_from,
        quiet_until=settings.quiet_until,
        paused=settings.paused,
    )


def devices_of(user: User) -> list[PushSubscription]:
    return list(
        db.session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == user.id)
            .order_by(PushSubscription.created_at, PushSubscription.id)
        )
    )


# --- writing rows ----------------------------------------------------------------------


def _lang(user: User) -> str:
    return user.locale or "sv"


def speaking_to(user: User) -> AbstractContextManager[None]:
    """Write a message in the language of the person who will read it."""
    return force_locale(_lang(user))  # type: ignore[no-any-return]


def _payload(wanted: Wanted, user: User) -> str:
    return payload_json(
        wanted.message, base_url=current_app.config["PUBLIC_BASE_URL"], lang=_lang(user)
    )


def _row_values(
    wanted: Wanted, device: PushSubscription, user: User, payload: str
) -> dict[str, object]:
    return {
        "kind": wanted.kind,
        "user_id": user.id,
        "subscription_id": device.id,
        "device_name": device.name,
        "follow_up_id": wanted.follow_up_id,
        "goal_id": wanted.goal_id,
        "due_at": wanted.due_at,
        "available_at": wanted.due_at,
        "expires_at": wanted.expires_at,
        "payload": payload,
        "topic": wanted.message.topic,
        "urgency": wanted.urgency,
    }


def _device_key(wanted: Wanted, device: PushSubscription) -> str:
    return f"{wanted.key}:d{device.id}"


def reminders_refresh(users: Iterable[User], source: str | None = None) -> None:
    """Make each person's queued reminders (from one source, or all) match what is wanted."""
    names = [source] if source else list(_sources)
    for user in users:
        settings = settings_of(user)
        timing = timing_of(settings)
        devices = devices_of(user)
        for name in names:
            with speaking_to(user):
                wanted = [] if timing.paused else _sources[name](user, timing)
            _apply(user, name, wanted, devices)


def _apply(user: User, source: str, wanted: list[Wanted], devices: list[PushSubscription]) -> None:
    desired = {
        _device_key(w, device): (w, device)
        for w in wanted
        if w.due_at > now_utc()
        for device in devices
    }
    existing = {
        row.dedupe_key: row
        for row in db.session.scalars(
            select(Reminder).where(
                Reminder.user_id == user.id,
                Reminder.dedupe_key.startswith(f"{source}:", autoescape=True),
                or_(Reminder.state.in_(OPEN_STATES), Reminder.dedupe_key.in_(desired)),
            )
        )
    }
    now = now_utc()
    for key, queued in existing.items():
        if key not in desired and queued.state in OPEN_STATES:
            # Also a row being sent this moment: its outcome is then not written, so a
            # send that fails is not tried again for a follow-up that no longer exists.
            _withdraw(queued, now)
    payloads = {w.key: _payload(w, user) for w in wanted}  # the same for each device
    for key, (w, device) in desired.items():
        row = existing.get(key)
        values = _row_values(w, device, user, payloads[w.key])
        if row is None:
            db.session.add(Reminder(dedupe_key=key, **values))
        elif row.state == ReminderState.SENDING:
            # Being sent: only a reminder that now says something else, or at another
            # time, is queued afresh (and the send's outcome is not written).
            if row.due_at != values["due_at"] or row.payload != values["payload"]:
                _requeue(row, values, now)
        elif row.state == ReminderState.WITHDRAWN or any(
            getattr(row, field) != value for field, value in values.items()
        ):
            # Only a row that moved, changed or comes back is written: a refresh that finds
            # the queue as it should be (most bookings, for the other follow-ups) writes nothing.
            # A sent one that says the same stays sent: never twice.
            _requeue(row, values, now)
    db.session.flush()


def _withdraw(row: Reminder, now: datetime) -> None:
    row.state = ReminderState.WITHDRAWN
    row.claimed_by = None
    row.lease_until = None
    row.updated_at = now


def _requeue(row: Reminder, values: dict[str, object], now: datetime) -> None:
    for field, value in values.items():
        setattr(row, field, value)
    row.state = ReminderState.PENDING
    row.claimed_by = None
    row.lease_until = None
    row.updated_at = now


def reminder_now(
    user: User, wanted: Wanted, devices: list[PushSubscription] | None = None
) -> list[Reminder]:
    """Queue a one-off reminder (a test, an alert to staff) for now, on the given devices
    (all of the person's by default). Its key makes a repeat a no-op."""
    rows = []
    for device in devices if devices is not None else devices_of(user):
        key = _device_key(wanted, device)
        found = db.session.scalar(select(Reminder).where(Reminder.dedupe_key == key))
        if found is None:
            payload = _payload(wanted, user)
            found = Reminder(dedupe_key=key, **_row_values(wanted, device, user, payload))
            db.session.add(found)
        rows.append(found)
    db.session.flush()
    return rows


def alert_now(user: User, wanted: Wanted) -> list[Reminder]:
    """An alert to staff, as their settings say: none while they have paused reminders, and
    one inside their quiet hours waits for the end of them (and stays useful as long)."""
    timing = timing_of(settings_of(user))
    if timing.paused:
        return []
    due = out_of_quiet_hours(wanted.due_at, None, timing)
    if due != wanted.due_at:
        wanted = replace(wanted, due_at=due, expires_at=wanted.expires_at + (due - wanted.due_at))
    return reminder_now(user, wanted)


def reminders_withdraw_for_device(device: PushSubscription, state: ReminderState) -> None:
    """A device that goes takes its waiting reminders with it (kept, marked, for the list),
    also one being sent this moment (its outcome is then not written)."""
    now = now_utc()
    for row in db.session.scalars(
        select(Reminder).where(
            Reminder.subscription_id == device.id, Reminder.state.in_(OPEN_STATES)
        )
    ):
        _withdraw(row, now)
        row.state = state
