"""A person's devices, settings and reminder list. The caller is the signed-in person:
everything here is about their own rows, found by their own user id."""

from __future__ import annotations

import base64
import binascii
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import time, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webapp.clock import now_utc
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.notify import outbox
from webapp.notify.endpoints import endpoint_problem, push_hosts_from
from webapp.notify.message import Message
from webapp.notify.models import (
    DEVICE_NAME_MAX,
    ENDPOINT_MAX,
    PushSubscription,
    Reminder,
    ReminderKind,
    ReminderSettings,
    ReminderState,
)
from webapp.people.models import User

log = logging.getLogger("nara.notify")

BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
RECENT_COUNT = 20
TEST_USEFUL_FOR = timedelta(hours=1)
HOURS_BEFORE_CHOICES = (0, 1, 2, 3, 4)


class NotifyError(UserFacingError):
    pass


class DeviceNotFound(NotifyError):
    def __init__(self) -> None:
        super().__init__(_l("Det finns ingen sådan telefon eller dator bland dina."))


# --- devices ---------------------------------------------------------------------------


def _key_bytes(value: object, length: int) -> str:
    """A base64url key of exactly `length` bytes, as the browser gave it, or an error."""
    if not isinstance(value, str) or len(value) > 200 or not BASE64URL.fullmatch(value):
        raise NotifyError(_l("Telefonen skickade inga nycklar som går att använda."))
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise NotifyError(_l("Telefonen skickade inga nycklar som går att använda.")) from None
    if len(raw) != length:
        raise NotifyError(_l("Telefonen skickade inga nycklar som går att använda."))
    return value


def _checked_endpoint(value: object) -> str:
    """The push service's address: one of the push services browsers use (endpoints.py)."""
    if not isinstance(value, str) or not value or len(value) > ENDPOINT_MAX:
        raise NotifyError(_l("Telefonen gav ingen adress för påminnelser."))
    why = endpoint_problem(value, push_hosts_from(current_app.config))
    if why:
        log.warning("a device's push address was refused: %s", why)
        raise NotifyError(
            _l(
                "Telefonen gav en adress för påminnelser som inte hör till någon av "
                "webbläsarnas pushtjänster. Nära skickar bara påminnelser dit."
            )
        )
    return value


def checked_name(value: object) -> str:
    name = " ".join(str(value or "").split())
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in name):  # NUL and other controls
        raise NotifyError(_l("Namnet har ett tecken som inte går att använda."), field="name")
    if not name:
        raise NotifyError(_l("Skriv ett namn, till exempel Min telefon."), field="name")
    if len(name) > DEVICE_NAME_MAX:
        raise NotifyError(_l("Skriv högst %(max)s tecken.", max=DEVICE_NAME_MAX), field="name")
    return name


def device_add(*, user: User, subscription: object, name: object) -> PushSubscription:
    """Save the browser's subscription for this person. The same browser subscribing again
    updates its row; a phone that someone else used before now reminds this person only."""
    if not isinstance(subscription, dict):
        raise NotifyError(_l("Telefonen gav ingen adress för påminnelser."))
    keys = subscription.get("keys") if isinstance(subscription.get("keys"), dict) else {}
    assert isinstance(keys, dict)  # noqa: S101 (narrowed above)
    endpoint = _checked_endpoint(subscription.get("endpoint"))
    p256dh = _key_bytes(keys.get("p256dh"), 65)
    auth = _key_bytes(keys.get("auth"), 16)
    device_name = checked_name(name)
    device = db.session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    )
    if device is None or device.user_id != user.id:
        _room_for_a_device(user)
    if device is not None and device.user_id != user.id:
        outbox.reminders_withdraw_for_device(device, ReminderState.WITHDRAWN)
        device.user_id = user.id
    if device is None:
        device = PushSubscription(user_id=user.id, endpoint=endpoint, created_at=now_utc())
        db.session.add(device)
    device.p256dh, device.auth, device.name = p256dh, auth, device_name
    db.session.flush()
    outbox.reminders_refresh([user])
    return device


def _room_for_a_device(user: User) -> None:
    most = current_app.config["PUSH_DEVICES_PER_PERSON"]
    count = db.session.scalar(
        select(func.count(PushSubscription.id)).where(PushSubscription.user_id == user.id)
    )
    if (count or 0) >= most:
        raise NotifyError(
            _l(
                "Du har redan %(most)s telefoner och datorer med påminnelser. Ta bort en som "
                "du inte använder innan du lägger till en ny.",
                most=most,
            )
        )


def device_find(*, user: User, device_id: int) -> PushSubscription:
    device = db.session.get(PushSubscription, device_id)
    if device is None or device.user_id != user.id:
        raise DeviceNotFound()
    return device


def device_rename(*, user: User, device_id: int, name: str) -> PushSubscription:
    device = device_find(user=user, device_id=device_id)
    device.name = checked_name(name)
    return device


def device_remove(*, user: User, device_id: int) -> None:
    device = device_find(user=user, device_id=device_id)
    outbox.reminders_withdraw_for_device(device, ReminderState.WITHDRAWN)
    db.session.delete(device)
    db.session.flush()


class TooManyTests(NotifyError):
    def __init__(self) -> None:
        super().__init__(
            _l("Du har skickat många provpåminnelser. Vänta en stund och prova sedan igen.")
        )


def device_test(*, user: User, device_id: int) -> Reminder:
    device = device_find(user=user, device_id=device_id)
    now = now_utc()
    tests_this_hour = db.session.scalar(
        select(func.count(Reminder.id)).where(
            Reminder.user_id == user.id,
            Reminder.kind == ReminderKind.TEST,
            Reminder.created_at > now - timedelta(hours=1),
        )
    )
    if (tests_this_hour or 0) >= current_app.config["PUSH_TESTS_PER_HOUR"]:
        raise TooManyTests()
    with outbox.speaking_to(user):
        wanted = outbox.Wanted(
            key=f"test:{secrets.token_hex(6)}",
            kind=ReminderKind.TEST,
            due_at=now,
            expires_at=now + TEST_USEFUL_FOR,
            urgency="high",
            message=Message(
                title=_("Nära"),
                body=_("Det här är en provpåminnelse. Så här ser påminnelserna ut."),
                path="/paminnelser/",
                tag="prov",
                topic="prov",
            ),
        )
    return outbox.reminder_now(user, wanted, [device])[0]


@dataclass(frozen=True)
class DeviceLine:
    device: PushSubscription
    last_sent_at: object | None


def devices_list(*, user: User) -> list[DeviceLine]:
    """The person's devices, each with when it last got a reminder: two queries."""
    devices = outbox.devices_of(user)
    last = (
        dict(
            db.session.execute(
                select(Reminder.subscription_id, func.max(Reminder.sent_at))
                .where(Reminder.user_id == user.id, Reminder.sent_at.is_not(None))
                .group_by(Reminder.subscription_id)
            ).all()
        )
        if devices
        else {}
    )
    return [DeviceLine(device, last.get(device.id)) for device in devices]


# --- settings --------------------------------------------------------------------------


def _clock(value: object, field: str) -> time:
    text = str(value or "").strip().replace(".", ":")
    try:
        hours, minutes = (int(part) for part in text.split(":"))
        return time(hours, minutes)
    except (ValueError, TypeError):
        raise NotifyError(_l("Skriv en tid som 18:00."), field=field) from None


@dataclass(frozen=True)
class SettingsInput:
    day_before: bool
    day_before_at: str
    hours_before: str
    quiet_from: str
    quiet_until: str
    paused: bool
    cannot_come_alerts: bool
    flagged_update_alerts: bool = False


def settings_save(*, user: User, values: SettingsInput) -> ReminderSettings:
    """Check everything first; save nothing if any part is wrong. Queued reminders follow."""
    errors: dict[str, str] = {}
    checked: dict[str, object] = {}
    # Follow-up reminders are a patient's; a staff member's form does not show them.
    timing_fields = ("day_before_at",) if user.is_patient else ()
    for field in (*timing_fields, "quiet_from", "quiet_until"):
        if field == "day_before_at" and not values.day_before:
            checked[field] = None
            continue
        try:
            checked[field] = _clock(getattr(values, field), field)
        except NotifyError as error:
            errors[field] = str(error.message)
    try:
        if user.is_patient:
            hours = int(values.hours_before)
            if hours not in HOURS_BEFORE_CHOICES:
                raise ValueError
            checked["hours_before"] = hours
    except (TypeError, ValueError):
        errors["hours_before"] = str(_l("Välj ett av alternativen."))
    if errors:
        first = next(iter(errors))
        raise NotifyError(errors[first], field=first, errors=errors)
    settings = _settings_to_change(user)
    for field, value in checked.items():
        setattr(settings, field, value)
    settings.paused = values.paused
    settings.cannot_come_alerts = values.cannot_come_alerts and user.is_staff
    settings.flagged_update_alerts = values.flagged_update_alerts and user.is_staff
    settings.updated_at = now_utc()
    db.session.flush()
    outbox.reminders_refresh([user])
    return settings


def _settings_to_change(user: User) -> ReminderSettings:
    """The person's saved settings, or the defaults made into their row."""
    settings = outbox.settings_of(user)
    if settings.id is None:
        db.session.add(settings)
    return settings


def paused_set(*, user: User, paused: bool) -> None:
    settings = _settings_to_change(user)
    settings.paused = paused
    settings.updated_at = now_utc()
    db.session.flush()
    outbox.reminders_refresh([user])


def reminder_state_words(reminder: Reminder) -> str:
    """What became of a reminder, in the person's words."""
    device = reminder.device_name
    if reminder.state == ReminderState.SENT:
        return str(_("Lämnad till pushtjänsten för %(device)s.", device=device))
    if reminder.state == ReminderState.GONE:
        return str(
            _(
                "%(device)s tar inte längre emot påminnelser. Slå på påminnelser igen i den "
                "telefonen om du vill ha dem där.",
                device=device,
            )
        )
    if reminder.state == ReminderState.FAILED:
        return str(_("Kunde inte skickas till %(device)s.", device=device))
    if reminder.attempts:
        return str(_("Gick inte fram till %(device)s. Nära försöker igen.", device=device))
    return str(_("Skickas nu till %(device)s.", device=device))


# --- the lists -------------------------------------------------------------------------


SHOWN_STATES = (
    ReminderState.PENDING,
    ReminderState.SENDING,
    ReminderState.SENT,
    ReminderState.FAILED,
    ReminderState.GONE,
)


def reminders_recent(*, user: User) -> list[Reminder]:
    """The latest reminders that were due, whatever became of them (the newest first)."""
    return list(
        db.session.scalars(
            select(Reminder)
            .where(
                Reminder.user_id == user.id,
                Reminder.due_at <= now_utc(),
                Reminder.state.in_(list(SHOWN_STATES)),
            )
            .order_by(Reminder.due_at.desc(), Reminder.id.desc())
            .limit(RECENT_COUNT)
        )
    )


def reminders_coming(*, user: User, limit: int = 3) -> list[Reminder]:
    """The next reminders waiting to be sent, one line per reminder (not per device)."""
    rows = db.session.scalars(
        select(Reminder)
        .where(
            Reminder.user_id == user.id,
            Reminder.state == ReminderState.PENDING,
            Reminder.due_at > now_utc(),
        )
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit * 4)
    )
    seen: set[tuple[object, str]] = set()
    coming = []
    for row in rows:
        if (row.due_at, row.topic) not in seen:
            seen.add((row.due_at, row.topic))
            coming.append(row)
    return coming[:limit]
