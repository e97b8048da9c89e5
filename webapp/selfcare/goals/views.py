"""Self-care goals on screen. The patient's side: today's self-care at /egenvard/ and her own
goals; the care side at /egenvard/patient/<patient_id>/...: the goals, ready-made templates
to start from, and setting, changing and ending goals with the patient."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import Action, allowed_actions, own_route, patient_route
from webapp.agreement import services as agreements
from webapp.clock import now_utc
from webapp.forms import Page
from webapp.people.models import Patient
from webapp.selfcare.blueprint import bp
from webapp.selfcare.goals import services as service
from webapp.selfcare.goals.catalogue import TEMPLATES, template_find
from webapp.selfcare.goals.forms import (
    ArchiveForm,
    CareGoalForm,
    OwnGoalForm,
    error_list,
    goal_error_show,
)
from webapp.selfcare.goals.validation import GoalError
from webapp.selfcare.goals.words import TEMPLATE_GLOBALS
from webapp.selfcare.models import SelfCareGoal
from webapp.selfcare.overview import self_care_today
from webapp.selfcare.reminders import self_care_reminders_top_up
from webapp.selfcare.schedule import local_day


@bp.record_once
def _goal_words(state: BlueprintSetupState) -> None:
    # Globals, not a context processor: the macros are imported without the page's context.
    state.app.jinja_env.globals.update({**TEMPLATE_GLOBALS, "error_list": error_list})


def _find(patient: Patient, goal_id: int) -> SelfCareGoal:
    try:
        return service.goal_find(patient=patient, goal_id=goal_id)
    except service.GoalNotFound:
        abort(404)


# --- the patient's side ----------------------------------------------------------------


@bp.get("/")
@own_route(Action.VIEW_SELF_CARE)
def today(patient: Patient) -> str:
    self_care_reminders_top_up(patient)
    return render_template("selfcare/today.html", today=self_care_today(patient, with_limits=True))


def _own_form_page(form: OwnGoalForm, goal: SelfCareGoal | None, status: int) -> Page:
    return render_template(
        "selfcare/goal_form.html", form=form, goal=goal, archive_form=ArchiveForm(formdata=None)
    ), status


@bp.route("/mal/nytt", methods=["GET", "POST"])
@own_route(Action.SET_OWN_GOAL)
def goal_new(patient: Patient) -> Page:
    form = OwnGoalForm()
    if form.validate_on_submit():
        try:
            service.goal_create(patient=patient, details=form.details(), actor=current_user)
        except GoalError as error:
            goal_error_show(form, error)
        else:
            flash(_("Sparat. Ditt mål finns nu under Min egenvård."), "success")
            return redirect(url_for("selfcare.today"), 303)
    return _own_form_page(form, None, 400 if form.is_submitted() else 200)


def _own_goal(patient: Patient, goal_id: int) -> SelfCareGoal:
    goal = _find(patient, goal_id)
    if not service.set_by_patient_alone(goal) or not goal.is_active:
        abort(404)  # agreed with care: changed together with care, not here
    return goal


@bp.route("/<int:goal_id>/andra", methods=["GET", "POST"])
@own_route(Action.SET_OWN_GOAL)
def goal_edit(patient: Patient, goal_id: int) -> Page:
    goal = _own_goal(patient, goal_id)
    form = OwnGoalForm()
    if not form.is_submitted():
        form.fill(goal)
    elif form.validate_on_submit():
        try:
            service.goal_update(
                patient=patient,
                goal_id=goal.id,
                details=form.details(),
                expected_lock=form.lock_version.data,
                actor=current_user,
            )
        except service.GoalConflict as error:
            goal_error_show(form, error)
            form.lock_version.data = error.goal.lock_version
            return _own_form_page(form, error.goal, 409)
        except GoalError as error:
            goal_error_show(form, error)
        else:
            flash(_("Sparat."), "success")
            return redirect(url_for("selfcare.today"), 303)
    return _own_form_page(form, goal, 400 if form.is_submitted() else 200)


@bp.post("/<int:goal_id>/avsluta")
@own_route(Action.SET_OWN_GOAL)
def goal_archive(patient: Patient, goal_id: int) -> Page:
    goal = _own_goal(patient, goal_id)
    error = _archive_as_posted(patient, goal)
    if error is not None:
        edit = OwnGoalForm(formdata=None)
        edit.fill(service.goal_find(patient=patient, goal_id=goal.id))
        goal_error_show(edit, error)
        return _own_form_page(edit, goal, 409)
    flash(_("Målet är avslutat."), "success")
    return redirect(url_for("selfcare.today"), 303)


# --- the care side ---------------------------------------------------------------------


@bp.get("/patient/<int:patient_id>")
@patient_route(Action.VIEW_SELF_CARE)
def care_goals(patient: Patient) -> str:
    return render_template(
        "selfcare/care_goals.html",
        patient=patient,
        goals=service.goals_of(patient=patient),
        archived=service.goals_of(patient=patient, archived=True),
        templates=TEMPLATES.values(),
        may_keep=Action.KEEP_SELF_CARE in allowed_actions(current_user, patient),
        set_alone=service.set_by_patient_alone,
    )


def _care_form(patient: Patient, goal: SelfCareGoal | None = None) -> CareGoalForm:
    form = CareGoalForm()
    shown = agreements.for_overview(patient).shown
    items = [(item.id, item.text) for item in shown.items] if shown else []
    if goal is not None and goal.agreement_item_id and goal.agreement_item_id not in dict(items):
        items.append((goal.agreement_item_id, _("(en punkt i en tidigare version)")))
    form.set_choices(items, agreements.what_matters_choices(patient=patient))
    return form


def _care_form_page(
    patient: Patient, form: CareGoalForm, goal: SelfCareGoal | None, status: int
) -> Page:
    return render_template(
        "selfcare/care_goals_form.html",
        patient=patient,
        form=form,
        goal=goal,
        archive_form=ArchiveForm(formdata=None),
    ), status


@bp.route("/patient/<int:patient_id>/nytt", methods=["GET", "POST"])
@patient_route(Action.KEEP_SELF_CARE)
def care_goal_new(patient: Patient) -> Page:
    form = _care_form(patient)
    if not form.is_submitted():
        template = template_find(request.args.get("mall"))
        if template is not None:
            form.start_from(template)
        form.assessed_on.data = form.assessed_on.data or _today_text()
    elif form.validate_on_submit():
        try:
            service.goal_create(patient=patient, details=form.care_details(), actor=current_user)
        except GoalError as error:
            goal_error_show(form, error)
        else:
            flash(_("Sparat. Patienten ser målet i sin egenvård."), "success")
            return redirect(url_for("selfcare.care_goals", patient_id=patient.id), 303)
    return _care_form_page(patient, form, None, 400 if form.is_submitted() else 200)


def _today_text() -> str:
    return local_day(now_utc()).isoformat()


@bp.route("/patient/<int:patient_id>/<int:goal_id>", methods=["GET", "POST"])
@patient_route(Action.KEEP_SELF_CARE)
def care_goal_edit(patient: Patient, goal_id: int) -> Page:
    goal = _find(patient, goal_id)
    if service.set_by_patient_alone(goal) or not goal.is_active:
        # The patient's own goal, or one that has ended: read, not changed, here.
        return render_template("selfcare/care_goals_view.html", patient=patient, goal=goal)
    form = _care_form(patient, goal)
    if not form.is_submitted():
        form.fill(goal)
    elif form.validate_on_submit():
        form.kind.data = goal.kind  # what kind it is stays what it was made as
        try:
            service.goal_update(
                patient=patient,
                goal_id=goal.id,
                details=form.care_details(),
                expected_lock=form.lock_version.data,
                actor=current_user,
            )
        except service.GoalConflict as error:
            goal_error_show(form, error)
            form.lock_version.data = error.goal.lock_version
            return _care_form_page(patient, form, error.goal, 409)
        except GoalError as error:
            goal_error_show(form, error)
        else:
            flash(_("Sparat."), "success")
            return redirect(url_for("selfcare.care_goals", patient_id=patient.id), 303)
    return _care_form_page(patient, form, goal, 400 if form.is_submitted() else 200)


@bp.post("/patient/<int:patient_id>/<int:goal_id>/avsluta")
@patient_route(Action.KEEP_SELF_CARE)
def care_goal_archive(patient: Patient, goal_id: int) -> Page | Response:
    goal = _find(patient, goal_id)
    error = _archive_as_posted(patient, goal)
    if error is not None:
        flash(str(error.message), "error")
        return redirect(
            url_for("selfcare.care_goal_edit", patient_id=patient.id, goal_id=goal.id), 303
        )
    flash(_("Målet är avslutat. Det syns inte längre i patientens egenvård."), "success")
    return redirect(url_for("selfcare.care_goals", patient_id=patient.id), 303)


def _archive_as_posted(patient: Patient, goal: SelfCareGoal) -> GoalError | None:
    """End the goal as the posted "Avsluta" form asks (its lock version guards against a
    change made meanwhile); the refusal, for each side to show in its own way."""
    form = ArchiveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.goal_archive(
            patient=patient,
            goal_id=goal.id,
            expected_lock=form.lock_version.data,
            actor=current_user,
        )
    except GoalError as error:
        return error
    return None
