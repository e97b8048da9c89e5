"""The limits agreed with care, read against a new check-in.

A limit is crossed by a value below or above it, or by a change over a window of days
("vikten upp mer än 2 kg på 3 dagar": the new value against the lowest one logged in the
three days before it). A crossing marks the check-in and makes a flagged update to the care
contact carrying the limit in words and the advice care agreed for it: the app never writes
advice of its own.

All change limits of a goal are read in one query, whatever the number of check-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import case, func, select

from webapp.extensions import db
from webapp.people.models import User
from webapp.selfcare.measures import UNITS, Measure, format_number
from webapp.selfcare.models import (
    ADVICE_MAX,
    CheckIn,
    GoalLimit,
    LimitKind,
    PatientUpdate,
    SelfCareGoal,
)
from webapp.selfcare.updates import update_flagged


def _(text: str, **values: Any) -> str:
    """gettext, typed: Flask-Babel's returns Any."""
    return str(gettext(text, **values))


@dataclass(frozen=True)
class Breach:
    limit: GoalLimit
    reason: str  # the limit in words, with the value that crossed it


def _decimal(value: float) -> Decimal:
    # Through str: 72.4 - 70.4 is 2.0000000000000057 in floats, and "more than 2 kg" must
    # not be crossed by a rounding error.
    return Decimal(str(value))


def _value_of(check_in: CheckIn, limit: GoalLimit) -> float | None:
    return check_in.value2 if limit.value_index == 2 else check_in.value


def _decimals(goal: SelfCareGoal) -> int:
    unit = UNITS.get(goal.unit)
    if goal.measure == Measure.NUMBER and unit is not None:
        return unit.decimals
    return 0 if goal.measure != Measure.NUMBER else 2


def _amount(goal: SelfCareGoal, value: Decimal | float) -> str:
    """A value with its unit, as read: "2,4 kg", "135 mmHg", "8"."""
    number = format_number(value, max(_decimals(goal), 1) if goal.measure == Measure.NUMBER else 0)
    if goal.measure == Measure.BLOOD_PRESSURE:
        return f"{number} mmHg"
    unit = UNITS.get(goal.unit) if goal.measure == Measure.NUMBER else None
    return f"{number} {unit.words}" if unit else number


def _what(goal: SelfCareGoal, limit: GoalLimit) -> str:
    """What the value is, as a subject: "Vikten", "Det övre blodtrycket", "Värdet"."""
    if goal.measure == Measure.BLOOD_PRESSURE:
        return _("Det undre blodtrycket") if limit.value_index == 2 else _("Det övre blodtrycket")
    if goal.measure == Measure.NUMBER:
        words = {
            "kg": _("Vikten"),
            "pulse": _("Pulsen"),
            "mmol_l": _("Blodsockret"),
            "celsius": _("Temperaturen"),
            "saturation": _("Syremättnaden"),
        }
        if goal.unit in words:
            return words[goal.unit]
    return _("Värdet")


def _level_words(goal: SelfCareGoal, limit: GoalLimit, value: float) -> str:
    values = {
        "what": _what(goal, limit),
        "value": _amount(goal, _decimal(value)),
        "limit": _amount(goal, _decimal(limit.value)),
    }
    if limit.kind == LimitKind.ABOVE:
        return _("%(what)s är %(value)s, över gränsen %(limit)s.", **values)
    return _("%(what)s är %(value)s, under gränsen %(limit)s.", **values)


def _change_words(goal: SelfCareGoal, limit: GoalLimit, change: Decimal) -> str:
    days = limit.window_days or 1
    values: dict[str, Any] = {
        "what": _what(goal, limit),
        "change": _amount(goal, abs(change)),
        "limit": _amount(goal, _decimal(limit.value)),
    }
    if limit.kind == LimitKind.RISE:
        return str(
            ngettext(
                "%(what)s har ökat %(change)s på %(num)d dag (gränsen är %(limit)s).",
                "%(what)s har ökat %(change)s på %(num)d dagar (gränsen är %(limit)s).",
                days,
                **values,
            )
        )
    return str(
        ngettext(
            "%(what)s har minskat %(change)s på %(num)d dag (gränsen är %(limit)s).",
            "%(what)s har minskat %(change)s på %(num)d dagar (gränsen är %(limit)s).",
            days,
            **values,
        )
    )


def _window_extremes(
    goal: SelfCareGoal, check_in: CheckIn, change_limits: list[GoalLimit]
) -> list[float | None]:
    """For each change limit: the lowest (rise) or highest (fall) value logged in its window
    before the check-in, deleted ones and the check-in itself not counted. One query."""
    starts = [check_in.taken_at - timedelta(days=limit.window_days or 1) for limit in change_limits]
    columns = []
    for limit, start in zip(change_limits, starts, strict=True):
        value = CheckIn.value2 if limit.value_index == 2 else CheckIn.value
        inside = case((CheckIn.taken_at >= start, value))
        columns.append(func.min(inside) if limit.kind == LimitKind.RISE else func.max(inside))
    inside_window = [
        CheckIn.goal_id == goal.id,
        CheckIn.deleted_at.is_(None),
        CheckIn.taken_at >= min(starts),
        CheckIn.taken_at < check_in.taken_at,
    ]
    if check_in.id is not None:  # an edited check-in: not compared with itself
        inside_window.append(CheckIn.id != check_in.id)
    row = db.session.execute(select(*columns).where(*inside_window)).one()
    return list(row)


def limits_crossed(*, goal: SelfCareGoal, check_in: CheckIn) -> list[Breach]:
    """The goal's limits this check-in crosses, in the order care set them."""
    if check_in.value is None or check_in.deleted_at is not None:
        return []
    breaches: list[Breach] = []
    change_limits = [
        limit for limit in goal.limits if limit.kind in (LimitKind.RISE, LimitKind.FALL)
    ]
    extremes = dict(
        zip(
            (limit.id for limit in change_limits),
            _window_extremes(goal, check_in, change_limits) if change_limits else [],
            strict=True,
        )
    )
    for limit in goal.limits:
        value = _value_of(check_in, limit)
        if value is None:
            continue
        here, line = _decimal(value), _decimal(limit.value)
        if limit.kind == LimitKind.ABOVE and here > line:
            breaches.append(Breach(limit, _level_words(goal, limit, value)))
        elif limit.kind == LimitKind.BELOW and here < line:
            breaches.append(Breach(limit, _level_words(goal, limit, value)))
        elif limit.kind in (LimitKind.RISE, LimitKind.FALL):
            before = extremes.get(limit.id)
            if before is None:
                continue  # nothing logged in the window: no change to read
            change = here - _decimal(before)
            crossed = change > line if limit.kind == LimitKind.RISE else -change > line
            if crossed:
                breaches.append(Breach(limit, _change_words(goal, limit, change)))
    return breaches


def limits_apply(*, goal: SelfCareGoal, check_in: CheckIn, actor: User) -> PatientUpdate | None:
    """Mark the check-in by the limits it crosses; a newly crossed one makes a flagged update
    with every crossed limit's words and care's advice for each (each advice once)."""
    was_outside = check_in.outside_limits
    breaches = limits_crossed(goal=goal, check_in=check_in)
    check_in.outside_limits = bool(breaches)
    db.session.flush()
    return None if was_outside else limits_flag(check_in=check_in, breaches=breaches, actor=actor)


def limits_flag(*, check_in: CheckIn, breaches: list[Breach], actor: User) -> PatientUpdate | None:
    """The flagged update for a saved check-in's crossed limits (none when nothing was)."""
    if not breaches:
        return None
    advice: list[str] = []
    for breach in breaches:
        if breach.limit.advice.strip() and breach.limit.advice.strip() not in advice:
            advice.append(breach.limit.advice.strip())
    return update_flagged(
        check_in=check_in,
        actor=actor,
        reason=" ".join(breach.reason for breach in breaches),
        advice="\n".join(advice)[:ADVICE_MAX],
    )
