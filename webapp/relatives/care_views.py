"""The care contact's side: recording consent the patient gave in person, and the link.

Nobody at the unit can grant on their own: the form records the patient's consent (the day
she gave it, what she chose, at most twelve months), and only her fixed care contact may
record it (`Action.RECORD_RELATIVE_CONSENT`).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import Action, patient_route
from webapp.auth.sessions import stash_put, stash_take
from webapp.errors import UserFacingError
from webapp.forms import Page, show_error
from webapp.people.models import Patient
from webapp.relatives import services
from webapp.relatives.blueprint import bp
from webapp.relatives.forms import RecordedConsentForm
from webapp.relatives.invitation import invitation_page

STASH = "relative_invitation_care"


@bp.route("/vard/patienter/<int:patient_id>/samtycke", methods=["GET", "POST"])
@patient_route(Action.RECORD_RELATIVE_CONSENT)
def record_consent(patient: Patient) -> Page:
    form = RecordedConsentForm()
    if form.validate_on_submit():
        given_on, ends_on = form.consent_given_on.data, form.ends_on.data
        assert given_on is not None and ends_on is not None  # both fields are required
        try:
            grant, token = services.grant_record_consent(
                patient=patient,
                staff=current_user.staff,
                name=form.relative_name.data or "",
                relation=form.relation.data or "",
                scopes=form.scopes.data or [],
                consent_given_on=given_on,
                ends_on=ends_on,
            )
        except UserFacingError as error:
            show_error(form, error, default="scopes")
        else:
            stash_put(STASH, token, grant.id)
            return redirect(
                url_for("relatives.consent_link", patient_id=patient.id, grant_id=grant.id), 303
            )
    status = 400 if form.is_submitted() else 200
    return render_template("relatives/record_consent.html", form=form, patient=patient), status


@bp.get("/vard/patienter/<int:patient_id>/samtycke/<int:grant_id>")
@patient_route(Action.RECORD_RELATIVE_CONSENT)
def consent_link(patient: Patient, grant_id: int) -> str | Response:
    grant = next((g for g in services.grants_of_patient(patient.id) if g.id == grant_id), None)
    if grant is None:
        abort(404)
    token = stash_take(STASH, grant.id)
    if token is None:
        flash(_("Länken visas bara en gång."), "info")
        return redirect(url_for("care.patient", patient_id=patient.id), 303)
    return invitation_page(grant, token, back=url_for("care.patient", patient_id=patient.id))
