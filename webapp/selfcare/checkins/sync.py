"""Check-ins kept in the phone without internet, sent in one JSON request when it returns.

Every item gets an answer of its own, which tells the phone whether to forget it:
- "saved": stored now; "already_saved": this UUID was stored before (a retried send);
- "goal_archived": the goal was taken away before the check-in arrived, so it was not stored
  (care ended the goal: a value logged against it would reach no one, and a flag on it would
  alarm care about something they stopped following); the phone shows the patient what they
  logged and that it was not saved;
- "refused": something in it cannot be saved (a value out of bounds, a time in the future),
  with the message the form would have shown.
A saved check-in that crossed an agreed limit carries the limit in words, care's advice and
the page with whom to call, so the phone can show them at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from webapp.errors import UserFacingError
from webapp.people.models import Patient, User
from webapp.selfcare.checkins import services as service
from webapp.selfcare.checkins.rules import GoalRules, goal_rules

SYNC_MAX = 100  # check-ins in one request: more than a phone keeps in a month


class SyncRefused(UserFacingError):
    """The request as a whole cannot be read."""


def _goals(patient: Patient, items: list[Any]) -> dict[int, GoalRules]:
    """The rules of the patient's goals the items name, with their limits: one query."""
    ids: set[int] = set()
    for item in items:
        goal_id = item.get("goal_id") if isinstance(item, dict) else None
        if type(goal_id) is int and 0 < goal_id < 2**31:
            ids.add(goal_id)
    return goal_rules(patient_id=patient.id, goal_ids=ids)


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        raise service.CheckInError(_("Tiden saknas. Logga igen."), field="day")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise service.CheckInError(
            _("Tiden gick inte att läsa. Logga igen."), field="day"
        ) from error
    if moment.tzinfo is None:
        raise service.CheckInError(_("Tiden gick inte att läsa. Logga igen."), field="day")
    return moment


def _text(value: Any) -> str | float | int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (str, int, float)):
        return value
    return ""


def _one(item: Any, goals: dict[int, GoalRules], actor: User) -> dict[str, Any]:
    client_uuid = item.get("client_uuid") if isinstance(item, dict) else None
    answer: dict[str, Any] = {"client_uuid": client_uuid if isinstance(client_uuid, str) else None}
    if not isinstance(item, dict):
        return {**answer, "status": "refused", "message": _("Det här gick inte att läsa.")}
    goal_id = item.get("goal_id")
    goal = goals.get(goal_id) if type(goal_id) is int else None
    if goal is None:
        return {**answer, "status": "refused", "message": _("Målet finns inte längre.")}
    done = item.get("done")
    try:
        logged = service.check_in_record(
            goal=goal,
            actor=actor,
            client_uuid=client_uuid,
            taken_at=_moment(item.get("taken_at")),
            reading=service.Reading(
                done=done if isinstance(done, bool) else None,
                value=_text(item.get("value")),
                value2=_text(item.get("value2")),
            ),
            note=item.get("note") if isinstance(item.get("note"), str) else "",
        )
    except service.GoalArchived as error:
        return {**answer, "status": "goal_archived", "message": str(error.message)}
    except service.CheckInError as error:
        return {**answer, "status": "refused", "message": str(error.message)}
    answer["status"] = "saved" if logged.created else "already_saved"
    answer["check_in_id"] = logged.check_in_id
    if logged.flagged is not None:
        answer["flagged"] = {
            "reason": logged.flagged.flag_reason,
            "advice": logged.flagged.advice,
            "url": url_for("selfcare.check_in", goal_id=goal.id, sparad=logged.check_in_id),
        }
    return answer


def sync_check_ins(*, patient: Patient, actor: User, body: Any) -> list[dict[str, Any]]:
    """Save what the phone kept; one answer per item, in the order sent."""
    items = body.get("check_ins") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise SyncRefused(_("Det som skickades gick inte att läsa."))
    if len(items) > SYNC_MAX:
        raise SyncRefused(_("För många på en gång. Skicka högst %(max)d.", max=SYNC_MAX))
    goals = _goals(patient, items)
    return [_one(item, goals, actor) for item in items]
