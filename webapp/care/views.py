"""The care side: the unit's patients, new patients, sign-in links, the unit's staff."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import (
    Action,
    admin_route,
    allowed_actions,
    listed_reads_noted,
    patient_route,
    patients_visible_to,
    staff_route,
)
from webapp.auth import services as auth_services
from webapp.auth.passkeys import services as passkeys
from webapp.auth.sessions import stash_put, stash_take
from webapp.care.blueprint import bp
from webapp.care.forms import HandoverForm, PatientForm, PhoneHoursForm, StaffForm, UnitForm
from webapp.care.handover import Handover, handover_of, staff_leave
from webapp.care.invitation import link_status, sign_in_link_issue_for_patient, sms_href
from webapp.care.services import last_seen_line, last_seen_mark
from webapp.care.worklist import without_active_contact, worklist_build
from webapp.errors import UserFacingError
from webapp.forms import EmptyForm, Page, SelectChoice, show_error
from webapp.people import services as people
from webapp.people.models import Patient
from webapp.plan.overview import overview_build

INVITATION = "invitation"


@bp.get("/")
@staff_route
def patients() -> str:
    """Opens on "Mina patienter", the worklist, for a care contact; the whole unit's names
    one link away (and at once for staff who are nobody's care contact)."""
    staff = current_user.staff
    found = patients_visible_to(current_user)
    mine = [patient for patient in found if patient.care_contact_id == staff.id]
    # Nobody has these on "Mina patienter": named on both lists, names only, until a new
    # fixed care contact is chosen.
    orphans = without_active_contact(found)
    shown = request.args.get("visa") or ("mina" if mine else "alla")
    if shown != "mina":
        return render_template(
            "care/patients.html", patients=found, staff=staff, rows=None, orphans=orphans
        )
    # Only her own patients show what waits: the unit's list stays names, so a look at the
    # whole unit reads no one's plan.
    listed_reads_noted(current_user, mine)
    return render_template(
        "care/patients.html",
        patients=mine,
        staff=staff,
        rows=worklist_build(mine),
        orphans=orphans,
    )


def _patient_form() -> PatientForm:
    form = PatientForm()
    form.physician_id.choices = [SelectChoice("", _("Ingen vald"))] + [
        SelectChoice(str(member.id), f"{member.name}, {member.title}")
        for member in people.physicians_at_unit(current_user.staff.care_unit_id)
    ]
    return form


@bp.route("/patienter/ny", methods=["GET", "POST"])
@staff_route
def new_patient() -> Page:
    form = _patient_form()
    if form.validate_on_submit():
        try:
            patient = people.patient_create(
                created_by=current_user.staff,
                name=form.name.data or "",
                phone=form.phone.data or "",
                personal_number=form.personal_number.data,
                physician_id=form.physician_id.data,
            )
        except UserFacingError as error:
            show_error(form, error, default="personal_number")
        else:
            # The patient and their first link commit together, with the request.
            token = sign_in_link_issue_for_patient(patient=patient, by=current_user)
            stash_put(INVITATION, token, patient.user_id)
            return redirect(url_for("care.show_invitation", patient_id=patient.id), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("care/new_patient.html", form=form), status


@bp.get("/patienter/<int:patient_id>")
@patient_route(Action.VIEW_PLAN)
def patient(patient: Patient) -> str:
    staff = current_user.staff
    allowed = allowed_actions(current_user, patient)
    return render_template(
        "care/patient.html",
        patient=patient,
        passkey_count=passkeys.passkey_count(patient.user),
        may_issue_link=Action.ISSUE_SIGN_IN_LINK in allowed,
        may_record_consent=Action.RECORD_RELATIVE_CONSENT in allowed,
        form=EmptyForm(),
        overview=overview_build(patient),
        viewer_is_staff=True,
        link=link_status(patient),
        # The line for "new since you last looked": each part marks what is newer than this.
        # Only the current care contact gets it: the patient's news are theirs, not the unit's.
        last_seen=(
            last_seen_line(staff=staff, patient=patient)
            if patient.care_contact_id == staff.id
            else None
        ),
    )


@bp.post("/patienter/<int:patient_id>/sett")
@patient_route(Action.VIEW_PLAN)
def mark_seen(patient: Patient) -> Response:
    staff = current_user.staff
    if patient.care_contact_id != staff.id:
        abort(404)  # only the care contact has a "new since" line to move
    if not EmptyForm().validate_on_submit():
        abort(400)
    last_seen_mark(staff=staff, patient=patient)
    flash(_("Markerat som sett. Det som kommer efter nu märks som nytt."), "success")
    return redirect(url_for("care.patient", patient_id=patient.id), 303)


@bp.post("/patienter/<int:patient_id>/inbjudan")
@patient_route(Action.ISSUE_SIGN_IN_LINK)
def issue_invitation(patient: Patient) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = sign_in_link_issue_for_patient(patient=patient, by=current_user)
    stash_put(INVITATION, token, patient.user_id)
    return redirect(url_for("care.show_invitation", patient_id=patient.id), 303)


@bp.get("/patienter/<int:patient_id>/inbjudan")
@patient_route(Action.ISSUE_SIGN_IN_LINK)
def show_invitation(patient: Patient) -> str | Response:
    token = stash_take(INVITATION, patient.user_id)
    if token is None:
        flash(_("Länken visas bara en gång. Skapa en ny länk om patienten behöver den."), "info")
        return redirect(url_for("care.patient", patient_id=patient.id), 303)
    url = auth_services.invitation_url(token)
    return render_template(
        "care/invitation.html",
        who=patient.name,
        back=url_for("care.patient", patient_id=patient.id),
        url=url,
        qr=auth_services.qr_svg(url),
        phone=patient.phone,
        sms=sms_href(phone=patient.phone, url=url, unit_name=patient.care_unit.name),
    )


@bp.route("/personal/ny", methods=["GET", "POST"])
@admin_route
def new_staff() -> Page:
    staff = current_user.staff
    form = StaffForm()
    if form.validate_on_submit():
        member = people.staff_create(
            unit=staff.care_unit,
            name=form.name.data or "",
            title=form.title.data or "",
            phone=form.phone.data or "",
            phone_hours=form.phone_hours.data or "",
            is_physician=form.is_physician.data,
            is_unit_admin=form.is_unit_admin.data,
            is_quality_lead=form.is_quality_lead.data,
        )
        token = auth_services.sign_in_link_issue_for_staff(member=member, by=current_user)
        url = auth_services.invitation_url(token)
        return render_template(
            "care/invitation.html",
            who=member.name,
            back=url_for("care.staff_list"),
            url=url,
            qr=auth_services.qr_svg(url),
        )
    status = 400 if form.is_submitted() else 200
    return render_template("care/new_staff.html", form=form), status


@bp.get("/personal")
@admin_route
def staff_list() -> str:
    staff = current_user.staff
    return render_template(
        "care/staff.html",
        members=people.staff_at_unit(staff.care_unit_id, include_former=True),
        me=staff,
        form=EmptyForm(),
    )


def _handover_choices(form: HandoverForm, handover: Handover) -> None:
    unit_id = handover.member.care_unit_id
    not_leaving = [
        member for member in people.staff_at_unit(unit_id) if member.id != handover.member.id
    ]
    physicians = [
        member for member in people.physicians_at_unit(unit_id) if member.id != handover.member.id
    ]
    form.care_contact_id.choices = [
        SelectChoice("", _("Ingen ännu: patienterna ser vårdenhetens nummer")),
        *(SelectChoice(str(m.id), f"{m.name}, {m.title}") for m in not_leaving),
    ]
    form.physician_id.choices = [
        SelectChoice("", _("Ingen ännu: patienterna ser vårdenhetens nummer")),
        *(SelectChoice(str(m.id), f"{m.name}, {m.title}") for m in physicians),
    ]


@bp.route("/personal/<int:member_id>/avsluta", methods=["GET", "POST"])
@admin_route
def deactivate_staff(member_id: int) -> Page:
    """Asks first: whose fixed contact the colleague is, and who takes over. Their access
    ends and their patients move in the same step."""
    admin = current_user.staff
    try:
        handover = handover_of(admin=admin, member_id=member_id)
    except UserFacingError as error:
        flash(str(error.message), "error")
        return redirect(url_for("care.staff_list"), 303)
    if handover.member.has_left:
        return redirect(url_for("care.staff_list"), 303)
    form = HandoverForm()
    _handover_choices(form, handover)
    if not form.is_submitted():
        form.message.data = _(
            "%(name)s har slutat på %(unit)s.",
            name=handover.member.name,
            unit=handover.member.care_unit.name,
        )
    elif form.validate():
        try:
            member, moved = staff_leave(
                admin=admin,
                actor=current_user,
                member_id=member_id,
                care_contact_id=form.care_contact_id.data,
                physician_id=form.physician_id.data,
                message=form.message.data or "",
            )
        except UserFacingError as error:
            show_error(form, error, default="care_contact_id")
        else:
            flash(
                _(
                    "%(name)s kan inte längre logga in. Inloggningar och nycklar är borttagna.",
                    name=member.name,
                )
                + " "
                + ngettext(
                    "%(num)d patient har fått en ny kontakt.",
                    "%(num)d patienter har fått en ny kontakt.",
                    moved,
                ),
                "success",
            )
            return redirect(url_for("care.staff_list"), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("care/staff_leave.html", form=form, handover=handover), status


@bp.route("/telefontid", methods=["GET", "POST"])
@staff_route
def my_phone_hours() -> Page:
    """The staff member's own number and hours, as her patients' contact cards show them."""
    me = current_user.staff
    form = PhoneHoursForm()
    if not form.is_submitted():
        form.fill(phone=me.phone, times=me.phone_times, note=me.phone_hours)
    elif form.validate():
        people.phone_hours_set(
            holder=me, phone=form.phone.data or "", times=form.times(), note=form.note.data or ""
        )
        flash(_("Din telefontid är sparad."), "success")
        return redirect(url_for("plan.settings"), 303)
    status = 400 if form.is_submitted() else 200
    title = _("Min telefon och telefontid")
    return render_template("care/phone_hours.html", form=form, title=title), status


@bp.route("/enhet", methods=["GET", "POST"])
@admin_route
def unit_details() -> Page:
    """The unit's number, hours and visiting address: used where a staff member has no
    number of her own, and on visits booked without a place."""
    unit = current_user.staff.care_unit
    form = UnitForm()
    if not form.is_submitted():
        form.fill(phone=unit.phone, times=unit.phone_times, note=unit.phone_hours)
        form.address.data = unit.address
    elif form.validate():
        people.phone_hours_set(
            holder=unit, phone=form.phone.data or "", times=form.times(), note=form.note.data or ""
        )
        people.care_unit_address_set(unit=unit, address=form.address.data or "")
        flash(_("Vårdenhetens uppgifter är sparade."), "success")
        return redirect(url_for("plan.settings"), 303)
    status = 400 if form.is_submitted() else 200
    title = _("%(unit)s: telefon, telefontid och adress", unit=unit.name)
    return render_template("care/phone_hours.html", form=form, title=title), status
