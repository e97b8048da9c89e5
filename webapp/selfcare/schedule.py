"""How often a goal is meant to be done: what a day and a week ask of the patient.

Days are the patient's local days (the unit's zone, Europe/Stockholm by default), so a
check-in at 23:30 counts for the day it was made on, whatever UTC says.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from webapp.selfcare.models import Frequency, SelfCareGoal

WEEKDAY_COUNT = 7


def local_zone() -> ZoneInfo:
    name = current_app.config.get("DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or "Europe/Stockholm")


def local_day(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a local day starts and ends (a DST day is 23 or 25 hours long)."""
    zone = local_zone()
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def weekdays_of(goal: SelfCareGoal) -> frozenset[int]:
    """The chosen weekdays, Monday 0 to Sunday 6."""
    return frozenset(
        int(part) for part in goal.weekdays.split(",") if part.isdigit() and int(part) < 7
    )


def reminder_times_of(goal: SelfCareGoal) -> list[time]:
    """The goal's reminder times in the patient's zone, earliest first."""
    times = []
    for part in goal.reminder_times.split(","):
        try:
            times.append(time.fromisoformat(part.strip()))
        except ValueError:
            continue
    return sorted(set(times))


def expected_on(goal: SelfCareGoal, day: date) -> int:
    """How many check-ins the day asks for. A goal counted per week (n times a week) asks
    nothing of any single day: the week is what counts."""
    if goal.frequency == Frequency.DAILY:
        return 1
    if goal.frequency == Frequency.TIMES_A_DAY:
        return max(goal.times_per_day, 1)
    if goal.frequency == Frequency.WEEKDAYS:
        return 1 if day.weekday() in weekdays_of(goal) else 0
    return 0


def expected_in_week(goal: SelfCareGoal) -> int:
    """How many check-ins a whole week asks for."""
    if goal.frequency == Frequency.TIMES_A_WEEK:
        return max(goal.times_per_week, 1)
    if goal.frequency == Frequency.WEEKDAYS:
        return len(weekdays_of(goal))
    return WEEKDAY_COUNT * expected_on(goal, date.today())
