"""What a new check-in is checked against: the goal's measure, unit and state, and the limits
agreed with care, read as plain values in one light query.

A check-in is the request a patient makes many times a day. Loading its goal as an ORM object
with its limits cost more than the rest of the check-in's reading and writing together, so
the writing path reads these facts instead; pages keep using `SelfCareGoal`. `GoalRules.of`
makes the same facts from a goal already loaded (an edit), so there is one set of rules.

The same query reads, for a check-in at a known moment, each change limit's window before
that moment (`Window`): a new check-in from the phone gets them with its rules, a statement
less on the request made most often; a check-in checked again (an edit, a queued one) reads
them alone through the same query, so there is one rule for a window, in SQL, here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, func, select, true

from webapp.db import DaysBefore, UTCDateTime
from webapp.extensions import db
from webapp.selfcare.models import CheckIn, GoalLimit, GoalStatus, LimitKind, SelfCareGoal


@dataclass(frozen=True)
class LimitRule:
    """One limit agreed with care (see `GoalLimit`)."""

    id: int
    kind: str  # LimitKind
    value: float
    value_index: int  # a blood pressure: 1 the upper value, 2 the lower
    window_days: int | None
    advice: str


@dataclass(frozen=True)
class Window:
    """For a new check-in at `at`: each change limit's lowest (rise) or highest (fall) value
    logged in its window before that moment, deleted ones not counted, by the limit's id
    (None: nothing logged in it)."""

    at: datetime
    extremes: Mapping[int, float | None]


@dataclass(frozen=True)
class GoalRules:
    id: int
    patient_id: int
    measure: str  # Measure
    unit: str
    is_active: bool
    has_reminders: bool
    limits: tuple[LimitRule, ...]  # in the order care set them
    window: Window | None = None  # read with the rules, for one new check-in

    @classmethod
    def of(cls, goal: SelfCareGoal) -> GoalRules:
        return cls(
            id=goal.id,
            patient_id=goal.patient_id,
            measure=goal.measure,
            unit=goal.unit,
            is_active=goal.is_active,
            has_reminders=goal.has_reminders,
            limits=tuple(_limit_rule(limit.id, limit) for limit in goal.limits),
        )


def _limit_rule(limit_id: int, source: Any) -> LimitRule:
    """From a `GoalLimit`, or a row of the query below (the same names, the id aside)."""
    return LimitRule(
        id=limit_id,
        kind=source.kind,
        value=source.value,
        value_index=source.value_index,
        window_days=source.window_days,
        advice=source.advice,
    )


def _window_moment() -> Any:
    """:window_at as a one-row table: the windows read it as a column, so the moment is
    bound (and turned into the database's form) once, not once for every use."""
    return select(bindparam("window_at", type_=UTCDateTime()).label("at")).subquery("moment")


def _window_extreme(moment: Any) -> ColumnElement[Any]:
    """On a change limit's row: the lowest (rise) or highest (fall) value logged in its window
    of days before the moment, deleted ones and the check-in itself (:excluding, 0 for a new
    one: ids are never 0) not counted; NULL on other limits."""
    goal, limit, check_in = SelfCareGoal.__table__, GoalLimit.__table__, CheckIn.__table__
    value = case((limit.c.value_index == 2, check_in.c.value2), else_=check_in.c.value)

    def over_the_window(extreme: Any) -> Any:
        return (
            select(extreme(value))
            .where(
                check_in.c.goal_id == goal.c.id,
                check_in.c.deleted_at.is_(None),
                check_in.c.taken_at
                >= DaysBefore(moment.c.at, func.coalesce(limit.c.window_days, 1)),
                check_in.c.taken_at < moment.c.at,
                check_in.c.id != bindparam("excluding"),
            )
            .scalar_subquery()
        )

    return case(
        (limit.c.kind == LimitKind.RISE, over_the_window(func.min)),
        (limit.c.kind == LimitKind.FALL, over_the_window(func.max)),
    )


# Built once: composing the statement costs more than running it. One goal (a check-in) is
# compared with a plain parameter: SQLAlchemy renders an expanding IN anew on every execution.
@cache
def _rules_query(*, one: bool, window: bool = False) -> Select[Any]:
    goal, limit = SelfCareGoal.__table__, GoalLimit.__table__
    columns: list[Any] = [
        goal.c.id,
        goal.c.patient_id,
        goal.c.measure,
        goal.c.unit,
        goal.c.status,
        goal.c.reminder_times,
        limit.c.id.label("limit_id"),
        limit.c.kind,
        limit.c.value,
        limit.c.value_index,
        limit.c.window_days,
        limit.c.advice,
    ]
    tables = goal.outerjoin(limit, limit.c.goal_id == goal.c.id)
    if window:
        moment = _window_moment()
        columns.append(_window_extreme(moment).label("window_extreme"))
        tables = tables.join(moment, true())
    return (
        select(*columns)
        .select_from(tables)
        .where(
            goal.c.patient_id == bindparam("patient_id"),
            goal.c.id == bindparam("goal_id")
            if one
            else goal.c.id.in_(bindparam("goal_ids", expanding=True)),
        )
        .order_by(goal.c.id, limit.c.id)
    )


def goal_rules(*, patient_id: int, goal_ids: Iterable[int]) -> dict[int, GoalRules]:
    """The rules of those of the patient's goals (archived too) that these ids name. One
    query; an id that is not hers is simply not in the answer."""
    ids = sorted(set(goal_ids))
    if not ids:
        return {}
    which = {"goal_id": ids[0]} if len(ids) == 1 else {"goal_ids": ids}
    return _read(_rules_query(one=len(ids) == 1), {"patient_id": patient_id, **which})


def goal_rules_at(
    *, patient_id: int, goal_id: int, window_at: datetime, excluding: int | None = None
) -> GoalRules | None:
    """The rules of one of the patient's goals (archived too), or None, with each change
    limit's window before a check-in at `window_at` (`excluding`: that check-in, saved
    already, which is not compared with itself). One query."""
    parameters = {
        "patient_id": patient_id,
        "goal_id": goal_id,
        "window_at": window_at,
        "excluding": excluding or 0,
    }
    return _read(_rules_query(one=True, window=True), parameters, window_at).get(goal_id)


def _read(
    query: Select[Any], parameters: dict[str, Any], window_at: datetime | None = None
) -> dict[int, GoalRules]:
    # A plain read on the session's connection: the ORM's execution layer would double its
    # cost, and it has nothing to do for a Core select.
    rows = db.session.connection().execute(query, parameters)
    goals: dict[int, tuple[Any, list[LimitRule], dict[int, float | None]]] = {}
    for row in rows:
        _goal_row, limits, extremes = goals.setdefault(row.id, (row, [], {}))
        if row.limit_id is not None:
            limits.append(_limit_rule(row.limit_id, row))
            if window_at is not None and row.kind in (LimitKind.RISE, LimitKind.FALL):
                extremes[row.limit_id] = row.window_extreme
    return {
        goal_id: GoalRules(
            id=row.id,
            patient_id=row.patient_id,
            measure=row.measure,
            unit=row.unit,
            is_active=row.status == GoalStatus.ACTIVE,
            has_reminders=bool(row.reminder_times),
            limits=tuple(limits),
            window=Window(window_at, extremes) if window_at is not None else None,
        )
        for goal_id, (row, limits, extremes) in goals.items()
    }
