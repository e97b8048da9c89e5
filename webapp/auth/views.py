"""Signing in and out, and opening an invitation."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import login_required
from webapp.auth import services
from webapp.auth.blueprint import bp
from webapp.auth.sessions import end_session, is_safe_next
from webapp.extensions import limiter
from webapp.forms import EmptyForm
from webapp.pwa.offline import signed_out_redirect


@bp.get("/logga-in")
def login() -> str | Response:
    target = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(target if is_safe_next(target) else url_for("plan.home"))
    return render_template("auth/login.html", next=target if is_safe_next(target) else "")


@bp.get("/inbjudan/<token>")
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def invitation(token: str) -> tuple[str, int] | str:
    try:
        found = services.invitation_find_redeemable(token)
    except services.InvitationError as error:
        return render_template("auth/invitation_invalid.html", message=error.message), 410
    return render_template("auth/invitation.html", invitation=found, token=token)


@bp.post("/logga-ut")
@login_required
def logout() -> Response:
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("plan.home"), 303)  # still signed in: nothing to clear
    end_session()
    return signed_out_redirect()


@bp.get("/utloggad")
def signed_out() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("plan.home"))
    return render_template("auth/signed_out.html")
