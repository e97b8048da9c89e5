"""Check-ins at /egenvard/<goal>/logga (one screen), their history with edit and delete, and
/egenvard/skicka, where static/js/checkin.js sends what was logged without internet."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import (
    Action,
    allowed_actions,
    own_id_route,
    own_patient,
    own_patient_lean,
    own_route,
)
from webapp.forms import EmptyForm, Page, show_error
from webapp.people.models import Patient
from webapp.routing import id_arg
from webapp.selfcare.blueprint import bp
from webapp.selfcare.checkins import services as service
from webapp.selfcare.checkins import sync as checkin_sync
from webapp.selfcare.checkins.forms import CheckInForm, CheckInSent
from webapp.selfcare.measures import SCALE_RANGES, UNITS, Measure
from webapp.selfcare.models import CheckIn, SelfCareGoal
from webapp.selfcare.schedule import local_zone


@dataclass(frozen=True)
class MeasureView:
    """How the goal's measure is drawn: buttons, a keypad, which words go with a value."""

    measure: str
    scale: list[int]
    unit_words: str
    value_label: str
    scale_template: str


def _view_of(goal: SelfCareGoal) -> MeasureView:
    scale: list[int] = []
    if goal.measure in SCALE_RANGES:
        low, high = SCALE_RANGES[Measure(goal.measure)]
        scale = list(range(low, high + 1))
    unit = UNITS.get(goal.unit) if goal.measure == Measure.NUMBER else None
    words = str(unit.words) if unit else ""
    return MeasureView(
        measure=goal.measure,
        scale=scale,
        unit_words=words,
        value_label=_("Skriv värdet i %(unit)s", unit=words) if words else _("Skriv värdet"),
        scale_template=_("%(value)s av %(high)d", value="{}", high=scale[-1]) if scale else "",
    )


def _goal(patient: Patient, goal_id: int) -> SelfCareGoal:
    try:
        return service.goal_find(patient=patient, goal_id=goal_id)
    except service.CheckInNotFound:
        abort(404)


def _reading(sent: CheckInSent) -> service.Reading:
    return service.Reading(done=sent.done_value, value=sent.value, value2=sent.value2)


def _local_fields(moment: datetime) -> dict[str, str]:
    local = moment.astimezone(local_zone())
    return {"day": local.date().isoformat(), "time": local.strftime("%H:%M")}


def _log_page(goal: SelfCareGoal, form: CheckInForm, message: str | None = None) -> Page:
    last = service.check_in_last(goal=goal)
    page = render_template(
        "selfcare/checkin_log.html",
        goal=goal,
        form=form,
        view=_view_of(goal),
        last=last,
        last_words=service.reading_words(goal, last) if last else "",
        last_when=service.when_words(last.taken_at) if last else "",
        message=message,
    )
    return page, 400 if form.errors or message else 200


def _saved_page(patient: Patient, goal: SelfCareGoal, check_in_id: int) -> str:
    try:
        check_in, flagged = service.check_in_saved(goal=goal, check_in_id=check_in_id)
    except service.CheckInNotFound:
        abort(404)
    return render_template(
        "selfcare/checkin_saved.html",
        patient=patient,
        goal=goal,
        words=service.reading_words(goal, check_in),
        when=service.when_words(check_in.taken_at),
        flagged=flagged,
        may_send_update=Action.SEND_UPDATE in allowed_actions(current_user, patient),
    )


@bp.route("/<int:goal_id>/logga", methods=["GET", "POST"])
@own_id_route(Action.LOG_SELF_CARE)
def check_in(patient_id: int, goal_id: int) -> Page:
    if request.method == "GET":
        return _check_in_page(own_patient(current_user, Action.LOG_SELF_CARE), goal_id)
    # The post is the check-in itself, the one request a patient makes many times a day: it
    # goes through the door with the patient's id only (no record loaded), and reads the
    # goal's rules, not the goal. A refused one loads the goal to show its page again (or to
    # answer 404 for a goal that is not hers).
    sent = CheckInSent.read(request.form)
    if sent is None:
        form = CheckInForm()
        form.validate()  # says which field held the character, and keeps the rest as typed
        return _log_page(_own_goal(goal_id), form)
    try:
        logged = service.check_in_log(
            patient_id=patient_id,
            goal_id=goal_id,
            actor=current_user,
            client_uuid=sent.client_uuid,
            taken_at=service.taken_at_from(sent.day, sent.time),
            reading=_reading(sent),
            note=sent.note,
        )
    except service.CheckInNotFound:
        abort(404)
    except service.GoalArchived as error:
        return _log_page(_own_goal(goal_id), CheckInForm(), message=str(error.message))
    except service.CheckInError as error:
        form = CheckInForm()  # the form is made only to be drawn again, as typed
        show_error(form, error, default="value")
        return _log_page(_own_goal(goal_id), form)
    return redirect(url_for("selfcare.check_in", goal_id=goal_id, sparad=logged.check_in_id), 303)


def _own_goal(goal_id: int) -> SelfCareGoal:
    return _goal(own_patient_lean(current_user, Action.LOG_SELF_CARE), goal_id)


def _check_in_page(patient: Patient, goal_id: int) -> Page:
    goal = _goal(patient, goal_id)
    saved = request.args.get("sparad", type=id_arg)
    if saved:
        return _saved_page(patient, goal, saved)
    # Without JavaScript the server makes the check-in's UUID: sending the form twice (a
    # double tap, the back button) still saves it once.
    return _log_page(goal, CheckInForm(formdata=None, client_uuid=str(uuid.uuid4())))


@bp.get("/<int:goal_id>/historik")
@own_route(Action.VIEW_SELF_CARE)
def history(patient: Patient, goal_id: int) -> str:
    goal = _goal(patient, goal_id)
    page = request.args.get("sida", default=1, type=id_arg) or 1
    return render_template(
        "selfcare/history.html",
        goal=goal,
        history=service.check_in_history(patient=patient, goal=goal, actor=current_user, page=page),
        when_words=service.when_words,
    )


def _changeable(patient: Patient, goal: SelfCareGoal, check_in_id: int) -> CheckIn:
    try:
        found = service.check_in_find(goal=goal, check_in_id=check_in_id)
    except service.CheckInNotFound:
        abort(404)
    if not goal.is_active or not service.may_change(
        patient=patient, actor=current_user, check_in=found
    ):
        abort(404)
    return found


def _edit_page(
    goal: SelfCareGoal, found: CheckIn, form: CheckInForm, message: str | None = None
) -> Page:
    page = render_template(
        "selfcare/checkin_edit.html",
        goal=goal,
        check_in=found,
        form=form,
        view=_view_of(goal),
        words=service.reading_words(goal, found),
        when=service.when_words(found.taken_at),
        message=message,
    )
    return page, 400 if form.errors or message else 200


@bp.route("/<int:goal_id>/historik/<int:check_in_id>/andra", methods=["GET", "POST"])
@own_route(Action.LOG_SELF_CARE)
def check_in_edit(patient: Patient, goal_id: int, check_in_id: int) -> Page:
    goal = _goal(patient, goal_id)
    found = _changeable(patient, goal, check_in_id)
    if request.method == "GET":
        values = {
            "note": found.note,
            **_local_fields(found.taken_at),
            **service.typed_values(goal, found),
        }
        return _edit_page(goal, found, CheckInForm(formdata=None, **values))
    form = CheckInForm()
    if not form.validate_on_submit():
        return _edit_page(goal, found, form)
    sent = form.sent()
    try:
        service.check_in_edit(
            patient=patient,
            goal=goal,
            actor=current_user,
            check_in_id=found.id,
            taken_at=service.taken_at_from(sent.day, sent.time),
            reading=_reading(sent),
            note=sent.note,
        )
    except service.CheckInError as error:
        show_error(form, error, default="value")
        return _edit_page(goal, found, form)
    flash(_("Ändringen är sparad."), "success")
    return redirect(
        url_for("selfcare.history", goal_id=goal.id, _anchor=f"incheckning-{found.id}"), 303
    )


@bp.post("/<int:goal_id>/historik/<int:check_in_id>/ta-bort")
@own_route(Action.LOG_SELF_CARE)
def check_in_delete(patient: Patient, goal_id: int, check_in_id: int) -> Response:
    goal = _goal(patient, goal_id)
    found = _changeable(patient, goal, check_in_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    service.check_in_delete(patient=patient, goal=goal, actor=current_user, check_in_id=found.id)
    flash(_("Det är borttaget. Det syns kvar i historiken som borttaget."), "success")
    return redirect(url_for("selfcare.history", goal_id=goal.id), 303)


@bp.post("/skicka")
@own_route(Action.LOG_SELF_CARE)
def sync(patient: Patient) -> tuple[Response, int]:
    """JSON from static/js/checkin.js and the service worker: the check-ins kept in the
    phone without internet. Each gets its own answer; a retried one is "already saved"."""
    body: Any = request.get_json(silent=True)
    try:
        results = checkin_sync.sync_check_ins(patient=patient, actor=current_user, body=body)
    except checkin_sync.SyncRefused as error:
        return jsonify(error=str(error.message)), 400
    return jsonify(results=results), 200
