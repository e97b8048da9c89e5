"""The patient's own screens: "Min plan" and the access log."""

from __future__ import annotations

from datetime import timedelta

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp import audit
from webapp.access import (
    Action,
    login_required,
    own_patient_id,
    own_plan_version,
    own_route,
    viewer_may,
)
from webapp.auth import services as auth_services
from webapp.auth.signed_in import security_notice_waits
from webapp.clock import now_utc
from webapp.followups.details import local_zone
from webapp.forms import EmptyForm
from webapp.kept_pages import message_waiting
from webapp.people.models import Patient
from webapp.people.relations import active_leader, active_staff
from webapp.plan import calling  # noqa: F401  (it registers on bp)
from webapp.plan.blueprint import bp
from webapp.plan.cache import own_plan_html, own_plan_page
from webapp.relatives.acting import acting_ended, acting_grant
from webapp.relatives.services import helping_only_one, labels_of
from webapp.routing import ID_MAX


@bp.get("/")
def home() -> str | Response:
    if not current_user.is_authenticated:
        return render_template("plan/welcome.html")
    if active_staff(current_user) is not None:
        return redirect(url_for("care.patients"))
    if active_leader(current_user) is not None:
        return redirect(url_for("quality.index"))
    grant = acting_grant()
    if grant is None and current_user.patient_id is None and acting_ended() is None:
        grant = helping_only_one(current_user.id)
    if grant is None and (current_user.patient_id is None or acting_ended() is not None):
        # A relative with no one chosen (or whose access just ended): whom to help.
        return redirect(url_for("relatives.choose"))
    if grant is not None and not viewer_may(Action.VIEW_PLAN):
        return render_template("relatives/helping_home.html", grant=grant)
    # The id and the plan's version come with the signed-in row (or, for a relative, with
    # the grant the door read): a usual look needs no more of the record.
    patient_id = own_patient_id(current_user, Action.VIEW_PLAN)
    plan_version = own_plan_version(current_user)
    notices = (
        auth_services.security_events_unacknowledged(current_user)
        if security_notice_waits() and grant is None
        else []
    )
    welcome = request.args.get("welcome") == "1"
    if not notices and not welcome and not message_waiting():
        # The usual look: the same page as last time, as long as the plan is unchanged.
        return own_plan_page(
            patient_id,
            plan_version,
            lambda plan: render_template(
                "plan/home.html", own_plan=plan, security_notices=(), welcome=False
            ),
        )
    return render_template(
        "plan/home.html",
        own_plan=own_plan_html(patient_id, plan_version),
        security_notices=notices,
        welcome=welcome,
        form=EmptyForm() if notices else None,  # only the notices have a button
    )


@bp.get("/logglista")
@own_route(Action.VIEW_ACCESS_LOG)
def access_log(patient: Patient) -> str:
    before = request.args.get("fore", type=int)
    if before is not None and not 0 < before <= ID_MAX:
        before = None  # no row has such an id: show the newest page

    today = now_utc().astimezone(local_zone()).date()
    return render_template(
        "plan/access_log.html",
        page=audit.log_page(patient, before_id=before, zone=local_zone()),
        today=today,
        yesterday=today - timedelta(days=1),
        action_words=audit.ACTION_WORDS,
        role_words=audit.ROLE_WORDS,
        read_actions=audit.READ_ACTIONS,
        first_page=before is None,
        # A relative is named as the patient named them: "Eva (dotter)".
        relative_labels=labels_of(patient.id),
    )


@bp.get("/installningar")
@login_required
def settings() -> str:
    """Keys, reminders, calendar and language: set once, so they sit here, not in the menu."""
    return render_template(
        "plan/settings.html", is_patient=current_user.is_patient and acting_grant() is None
    )
