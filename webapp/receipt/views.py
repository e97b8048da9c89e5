"""Mitt kvitto: the patient answers at /kvitto/..., the care side at /kvitto/patient/<id>/...,
and the unit sees its counts at /kvitto/enhet. One question per screen, as plain forms."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import Action, login_required, own_patient, patient_route
from webapp.errors import error_response
from webapp.forms import EmptyForm, Page, show_error
from webapp.people.models import Patient
from webapp.receipt import services as receipts
from webapp.receipt.blueprint import bp
from webapp.receipt.forms import AnswerForm
from webapp.receipt.models import QUESTION_COUNT, Side


def _urls(patient: Patient, side: str, *, again: bool = False) -> tuple[str, Callable[[int], str]]:
    """The contract page, and a maker of step URLs, for the side answering. `again`: she is
    answering again only the questions a changed agreement touches (`?igen=1`)."""
    if side == Side.PATIENT:
        igen = 1 if again else None
        return url_for("receipt.index"), lambda n: url_for("receipt.step", question=n, igen=igen)
    return (
        url_for("receipt.staff_page", patient_id=patient.id),
        lambda n: url_for("receipt.staff_step", patient_id=patient.id, question=n),
    )


def _answering_again() -> bool:
    return request.args.get("igen") == "1"


def _turn_page(question: int, *, back: bool, side: str, patient: Patient) -> Response:
    again = side == Side.PATIENT and _answering_again()
    contract_url, step_url = _urls(patient, side, again=again)
    if back:
        return redirect(step_url(question - 1), 303)
    if again:
        left = receipts.receipt_contract(patient_id=patient.id).ask_again
        following = [number for number in left if number > question]
        if following:
            return redirect(step_url(following[0]), 303)
    elif question < QUESTION_COUNT:
        return redirect(step_url(question + 1), 303)
    flash(_("Tack! Svaren är sparade."), "success")
    return redirect(contract_url, 303)


def _step(patient: Patient, *, side: str, question: int) -> Page:
    if not receipts.is_question(question):
        if request.method == "POST":
            return error_response(400, str(receipts.QUESTION_MESSAGE))
        abort(404)
    current = None
    if request.method == "GET":
        current = receipts.receipt_current(patient_id=patient.id).get((side, question))
    form = AnswerForm(obj=current)
    back = request.form.get("go") == "back" and question > 1
    if back and not request.form.get("answer") and not form.comment.data:
        return _turn_page(question, back=True, side=side, patient=patient)  # nothing to save
    if form.validate_on_submit():
        try:
            receipts.receipt_answer_save(
                patient=patient,
                side=side,
                question=question,
                answer=form.answer.data,
                comment=form.comment.data,
                by_user=current_user,
            )
        except receipts.ReceiptInputError as error:
            show_error(form, error, default="answer")
        else:
            if side == Side.PATIENT and not back and form.answer.data in receipts.CALL_OFFERED:
                # After a Delvis or Nej: would she like a call about it? One question a screen.
                igen = 1 if _answering_again() else None
                return redirect(url_for("receipt.call", question=question, igen=igen), 303)
            return _turn_page(question, back=back, side=side, patient=patient)
    again = side == Side.PATIENT and _answering_again()
    contract_url, step_url = _urls(patient, side, again=again)
    return render_template(
        "receipt/step.html",
        patient=patient,
        viewer_is_staff=side == Side.CARE,
        form=form,
        question=question,
        text=receipts.question_text(side, question),
        contract_url=contract_url,
        action=step_url(question),
        again=again,
    ), 400 if form.is_submitted() else 200


def _call(patient: Patient, question: int) -> Page:
    """ "Vill du att din vårdkontakt ringer dig om det här?" after a Delvis or Nej."""
    if not receipts.is_question(question):
        abort(404)
    current = receipts.receipt_current(patient_id=patient.id).get((Side.PATIENT, question))
    if current is None or current.answer not in receipts.CALL_OFFERED:
        if request.method == "POST":
            return error_response(400, str(receipts.CALL_NOT_OFFERED_MESSAGE))
        return redirect(url_for("receipt.index"), 303)
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if request.form.get("call") == "yes":
            receipts.receipt_call_wanted(patient=patient, question=question, by_user=current_user)
            flash(_("Din vårdkontakt får veta att du vill bli uppringd om det här."), "success")
        return _turn_page(question, back=False, side=Side.PATIENT, patient=patient)
    return render_template(
        "receipt/call.html",
        patient=patient,
        question=question,
        text=receipts.question_text(Side.PATIENT, question),
        answer=current,
        words=receipts.ANSWER_WORDS,
        form=form,
        action=url_for("receipt.call", question=question, igen=request.args.get("igen")),
    )


def _contract(patient: Patient, *, staff: bool) -> str:
    return render_template(
        "receipt/contract.html",
        patient=patient,
        viewer_is_staff=staff,
        contract=receipts.receipt_contract(patient_id=patient.id),
        words=receipts.ANSWER_WORDS,
    )


@bp.get("/")
@login_required
def index() -> str:
    return _contract(own_patient(current_user, Action.VIEW_PLAN), staff=False)


@bp.route("/fraga/<int:question>", methods=["GET", "POST"])
@login_required
def step(question: int) -> Page:
    patient = own_patient(current_user, Action.ANSWER_RECEIPT_AS_PATIENT)
    return _step(patient, side=Side.PATIENT, question=question)


@bp.route("/fraga/<int:question>/ringa", methods=["GET", "POST"])
@login_required
def call(question: int) -> Page:
    return _call(own_patient(current_user, Action.ANSWER_RECEIPT_AS_PATIENT), question)


@bp.get("/patient/<int:patient_id>")
@patient_route(Action.VIEW_PLAN)
def staff_page(patient: Patient) -> str:
    return _contract(patient, staff=True)


@bp.route("/patient/<int:patient_id>/fraga/<int:question>", methods=["GET", "POST"])
@patient_route(Action.ANSWER_RECEIPT_AS_CARE)
def staff_step(patient: Patient, question: int) -> Page:
    return _step(patient, side=Side.CARE, question=question)


@bp.post("/patient/<int:patient_id>/fraga/<int:question>/ringt")
@patient_route(Action.ANSWER_RECEIPT_AS_CARE)
def staff_call_done(patient: Patient, question: int) -> Page:
    if not receipts.is_question(question):
        return error_response(400, str(receipts.QUESTION_MESSAGE))
    if not EmptyForm().validate_on_submit():
        abort(400)
    if receipts.receipt_call_done(patient=patient, question=question, by_user=current_user):
        flash(_("Klart. Patientens önskan om samtal är besvarad."), "success")
    return redirect(
        url_for("receipt.staff_page", patient_id=patient.id, _anchor="fraga-" + str(question)), 303
    )


@bp.get("/enhet")
@login_required
def unit() -> str:
    staff = current_user.staff or abort(404)
    counts = receipts.receipt_unit_counts(care_unit_id=staff.care_unit_id)
    return render_template("receipt/unit.html", counts=counts, unit=staff.care_unit)
