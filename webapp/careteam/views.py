"""The care team: the unit assigns fixed contacts, the care contact lists other parts of care,
and the patient confirms they have read why their contact changed."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import Action, login_required, own_patient, patient_route
from webapp.careteam import services as team
from webapp.careteam.blueprint import bp
from webapp.careteam.forms import AcknowledgeForm, CarePartForm, ContactsForm
from webapp.forms import EmptyForm, Page, SelectChoice, show_error
from webapp.people import services as people
from webapp.people.models import Patient, StaffMember


def _people_choices(members: list[StaffMember]) -> list[SelectChoice]:
    return [SelectChoice(str(member.id), f"{member.name}, {member.title}") for member in members]


@bp.route("/patient/<int:patient_id>/kontakter", methods=["GET", "POST"])
@patient_route(Action.ASSIGN_CONTACTS)
def contacts(patient: Patient) -> Page:
    form = ContactsForm(obj=patient)
    form.care_contact_id.choices = _people_choices(people.staff_at_unit(patient.care_unit_id))
    form.physician_id.choices = [
        SelectChoice("", _("Ingen fast läkarkontakt")),
        *_people_choices(people.physicians_at_unit(patient.care_unit_id)),
    ]
    # Someone who has left is no choice: the list then asks, rather than showing whoever
    # happens to come first as if they were the patient's contact.
    if patient.care_contact is not None and patient.care_contact.has_left:
        form.care_contact_id.choices.insert(0, SelectChoice("", _("Välj ny fast vårdkontakt")))
        if not form.is_submitted():
            form.care_contact_id.data = None
    if patient.physician is not None and patient.physician.has_left and not form.is_submitted():
        form.physician_id.data = None
    if form.validate_on_submit():
        try:
            team.contacts_assign(
                patient=patient,
                care_contact_id=form.care_contact_id.data,
                physician_id=form.physician_id.data,
                message=form.message.data or "",
                changed_by=current_user,
            )
        except team.CareTeamError as error:
            show_error(form, error, default="message")
        else:
            flash(_("Kontakten är ändrad. Patienten får veta det i Min plan."), "success")
            return redirect(url_for("care.patient", patient_id=patient.id), 303)
    return render_template(
        "careteam/contacts.html",
        patient=patient,
        form=form,
        history=team.contact_changes_history(patient),
    ), (400 if form.is_submitted() else 200)


@bp.route("/patient/<int:patient_id>/delar", methods=["GET", "POST"])
@patient_route(Action.EDIT_CARE_PARTS)
def parts(patient: Patient) -> Page:
    form = CarePartForm()
    if form.validate_on_submit():
        try:
            part = team.care_part_add(patient=patient, actor=current_user, **form.values())
        except team.CareTeamError as error:
            show_error(form, error, default="organisation")
        else:
            flash(_("%(name)s finns nu i patientens plan.", name=part.organisation), "success")
            return redirect(url_for("careteam.parts", patient_id=patient.id), 303)
    return render_template(
        "careteam/parts.html",
        patient=patient,
        parts=team.care_parts_active(patient),
        form=form,
        button=EmptyForm(),
    ), (400 if form.is_submitted() else 200)


@bp.route("/patient/<int:patient_id>/delar/<int:part_id>", methods=["GET", "POST"])
@patient_route(Action.EDIT_CARE_PARTS)
def edit_part(patient: Patient, part_id: int) -> Page:
    part = team.care_part_find(patient=patient, part_id=part_id) or abort(404)
    form = CarePartForm(obj=part)
    if form.validate_on_submit():
        try:
            team.care_part_edit(patient=patient, part=part, actor=current_user, **form.values())
        except team.CareTeamError as error:
            show_error(form, error, default="organisation")
        else:
            flash(_("Ändringen är sparad."), "success")
            return redirect(url_for("careteam.parts", patient_id=patient.id), 303)
    return render_template("careteam/part_edit.html", patient=patient, part=part, form=form), (
        400 if form.is_submitted() else 200
    )


@bp.post("/patient/<int:patient_id>/delar/<int:part_id>/ta-bort")
@patient_route(Action.EDIT_CARE_PARTS)
def archive_part(patient: Patient, part_id: int) -> Response:
    part = team.care_part_find(patient=patient, part_id=part_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    team.care_part_archive(patient=patient, part=part, actor=current_user)
    flash(_("%(name)s är borttagen ur patientens plan.", name=part.organisation), "success")
    return redirect(url_for("careteam.parts", patient_id=patient.id), 303)


@bp.post("/jag-har-last")
@login_required
def acknowledge() -> Response:
    patient = own_patient(current_user, Action.ACKNOWLEDGE_NEWS)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        abort(400)
    team.contact_changes_mark_seen(patient=patient, up_to_id=int(form.up_to.data or 0))
    return redirect(url_for("plan.home"), 303)
