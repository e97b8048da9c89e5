"""What the care contact types when booking or moving a follow-up, checked and converted.

The booking form sends text; this module turns it into the values a follow-up is saved with
(a UTC start, a length in minutes, the kind and the free texts) or says in plain Swedish what
is wrong with each field, all at once. It lives apart from services.py so that the rules for
reading and changing follow-ups are not buried under date, clock and daylight-saving checks.
Local times are in the unit's zone (Europe/Stockholm by default) and become UTC here.
FollowUpError lives here as most refusals start here; services.py raises it too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from webapp.clock import now_utc
from webapp.errors import UserFacingError
from webapp.followups.models import (
    PLACE_MAX,
    PREPARATION_MAX,
    PURPOSE_MAX,
    WITH_WHOM_MAX,
    FollowUp,
    FollowUpKind,
    WhoCalls,
)

MAX_HOURS = 8  # a working day; longer is surely a typing mistake
DURATION_MAX = MAX_HOURS * 60
MAX_DAYS_AHEAD = 3 * 366

T = TypeVar("T")

ALREADY_PASSED = _l("Tiden har redan varit. Välj en tid som inte har passerat.")
TOO_FAR_AHEAD = _l("Det är mer än tre år fram. Kontrollera året.")


class FollowUpError(UserFacingError):
    """A rule said no; nothing was changed. `field` names the form field it is about."""


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


def checked_text(value: str | None, field: str, limit: int, *, required: object = None) -> str:
    """The text trimmed, or a FollowUpError if it is required and empty, or too long."""
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
    try:
        moment = first.astimezone(UTC)
    except OverflowError:
        # The first hours of year 1 (or the last of year 9999, in a zone west of UTC) have
        # no UTC moment Python can hold: far outside what can be booked either way.
        raise FollowUpError(ALREADY_PASSED if naive.year == 1 else TOO_FAR_AHEAD, "date") from None
    if moment.astimezone(zone).replace(tzinfo=None) != naive:
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
    return moment


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
    """What the care contact typed, as text; checked_values checks and converts it. The end is
    given as a local clock time the same day (`end_time`) or, from code, as `duration_minutes`."""

    date: str
    time: str
    kind: str
    end_time: str = ""
    who_calls: str = ""  # a WhoCalls value; kept only for a phone call
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
        raise FollowUpError(ALREADY_PASSED, "date")
    if starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
        raise FollowUpError(TOO_FAR_AHEAD, "date")
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


def _who_calls(details: FollowUpInput) -> str:
    if details.who_calls not in {who.value for who in WhoCalls}:
        raise FollowUpError(_l("Välj vem som ringer."), "who_calls")
    return details.who_calls if details.kind == FollowUpKind.PHONE else WhoCalls.NOT_SAID.value


def checked_values(details: FollowUpInput) -> dict[str, object]:
    """The values to save, or a FollowUpInputError that names every wrong field at once."""
    errors: dict[str, str] = {}
    starts_at = _attempt(errors, lambda: _starts_at(details))
    values: dict[str, object] = {
        "starts_at": starts_at,
        "duration_minutes": _attempt(errors, lambda: _duration(details, starts_at)),
        "kind": _attempt(errors, lambda: _kind(details.kind)),
        "who_calls": _attempt(errors, lambda: _who_calls(details)),
        "with_whom": _attempt(
            errors, lambda: checked_text(details.with_whom, "with_whom", WITH_WHOM_MAX)
        ),
        "place": _attempt(errors, lambda: checked_text(details.place, "place", PLACE_MAX)),
        "purpose": _attempt(
            errors,
            lambda: checked_text(
                details.purpose, "purpose", PURPOSE_MAX, required=_l("Skriv vad kontakten gäller.")
            ),
        ),
        "preparation": _attempt(
            errors, lambda: checked_text(details.preparation, "preparation", PREPARATION_MAX)
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
        who_calls=follow_up.who_calls,
        with_whom=follow_up.with_whom,
        place=follow_up.place,
        purpose=follow_up.purpose,
        preparation=follow_up.preparation,
    )
