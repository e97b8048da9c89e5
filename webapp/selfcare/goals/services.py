"""Self-care goals: set, changed and archived by the care contact or by the patient.

Who may change what:
- the care contact (and the fixed physician: `KEEP_SELF_CARE`) sets an *assessed measure*
  (egenvårdsbedömning: who assessed it, when, when to review it, who performs it) or an own
  goal agreed with the patient, with limits and the advice care wrote for them; they change
  and archive every goal agreed with care;
- the patient (`SET_OWN_GOAL`) sets an own goal alone, and changes or archives only those.

What was typed is checked in validation.py. The caller has already asked the door. Services
flush, never commit; a change by staff that really changed something writes a change row in
the same transaction; every change makes the reminders match (reminders.py).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from webapp import audit
from webapp.clock import now_utc
from webapp.db import rowcount
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User
from webapp.plan.changed import plan_changed
from webapp.selfcare.goals.validation import GoalError, GoalInput, goal_checked
from webapp.selfcare.models import GoalKind, GoalLimit, GoalStatus, SelfCareGoal
from webapp.selfcare.reminders import self_care_reminders_refresh

# What a change is compared on: a save that leaves these as they were changed nothing.
COMPARED = (
    "title",
    "measure",
    "unit",
    "target_min",
    "target_max",
    "frequency",
    "times_per_day",
    "weekdays",
    "times_per_week",
    "reminder_times",
    "kind",
    "assessed_on",
    "review_on",
    "performer_name",
    "agreement_item_id",
    "what_matters_id",
)


class GoalNotFound(GoalError):
    def __init__(self) -> None:
        super().__init__(_l("Det finns inget sådant mål."))


class GoalConflict(GoalError):
    """Someone saved the goal after the form was read: nothing was saved."""

    def __init__(self, goal: SelfCareGoal) -> None:
        super().__init__(
            _l(
                "Någon annan har ändrat målet medan du skrev. Det som är sparat nu visas. "
                "Gör din ändring igen."
            )
        )
        self.goal = goal


class GoalNotYours(GoalError):
    """A goal agreed with care, which the patient changes together with care."""

    def __init__(self) -> None:
        super().__init__(_l("Det här målet ändrar du tillsammans med din vårdkontakt."))


# --- reading ---------------------------------------------------------------------------


def _with_people() -> Any:
    return (
        joinedload(SelfCareGoal.assessed_by).joinedload(StaffMember.user),
        joinedload(SelfCareGoal.agreed_by).joinedload(StaffMember.user),
    )


def goal_find(*, patient: Patient, goal_id: int) -> SelfCareGoal:
    """One goal of this patient with its limits, or GoalNotFound (another patient's is none)."""
    found = db.session.scalar(
        select(SelfCareGoal)
        .where(SelfCareGoal.id == goal_id, SelfCareGoal.patient_id == patient.id)
        .options(selectinload(SelfCareGoal.limits), *_with_people())
    )
    if found is None:
        raise GoalNotFound()
    return found


def goals_of(*, patient: Patient, archived: bool = False) -> list[SelfCareGoal]:
    """The patient's active goals (or archived ones, newest first), with limits: two queries."""
    status = GoalStatus.ARCHIVED if archived else GoalStatus.ACTIVE
    order = (
        (SelfCareGoal.archived_at.desc(), SelfCareGoal.id.desc())
        if archived
        else (SelfCareGoal.kind, SelfCareGoal.id)
    )
    return list(
        db.session.scalars(
            select(SelfCareGoal)
            .where(SelfCareGoal.patient_id == patient.id, SelfCareGoal.status == status)
            .options(selectinload(SelfCareGoal.limits), *_with_people())
            .order_by(*order)
        )
    )


def goals_all_of(*, patient_id: int) -> list[SelfCareGoal]:
    """Every goal the patient has had, active and removed, oldest first, with limits and the
    staff who assessed or agreed them: her own copy of the plan. Two queries."""
    return list(
        db.session.scalars(
            select(SelfCareGoal)
            .where(SelfCareGoal.patient_id == patient_id)
            .options(selectinload(SelfCareGoal.limits), *_with_people())
            .order_by(SelfCareGoal.id)
        )
    )


def set_by_patient_alone(goal: SelfCareGoal) -> bool:
    """The patient's own goal, set without care: hers alone to change."""
    return goal.kind == GoalKind.OWN and goal.agreed_by_staff_id is None


def _by_care(patient: Patient, actor: User) -> bool:
    return actor.id != patient.user_id


def _staff_of(actor: User) -> StaffMember:
    staff = actor.staff
    if staff is None:  # the door let only staff in; a patient never reaches this
        raise GoalNotFound()
    return staff


# --- changing --------------------------------------------------------------------------


def goal_create(*, patient: Patient, details: GoalInput, actor: User) -> SelfCareGoal:
    """A new goal. By care: an assessed measure (assessed by `actor`) or an own goal agreed
    with care. By the patient: her own goal, set alone. Nothing is saved if any part is wrong."""
    by_care = _by_care(patient, actor)
    checked = goal_checked(details, patient=patient, by_care=by_care)
    now = now_utc()
    goal = SelfCareGoal(
        patient_id=patient.id,
        created_by_user_id=actor.id,
        created_at=now,
        updated_at=now,
        status=GoalStatus.ACTIVE,
        **checked.values,
    )
    if by_care:
        staff = _staff_of(actor)
        goal.agreed_by_staff_id = staff.id
        if goal.kind == GoalKind.ASSESSED:
            goal.assessed_by_staff_id = staff.id
    goal.limits = [GoalLimit(**limit) for limit in checked.limits]
    db.session.add(goal)
    db.session.flush()
    if by_care:
        audit.change_record(actor=actor, patient=patient, change=audit.Change.SELF_CARE_GOAL_SET)
    self_care_reminders_refresh(patient)
    return goal


def _changeable(patient: Patient, goal_id: int, actor: User) -> SelfCareGoal:
    goal = goal_find(patient=patient, goal_id=goal_id)
    if not _by_care(patient, actor) and not set_by_patient_alone(goal):
        raise GoalNotYours()
    if _by_care(patient, actor) and set_by_patient_alone(goal):
        raise GoalError(_l("Patienten har satt det här målet själv. Bara patienten ändrar det."))
    if not goal.is_active:
        raise GoalError(_l("Målet är redan avslutat."))
    return goal


def _locked(goal: SelfCareGoal, patient: Patient, expected_lock: int) -> None:
    """Compare and set the lock in one statement: of two saves at once, only one wins."""
    result = db.session.execute(
        update(SelfCareGoal)
        .where(SelfCareGoal.id == goal.id, SelfCareGoal.lock_version == expected_lock)
        .values(lock_version=expected_lock + 1)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        db.session.expire_all()
        raise GoalConflict(goal_find(patient=patient, goal_id=goal.id))
    plan_changed(patient.id)
    goal.lock_version = expected_lock + 1
    db.session.flush()  # the attribute matches the row: nothing more is written for it


def _limits_of(goal: SelfCareGoal) -> list[tuple[Any, ...]]:
    return [
        (limit.kind, limit.value, limit.value_index, limit.window_days, limit.advice)
        for limit in goal.limits
    ]


def goal_update(
    *, patient: Patient, goal_id: int, details: GoalInput, expected_lock: int, actor: User
) -> SelfCareGoal:
    """Change a goal, unless someone changed it since the form was read (GoalConflict). A save
    that changes nothing writes nothing: no new lock, no change row."""
    goal = _changeable(patient, goal_id, actor)
    by_care = _by_care(patient, actor)
    checked = goal_checked(details, patient=patient, by_care=by_care)
    if goal.lock_version != expected_lock:
        raise GoalConflict(goal)
    values = {k: v for k, v in checked.values.items() if k in COMPARED}
    values.pop("kind", None)  # what kind of goal it is stays what it was made as
    new_limits = [
        (lim["kind"], lim["value"], lim["value_index"], lim["window_days"], lim["advice"])
        for lim in checked.limits
    ]
    same_limits = not by_care or new_limits == _limits_of(goal)
    if same_limits and all(getattr(goal, k) == v for k, v in values.items()):
        return goal
    # A new assessment date is a new assessment: by whoever wrote it.
    reassessed = by_care and goal.kind == GoalKind.ASSESSED
    reassessed = reassessed and values.get("assessed_on") != goal.assessed_on
    _locked(goal, patient, expected_lock)
    for name, value in values.items():
        setattr(goal, name, value)
    if by_care and not same_limits:
        goal.limits = [GoalLimit(**limit) for limit in checked.limits]
    if reassessed:
        goal.assessed_by_staff_id = _staff_of(actor).id
    goal.updated_at = now_utc()
    db.session.flush()
    if by_care:
        audit.change_record(
            actor=actor, patient=patient, change=audit.Change.SELF_CARE_GOAL_CHANGED
        )
    self_care_reminders_refresh(patient)
    return goal


def goal_archive(
    *, patient: Patient, goal_id: int, expected_lock: int, actor: User
) -> SelfCareGoal:
    """End a goal: it leaves today's self-care and its reminders are withdrawn; its history
    stays readable."""
    goal = _changeable(patient, goal_id, actor)
    if goal.lock_version != expected_lock:
        raise GoalConflict(goal)
    _locked(goal, patient, expected_lock)
    now = now_utc()
    goal.status = GoalStatus.ARCHIVED
    goal.archived_at = now
    goal.updated_at = now
    db.session.flush()
    if _by_care(patient, actor):
        audit.change_record(
            actor=actor, patient=patient, change=audit.Change.SELF_CARE_GOAL_ARCHIVED
        )
    self_care_reminders_refresh(patient)
    return goal
