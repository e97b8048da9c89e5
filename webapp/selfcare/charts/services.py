"""Pictures of progress: a goal's history over a week, a month or three months.

This module holds what the picture shows: the period's check-ins (one query, only the
period's rows, deleted ones left out), each in the patient's local time, and the sentences
that say the same as the picture (its title and description). `words.py` says how values,
targets and limits read; `svg.py` draws it; `consistency.py` says how the week is going.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.people.models import Patient, User
from webapp.relatives.services import labels_for
from webapp.selfcare.charts.consistency import Consistency, consistency_of
from webapp.selfcare.charts.logged import Logged
from webapp.selfcare.charts.words import ChartWords, limit_words, target_words
from webapp.selfcare.measures import Measure
from webapp.selfcare.models import CheckIn, SelfCareGoal
from webapp.selfcare.schedule import day_bounds, expected_on, local_zone


class Period(StrEnum):
    """The periods a chart shows, as they read in the address (?period=...)."""

    WEEK = "vecka"
    MONTH = "manad"
    THREE_MONTHS = "tre-manader"


DEFAULT_PERIOD = Period.MONTH
# The last N local days, today included: a week, a month, thirteen weeks.
PERIOD_DAYS = {Period.WEEK: 7, Period.MONTH: 30, Period.THREE_MONTHS: 91}
PERIOD_WORDS = {
    Period.WEEK: _l("Vecka"),
    Period.MONTH: _l("Månad"),
    Period.THREE_MONTHS: _l("Tre månader"),
}
PERIOD_SPAN_WORDS = {
    Period.WEEK: _l("de senaste 7 dagarna"),
    Period.MONTH: _l("de senaste 30 dagarna"),
    Period.THREE_MONTHS: _l("de senaste tre månaderna"),
}


def period_of(text: str | None) -> Period:
    """The period asked for; anything else (missing, misspelt, made up) is the default."""
    try:
        return Period(text or DEFAULT_PERIOD)
    except ValueError:
        return DEFAULT_PERIOD


class GoalNotFound(LookupError):
    """No such goal of this patient: the page answers 404."""


def chart_goal(patient: Patient, goal_id: int) -> SelfCareGoal:
    """The patient's goal with its limits, in one query; an archived goal keeps its history."""
    goal = (
        db.session.scalars(
            select(SelfCareGoal)
            .options(joinedload(SelfCareGoal.limits))
            .where(SelfCareGoal.id == goal_id, SelfCareGoal.patient_id == patient.id)
        )
        .unique()
        .one_or_none()
    )
    if goal is None:
        raise GoalNotFound(goal_id)
    return goal


@dataclass(frozen=True)
class Chart:
    goal: SelfCareGoal
    period: Period
    first_day: date
    today: date
    start: datetime  # the first day's first instant (aware)
    end: datetime  # the instant today ends (aware)
    rows: list[Logged]  # the period's check-ins, oldest first
    consistency: Consistency
    words: ChartWords  # how its values and days read

    @property
    def days(self) -> list[date]:
        return [
            self.first_day + timedelta(days=n)
            for n in range((self.today - self.first_day).days + 1)
        ]


def chart_make(patient: Patient, goal: SelfCareGoal, period: Period, today: date) -> Chart:
    """The chart of `period` ending `today`. One query loads the period's check-ins and this
    week's (always inside a period of a week or more, but said so rather than assumed)."""
    first_day = today - timedelta(days=PERIOD_DAYS[period] - 1)
    monday = today - timedelta(days=today.weekday())
    start, end = day_bounds(first_day)[0], day_bounds(today)[1]
    loaded = check_ins_between(patient, goal, day_bounds(min(first_day, monday))[0], end)
    return Chart(
        goal=goal,
        period=period,
        first_day=first_day,
        today=today,
        start=start,
        end=end,
        rows=[row for row in loaded if row.day >= first_day],
        consistency=consistency_of(goal, loaded, today),
        words=ChartWords(goal),
    )


def check_ins_between(
    patient: Patient, goal: SelfCareGoal, start: datetime, end: datetime
) -> list[Logged]:
    """The goal's check-ins taken in [start, end), oldest first, without the deleted ones."""
    zone = local_zone()
    result = db.session.execute(
        select(
            CheckIn.id,
            CheckIn.taken_at,
            CheckIn.done,
            CheckIn.value,
            CheckIn.value2,
            CheckIn.note,
            CheckIn.outside_limits,
            CheckIn.logged_by_user_id,
            User.name,
        )
        .join(User, User.id == CheckIn.logged_by_user_id)
        .where(
            CheckIn.goal_id == goal.id,
            CheckIn.patient_id == patient.id,
            CheckIn.deleted_at.is_(None),
            CheckIn.taken_at >= start,
            CheckIn.taken_at < end,
        )
        .order_by(CheckIn.taken_at, CheckIn.id)
    )
    found = list(result)
    # A relative who logged for her is named as she named them: "Eva (dotter)".
    helpers = labels_for((patient.id, row[7]) for row in found if row[7] != patient.user_id)
    rows = []
    for id_, taken_at, done, value, value2, note, outside, by_id, by_name in found:
        by_name = helpers.get((patient.id, by_id), by_name)
        local = taken_at.astimezone(zone)
        rows.append(
            Logged(
                id_,
                local,
                local.date(),
                done,
                value,
                value2,
                note or "",
                bool(outside),
                "" if by_id == patient.user_id else by_name,
            )
        )
    return rows


# --- the words that say what the picture shows ---------------------------------------------


def day_words(day: date) -> str:
    return str(format_date(day, "d MMMM"))


def chart_title(chart: Chart) -> str:
    return str(
        _(
            "%(title)s: %(span)s",
            title=chart.goal.title,
            span=PERIOD_SPAN_WORDS[chart.period],
        )
    )


def chart_description(chart: Chart) -> str:
    """What the picture shows, in sentences: the picture's <desc>, read by screen readers."""
    goal, rows, words = chart.goal, chart.rows, chart.words
    span = _(
        "Från %(first)s till %(last)s.",
        first=day_words(chart.first_day),
        last=day_words(chart.today),
    )
    parts = [span]
    if not rows:
        parts.append(_("Inget loggat under den tiden."))
    elif goal.measure == Measure.DONE:
        parts.append(done_days_words(chart))
    else:
        parts.append(ngettext("%(num)d värde loggat.", "%(num)d värden loggade.", len(rows)))
        parts.extend(_range_words(goal, rows, words))
        last = rows[-1]
        parts.append(
            _("Senast %(value)s, %(day)s.", value=words.value(last), day=day_words(last.day))
        )
        outside = sum(1 for row in rows if row.outside_limits)
        if outside:
            parts.append(
                ngettext(
                    "%(num)d värde utanför de överenskomna gränserna.",
                    "%(num)d värden utanför de överenskomna gränserna.",
                    outside,
                )
            )
    target = target_words(goal, words)
    if target:
        parts.append(target + ".")
    for limit in goal.limits:
        parts.append(_("Gräns: %(limit)s.", limit=limit_words(goal, limit, words)))
    return " ".join(parts)


def _range_words(goal: SelfCareGoal, rows: list[Logged], words: ChartWords) -> list[str]:
    def lowest_highest(values: list[float]) -> tuple[str, str]:
        return words.number(min(values)), words.number(max(values))

    if goal.measure == Measure.BLOOD_PRESSURE:
        sentences = []
        for which, values in (
            (_("Övre värdet"), [r.value for r in rows if r.value is not None]),
            (_("Undre värdet"), [r.value2 for r in rows if r.value2 is not None]),
        ):
            if values:
                low, high = lowest_highest(values)
                sentences.append(
                    _("%(which)s: lägst %(low)s, högst %(high)s.", which=which, low=low, high=high)
                )
        return sentences
    values = [r.value for r in rows if r.value is not None]
    if not values:
        return []
    low, high = lowest_highest(values)
    return [_("Lägst %(low)s, högst %(high)s.", low=low, high=high)]


@dataclass(frozen=True)
class DayState:
    """How a day of a done/not-done goal went."""

    asked: int  # check-ins the day asked for; 0 on a day off (and any day of a weekly goal)
    done: int  # check-ins marked done
    not_done: int  # check-ins marked not done

    @property
    def is_done(self) -> bool:
        return self.done > 0 and self.done >= self.asked

    @property
    def is_partly(self) -> bool:
        return 0 < self.done < self.asked

    @property
    def is_not_done(self) -> bool:
        return self.done == 0 and self.not_done > 0


def day_states(chart: Chart) -> dict[date, DayState]:
    """Each day of the period up to today, for the per-day strip."""
    done: dict[date, int] = {}
    not_done: dict[date, int] = {}
    for row in chart.rows:
        counter = done if row.done else not_done
        counter[row.day] = counter.get(row.day, 0) + 1
    return {
        day: DayState(
            asked=expected_on(chart.goal, day),
            done=done.get(day, 0),
            not_done=not_done.get(day, 0),
        )
        for day in chart.days
    }


def done_days_words(chart: Chart) -> str:
    states = day_states(chart).values()
    done = sum(1 for state in states if state.is_done)
    partly = sum(1 for state in states if state.is_partly)
    not_done = sum(1 for state in states if state.is_not_done)
    words = [ngettext("Gjort %(num)d dag.", "Gjort %(num)d dagar.", done)]
    if partly:
        words.append(ngettext("Delvis gjort %(num)d dag.", "Delvis gjort %(num)d dagar.", partly))
    if not_done:
        words.append(ngettext("Inte gjort %(num)d dag.", "Inte gjort %(num)d dagar.", not_done))
    return " ".join(words)
