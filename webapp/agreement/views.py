"""The agreement: the patient reads and consents on their phone; the care contact drafts.

Patient pages live at /overenskommelse/...; the care side's at /overenskommelse/patient/<id>/...
and both render the same templates, told apart by `viewer_is_staff`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import Action, allowed_actions, login_required, own_patient, patient_route
from webapp.agreement import services as agreements
from webapp.agreement.blueprint import bp
from webapp.agreement.forms import ConsentForm, DraftForm
from webapp.agreement.models import AgreementVersion
from webapp.agreement.printout import printout_for
from webapp.agreement.whatsnew import whats_new
from webapp.errors import UserFacingError
from webapp.forms import EmptyForm, Page
from webapp.people.models import Patient
from webapp.routing import id_arg
from webapp.selfcare.goals.services import goals_of as self_care_goals_of


def _page(patient: Patient, *, staff: bool, error: str | None = None, status: int = 200) -> Page:
    versions = agreements.agreement_versions(patient=patient)
    tied = {item.what_matters_id for v in versions for item in v.items if item.what_matters_id}
    agreed = next((v for v in versions if v.status == "agreed"), None)
    draft = next((v for v in versions if v.is_draft), None)
    # A proposal waiting for the patient opens, for her, on what is new in it.
    news = None
    if not staff and draft is not None and draft.items and not draft.patient_consent_at:
        news = whats_new(agreed=agreed, proposal=draft)
    # The care side can see the same changes, in its own words, e.g. while on the phone with her.
    staff_news = None
    if staff and draft is not None and draft.items and agreed is not None:
        staff_news = whats_new(agreed=agreed, proposal=draft, for_staff=True)
    return render_template(
        "agreement/page.html",
        patient=patient,
        viewer_is_staff=staff,
        versions=versions,
        agreed=agreed,
        draft=draft,
        news=news,
        staff_news=staff_news,
        what_matters=agreements.what_matters_texts(tied),
        form=ConsentForm(formdata=None),
        button=EmptyForm(),
        error=error,
        self_care_goals=self_care_goals_of(patient=patient),
    ), status


def _consent(patient: Patient, *, as_patient: bool, staff: bool, back: str) -> Page:
    form = ConsentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        version = agreements.agreement_consent(
            patient=patient,
            version_id=int(form.version_id.data or 0),
            expected_lock=int(form.lock_version.data or 0),
            as_patient=as_patient,
            by_user=current_user,
        )
    except agreements.AgreementChangedError as error:
        return _page(patient, staff=staff, error=error.message, status=409)
    except UserFacingError as error:
        return _page(patient, staff=staff, error=error.message, status=400)
    if version.status == "agreed":
        flash(_("Klart! Ni är överens. Överenskommelsen gäller från i dag."), "success")
    else:
        flash(_("Tack! Nu väntar vi på att den andra parten också godkänner."), "success")
    return redirect(back, 303)


def _talk_first(patient: Patient) -> Page:
    form = ConsentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        agreements.agreement_talk_first(
            patient=patient,
            version_id=int(form.version_id.data or 0),
            expected_lock=int(form.lock_version.data or 0),
            by_user=current_user,
        )
    except agreements.AgreementChangedError as error:
        return _page(patient, staff=False, error=error.message, status=409)
    except UserFacingError as error:
        return _page(patient, staff=False, error=error.message, status=400)
    flash(_("Tack! Din vårdkontakt får veta att du vill prata om förslaget först."), "success")
    return redirect(url_for("agreement.index"), 303)


def _version(patient: Patient, number: int, *, staff: bool) -> str:
    version = agreements.agreement_version_find(patient=patient, number=number) or abort(404)
    # Compared with the version before it, or with the one the reader chose (either way round).
    chosen = request.args.get("jamfor", type=id_arg)
    other = None
    if chosen and chosen != number:
        other = agreements.agreement_version_find(patient=patient, number=chosen)
    other = other or agreements.agreement_version_find(patient=patient, number=number - 1)
    pair = sorted([other, version], key=lambda v: v.number) if other else None
    changes = agreements.agreement_diff(older=pair[0], newer=pair[1]) if pair else None
    tied = {item.what_matters_id for item in version.items if item.what_matters_id}
    return render_template(
        "agreement/version.html",
        patient=patient,
        version=version,
        pair=pair,
        changes=changes,
        numbers=[v.number for v in agreements.agreement_versions(patient=patient)],
        what_matters=agreements.what_matters_texts(tied),
        viewer_is_staff=staff,
    )


def _print(patient: Patient, *, staff: bool) -> str:
    overview = agreements.for_overview(patient)
    version: AgreementVersion | None = overview.shown
    tied = (
        {item.what_matters_id for item in version.items if item.what_matters_id}
        if version
        else set()
    )
    return render_template(
        "agreement/print.html",
        patient=patient,
        version=version,
        printout=printout_for(patient),
        what_matters=agreements.what_matters_texts(tied),
        viewer_is_staff=staff,
    )


# --- the patient's side ----------------------------------------------------------------


@bp.get("/")
@login_required
def index() -> Page:
    return _page(own_patient(current_user, Action.VIEW_PLAN), staff=False)


@bp.post("/godkann")
@login_required
def consent() -> Page:
    patient = own_patient(current_user, Action.CONSENT_AS_PATIENT)
    return _consent(patient, as_patient=True, staff=False, back=url_for("agreement.index"))


@bp.post("/prata-forst")
@login_required
def talk_first() -> Page:
    return _talk_first(own_patient(current_user, Action.CONSENT_AS_PATIENT))


@bp.get("/version/<int:number>")
@login_required
def version(number: int) -> str:
    return _version(own_patient(current_user, Action.VIEW_PLAN), number, staff=False)


@bp.get("/utskrift")
@login_required
def printable() -> str:
    return _print(own_patient(current_user, Action.VIEW_PLAN), staff=False)


@bp.get("/nar-jag-blir-samre")
@login_required
def when_worse() -> str:
    patient = own_patient(current_user, Action.VIEW_PLAN)
    return render_template(
        "agreement/worse.html",
        patient=patient,
        overview=agreements.for_overview(patient),
        may_send_update=Action.SEND_UPDATE in allowed_actions(current_user, patient),
    )


# --- the care side ---------------------------------------------------------------------


@bp.get("/patient/<int:patient_id>")
@patient_route(Action.VIEW_PLAN)
def staff_page(patient: Patient) -> Page:
    return _page(patient, staff=True)


@bp.post("/patient/<int:patient_id>/forslag")
@patient_route(Action.DRAFT_AGREEMENT)
def staff_draft_start(patient: Patient) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    agreements.agreement_draft_start(patient=patient, by_user=current_user)
    return redirect(url_for("agreement.staff_edit", patient_id=patient.id), 303)


@bp.route("/patient/<int:patient_id>/forslag/andra", methods=["GET", "POST"])
@patient_route(Action.DRAFT_AGREEMENT)
def staff_edit(patient: Patient) -> Page:
    posted = request.method == "POST"
    draft = agreements.agreement_draft_find(patient=patient)
    if draft is None and not posted:
        return redirect(url_for("agreement.staff_page", patient_id=patient.id), 303)
    form = DraftForm() if posted or draft is None else DraftForm(data=_draft_data(draft))
    form.set_what_matters_choices(agreements.what_matters_choices(patient=patient))
    conflict = None
    if form.validate_on_submit():
        try:
            agreements.agreement_draft_save(
                patient=patient,
                version_id=form.version_id.data,
                expected_lock=form.lock_version.data,
                items=form.item_inputs(),
                texts=form.texts(),
                by_user=current_user,
            )
        except agreements.AgreementChangedError as error:
            conflict = error.message
            # What they typed stays in the form; it now carries the saved copy's number,
            # so saving again (after reading what the other person saved) is a choice.
            form.version_id.data = draft.id if draft else 0
            form.lock_version.data = draft.lock_version if draft else 0
        except agreements.AgreementItemError as error:
            field = form.field_named(error.field)
            field.errors = [*field.errors, error.message]
        else:
            flash(_("Förslaget är sparat."), "success")
            target = "agreement.staff_edit" if form.add.data else "agreement.staff_page"
            return redirect(url_for(target, patient_id=patient.id), 303)
    status = 409 if conflict else (400 if posted else 200)
    return render_template(
        "agreement/edit.html", patient=patient, form=form, draft=draft, conflict=conflict
    ), status


def _draft_data(draft: AgreementVersion) -> dict[str, object]:
    return {
        "version_id": draft.id,
        "lock_version": draft.lock_version,
        "self_care_text": draft.self_care_text,
        "warning_signs_text": draft.warning_signs_text,
        "when_worse_text": draft.when_worse_text,
        "new_kind": "goal" if not draft.items else "action",
        "items": [
            {
                "kind": item.kind,
                "text": item.text,
                "responsible": item.responsible,
                "responsible_name": item.responsible_name,
                "what_matters_id": item.what_matters_id,
            }
            for item in draft.items
        ],
    }


@bp.post("/patient/<int:patient_id>/godkann")
@patient_route(Action.CONSENT_AS_CARE)
def staff_consent(patient: Patient) -> Page:
    back = url_for("agreement.staff_page", patient_id=patient.id)
    return _consent(patient, as_patient=False, staff=True, back=back)


@bp.post("/patient/<int:patient_id>/pratat")
@patient_route(Action.DRAFT_AGREEMENT)
def staff_talk_done(patient: Patient) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    if agreements.agreement_talk_done(patient=patient, by_user=current_user):
        flash(_("Klart. Förslaget väntar nu på att patienten svarar igen."), "success")
    return redirect(url_for("agreement.staff_page", patient_id=patient.id), 303)


@bp.get("/patient/<int:patient_id>/version/<int:number>")
@patient_route(Action.VIEW_PLAN)
def staff_version(patient: Patient, number: int) -> str:
    return _version(patient, number, staff=True)


@bp.get("/patient/<int:patient_id>/utskrift")
@patient_route(Action.VIEW_PLAN)
def staff_printable(patient: Patient) -> str:
    return _print(patient, staff=True)
