"""Passkey ceremonies (JSON) and the page where a user manages their passkeys."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import login_required
from webapp.auth import services as auth_services
from webapp.auth.models import InvitationPurpose
from webapp.auth.passkeys import services
from webapp.auth.passkeys.blueprint import bp
from webapp.auth.passkeys.forms import RenamePasskeyForm
from webapp.auth.sessions import end_session, is_safe_next, session_is_fresh, start_session
from webapp.errors import UserFacingError
from webapp.extensions import limiter
from webapp.forms import EmptyForm
from webapp.pwa.offline import signed_out_redirect


def _sign_in_limit() -> str:
    limit: str = current_app.config["SIGN_IN_RATE_LIMIT"]
    return limit


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _refused(error: UserFacingError, status: int = 400) -> tuple[Response, int]:
    return jsonify(error=str(error.message)), status


@bp.post("/passkeys/api/register/options")
@limiter.limit(_sign_in_limit)
def register_options() -> Response | tuple[Response, int]:
    body = _json_body()
    try:
        if current_user.is_authenticated:
            user, invitation_id = current_user, None
        else:
            invitation = auth_services.invitation_find_redeemable(str(body.get("invitation", "")))
            user, invitation_id = invitation.user, invitation.id
        return jsonify(services.registration_options(user=user, invitation_id=invitation_id))
    except UserFacingError as error:
        return _refused(error)


@bp.post("/passkeys/api/register/verify")
@limiter.limit(_sign_in_limit)
def register_verify() -> Response | tuple[Response, int]:
    body = _json_body()
    signed_in = current_user if current_user.is_authenticated else None
    credential = body.get("credential")
    try:
        if not isinstance(credential, dict):
            raise services.PasskeyError(services.NOT_ACCEPTED)
        user, passkey = services.registration_complete(
            credential=credential, signed_in_user=signed_in
        )
    except UserFacingError as error:
        return _refused(error)
    if signed_in is None:
        services.session_begin_after_registration(user, passkey)
        return jsonify(redirect=url_for("plan.home", welcome=1))
    flash(_("Nyckeln är tillagd."), "success")
    return jsonify(redirect=url_for("passkeys.manage"))


@bp.post("/passkeys/api/login/options")
@limiter.limit(_sign_in_limit)
def login_options() -> Response:
    return jsonify(services.authentication_options())


@bp.post("/passkeys/api/login/verify")
@limiter.limit(_sign_in_limit)
def login_verify() -> Response | tuple[Response, int]:
    body = _json_body()
    try:
        user, passkey = services.authentication_complete(credential=body.get("credential"))
    except UserFacingError as error:
        return _refused(error)
    start_session(user, passkey_id=passkey.id)
    # Where to go after signing in; anything but a safe local path (a number, a list, a
    # foreign address) means Min plan: the sign-in itself was good.
    target = body.get("next")
    safe = isinstance(target, str) and is_safe_next(target)
    return jsonify(redirect=target if safe else url_for("plan.home"))


@bp.post("/passkeys/api/confirm/options")
@login_required
@limiter.limit(_sign_in_limit)
def confirm_options() -> Response:
    return jsonify(services.authentication_options(for_user=current_user))


@bp.post("/passkeys/api/confirm/verify")
@login_required
@limiter.limit(_sign_in_limit)
def confirm_verify() -> Response | tuple[Response, int]:
    body = _json_body()
    try:
        services.fresh_check_complete(credential=body.get("credential"), user=current_user)
    except UserFacingError as error:
        return _refused(error)
    flash(_("Tack, det är bekräftat. Nu kan du ändra dina nycklar."), "success")
    return jsonify(redirect=url_for("passkeys.manage"))


def _manage_page(rename_form: RenamePasskeyForm, failed_passkey_id: int | None = None) -> str:
    return render_template(
        "passkeys/manage.html",
        passkeys=services.passkeys_of(current_user),
        fresh=session_is_fresh(),
        events=auth_services.security_events_recent(current_user),
        event_words=auth_services.SECURITY_EVENT_WORDS,
        rename_form=rename_form,
        failed_passkey_id=failed_passkey_id,
        button_form=EmptyForm(),
    )


@bp.get("/nycklar")
@login_required
def manage() -> str:
    return _manage_page(RenamePasskeyForm())


@bp.post("/nycklar/<int:passkey_id>/namn")
@login_required
def rename(passkey_id: int) -> Response | tuple[str, int]:
    form = RenamePasskeyForm()
    if form.validate_on_submit():
        try:
            services.passkey_rename(
                user=current_user, passkey_id=passkey_id, name=form.name.data or ""
            )
            flash(_("Namnet är ändrat."), "success")
            return redirect(url_for("passkeys.manage"), 303)
        except UserFacingError as error:
            flash(str(error.message), "error")
            return redirect(url_for("passkeys.manage"), 303)
    return _manage_page(form, failed_passkey_id=passkey_id), 400


@bp.post("/nycklar/<int:passkey_id>/ta-bort")
@login_required
def remove(passkey_id: int) -> Response:
    if EmptyForm().validate_on_submit():
        try:
            services.passkey_remove(user=current_user, passkey_id=passkey_id)
            flash(
                _("Nyckeln är borttagen. Den kan inte längre användas för att logga in."), "success"
            )
        except UserFacingError as error:
            flash(str(error.message), "error")
    return redirect(url_for("passkeys.manage"), 303)


@bp.post("/nycklar/ny-enhet")
@login_required
def new_device_link() -> Response | str:
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("passkeys.manage"), 303)
    if not session_is_fresh():
        flash(str(services.NEEDS_FRESH_CHECK), "error")
        return redirect(url_for("passkeys.manage"), 303)
    _invitation, token = auth_services.invitation_issue(
        user=current_user, purpose=InvitationPurpose.NEW_DEVICE, created_by=current_user
    )
    url = auth_services.invitation_url(token)
    return render_template("passkeys/new_device.html", url=url, qr=auth_services.qr_svg(url))


@bp.post("/nycklar/logga-ut-overallt")
@login_required
def sign_out_everywhere() -> Response:
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("passkeys.manage"), 303)
    auth_services.sign_out_everywhere(current_user)
    end_session()
    return signed_out_redirect()


@bp.post("/nycklar/handelser/sett")
@login_required
def acknowledge_events() -> Response:
    if EmptyForm().validate_on_submit():
        try:
            services.security_events_acknowledge(
                current_user, signed_in_with=services.passkey_signed_in_with()
            )
        except UserFacingError as error:
            flash(str(error.message), "error")
    return redirect(url_for("plan.home"), 303)
