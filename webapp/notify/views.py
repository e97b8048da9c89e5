"""Påminnelser i mobilen, at /paminnelser/: what will come and when, the devices that get
reminders, the settings, and the latest reminders with what became of them.

Every signed-in person has these pages for themselves (patients, staff, later relatives);
each query is limited to the signed-in person's own rows."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import login_required
from webapp.forms import EmptyForm, Page, show_error
from webapp.notify import outbox, services
from webapp.notify.blueprint import bp
from webapp.notify.forms import DeviceNameForm, SettingsForm
from webapp.notify.models import DEFAULT_DAY_BEFORE_AT
from webapp.notify.vapid import vapid_public_key_of


def _index_page(name_form: DeviceNameForm | None = None) -> str:
    settings = outbox.settings_of(current_user)
    return render_template(
        "notify/index.html",
        settings=settings,
        devices=services.devices_list(user=current_user),
        coming=services.reminders_coming(user=current_user) if current_user.is_patient else [],
        vapid_public_key=vapid_public_key_of(current_app.config["VAPID_PRIVATE_KEY"]),
        name_form=name_form or DeviceNameForm(),
        button_form=EmptyForm(),
    )


@bp.get("/")
@login_required
def index() -> str:
    return _index_page()


@bp.post("/enheter")
@login_required
def device_add() -> tuple[Response, int]:
    """JSON from static/js/reminders.js: the browser's subscription and the chosen name."""
    body: Any = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    try:
        device = services.device_add(
            user=current_user, subscription=body.get("subscription"), name=body.get("name")
        )
    except services.NotifyError as error:
        return jsonify(error=str(error.message), field=error.field), 400
    flash(_("Nu får %(name)s påminnelser.", name=device.name), "success")
    return jsonify(id=device.id, name=device.name), 201


@bp.route("/enheter/<int:device_id>/namn", methods=["GET", "POST"])
@login_required
def device_rename(device_id: int) -> Page:
    try:
        device = services.device_find(user=current_user, device_id=device_id)
    except services.DeviceNotFound:
        abort(404)
    form = DeviceNameForm(data={"name": device.name} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.device_rename(
                user=current_user, device_id=device_id, name=form.name.data or ""
            )
            flash(_("Namnet är ändrat."), "success")
            return redirect(url_for("notify.index"), 303)
        except services.NotifyError as error:
            show_error(form, error, "name")
    status = 400 if request.method == "POST" else 200
    return render_template("notify/rename.html", form=form, device=device), status


@bp.post("/enheter/<int:device_id>/ta-bort")
@login_required
def device_remove(device_id: int) -> Response:
    if EmptyForm().validate_on_submit():
        try:
            services.device_remove(user=current_user, device_id=device_id)
            flash(_("Den får inga fler påminnelser från Nära."), "success")
        except services.DeviceNotFound:
            abort(404)
    return redirect(url_for("notify.index"), 303)


@bp.post("/enheter/<int:device_id>/prov")
@login_required
def device_test(device_id: int) -> Response:
    if EmptyForm().validate_on_submit():
        try:
            services.device_test(user=current_user, device_id=device_id)
            flash(_("Provpåminnelsen är på väg. Den brukar komma inom en minut."), "success")
        except services.DeviceNotFound:
            abort(404)
        except services.TooManyTests as error:
            flash(str(error.message), "error")
            return redirect(url_for("notify.index"), 303)
    return redirect(url_for("notify.recent"), 303)


@bp.route("/installningar", methods=["GET", "POST"])
@login_required
def settings() -> Page:
    saved = outbox.settings_of(current_user)
    form = SettingsForm(
        data={
            "day_before": saved.day_before_at is not None,
            "day_before_at": (saved.day_before_at or DEFAULT_DAY_BEFORE_AT).strftime("%H:%M"),
            "hours_before": str(saved.hours_before or 0),
            "quiet_from": saved.quiet_from.strftime("%H:%M"),
            "quiet_until": saved.quiet_until.strftime("%H:%M"),
            "paused": saved.paused,
            "cannot_come_alerts": saved.cannot_come_alerts,
            "flagged_update_alerts": saved.flagged_update_alerts,
        }
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        try:
            services.settings_save(
                user=current_user,
                values=services.SettingsInput(
                    day_before=bool(form.day_before.data),
                    day_before_at=form.day_before_at.data or "",
                    hours_before=form.hours_before.data or "",
                    quiet_from=form.quiet_from.data or "",
                    quiet_until=form.quiet_until.data or "",
                    paused=bool(form.paused.data),
                    cannot_come_alerts=bool(form.cannot_come_alerts.data),
                    flagged_update_alerts=bool(form.flagged_update_alerts.data),
                ),
            )
            flash(_("Dina val är sparade."), "success")
            return redirect(url_for("notify.index"), 303)
        except services.NotifyError as error:
            show_error(form, error, "day_before_at")
    status = 400 if request.method == "POST" else 200
    return render_template("notify/settings.html", form=form), status


@bp.post("/paus")
@login_required
def pause() -> Response:
    if EmptyForm().validate_on_submit():
        paused = request.form.get("paused") == "1"
        services.paused_set(user=current_user, paused=paused)
        flash(
            _("Påminnelserna är pausade.") if paused else _("Påminnelserna är på igen."),
            "success",
        )
    return redirect(url_for("notify.index"), 303)


@bp.get("/senaste")
@login_required
def recent() -> str:
    return render_template(
        "notify/recent.html",
        reminders=services.reminders_recent(user=current_user),
        state_words=services.reminder_state_words,
    )
