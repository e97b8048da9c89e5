"""Calendar files (.ics) for follow-ups, built with `icalendar`.

Times are written in UTC (…Z), so a calendar shows the right local time on both sides of a
daylight-saving change without having to agree with us on time-zone rules.

An event carries the details (with whom, where, what it is about, how to prepare, why it was
cancelled) only when asked: the private calendar link is read by calendar services run by
other companies, so by default it says what kind of contact and when, nothing more. A file
the patient (or the care contact) downloads for one follow-up goes to their own device and
has everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event

from webapp.followups.models import FollowUp


def _uid(follow_up: FollowUp) -> str:
    host = urlsplit(current_app.config.get("PUBLIC_BASE_URL") or "").hostname or "nara.local"
    return f"follow-up-{follow_up.id}@{host}"


def _summary(follow_up: FollowUp, *, details: bool) -> str:
    summary = follow_up.kind_words
    if details and follow_up.with_whom:
        summary = _("%(kind)s med %(who)s", kind=summary, who=follow_up.with_whom)
    if follow_up.is_cancelled:
        return str(_("Avbokad: %(summary)s", summary=summary))
    if follow_up.is_moved:
        return str(_("Flyttad: %(summary)s", summary=summary))
    return summary


def _description(follow_up: FollowUp, *, details: bool) -> str:
    if not details:
        return str(_("Med vem, var och vad det gäller står i Nära."))
    parts = [_("Det här gäller: %(purpose)s", purpose=follow_up.purpose)]
    if follow_up.preparation:
        parts.append(_("Förbered dig så här: %(preparation)s", preparation=follow_up.preparation))
    if follow_up.is_cancelled and follow_up.cancel_reason:
        parts.append(_("Avbokad: %(reason)s", reason=follow_up.cancel_reason))
    return "\n\n".join(parts)


def event_for(follow_up: FollowUp, *, details: bool) -> Event:
    event = Event()
    event.add("uid", _uid(follow_up))
    event.add("dtstamp", follow_up.updated_at)
    event.add("dtstart", follow_up.starts_at)
    event.add("dtend", follow_up.ends_at)
    event.add("sequence", follow_up.lock_version)
    event.add("summary", _summary(follow_up, details=details))
    if details and follow_up.place:
        event.add("location", follow_up.place)
    event.add("description", _description(follow_up, details=details))
    # A moved follow-up is replaced by the new one: calendars should drop the old time.
    event.add("status", "CONFIRMED" if follow_up.is_planned else "CANCELLED")
    if follow_up.is_planned:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _summary(follow_up, details=details))
        alarm.add("trigger", timedelta(days=-1))
        event.add_component(alarm)
    return event


def calendar_for(
    follow_ups: Iterable[FollowUp], *, details: bool, name: str | None = None
) -> bytes:
    """The .ics text; `details` says whether each event carries more than kind and time."""
    calendar = Calendar()
    calendar.add("prodid", "-//Nära//Planerade kontakter//SV")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    for follow_up in follow_ups:
        calendar.add_component(event_for(follow_up, details=details))
    ical: bytes = calendar.to_ical()  # icalendar leaves this method untyped
    return ical
