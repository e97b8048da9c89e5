"""Överenskommen tid. The patient's side at /uppfoljning/...; the care side at
/uppfoljning/patient/<patient_id>/...; the private calendar link at /uppfoljning/kalender/."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse  # what redirect() says it returns

from webapp.access import Action, login_required, own_patient, patient_route
from webapp.auth.sessions import stash_put, stash_take
from webapp.extensions import limiter
from webapp.followups import services as followups
from webapp.followups.blueprint import bp
from webapp.followups.calendar import calendar_for
from webapp.followups.details import FollowUpError, follow_up_input_of
from webapp.followups.feed import (
    calendar_feed_active,
    calendar_feed_by_token,
    calendar_feed_choose_details,
    calendar_feed_disable,
    calendar_feed_enable,
    calendar_follow_ups,
)
from webapp.followups.forms import (
    FEED_BRIEF,
    FEED_DETAILS,
    CancelForm,
    CannotComeForm,
    FeedDetailsForm,
    FollowUpForm,
    SeenForm,
)
from webapp.followups.models import FollowUp
from webapp.forms import EmptyForm, Page, show_error
from webapp.people.models import Patient

FRESH_FEED = "fresh_calendar_feed"
FEED_RATE_LIMIT = "30 per minute"


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _find(patient: Patient, follow_up_id: int) -> FollowUp:
    try:
        return followups.follow_up_find(patient=patient, follow_up_id=follow_up_id)
    except followups.FollowUpNotFound:
        abort(404)


# --- the patient's side ----------------------------------------------------------------


@bp.get("/")
@login_required
def index() -> str:
    patient = own_patient(current_user, Action.VIEW_PLAN)
    return render_template(
        "followups/index.html",
        patient=patient,
        listing=followups.follow_ups_list(patient=patient),
        viewer_is_staff=False,
    )


@bp.post("/sett")
@login_required
def changes_seen() -> WerkzeugResponse:
    patient = own_patient(current_user, Action.ACKNOWLEDGE_NEWS)
    form = SeenForm()
    if not form.validate_on_submit():
        abort(400)
    followups.follow_up_changes_mark_seen(patient=patient, up_to_id=int(form.up_to.data or 0))
    return redirect(url_for("plan.home"), 303)


@bp.route("/<int:follow_up_id>/kan-inte-komma", methods=["GET", "POST"])
@login_required
def cannot_come(follow_up_id: int) -> Page:
    patient = own_patient(current_user, Action.RESPOND_TO_FOLLOW_UP)
    follow_up = _find(patient, follow_up_id)
    form = CannotComeForm()
    if form.validate_on_submit():
        try:
            followups.follow_up_cannot_come(
                patient=patient, follow_up_id=follow_up.id, reason=form.reason.data or ""
            )
        except FollowUpError as error:
            show_error(form, error, default="reason")
        else:
            flash(_("Tack. Din vårdkontakt får veta att du inte kan komma."), "success")
            return redirect(url_for("followups.index"), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("followups/cannot_come.html", follow_up=follow_up, form=form), status


@bp.get("/<int:follow_up_id>.ics")
@login_required
def ics(follow_up_id: int) -> Response:
    follow_up = _find(own_patient(current_user, Action.VIEW_PLAN), follow_up_id)
    # Downloaded by the patient to her own device: everything, the details included.
    return _ics(calendar_for([follow_up], details=True), f"planerad-kontakt-{follow_up.id}.ics")


def _feed_url(token: str) -> str:
    # From configuration, not from the request's Host header.
    base: str = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + url_for("followups.feed_ics", token=token)


def _feed_page(
    patient: Patient, details_form: FeedDetailsForm | None = None, token: str | None = None
) -> str:
    active = calendar_feed_active(patient=patient)
    if details_form is None:
        chosen = FEED_DETAILS if active and active.include_details else FEED_BRIEF
        details_form = FeedDetailsForm(formdata=None, include=chosen)
    return render_template(
        "followups/feed.html",
        active=active,
        url=_feed_url(token) if token else None,
        form=EmptyForm(),
        details_form=details_form,
    )


@bp.get("/kalenderlank")
@login_required
def feed() -> str:
    patient = own_patient(current_user, Action.MANAGE_CALENDAR_FEED)
    token = stash_take(FRESH_FEED, patient.id)
    return _feed_page(patient, token=token)


@bp.post("/kalenderlank/detaljer")
@login_required
def feed_details() -> Page:
    patient = own_patient(current_user, Action.MANAGE_CALENDAR_FEED)
    form = FeedDetailsForm()
    if not form.validate_on_submit():
        return _feed_page(patient, details_form=form), 400
    include = form.include.data == FEED_DETAILS
    try:
        calendar_feed_choose_details(patient=patient, include=include)
    except FollowUpError as error:
        flash(str(error.message), "error")
        return redirect(url_for("followups.feed"), 303)
    if include:
        flash(_("Sparat. Kalendern får nu också veta med vem, var och vad det gäller."), "success")
    else:
        flash(
            _("Sparat. Kalendern får nu bara veta vilken sorts kontakt det är och när."), "success"
        )
    return redirect(url_for("followups.feed"), 303)


@bp.post("/kalenderlank/ny")
@login_required
def feed_enable() -> WerkzeugResponse:
    patient = own_patient(current_user, Action.MANAGE_CALENDAR_FEED)
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = calendar_feed_enable(patient=patient)
    stash_put(FRESH_FEED, token, patient.id)
    return redirect(url_for("followups.feed"), 303)


@bp.post("/kalenderlank/stang-av")
@login_required
def feed_disable() -> WerkzeugResponse:
    patient = own_patient(current_user, Action.MANAGE_CALENDAR_FEED)
    if not EmptyForm().validate_on_submit():
        abort(400)
    calendar_feed_disable(patient=patient)
    flash(_("Länken är avstängd. Kalendern får inga nya tider från Nära."), "success")
    return redirect(url_for("followups.feed"), 303)


@bp.get("/kalender/<token>.ics")
@limiter.limit(FEED_RATE_LIMIT)
def feed_ics(token: str) -> Response:
    # No sign-in: the secret token is the key. Reading it is the patient's own access.
    feed = calendar_feed_by_token(token)
    if feed is None:
        abort(404)
    body = calendar_for(
        calendar_follow_ups(feed=feed),
        details=feed.include_details,
        name=_("Nära: planerade kontakter"),
    )
    response = _ics(body, "nara.ics")
    response.headers["Content-Disposition"] = 'inline; filename="nara.ics"'
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- the care side ---------------------------------------------------------------------


@bp.get("/patient/<int:patient_id>/")
@patient_route(Action.VIEW_PLAN)
def staff_index(patient: Patient) -> str:
    return render_template(
        "followups/staff_index.html",
        patient=patient,
        listing=followups.follow_ups_list(patient=patient),
        viewer_is_staff=True,
    )


def _booking_page(patient: Patient, form: FollowUpForm, moving: FollowUp | None = None) -> Page:
    status = 400 if form.is_submitted() else 200
    return render_template("followups/book.html", patient=patient, form=form, moving=moving), status


@bp.route("/patient/<int:patient_id>/ny", methods=["GET", "POST"])
@patient_route(Action.BOOK_FOLLOW_UP)
def book(patient: Patient) -> Page:
    form = FollowUpForm()
    if not form.is_submitted() and patient.care_contact is not None:
        form.with_whom.data = patient.care_contact.name
    if form.validate_on_submit():
        try:
            followups.follow_up_book(patient=patient, details=form.details(), actor=current_user)
        except FollowUpError as error:
            show_error(form, error, default="date")
        else:
            flash(_("Kontakten är bokad. Patienten ser den i sin plan."), "success")
            return redirect(url_for("followups.staff_index", patient_id=patient.id), 303)
    return _booking_page(patient, form)


@bp.route("/patient/<int:patient_id>/<int:follow_up_id>/flytta", methods=["GET", "POST"])
@patient_route(Action.BOOK_FOLLOW_UP)
def move(patient: Patient, follow_up_id: int) -> Page:
    old = _find(patient, follow_up_id)
    form = FollowUpForm() if request.method == "POST" else FollowUpForm(obj=follow_up_input_of(old))
    if form.validate_on_submit():
        try:
            followups.follow_up_move(
                patient=patient, follow_up_id=old.id, details=form.details(), actor=current_user
            )
        except FollowUpError as error:
            show_error(form, error, default="date")
        else:
            flash(_("Kontakten är flyttad. Den gamla tiden syns som flyttad."), "success")
            return redirect(url_for("followups.staff_index", patient_id=patient.id), 303)
    return _booking_page(patient, form, moving=old)


@bp.route("/patient/<int:patient_id>/<int:follow_up_id>/avboka", methods=["GET", "POST"])
@patient_route(Action.BOOK_FOLLOW_UP)
def cancel(patient: Patient, follow_up_id: int) -> Page:
    follow_up = _find(patient, follow_up_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            followups.follow_up_cancel(
                patient=patient,
                follow_up_id=follow_up.id,
                reason=form.reason.data or "",
                actor=current_user,
            )
        except FollowUpError as error:
            show_error(form, error, default="reason")
        else:
            flash(_("Kontakten är avbokad. Patienten ser att den är avbokad."), "success")
            return redirect(url_for("followups.staff_index", patient_id=patient.id), 303)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "followups/cancel.html", patient=patient, follow_up=follow_up, form=form
    ), status


@bp.get("/patient/<int:patient_id>/<int:follow_up_id>.ics")
@patient_route(Action.VIEW_PLAN)
def staff_ics(patient: Patient, follow_up_id: int) -> Response:
    follow_up = _find(patient, follow_up_id)
    # For the care contact's own calendar, as the booking form shows it.
    return _ics(calendar_for([follow_up], details=True), f"planerad-kontakt-{follow_up.id}.ics")
