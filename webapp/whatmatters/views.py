"""Vad är viktigt för dig? The patient writes, orders, edits and takes off the list (stored as
archived) at /viktigt/...;
the care side reads the list and its history at /viktigt/patient/<id>/historik."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import Action, login_required, own_patient, patient_route
from webapp.forms import EmptyForm, Page, show_error
from webapp.people.models import Patient
from webapp.routing import id_arg
from webapp.whatmatters import services as whatmatters
from webapp.whatmatters.blueprint import bp
from webapp.whatmatters.forms import EditForm, MoveForm, StatementForm


def _index(patient: Patient, form: StatementForm | None = None, error: str | None = None) -> Page:
    listing = whatmatters.whatmatters_list(patient=patient)
    moved_id = request.args.get("flyttad", type=id_arg)
    moved_rank = listing.rank_of(moved_id) if moved_id else None
    return render_template(
        "whatmatters/index.html",
        listing=listing,
        form=form or StatementForm(formdata=None),
        button=EmptyForm(),
        error=error,
        moved_id=moved_id if moved_rank else None,
        moved_rank=moved_rank,
        moved_up=request.args.get("riktning") == "upp",
    ), 400 if form is not None or error else 200


def _back_to_list(statement_id: int | None = None) -> Response:
    anchor = f"punkt-{statement_id}" if statement_id else None
    return redirect(url_for("whatmatters.index", _anchor=anchor), 303)


@bp.get("/")
@login_required
def index() -> Page:
    return _index(own_patient(current_user, Action.VIEW_WHAT_MATTERS))


@bp.post("/ny")
@login_required
def add() -> Page:
    patient = own_patient(current_user, Action.WRITE_WHAT_MATTERS)
    form = StatementForm()
    if not form.validate_on_submit():
        return _index(patient, form=form)
    try:
        statement = whatmatters.whatmatters_add(
            patient=patient, text=form.text.data or "", actor=current_user
        )
    except whatmatters.WhatMattersError as error:
        show_error(form, error, default="text")
        return _index(patient, form=form)
    flash(_("Sparat. Det står nu sist i listan."), "success")
    return _back_to_list(statement.id)


def _edit_page(
    patient: Patient, statement_id: int, form: EditForm, conflict: object = None
) -> Page:
    status = 409 if conflict else 400 if form.errors else 200
    return render_template(
        "whatmatters/edit.html",
        patient=patient,
        statement_id=statement_id,
        form=form,
        conflict=conflict,
    ), status


@bp.route("/<int:statement_id>/andra", methods=["GET", "POST"])
@login_required
def edit(statement_id: int) -> Page:
    patient = own_patient(current_user, Action.WRITE_WHAT_MATTERS)
    try:
        statement = whatmatters.whatmatters_find(patient=patient, statement_id=statement_id)
    except whatmatters.WhatMattersNotFound:
        abort(404)
    if request.method == "GET":
        form = EditForm(formdata=None, text=statement.text, lock_version=statement.lock_version)
        return _edit_page(patient, statement_id, form)
    form = EditForm()
    if not form.validate_on_submit():
        return _edit_page(patient, statement_id, form)
    try:
        whatmatters.whatmatters_edit(
            patient=patient,
            statement_id=statement_id,
            text=form.text.data or "",
            expected_version=form.lock_version.data,
            actor=current_user,
        )
    except whatmatters.WhatMattersConflict as error:
        # Show what is saved now; the user's text stays in the form, now based on that copy.
        form.lock_version.data = error.statement.lock_version
        return _edit_page(patient, statement_id, form, conflict=error)
    except whatmatters.WhatMattersError as error:
        show_error(form, error, default="text")
        return _edit_page(patient, statement_id, form)
    flash(_("Ändringen är sparad."), "success")
    return _back_to_list(statement_id)


@bp.post("/<int:statement_id>/flytta")
@login_required
def move(statement_id: int) -> Page:
    patient = own_patient(current_user, Action.WRITE_WHAT_MATTERS)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        whatmatters.whatmatters_move(
            patient=patient,
            statement_id=statement_id,
            direction=form.direction.data or "",
            actor=current_user,
        )
    except whatmatters.WhatMattersNotFound:
        abort(404)
    except whatmatters.WhatMattersError as error:
        return _index(patient, error=error.message)
    # The list page says where it went and puts focus back on the moved statement's button
    # (`autofocus`, which also scrolls to it). No #anchor: browsers skip autofocus with one.
    riktning = "ner" if form.direction.data == "down" else "upp"
    return redirect(url_for("whatmatters.index", flyttad=statement_id, riktning=riktning), 303)


def _status_change(statement_id: int, change: str) -> Page:
    patient = own_patient(current_user, Action.WRITE_WHAT_MATTERS)
    if not EmptyForm().validate_on_submit():
        abort(400)
    service = (
        whatmatters.whatmatters_archive if change == "archive" else whatmatters.whatmatters_restore
    )
    try:
        statement = service(patient=patient, statement_id=statement_id, actor=current_user)
    except whatmatters.WhatMattersNotFound:
        abort(404)
    except whatmatters.WhatMattersError as error:
        return _index(patient, error=error.message)
    if change == "archive":
        flash(_("Det är borttaget från listan. Längre ner kan du ta tillbaka det."), "success")
        return _back_to_list()
    flash(_("Det är tillbaka i listan, sist."), "success")
    return _back_to_list(statement.id)


@bp.post("/<int:statement_id>/arkivera")
@login_required
def archive(statement_id: int) -> Page:
    return _status_change(statement_id, "archive")


@bp.post("/<int:statement_id>/ta-tillbaka")
@login_required
def restore(statement_id: int) -> Page:
    return _status_change(statement_id, "restore")


def _history(patient: Patient, *, staff: bool) -> str:
    return render_template(
        "whatmatters/history.html",
        patient=patient,
        viewer_is_staff=staff,
        listing=whatmatters.whatmatters_list(patient=patient),
        revisions=whatmatters.whatmatters_history(patient=patient),
    )


@bp.get("/historik")
@login_required
def history() -> str:
    return _history(own_patient(current_user, Action.VIEW_WHAT_MATTERS), staff=False)


@bp.get("/patient/<int:patient_id>/historik")
@patient_route(Action.VIEW_PLAN)
def staff_history(patient: Patient) -> str:
    return _history(patient, staff=True)
