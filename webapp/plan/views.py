"""The patient's own screens: "Min plan" and the access log."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp import audit
from webapp.access import ACTION_WORDS, ROLE_WORDS, Action, own_patient
from webapp.auth import services as auth_services
from webapp.forms import EmptyForm
from webapp.plan import bp
from webapp.plan.fragments import own_plan_html


@bp.get("/")
def home() -> str | Response:
    if not current_user.is_authenticated:
        return render_template("plan/welcome.html")
    if current_user.staff is not None:
        return redirect(url_for("care.patients"))
    patient = own_patient(current_user, Action.VIEW_PLAN, with_contacts=False)
    notices = (
        auth_services.security_events_unacknowledged(current_user)
        if current_user.has_security_notice
        else []
    )
    return render_template(
        "plan/home.html",
        own_plan=own_plan_html(patient),
        security_notices=notices,
        welcome=request.args.get("welcome") == "1",
        form=EmptyForm() if notices else None,  # only the notices have a button
    )


@bp.get("/logglista")
@login_required
def access_log() -> str:
    patient = own_patient(current_user, Action.VIEW_ACCESS_LOG)
    return render_template(
        "plan/access_log.html",
        entries=audit.entries_for(patient),
        action_words=ACTION_WORDS,
        role_words=ROLE_WORDS,
    )
