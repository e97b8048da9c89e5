"""Today's self-care: each active goal with what the day asks, what is done and what is due.

One query, whatever the number of goals and check-ins: the active goals joined with this
week's check-ins (a week is the longest a goal counts over). It serves "Min plan" (its
summary, "Att göra nu" and when the kept plan must be drawn anew), the page /egenvard/ and
the agreement's "who does what".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload

from webapp.clock import now_utc
from webapp.extensions import db
from webapp.notify.schedule import wall_clock
from webapp.people.models import Patient, StaffMember
from webapp.selfcare.models import CheckIn, Frequency, GoalKind, GoalStatus, SelfCareGoal
from webapp.selfcare.schedule import (
    day_bounds,
    expected_in_week,
    expected_on,
    local_zone,
    reminder_times_of,
)


def counts_as_done(check_in: CheckIn) -> bool:
    """A "not done" tap is logged too, but does not count as done."""
    if check_in.done is not None:
        return check_in.done
    return check_in.value is not None


@dataclass(frozen=True)
class GoalToday:
    goal: SelfCareGoal
    asked: int  # check-ins today asks for (0 for a goal counted per week)
    done: int  # done today
    week_asked: int  # for a goal counted per week: how many times this week
    week_done: int
    reminders_passed: int  # reminder times already passed today
    check_ins: list[CheckIn] = field(default_factory=list)  # today's, earliest first

    @property
    def weekly(self) -> bool:
        return self.goal.frequency == Frequency.TIMES_A_WEEK

    @property
    def asks_today(self) -> bool:
        return self.asked > 0 or (self.weekly and self.week_done < self.week_asked)

    @property
    def complete(self) -> bool:
        if self.weekly:
            return self.week_done >= self.week_asked or self.done > 0
        return self.done >= self.asked

    @property
    def left(self) -> int:
        return max(self.asked - self.done, 0)

    @property
    def due_now(self) -> bool:
        """A reminder time has passed today and what it asked is not done."""
        if not self.reminders_passed or self.complete:
            return False
        if self.weekly:
            return self.done == 0
        return self.done < min(self.reminders_passed, self.asked)

    @property
    def is_assessed(self) -> bool:
        return self.goal.kind == GoalKind.ASSESSED


@dataclass(frozen=True)
class SelfCareToday:
    day: date
    goals: list[GoalToday]
    changes_at: datetime | None  # when what this says changes by the clock alone

    @property
    def assessed(self) -> list[GoalToday]:
        return [g for g in self.goals if g.is_assessed]

    @property
    def own(self) -> list[GoalToday]:
        return [g for g in self.goals if not g.is_assessed]

    @property
    def asked_today(self) -> list[GoalToday]:
        return [g for g in self.goals if g.asks_today or g.done]

    @property
    def done_count(self) -> int:
        return sum(1 for g in self.asked_today if g.complete)

    @property
    def due(self) -> list[GoalToday]:
        return [g for g in self.goals if g.due_now]


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def self_care_today(
    patient: Patient, now: datetime | None = None, *, with_limits: bool = False
) -> SelfCareToday:
    """The patient's active goals and what today (and this week) holds: one query (and one
    more for the goals' limits, when asked)."""
    now = now or now_utc()
    zone = local_zone()
    today = now.astimezone(zone).date()
    week_from, _ = day_bounds(_week_start(today))
    today_from, today_until = day_bounds(today)
    statement = (
        select(SelfCareGoal, CheckIn)
        .outerjoin(
            CheckIn,
            and_(
                CheckIn.goal_id == SelfCareGoal.id,
                CheckIn.taken_at >= week_from,
                CheckIn.taken_at < today_until,
                CheckIn.deleted_at.is_(None),
            ),
        )
        .where(SelfCareGoal.patient_id == patient.id, SelfCareGoal.status == GoalStatus.ACTIVE)
        .options(joinedload(SelfCareGoal.assessed_by).joinedload(StaffMember.user))
        .order_by(SelfCareGoal.id, CheckIn.taken_at)
    )
    if with_limits:
        statement = statement.options(selectinload(SelfCareGoal.limits))
    rows = db.session.execute(statement)
    goals: dict[int, SelfCareGoal] = {}
    week: dict[int, list[CheckIn]] = defaultdict(list)
    for goal, check_in in rows:
        goals[goal.id] = goal
        if check_in is not None:
            week[goal.id].append(check_in)
    local_now = now.astimezone(zone).time()
    changes = [today_until] if goals else []
    found = []
    for goal in goals.values():
        todays = [c for c in week[goal.id] if c.taken_at >= today_from]
        times = reminder_times_of(goal)
        passed = sum(1 for at in times if at <= local_now)
        later = [at for at in times if at > local_now]
        if later:  # "Att göra nu" gains it when its reminder time comes
            changes.append(wall_clock(today, later[0], zone))
        found.append(
            GoalToday(
                goal=goal,
                asked=expected_on(goal, today),
                done=sum(1 for c in todays if counts_as_done(c)),
                week_asked=expected_in_week(goal)
                if goal.frequency == Frequency.TIMES_A_WEEK
                else 0,
                week_done=sum(1 for c in week[goal.id] if counts_as_done(c)),
                reminders_passed=passed,
                check_ins=todays,
            )
        )
    return SelfCareToday(day=today, goals=found, changes_at=min(changes, default=None))


def for_overview(patient: Patient) -> SelfCareToday:
    """What "Min plan" shows of self-care: today's, done and left. One query."""
    return self_care_today(patient)
