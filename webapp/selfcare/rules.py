"""What a new check-in is checked against: the goal's measure, unit and state, and the limits
agreed with care, read as plain values in one light query.

A check-in is the request a patient makes many times a day. Loading its goal as an ORM object
with its limits cost more than the rest of the check-in's reading and writing together, so
the writing path reads these facts instead; pages keep using `SelfCareGoal`. `GoalRules.of`
makes the same facts from a goal already loaded (an edit), so there is one set of rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select

from webapp.extensions import db
from webapp.selfcare.models import GoalLimit, GoalStatus, SelfCareGoal


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
class GoalRules:
    id: int
    patient_id: int
    measure: str  # Measure
    unit: str
    is_active: bool
    has_reminders: bool
    limits: tuple[LimitRule, ...]  # in the order care set them

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


# Built once: composing the statement costs more than running it. One goal (a check-in) is
# compared with a plain parameter: SQLAlchemy renders an expanding IN anew on every execution.
@cache
def _rules_query(*, one: bool) -> Select[Any]:
    goal, limit = SelfCareGoal.__table__, GoalLimit.__table__
    return (
        select(
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
        )
        .select_from(goal.outerjoin(limit, limit.c.goal_id == goal.c.id))
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
    # A plain read on the session's connection: the ORM's execution layer would double its
    # cost, and it has nothing to do for a Core select.
    which = {"goal_id": ids[0]} if len(ids) == 1 else {"goal_ids": ids}
    rows = db.session.connection().execute(
        _rules_query(one=len(ids) == 1), {"patient_id": patient_id, **which}
    )
    goals: dict[int, tuple[Any, list[LimitRule]]] = {}
    for row in rows:
        _goal_row, limits = goals.setdefault(row.id, (row, []))
        if row.limit_id is not None:
            limits.append(_limit_rule(row.limit_id, row))
    return {
        goal_id: GoalRules(
            id=row.id,
            patient_id=row.patient_id,
            measure=row.measure,
            unit=row.unit,
            is_active=row.status == GoalStatus.ACTIVE,
            has_reminders=bool(row.reminder_times),
            limits=tuple(limits),
        )
        for goal_id, (row, limits) in goals.items()
    }
