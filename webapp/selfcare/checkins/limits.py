"""The limits agreed with care, read against a new check-in.

A limit is crossed by a value below or above it, or by a change over a window of days
("vikten upp mer än 2 kg på 3 dagar": the new value against the lowest one logged in the
three days before it). A crossing marks the check-in and makes a flagged update to the care
contact carrying the limit in words and the advice care agreed for it: the app never writes
advice of its own.

All change limits of a goal are read in one query, whatever the number of check-ins, the
rules' own (rules.py, where the window is written once, in SQL); a new check-in from the phone
has them already, read with its rules. A window is counted in whole days of 24 hours back
from the check-in, whatever the clocks did meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext, ngettext

from webapp.extensions import db
from webapp.people.models import User
from webapp.selfcare.checkins.rules import GoalRules, LimitRule, goal_rules_at
from webapp.selfcare.measures import UNITS, Measure, format_number
from webapp.selfcare.models import ADVICE_MAX, CheckIn, LimitKind, PatientUpdate
from webapp.selfcare.updates.services import update_flagged


def _(text: str, **values: Any) -> str:
    """gettext, typed: Flask-Babel's returns Any."""
    return str(gettext(text, **values))


@dataclass(frozen=True)
class Breach:
    limit: LimitRule
    reason: str  # the limit in words, with the value that crossed it


def _decimal(value: float) -> Decimal:
    # Through str: 72.4 - 70.4 is 2.0000000000000057 in floats, and "more than 2 kg" must
    # not be crossed by a rounding error.
    return Decimal(str(value))


def _value_of(values: tuple[float | None, float | None], limit: LimitRule) -> float | None:
    return values[1] if limit.value_index == 2 else values[0]


def _decimals(goal: GoalRules) -> int:
    unit = UNITS.get(goal.unit)
    if goal.measure == Measure.NUMBER and unit is not None:
        return unit.decimals
    return 0 if goal.measure != Measure.NUMBER else 2


def _amount(goal: GoalRules, value: Decimal | float) -> str:
    """A value with its unit, as read: "2,4 kg", "135 mmHg", "8"."""
    number = format_number(value, max(_decimals(goal), 1) if goal.measure == Measure.NUMBER else 0)
    if goal.measure == Measure.BLOOD_PRESSURE:
        return f"{number} mmHg"
    unit = UNITS.get(goal.unit) if goal.measure == Measure.NUMBER else None
    return f"{number} {unit.words}" if unit else number


def _what(goal: GoalRules, limit: LimitRule) -> str:
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


def _level_words(goal: GoalRules, limit: LimitRule, value: float) -> str:
    values = {
        "what": _what(goal, limit),
        "value": _amount(goal, _decimal(value)),
        "limit": _amount(goal, _decimal(limit.value)),
    }
    if limit.kind == LimitKind.ABOVE:
        return _("%(what)s är %(value)s, över gränsen %(limit)s.", **values)
    return _("%(what)s är %(value)s, under gränsen %(limit)s.", **values)


def _change_words(goal: GoalRules, limit: LimitRule, change: Decimal) -> str:
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
    goal: GoalRules, taken_at: datetime, check_in_id: int | None
) -> Mapping[int, float | None]:
    """Each change limit's lowest (rise) or highest (fall) value in its window before the
    check-in: read with the rules already (a new check-in from the phone), or now, through
    the same query. One query at most."""
    window = goal.window
    if window is not None and check_in_id is None and window.at == taken_at:
        return window.extremes
    found = goal_rules_at(
        patient_id=goal.patient_id, goal_id=goal.id, window_at=taken_at, excluding=check_in_id
    )
    return found.window.extremes if found is not None and found.window is not None else {}


def limits_crossed(
    *,
    goal: GoalRules,
    taken_at: datetime,
    values: tuple[float | None, float | None],
    check_in_id: int | None = None,
) -> list[Breach]:
    """The goal's limits that a check-in of these values (value, value2) at `taken_at`
    crosses, in the order care set them. `check_in_id`: a saved check-in, checked again."""
    if values[0] is None:
        return []
    breaches: list[Breach] = []
    has_windows = any(limit.kind in (LimitKind.RISE, LimitKind.FALL) for limit in goal.limits)
    extremes = _window_extremes(goal, taken_at, check_in_id) if has_windows else {}
    for limit in goal.limits:
        value = _value_of(values, limit)
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


def limits_apply(*, goal: GoalRules, check_in: CheckIn, actor: User) -> PatientUpdate | None:
    """Mark a saved (edited) check-in by the limits it crosses; a newly crossed one makes a
    flagged update with every crossed limit's words and care's advice for each (each advice
    once)."""
    was_outside = check_in.outside_limits
    breaches = []
    if check_in.deleted_at is None:
        breaches = limits_crossed(
            goal=goal,
            taken_at=check_in.taken_at,
            values=(check_in.value, check_in.value2),
            check_in_id=check_in.id,
        )
    check_in.outside_limits = bool(breaches)
    db.session.flush()
    if was_outside:
        return None
    return limits_flag(goal=goal, check_in_id=check_in.id, breaches=breaches, actor=actor)


def limits_flag(
    *, goal: GoalRules, check_in_id: int, breaches: list[Breach], actor: User
) -> PatientUpdate | None:
    """The flagged update for a saved check-in's crossed limits (none when nothing was)."""
    if not breaches:
        return None
    advice: list[str] = []
    for breach in breaches:
        if breach.limit.advice.strip() and breach.limit.advice.strip() not in advice:
            advice.append(breach.limit.advice.strip())
    return update_flagged(
        patient_id=goal.patient_id,
        goal_id=goal.id,
        check_in_id=check_in_id,
        actor=actor,
        reason=" ".join(breach.reason for breach in breaches),
        advice="\n".join(advice)[:ADVICE_MAX],
    )
