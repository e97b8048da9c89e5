"""The care contact's side: the unit's patients, new patients, invitations, new staff."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from webapp.access import Action, load_patient
from webapp.auth import services as auth_services
from webapp.auth.models import InvitationPurpose
from webapp.care import bp
from webapp.care.forms import PatientForm, StaffForm
from webapp.care.services import last_seen_swap
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.forms import EmptyForm
from webapp.passkeys.models import Credential
from webapp.people import services as people
from webapp.plan.overview import overview_build

FRESH_INVITATION = "fresh_invitation"


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user.staff is None:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def _stash_invitation(user_id: int, token: str) -> None:
    # Shown once on the next page, then forgotten: only the hash is kept on the server.
    session[FRESH_INVITATION] = {"user_id": user_id, "token": token}


def _take_invitation(user_id: int) -> str | None:
    stash = session.pop(FRESH_INVITATION, None)
    if isinstance(stash, dict) and stash.get("user_id") == user_id:
        return str(stash.get("token"))
    return None


@bp.get("/")
@staff_required
def patients() -> str:
    staff = current_user.staff
    found = people.patients_at_unit(staff.care_unit_id)
    mine = request.args.get("visa") == "mina"  # "Mina patienter": where I am the care contact
    if mine:
        found = [patient for patient in found if patient.care_contact_id == staff.id]
    return render_template("care/patients.html", patients=found, staff=staff, mine=mine)


def _patient_form() -> PatientForm:
    form = PatientForm()
    form.physician_id.choices = [SelectChoice("", _("Ingen vald"))] + [
        SelectChoice(str(member.id), f"{member.name}, {member.title}")
        for member in people.physicians_at_unit(current_user.staff.care_unit_id)
    ]
    return form


@bp.route("/patienter/ny", methods=["GET", "POST"])
@staff_required
def new_patient() -> str | Response | tuple[str, int]:
    form = _patient_form()
    if form.validate_on_submit():
        try:
            patient = people.patient_create(
                created_by=current_user.staff,
                name=form.name.data,
                phone=form.phone.data,
                personal_number=form.personal_number.data,
                physician_id=form.physician_id.data,
            )
        except UserFacingError as error:
            field = form[getattr(error, "field", None) or "personal_number"]
            field.errors = [*field.errors, error.message]
        else:
            _invitation, token = auth_services.invitation_issue(
                user=patient.user, purpose=InvitationPurpose.ONBOARDING, created_by=current_user
            )
            _stash_invitation(patient.user_id, token)
            return redirect(url_for("care.show_invitation", patient_id=patient.id), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("care/new_patient.html", form=form), status


@bp.get("/patienter/<int:patient_id>")
@staff_required
def patient(patient_id: int) -> str:
    found = load_patient(current_user, patient_id, Action.VIEW_PATIENT_RECORD)
    passkey_count = db.session.scalar(
        select(func.count()).select_from(Credential).where(Credential.user_id == found.user_id)
    )
    return render_template(
        "care/patient.html",
        patient=found,
        passkey_count=passkey_count,
        form=EmptyForm(),
        overview=overview_build(found),
        viewer_is_staff=True,
        # The line for "new since you last looked": each part marks what is newer than this.
        # Only the current care contact gets it: the patient's news are theirs, not the unit's.
        last_seen=(
            last_seen_swap(staff=current_user.staff, patient=found)
            if found.care_contact_id == current_user.staff.id
            else None
        ),
    )


@bp.post("/patienter/<int:patient_id>/inbjudan")
@staff_required
def issue_invitation(patient_id: int) -> Response:
    found = load_patient(current_user, patient_id, Action.ISSUE_INVITATION)
    if not EmptyForm().validate_on_submit():
        abort(400)
    has_passkey = db.session.scalar(
        select(Credential.id).where(Credential.user_id == found.user_id)
    )
    purpose = InvitationPurpose.RECOVERY if has_passkey else InvitationPurpose.ONBOARDING
    _invitation, token = auth_services.invitation_issue(
        user=found.user, purpose=purpose, created_by=current_user
    )
    _stash_invitation(found.user_id, token)
    return redirect(url_for("care.show_invitation", patient_id=found.id), 303)


@bp.get("/patienter/<int:patient_id>/inbjudan")
@staff_required
def show_invitation(patient_id: int) -> str | Response:
    found = load_patient(current_user, patient_id, Action.ISSUE_INVITATION)
    token = _take_invitation(found.user_id)
    if token is None:
        flash(_("Länken visas bara en gång. Skapa en ny länk om patienten behöver den."), "info")
        return redirect(url_for("care.patient", patient_id=found.id), 303)
    url = auth_services.invitation_url(token)
    return render_template(
        "care/invitation.html",
        who=found.name,
        back=url_for("care.patient", patient_id=found.id),
        url=url,
        qr=auth_services.qr_svg(url),
    )


@bp.route("/personal/ny", methods=["GET", "POST"])
@staff_required
def new_staff() -> str | Response | tuple[str, int]:
    staff = current_user.staff
    if not staff.is_unit_admin:
        abort(404)
    form = StaffForm()
    if form.validate_on_submit():
        member = people.staff_create(
            unit=staff.care_unit,
            name=form.name.data,
            title=form.title.data,
            phone=form.phone.data or "",
            phone_hours=form.phone_hours.data or "",
            is_physician=form.is_physician.data,
            is_unit_admin=form.is_unit_admin.data,
        )
        _invitation, token = auth_services.invitation_issue(
            user=member.user, purpose=InvitationPurpose.ONBOARDING, created_by=current_user
        )
        url = auth_services.invitation_url(token)
        return render_template(
            "care/invitation.html",
            who=member.name,
            back=url_for("care.patients"),
            url=url,
            qr=auth_services.qr_svg(url),
        )
    status = 400 if form.is_submitted() else 200
    return render_template("care/new_staff.html", form=form), status
