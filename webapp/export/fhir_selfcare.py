"""Self-care in the patient's FHIR Bundle: each goal a Goal, each check-in an Observation
(LOINC and UCUM where they exist, who performed it), each update and care's answer a
Communication."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.export import codes
from webapp.export.bundle import Bundle, Reference, Resource, day, instant, text
from webapp.export.record import CheckInRow
from webapp.export.words import _
from webapp.people.models import StaffMember
from webapp.selfcare.measures import SCALE_RANGES, UNITS, Measure, format_number
from webapp.selfcare.models import (
    FEELING_WORDS,
    GOAL_KIND_WORDS,
    GoalKind,
    GoalLimit,
    LimitKind,
    PatientUpdate,
    SelfCareGoal,
    UpdateFeeling,
)


def _unit_words(goal: SelfCareGoal) -> str:
    if goal.measure == Measure.BLOOD_PRESSURE:
        return "mmHg"
    unit = UNITS.get(goal.unit)
    return str(unit.words) if unit else ""


def _decimals(goal: SelfCareGoal) -> int:
    unit = UNITS.get(goal.unit)
    return unit.decimals if unit and goal.measure == Measure.NUMBER else 0


def quantity(
    goal: SelfCareGoal, value: float, ucum: str | None = None, words: str | None = None
) -> Resource:
    """A value with its unit in words and, where UCUM has it, its UCUM code."""
    decimals = _decimals(goal)
    number: float | int = round(value, decimals) if decimals else round(value)
    found: Resource = {"value": number}
    words = _unit_words(goal) if words is None else words
    if words:
        found["unit"] = words
    code = ucum or codes.UCUM_BY_UNIT.get(goal.unit)
    if goal.measure in SCALE_RANGES:
        code = codes.SCORE
    if code:
        found["system"] = codes.UCUM
        found["code"] = code
    return found


def measure_code(goal: SelfCareGoal) -> Resource:
    """What the goal logs: its LOINC code when there is one, and the goal's own title."""
    concept: Resource = {"text": goal.title}
    loinc = codes.loinc_of(goal.measure, goal.unit, goal.template)
    if loinc is not None:
        concept["coding"] = [{"system": codes.LOINC, "code": loinc.code, "display": loinc.display}]
    return concept


def limit_words(goal: SelfCareGoal, limit: GoalLimit) -> str:
    value = format_number(limit.value, _decimals(goal))
    unit = _unit_words(goal)
    amount = f"{value} {unit}".strip()
    if limit.kind == LimitKind.ABOVE:
        return _("Över %(amount)s", amount=amount)
    if limit.kind == LimitKind.BELOW:
        return _("Under %(amount)s", amount=amount)
    if limit.kind == LimitKind.RISE:
        return _("Upp mer än %(amount)s på %(days)s dagar", amount=amount, days=limit.window_days)
    return _("Ner mer än %(amount)s på %(days)s dagar", amount=amount, days=limit.window_days)


def performer(bundle: Bundle, goal: SelfCareGoal) -> Reference:
    """Who does the self-care: the patient, or the relative named on the goal."""
    return {"display": goal.performer_name} if goal.performer_name else bundle.patient


def _goal(bundle: Bundle, goal: SelfCareGoal, outcomes: list[Reference]) -> Resource:
    resource: Resource = {
        "lifecycleStatus": "active" if goal.is_active else "cancelled",
        "category": [text(_("Egenvård")), text(GOAL_KIND_WORDS[GoalKind(goal.kind)])],
        "description": {"text": goal.title},
        "subject": bundle.patient,
        "startDate": day(goal.assessed_on or goal.created_at),
    }
    set_by = goal.assessed_by or goal.agreed_by
    resource["expressedBy"] = bundle.staff(set_by) if set_by else bundle.patient
    if goal.target_min is not None or goal.target_max is not None:
        detail: Resource = {}
        if goal.target_min is not None:
            detail["low"] = quantity(goal, goal.target_min)
        if goal.target_max is not None:
            detail["high"] = quantity(goal, goal.target_max)
        resource["target"] = [{"measure": measure_code(goal), "detailRange": detail}]
    notes: list[str] = []
    if goal.kind == GoalKind.ASSESSED and goal.assessed_by is not None:
        notes.append(
            _(
                "Egenvårdsbedömning av %(name)s %(date)s.",
                name=goal.assessed_by.name,
                date=day(goal.assessed_on or goal.created_at),
            )
        )
    if goal.review_on is not None:
        notes.append(_("Bedömningen ses över %(date)s.", date=day(goal.review_on)))
    if goal.performer_name:
        notes.append(_("Utförs av %(name)s.", name=goal.performer_name))
    notes.extend(f"{limit_words(goal, limit)}: {limit.advice}" for limit in goal.limits)
    if notes:
        resource["note"] = [{"text": note} for note in notes]
    if goal.archived_at is not None:
        resource["statusDate"] = day(goal.archived_at)
    if outcomes:
        resource["outcomeReference"] = outcomes
    return resource


@dataclass(frozen=True)
class _Logged:
    """What every check-in of one goal shares, worked out once per goal."""

    code: Resource
    category: list[Resource] | None
    performer: Reference
    unit_words: str
    abnormal: list[Resource]


def _logged(bundle: Bundle, goal: SelfCareGoal) -> _Logged:
    category = codes.category_of(goal.measure, goal.unit)
    coding = {"system": codes.OBSERVATION_CATEGORY, "code": category}
    abnormal = {"system": codes.INTERPRETATION, "code": "A", "display": "Abnormal"}
    return _Logged(
        code=measure_code(goal),
        category=[{"coding": [coding]}] if category else None,
        performer=performer(bundle, goal),
        unit_words=_unit_words(goal),
        abnormal=[{"coding": [abnormal], "text": _("Utanför gränsen")}],
    )


def _observation(bundle: Bundle, goal: SelfCareGoal, row: CheckInRow, shared: _Logged) -> Resource:
    status = "final"
    if row.deleted_at is not None:
        status = "entered-in-error"
    elif row.edited_at is not None:
        status = "amended"
    resource: Resource = {"status": status}
    if shared.category is not None:
        resource["category"] = shared.category
    resource["code"] = shared.code
    resource["subject"] = bundle.patient
    resource["effectiveDateTime"] = instant(row.taken_at)
    resource["issued"] = instant(row.created_at)
    performers = [shared.performer]
    if row.logged_by_user_id != bundle.record.patient.user_id:
        logger = bundle.person(row.logged_by_user_id)
        if logger is not None and logger not in performers:
            performers.append(logger)
    resource["performer"] = performers
    if goal.measure == Measure.DONE:
        resource["valueBoolean"] = bool(row.done)
    elif goal.measure == Measure.BLOOD_PRESSURE:
        resource["component"] = [
            _pressure(goal, codes.SYSTOLIC, row.value),
            _pressure(goal, codes.DIASTOLIC, row.value2),
        ]
    elif row.value is not None:
        resource["valueQuantity"] = quantity(goal, row.value, words=shared.unit_words)
    if row.outside_limits:
        resource["interpretation"] = shared.abnormal
    if row.note:
        resource["note"] = [{"text": row.note}]
    return resource


def _pressure(goal: SelfCareGoal, code: codes.Code, value: float | None) -> Resource:
    component: Resource = {
        "code": {"coding": [{"system": codes.LOINC, "code": code.code, "display": code.display}]}
    }
    if value is not None:
        component["valueQuantity"] = quantity(goal, value, codes.MM_HG)
    return component


def self_care(bundle: Bundle) -> None:
    by_goal: dict[int, list[CheckInRow]] = {}
    for row in bundle.record.check_ins:
        by_goal.setdefault(row.goal_id, []).append(row)
    for goal in bundle.record.goals:
        outcomes = []
        shared = _logged(bundle, goal)
        for row in by_goal.get(goal.id, []):
            made = bundle.add("Observation", row.id, _observation(bundle, goal, row, shared))
            if row.deleted_at is None:
                outcomes.append(made)
        bundle.add("Goal", f"self-care/{goal.id}", _goal(bundle, goal, outcomes))


def updates(bundle: Bundle) -> None:
    """The patient's updates to her care contact, and care's answers."""
    contact = bundle.record.patient.care_contact
    for update in bundle.record.updates:
        bundle.add("Communication", f"update/{update.id}", _update(bundle, update, contact))
        if update.answer and update.answered_by is not None:
            answer: Resource = {
                "status": "completed",
                "category": [text(_("Svar från vården"))],
                "inResponseTo": [bundle.ref("Communication", f"update/{update.id}")],
                "subject": bundle.patient,
                "sender": bundle.staff(update.answered_by),
                "recipient": [bundle.patient],
                "payload": [{"contentString": update.answer}],
            }
            if update.answered_at is not None:
                answer["sent"] = instant(update.answered_at)
            bundle.add("Communication", f"answer/{update.id}", answer)


def _update(bundle: Bundle, update: PatientUpdate, contact: StaffMember | None) -> Resource:
    resource: Resource = {
        "status": "completed",
        "category": [text(_("Uppdatering till vårdkontakten"))],
        "priority": "urgent" if update.flagged else "routine",
        "subject": bundle.patient,
        "sent": instant(update.created_at),
    }
    sender = bundle.person(update.created_by_user_id)
    if sender is not None:
        resource["sender"] = sender
    reader = update.seen_by or contact
    if reader is not None:
        resource["recipient"] = [bundle.staff(reader)]
    if update.seen_at is not None:
        resource["received"] = instant(update.seen_at)
    if update.feeling:
        resource["topic"] = text(
            _("Hur går det? %(feeling)s", feeling=FEELING_WORDS[UpdateFeeling(update.feeling)])
        )
    if update.flagged and update.flag_reason:
        resource["reasonCode"] = [text(update.flag_reason)]
    if update.check_in_id is not None:
        resource["about"] = [bundle.ref("Observation", update.check_in_id)]
    if update.text:
        resource["payload"] = [{"contentString": update.text}]
    if update.advice:
        resource["note"] = [{"text": update.advice}]
    return resource
