"""The devices that get reminders, each person's reminder settings, and the outbox.

A `Reminder` row is the one truth for "what should be sent when, to which device, and what
became of it". It is written in the same transaction as the change that implies it (a
follow-up booked, moved or cancelled; a device added; settings changed), and its
`dedupe_key` is unique, so the same reminder can never be queued twice.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, time
from enum import StrEnum
from urllib.parse import urlsplit

from sqlalchemy import ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now_utc
from webapp.db import OffPlan
from webapp.extensions import Model
from webapp.people.models import User

DEVICE_NAME_MAX = 60
ENDPOINT_MAX = 1024
DEFAULT_DAY_BEFORE_AT = time(18, 0)
DEFAULT_HOURS_BEFORE = 2
DEFAULT_QUIET_FROM = time(21, 0)
DEFAULT_QUIET_UNTIL = time(8, 0)


class PushSubscription(Model):
    """One browser on one device that has said yes to reminders (the browser's
    PushSubscription: where to send and the keys to encrypt for it)."""

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(ENDPOINT_MAX), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(DEVICE_NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    user: Mapped[User] = relationship()

    @property
    def endpoint_hash(self) -> str:
        """How the page recognises "this phone" without the address being shown in it."""
        return hashlib.sha256(self.endpoint.encode()).hexdigest()


class ReminderSettings(Model):
    """What a person chose. No row means the defaults below."""

    __tablename__ = "reminder_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    # "The day before at 18:00": a clock time the person chose, so it is sent even inside
    # quiet hours. None: no day-before reminder. No column default: a default fires on an
    # insert whose value is None, so a first save could never turn the reminder off (the
    # defaults come from outbox.settings_of).
    day_before_at: Mapped[time | None] = mapped_column()
    # "Two hours before": None or 0 means none. Moved out of quiet hours.
    hours_before: Mapped[int | None] = mapped_column()
    quiet_from: Mapped[time] = mapped_column(default=DEFAULT_QUIET_FROM)
    quiet_until: Mapped[time] = mapped_column(default=DEFAULT_QUIET_UNTIL)
    paused: Mapped[bool] = mapped_column(default=False, server_default=false())
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Stockholm")
    # Staff: a push when one of their patients answers "Jag kan inte komma".
    cannot_come_alerts: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Staff: a push when a patient's check-in crosses an agreed limit (no name on the lock
    # screen).
    flagged_update_alerts: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)


class ReminderKind(StrEnum):
    FOLLOW_UP = "follow_up"
    TEST = "test"
    CANNOT_COME = "cannot_come"
    SELF_CARE = "self_care"  # a reminder time of a self-care goal
    FLAGGED_UPDATE = "flagged_update"  # to staff who opted in: a check-in crossed a limit


class ReminderState(StrEnum):
    PENDING = "pending"  # waiting for its time (or for its next try)
    SENDING = "sending"  # claimed by a dispatcher until `lease_until`
    SENT = "sent"  # the push service accepted it (201/202)
    FAILED = "failed"  # given up: the push service kept refusing, or it was too late
    GONE = "gone"  # the device no longer takes reminders (404/410); the device was removed
    WITHDRAWN = "withdrawn"  # no longer wanted: the follow-up moved or was cancelled, paused


OPEN_STATES = (ReminderState.PENDING, ReminderState.SENDING)


class Reminder(OffPlan, Model):
    __off_plan__ = "the outbox of push messages; the plan shows the follow-ups themselves"

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_state_available_at", "state", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Kept when the device goes: the row still says where it was meant to go.
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscription.id", ondelete="SET NULL"), index=True
    )
    device_name: Mapped[str] = mapped_column(String(DEVICE_NAME_MAX))
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up.id"), index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("self_care_goal.id"), index=True)
    due_at: Mapped[datetime] = mapped_column()
    # When it may next be claimed: due_at at first, later than that after a refusal.
    available_at: Mapped[datetime] = mapped_column()
    # Past this it is no use any more (the follow-up has begun): the push services are told
    # to drop it then (TTL), and a reminder still here is failed, not sent late.
    expires_at: Mapped[datetime] = mapped_column()
    payload: Mapped[str] = mapped_column(Text)  # the Declarative Web Push JSON
    topic: Mapped[str] = mapped_column(String(32))
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    state: Mapped[str] = mapped_column(String(12), default=ReminderState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column()
    status_code: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)

    subscription: Mapped[PushSubscription | None] = relationship()

    def _notification(self) -> dict[str, str]:
        try:
            found = json.loads(self.payload).get("notification")
        except (ValueError, AttributeError):
            return {}
        return found if isinstance(found, dict) else {}

    @property
    def body(self) -> str:
        return str(self._notification().get("body", ""))

    @property
    def path(self) -> str:
        """Where a tap leads, as a path inside Nära."""
        target = urlsplit(str(self._notification().get("navigate", "")))
        return target.path + (f"#{target.fragment}" if target.fragment else "")
