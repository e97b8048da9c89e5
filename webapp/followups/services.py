"""The rules of Överenskommen tid: booking, cancelling, moving, "Jag kan inte komma", and the
private calendar link.

Times are entered in the unit's local time (Europe/Stockholm by default) and stored in UTC.
The caller has already asked the access policy.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from webapp.auth.services import hash_token
from webapp.db import now_utc
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.followups.models import (
    PLACE_MAX,
    PREPARATION_MAX,
    PURPOSE_MAX,
    REASON_MAX,
    WITH_WHOM_MAX,
    CalendarFeed,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
)
from webapp.people.models import Patient, User

MAX_HOURS = 8  # a working day; longer is surely a typing mistake
DURATION_MAX = MAX_HOURS * 60
MAX_DAYS_AHEAD = 3 * 366

T = TypeVar("T")


class FollowUpError(UserFacingError):
    """A rule said no; nothing was changed. `field` names the form field it is about."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.field = field


class FollowUpNotFound(FollowUpError):
    def __init__(self) -> None:
        super().__init__(_l("Det finns ingen sådan planerad kontakt."))


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("DEFAULT_TIMEZONE") or "Europe/Stockholm")


def _too_long(field: str, length: int, limit: int) -> FollowUpError:
    return FollowUpError(
        _l(
            "Texten får vara högst %(max)d tecken. Nu är den %(length)d tecken.",
            max=limit,
            length=length,
        ),
        field,
    )


def _text(value: str | None, field: str, limit: int, *, required: object = None) -> str:
    cleaned = (value or "").strip()
    if required is not None and not cleaned:
        raise FollowUpError(required, field)
    if len(cleaned) > limit:
        raise _too_long(field, len(cleaned), limit)
    return cleaned


def _local_moment(date_text: str, time_text: str, time_field: str) -> datetime:
    """The UTC moment of a local date and time (already checked for shape), or a
    FollowUpError about `time_field`: a time that does not exist (the hour skipped when the
    clocks go forward) or one that happens twice (the hour repeated when they go back)."""
    if not re.fullmatch(r"\d{1,2}[:.]\d{2}", time_text):
        raise FollowUpError(
            _l("Skriv tiden som timmar och minuter, till exempel 08:00."), time_field
        )
    hours, minutes = (int(part) for part in re.split(r"[:.]", time_text))
    if hours > 23 or minutes > 59:
        raise FollowUpError(
            _l("Den tiden finns inte. Skriv en tid mellan 00:00 och 23:59."), time_field
        )
    zone = local_zone()
    naive = datetime.strptime(date_text, "%Y-%m-%d").replace(hour=hours, minute=minutes)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise FollowUpError(
            _l(
                "Den tiden finns inte den dagen: klockan ställs fram en timme på natten till "
                "sommartid. Välj en annan tid."
            ),
            time_field,
        )
    if first.utcoffset() != second.utcoffset():
        raise FollowUpError(
            _l(
                "Den tiden finns två gånger den natten: klockan ställs tillbaka en timme till "
                "vintertid. Välj en annan tid, till exempel efter klockan 03:00."
            ),
            time_field,
        )
    return first.astimezone(UTC)


def _checked_date(date_text: str) -> str:
    if not date_text:
        raise FollowUpError(_l("Skriv vilket datum, till exempel 2027-03-29."), "date")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_text):
        raise FollowUpError(_l("Skriv datumet som år-månad-dag, till exempel 2027-03-29."), "date")
    try:
        datetime.strptime(date_text, "%Y-%m-%d")
    except ValueError:
        raise FollowUpError(
            _l("Det datumet finns inte. Kontrollera dag och månad."), "date"
        ) from None
    return date_text


def starts_at_from_local(date_text: str | None, time_text: str | None) -> datetime:
    """The UTC moment of a local date and time in the unit's zone, or a FollowUpError that
    says what is wrong: not a date, not a time, or a time that does not exist or happens
    twice that night because the clocks change."""
    date_text = _checked_date((date_text or "").strip())
    return _local_moment(date_text, (time_text or "").strip(), "time")


@dataclass(frozen=True)
class FollowUpInput:
    """What the care contact typed, as text; the service checks and converts it. The end is
    given as a local clock time the same day (`end_time`) or, from code, as `duration_minutes`."""

    date: str
    time: str
    kind: str
    end_time: str = ""
    duration_minutes: str = ""
    with_whom: str = ""
    place: str = ""
    purpose: str = ""
    preparation: str = ""


class FollowUpInputError(FollowUpError):
    """One or more fields are wrong; `errors` maps each field to its message, in form order."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field)
        self.errors = errors


def _starts_at(details: FollowUpInput) -> datetime:
    starts_at = starts_at_from_local(details.date, details.time)
    now = now_utc()
    if starts_at <= now:
        raise FollowUpError(_l("Tiden har redan varit. Välj en tid som inte har passerat."), "date")
    if starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
        raise FollowUpError(_l("Det är mer än tre år fram. Kontrollera året."), "date")
    return starts_at


def _duration(details: FollowUpInput, starts_at: datetime | None) -> int | None:
    """Minutes from start to end; None when the start is wrong (its error is already said)."""
    end_text = (details.end_time or "").strip()
    if end_text:
        ends_at = _local_moment(details.date.strip(), end_text, "end_time") if starts_at else None
        if ends_at is None or starts_at is None:
            return None
        duration = int((ends_at - starts_at).total_seconds() // 60)
        field = "end_time"
    else:
        duration_text = (details.duration_minutes or "").strip()
        if not duration_text:
            raise FollowUpError(_l("Skriv när kontakten slutar, till exempel 08:30."), "end_time")
        if not re.fullmatch(r"-?\d{1,6}", duration_text):
            raise FollowUpError(
                _l("Skriv hur länge det tar i minuter, till exempel 30."), "duration_minutes"
            )
        duration = int(duration_text)
        field = "duration_minutes"
    if duration <= 0:
        raise FollowUpError(
            _l("Slutet kan inte vara före början. Välj en sluttid efter starttiden."), field
        )
    if duration > DURATION_MAX:
        raise FollowUpError(
            _l("Så lång kan en kontakt inte vara. Högst %(hours)d timmar.", hours=MAX_HOURS),
            field,
        )
    return duration


def _attempt(errors: dict[str, str], check: Callable[[], T]) -> T | None:
    """Run one check; on a FollowUpError note its message under its field and go on."""
    try:
        return check()
    except FollowUpError as error:
        errors.setdefault(error.field or "date", error.message)
        return None


def _kind(kind: str) -> str:
    if kind not in {known.value for known in FollowUpKind}:
        raise FollowUpError(_l("Välj vilken sorts kontakt det är."), "kind")
    return kind


def _checked(details: FollowUpInput) -> dict[str, object]:
    """The values to save, or a FollowUpInputError that names every wrong field at once."""
    errors: dict[str, str] = {}
    starts_at = _attempt(errors, lambda: _starts_at(details))
    values = {
        "starts_at": starts_at,
        "duration_minutes": _attempt(errors, lambda: _duration(details, starts_at)),
        "kind": _attempt(errors, lambda: _kind(details.kind)),
        "with_whom": _attempt(errors, lambda: _text(details.with_whom, "with_whom", WITH_WHOM_MAX)),
        "place": _attempt(errors, lambda: _text(details.place, "place", PLACE_MAX)),
        "purpose": _attempt(
            errors,
            lambda: _text(
                details.purpose, "purpose", PURPOSE_MAX, required=_l("Skriv vad kontakten gäller.")
            ),
        ),
        "preparation": _attempt(
            errors, lambda: _text(details.preparation, "preparation", PREPARATION_MAX)
        ),
    }
    if errors:
        raise FollowUpInputError(errors)
    return values


def follow_up_input_of(follow_up: FollowUp) -> FollowUpInput:
    """A follow-up as the booking form shows it: local date and clock times."""
    zone = local_zone()
    starts, ends = follow_up.starts_at.astimezone(zone), follow_up.ends_at.astimezone(zone)
    return FollowUpInput(
        date=starts.date().isoformat(),
        time=starts.strftime("%H:%M"),
        end_time=ends.strftime("%H:%M"),
        kind=follow_up.kind,
        with_whom=follow_up.with_whom,
        place=follow_up.place,
        purpose=follow_up.purpose,
        preparation=follow_up.preparation,
    )


# --- reading ---------------------------------------------------------------------------


def follow_up_find(*, patient: Patient, follow_up_id: int) -> FollowUp:
    found = db.session.scalar(
        select(FollowUp)
        .where(FollowUp.id == follow_up_id, FollowUp.patient_id == patient.id)
        .options(joinedload(FollowUp.moved_to))
    )
    if found is None:
        raise FollowUpNotFound()
    return found


def _all_of(patient: Patient) -> list[FollowUp]:
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(FollowUp.patient_id == patient.id)
            .options(joinedload(FollowUp.moved_to))
            .order_by(FollowUp.starts_at, FollowUp.id)
        )
    )


@dataclass(frozen=True)
class FollowUpList:
    upcoming: list[FollowUp]  # not yet over, in time order: the next one first
    past: list[FollowUp]  # over, the latest first ("Tidigare")

    @property
    def next_planned(self) -> FollowUp | None:
        return next((f for f in self.upcoming if f.is_planned), None)


def follow_ups_list(*, patient: Patient) -> FollowUpList:
    """Every follow-up of the patient, cancelled and moved ones included: one query."""
    now = now_utc()
    found = _all_of(patient)
    return FollowUpList(
        upcoming=[f for f in found if f.ends_at > now],
        past=[f for f in reversed(found) if f.ends_at <= now],
    )


@dataclass(frozen=True)
class FollowUpOverview:
    upcoming: list[FollowUp]  # in time order, cancelled and moved ones included

    @property
    def planned(self) -> list[FollowUp]:
        return [f for f in self.upcoming if f.is_planned]

    @property
    def next(self) -> FollowUp | None:
        return self.planned[0] if self.planned else None

    @property
    def planned_count(self) -> int:
        return len(self.planned)

    @property
    def changed(self) -> list[FollowUp]:
        """Cancelled and moved follow-ups whose time has not yet come: they stay visible."""
        return [f for f in self.upcoming if not f.is_planned]

    @property
    def cannot_come(self) -> list[FollowUp]:
        """Planned follow-ups the patient has said they cannot come to."""
        return [f for f in self.planned if f.cannot_come_at is not None]


def for_overview(patient: Patient) -> FollowUpOverview:
    """What "Min plan" shows: the follow-ups not yet over, in time order. One query, however
    many there are (moved ones point at a follow-up of the same list)."""
    found = db.session.scalars(
        select(FollowUp)
        .where(
            FollowUp.patient_id == patient.id, FollowUp.starts_at > now_utc() - timedelta(days=1)
        )
        .options(joinedload(FollowUp.moved_to))
        .order_by(FollowUp.starts_at, FollowUp.id)
    )
    now = now_utc()
    return FollowUpOverview(upcoming=[f for f in found if f.ends_at > now])


def cannot_come_counts(patient_ids: list[int]) -> dict[int, int]:
    """For the unit's patient list: per patient, how many planned follow-ups still to come
    the patient has said they cannot come to. One query."""
    if not patient_ids:
        return {}
    rows = db.session.execute(
        select(FollowUp.patient_id, func.count())
        .where(
            FollowUp.patient_id.in_(patient_ids),
            FollowUp.status == FollowUpStatus.PLANNED,
            FollowUp.cannot_come_at.is_not(None),
            FollowUp.starts_at > now_utc(),
        )
        .group_by(FollowUp.patient_id)
    )
    return {patient_id: count for patient_id, count in rows}


# --- changing --------------------------------------------------------------------------


def follow_up_book(*, patient: Patient, details: FollowUpInput, actor: User) -> FollowUp:
    """Book a follow-up; nothing is saved if any part is wrong."""
    values = _checked(details)
    now = now_utc()
    follow_up = FollowUp(
        patient_id=patient.id, created_by_user_id=actor.id, created_at=now, updated_at=now, **values
    )
    db.session.add(follow_up)
    db.session.commit()
    return follow_up


def _changeable(patient: Patient, follow_up_id: int) -> FollowUp:
    follow_up = follow_up_find(patient=patient, follow_up_id=follow_up_id)
    if follow_up.is_cancelled:
        raise FollowUpError(_l("Den här kontakten är redan avbokad."))
    if follow_up.is_moved:
        raise FollowUpError(_l("Den här kontakten är redan flyttad."))
    return follow_up


def follow_up_cancel(*, patient: Patient, follow_up_id: int, reason: str, actor: User) -> FollowUp:
    """Cancel with a reason; the follow-up stays visible as cancelled."""
    follow_up = _changeable(patient, follow_up_id)
    follow_up.cancel_reason = _text(
        reason, "reason", REASON_MAX, required=_l("Skriv varför kontakten avbokas.")
    )
    follow_up.status = FollowUpStatus.CANCELLED
    follow_up.updated_at = now_utc()
    follow_up.lock_version += 1
    db.session.commit()
    return follow_up


def follow_up_move(
    *, patient: Patient, follow_up_id: int, details: FollowUpInput, actor: User
) -> FollowUp:
    """Book the new time; the old follow-up stays visible as "Flyttad till ..."."""
    old = _changeable(patient, follow_up_id)
    values = _checked(details)
    now = now_utc()
    new = FollowUp(
        patient_id=patient.id, created_by_user_id=actor.id, created_at=now, updated_at=now, **values
    )
    db.session.add(new)
    db.session.flush()
    old.status = FollowUpStatus.MOVED
    old.moved_to_id = new.id
    old.updated_at = now
    old.lock_version += 1
    db.session.commit()
    return new


def follow_up_cannot_come(*, patient: Patient, follow_up_id: int, reason: str) -> FollowUp:
    """The patient says they cannot come; the reason reaches the care contact."""
    follow_up = _changeable(patient, follow_up_id)
    if follow_up.starts_at <= now_utc():
        raise FollowUpError(_l("Den här tiden har redan varit."))
    follow_up.cannot_come_reason = _text(
        reason,
        "reason",
        REASON_MAX,
        required=_l("Skriv varför du inte kan komma. Då kan din vårdkontakt hitta en ny tid."),
    )
    follow_up.cannot_come_at = now_utc()
    follow_up.updated_at = follow_up.cannot_come_at
    db.session.commit()
    return follow_up


# --- the private calendar link ---------------------------------------------------------


def calendar_feed_active(*, patient: Patient) -> CalendarFeed | None:
    return db.session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.patient_id == patient.id, CalendarFeed.revoked_at.is_(None)
        )
    )


def calendar_feed_enable(*, patient: Patient) -> str:
    """Make a new private link and return its token (shown once). An older link stops working."""
    token = secrets.token_urlsafe(32)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.patient_id == patient.id))
    if feed is None:
        feed = CalendarFeed(patient_id=patient.id)
        db.session.add(feed)
    feed.token_hash = hash_token(token)
    feed.created_at = now_utc()
    feed.revoked_at = None
    db.session.commit()
    return token


def calendar_feed_disable(*, patient: Patient) -> None:
    feed = calendar_feed_active(patient=patient)
    if feed is not None:
        feed.revoked_at = now_utc()
        db.session.commit()


def calendar_feed_patient(token: str) -> Patient | None:
    """The patient whose active link this token is, or None."""
    if not token or len(token) > 128:
        return None
    return db.session.scalar(
        select(Patient)
        .join(CalendarFeed, CalendarFeed.patient_id == Patient.id)
        .where(
            and_(CalendarFeed.token_hash == hash_token(token), CalendarFeed.revoked_at.is_(None))
        )
    )


def calendar_follow_ups(*, patient: Patient) -> list[FollowUp]:
    """What the feed serves: everything from the last half year on, cancelled ones included
    so calendars can remove them."""
    since = now_utc() - timedelta(days=183)
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(FollowUp.patient_id == patient.id, FollowUp.starts_at >= since)
            .order_by(FollowUp.starts_at, FollowUp.id)
        )
    )
