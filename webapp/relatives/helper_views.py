"""The relative's side: taking an invitation, choosing whom to help, one tap back, and
stepping down. These are the relative's own account's pages, so no patient's door: what
they open of a patient goes through the patient's own routes, where the door decides."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import login_required
from webapp.auth.models import InvitationPurpose
from webapp.auth.services import invitation_issue
from webapp.auth.sessions import is_safe_next
from webapp.errors import UserFacingError
from webapp.extensions import limiter
from webapp.forms import EmptyForm, Page
from webapp.relatives import services
from webapp.relatives.acting import acting_ended, acting_grant, acting_start, acting_stop
from webapp.relatives.blueprint import bp
from webapp.relatives.forms import SCOPE_WORDS, TakeInvitationForm
from webapp.relatives.models import ProxyGrant


def _refused(message: object, status: int) -> tuple[str, int]:
    return render_template("relatives/invitation_invalid.html", message=message), status


def _open(token: str) -> ProxyGrant:
    """The grant behind the link, if the signed-in person (or a visitor) may take it."""
    grant = services.grant_by_token(token)
    if current_user.is_authenticated and current_user.patient_id == grant.patient_id:
        raise services.GrantError(services.OWN_LINK)
    return grant


@bp.get("/inbjudan/<token>")
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def open_invitation(token: str) -> Page:
    try:
        grant = _open(token)
    except UserFacingError as error:
        return _refused(error.message, 410)
    return render_template(
        "relatives/invitation.html",
        grant=grant,
        form=TakeInvitationForm(token=token),
        scope_words=SCOPE_WORDS,
    )


@bp.post("/inbjudan")
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"])
def take_invitation() -> Page:
    form = TakeInvitationForm()
    if not form.validate_on_submit():
        abort(400)
    token = str(form.token.data or "")
    try:
        grant = _open(token)
        if current_user.is_authenticated:
            services.grant_accept(token=token, user=current_user)
        else:
            user = services.grant_accept_new_account(token=token)
            # Their own passkey, through the same one-time ceremony as everyone's.
            _invitation, passkey_token = invitation_issue(
                user=user, purpose=InvitationPurpose.ONBOARDING, created_by=None
            )
            return redirect(url_for("auth.invitation", token=passkey_token), 303)
    except UserFacingError as error:
        return _refused(error.message, 409)
    acting_start(grant.patient_id)
    flash(_("Nu kan du hjälpa %(name)s.", name=grant.patient.name), "success")
    return redirect(url_for("plan.home"), 303)


@bp.get("/hjalper")
@login_required
def choose() -> str:
    ended = acting_ended()
    if ended is not None:
        flash(
            _("Din åtkomst har upphört. Du kan inte längre se eller göra något i planen."), "info"
        )
    return render_template(
        "relatives/choose.html",
        grants=services.grants_helping(current_user.id),
        acting=acting_grant(),
        form=EmptyForm(),
    )


def _helping(grant_id: int) -> ProxyGrant:
    grant = next((g for g in services.grants_helping(current_user.id) if g.id == grant_id), None)
    if grant is None:
        abort(404)
    return grant


@bp.post("/hjalper/<int:grant_id>")
@login_required
def act_for(grant_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    acting_start(_helping(grant_id).patient_id)
    return redirect(url_for("plan.home"), 303)


@bp.get("/hjalper/<int:grant_id>/oppna")
@login_required
def open_for(grant_id: int) -> Response:
    """Where a reminder's tap leads: the patient's page, as the relative acting for her."""
    grant = next((g for g in services.grants_helping(current_user.id) if g.id == grant_id), None)
    if grant is None:
        return redirect(url_for("relatives.choose"), 303)  # it ended: the chooser says so
    acting_start(grant.patient_id)
    target = request.args.get("till")
    return redirect(target if is_safe_next(target) else url_for("plan.home"), 303)


@bp.post("/hjalper/tillbaka")
@login_required
def act_as_myself() -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    acting_stop()
    if current_user.patient_id is None:
        return redirect(url_for("relatives.choose"), 303)
    return redirect(url_for("plan.home"), 303)


@bp.route("/hjalper/<int:grant_id>/sluta", methods=["GET", "POST"])
@login_required
def step_down(grant_id: int) -> Page:
    grant = _helping(grant_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            services.grant_step_down(relative=current_user, grant_id=grant.id)
        except UserFacingError as error:
            flash(str(error.message), "info")
        else:
            acting_stop()
            flash(_("Du hjälper inte längre %(name)s.", name=grant.patient.name), "success")
        return redirect(url_for("relatives.choose"), 303)
    return render_template("relatives/step_down.html", grant=grant, form=form)
