"""Updates to the care contact: the patient's "Hur går det?" and their list, the care side's
inbox and one opened update (read it, mark it read, answer it)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.access import (
    Action,
    allowed_actions,
    listed_reads_noted,
    own_route,
    patient_route,
    patients_visible_to,
    staff_route,
)
from webapp.forms import Page, show_error
from webapp.people.models import Patient
from webapp.relatives.services import labels_for
from webapp.selfcare.blueprint import bp
from webapp.selfcare.models import FEELING_WORDS, UpdateFeeling
from webapp.selfcare.updates import services as service
from webapp.selfcare.updates.forms import ANSWER, SEEN, CareUpdateForm, UpdateForm
from webapp.selfcare.updates.inbox import inbox_build, is_mine
from webapp.selfcare.updates.threads import thread_around, threads_of

MINE, ALL = "mina", "alla"


def _sent_words(patient: Patient) -> str:
    """ "Skickat till Karin Lind." and when it is read: in her working hours, which her
    phone hours are the patient's best guide to."""
    contact = patient.care_contact
    if contact is None or contact.has_left:
        return str(_("Skickat till %(unit)s.", unit=patient.care_unit.name))
    sent = str(_("Skickat till %(name)s.", name=contact.name))
    hours = contact.reachable_hours
    if hours:
        return f"{sent} " + str(
            _("Uppdateringar läses under arbetstid. Telefontid: %(hours)s.", hours=hours)
        )
    return f"{sent} " + str(_("Uppdateringar läses under arbetstid."))


@bp.route("/uppdatering", methods=["GET", "POST"])
@own_route(Action.SEND_UPDATE)
def update_new(patient: Patient) -> Page:
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            service.update_send(
                patient=patient,
                actor=current_user,
                feeling=form.feeling.data,
                text=form.text.data or "",
            )
        except service.UpdateError as error:
            show_error(form, error, default="feeling")
        else:
            flash(_sent_words(patient), "success")
            return redirect(url_for("selfcare.updates"), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("selfcare/update_new.html", form=form, patient=patient), status


@bp.get("/uppdateringar")
@own_route(Action.VIEW_SELF_CARE)
def updates(patient: Patient) -> str:
    listing = service.updates_of(patient)
    new_answers = {u.id for u in listing.updates if u.answered_at and not u.answer_read_at}
    if current_user.id == patient.user_id:  # her own reading, not a relative's
        service.answers_mark_read(listing.updates)
    return render_template(
        "selfcare/updates.html",
        patient=patient,
        listing=listing,
        threads=threads_of(listing.updates),
        new_answers=new_answers,
        feeling_words=_feeling_words,
    )


def _feeling_words(value: str | None) -> str:
    try:
        return str(FEELING_WORDS[UpdateFeeling(value or "")])
    except ValueError:
        return ""


@bp.get("/inkorg")
@staff_route
def inbox() -> str:
    """Her own patients' updates by default; the unit's one link away (a colleague away,
    a flagged update must not wait). Each patient listed is a read in their log."""
    staff = current_user.staff
    visible = patients_visible_to(current_user)
    mine = [patient for patient in visible if is_mine(patient, staff)]
    shown = request.args.get("visa") or (MINE if mine else ALL)
    listed = mine if shown == MINE else visible
    built = inbox_build(listed)
    listed_reads_noted(current_user, built.patients)
    return render_template(
        "selfcare/inbox.html", inbox=built, mine=shown == MINE, has_own=bool(mine), staff=staff
    )


@bp.route("/patient/<int:patient_id>/uppdatering/<int:update_id>", methods=["GET", "POST"])
@patient_route(Action.VIEW_SELF_CARE)
def care_update(patient: Patient, update_id: int) -> Page:
    try:
        update = service.update_find(patient=patient, update_id=update_id)
    except service.UpdateNotFound:
        abort(404)
    may_answer = Action.ANSWER_UPDATE in allowed_actions(current_user, patient)
    form = CareUpdateForm()
    if request.method == "POST":
        if not may_answer:
            abort(404)
        if form.do.data not in (SEEN, ANSWER):
            abort(400)
    if form.validate_on_submit():
        try:
            flash(_act(form, patient, update.id), "success")
        except service.UpdateError as error:
            show_error(form, error, default="answer")
        else:
            return redirect(request.path, 303)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "selfcare/care_update.html",
        patient=patient,
        update=update,
        check_in=service.check_in_of(update) if update.flagged else None,
        # An update a relative sent for the patient says who: "Eva (dotter)".
        sent_by=labels_for([(patient.id, update.created_by_user_id)]).get(
            (patient.id, update.created_by_user_id), ""
        )
        if update.created_by_user_id != patient.user_id
        else "",
        same_moment=[other for other in thread_around(update) if other.id != update.id],
        form=form,
        may_answer=may_answer,
        feeling_words=_feeling_words,
        check_in_words=service.check_in_words,
        SEEN=SEEN,
        ANSWER=ANSWER,
    ), status


def _act(form: CareUpdateForm, patient: Patient, update_id: int) -> str:
    """Mark read or answer, as the pressed button says; what to tell her afterwards."""
    staff = current_user.staff
    if form.do.data == SEEN:
        service.update_mark_seen(patient=patient, update_id=update_id, staff=staff)
        return str(_("Markerad som läst. Patienten ser att du har läst den."))
    service.update_answer(
        patient=patient, update_id=update_id, staff=staff, text=form.answer.data or ""
    )
    return str(_("Svaret är skickat. Patienten ser det i Nära."))
