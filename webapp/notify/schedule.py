"""When a reminder goes out, in the person's own time zone.

Pure functions of times and settings, so daylight saving and quiet hours are tested
without a database. Times are stored in UTC; every rule here ("the day before at 18:00",
"quiet from 21:00 to 08:00") is a wall-clock rule in the person's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A reminder moved out of quiet hours must still come this long before what it is about.
STILL_USEFUL_BEFORE = timedelta(minutes=30)
# When it cannot wait for the morning, it comes this long before the quiet evening begins.
BEFORE_QUIET = timedelta(minutes=15)
# Two reminders of one thing this close together are one too many.
TOO_CLOSE = timedelta(minutes=60)


@dataclass(frozen=True)
class Timing:
    """A person's reminder settings, as the rules need them."""

    zone: ZoneInfo
    day_before_at: time | None = time(18, 0)
    hours_before: int | None = 2
    quiet_from: time = time(21, 0)
    quiet_until: time = time(8, 0)
    paused: bool = False


def wall_clock(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` o'clock on `day` where the person lives, in UTC. A time that does not exist that
    day (inside the spring-forward gap) comes out as the same wall-clock reading after it."""
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(UTC)


def in_quiet_hours(moment: datetime, timing: Timing) -> bool:
    start, end = timing.quiet_from, timing.quiet_until
    if start == end:
        return False  # no quiet hours
    local = moment.astimezone(timing.zone).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end  # over midnight, the usual case


def _quiet_period(moment: datetime, timing: Timing) -> tuple[datetime, datetime]:
    """The start and end (UTC) of the quiet period that `moment` falls in."""
    local_day = moment.astimezone(timing.zone).date()
    local_time = moment.astimezone(timing.zone).time()
    start_day = local_day
    if timing.quiet_from > timing.quiet_until and local_time < timing.quiet_until:
        start_day = local_day - timedelta(days=1)  # after midnight: it began yesterday
    end_day = start_day + timedelta(days=1) if timing.quiet_from > timing.quiet_until else start_day
    return (
        wall_clock(start_day, timing.quiet_from, timing.zone),
        wall_clock(end_day, timing.quiet_until, timing.zone),
    )


def out_of_quiet_hours(
    due: datetime, event_at: datetime | None, timing: Timing, now: datetime | None = None
) -> datetime:
    """A reminder that would come in the quiet hours comes when they end. When that leaves
    too little time before what it is about, it comes just before they begin instead, if
    that is still ahead; otherwise at their end all the same, as long as the event has not
    begun (booked at 08:10 for 10:00, quiet until 09:40: at 09:40, not never)."""
    if not in_quiet_hours(due, timing):
        return due
    start, end = _quiet_period(due, timing)
    if event_at is None or end <= event_at - STILL_USEFUL_BEFORE:
        return end
    before = start - BEFORE_QUIET
    if now is not None and before <= now and end < event_at:
        return end
    return before


@dataclass(frozen=True)
class Occurrence:
    """One reminder of one thing: which rule made it (part of its dedupe key) and when."""

    rule: str
    due_at: datetime


def follow_up_times(starts_at: datetime, timing: Timing, now: datetime) -> list[Occurrence]:
    """When to remind of a follow-up at `starts_at`: "the day before at HH:MM" (a clock time
    the person chose, so it is kept even inside quiet hours) and "N hours before" (moved out
    of quiet hours). Nothing in the past, nothing twice within an hour."""
    if timing.paused:
        return []
    found: list[Occurrence] = []
    if timing.day_before_at is not None:
        day = starts_at.astimezone(timing.zone).date() - timedelta(days=1)
        found.append(Occurrence("day", wall_clock(day, timing.day_before_at, timing.zone)))
    if timing.hours_before:
        due = starts_at - timedelta(hours=timing.hours_before)
        found.append(Occurrence("hours", out_of_quiet_hours(due, starts_at, timing, now)))
    kept: list[Occurrence] = []
    for occurrence in sorted(found, key=lambda o: o.due_at):
        if occurrence.due_at <= now or occurrence.due_at >= starts_at:
            continue
        if kept and occurrence.due_at - kept[-1].due_at < TOO_CLOSE:
            continue
        kept.append(occurrence)
    return kept
