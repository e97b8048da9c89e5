"""The patient's side: "Mina närstående", inviting, changing, ending, and the ledger.

Only the patient herself comes in here (`Action.MANAGE_RELATIVES` is hers alone): a relative
acting for her is refused (404), as is everyone else.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import Action, own_route
from webapp.auth.sessions import stash_put, stash_take
from webapp.errors import UserFacingError
from webapp.forms import EmptyForm, Page, show_error
from webapp.people.models import Patient
from webapp.relatives import services
from webapp.relatives.acting import grant_holds
from webapp.relatives.blueprint import bp
from webapp.relatives.forms import SCOPE_WORDS, InviteForm, ScopeForm
from webapp.relatives.invitation import invitation_page
from webapp.relatives.models import ProxyGrant

STASH = "relative_invitation"


@bp.get("/")
@own_route(Action.MANAGE_RELATIVES)
def index(patient: Patient) -> str:
    grants = services.grants_of_patient(patient.id)
    return render_template(
        "relatives/index.html",
        grants=grants,
        suggested=services.named_in_agreement(patient, grants),
        holds=grant_holds,
        scope_words=SCOPE_WORDS,
    )


@bp.route("/ny", methods=["GET", "POST"])
@own_route(Action.MANAGE_RELATIVES)
def invite(patient: Patient) -> Page:
    # "Bjud in Eva" from Min plan, where the agreement names her: her name written already.
    form = InviteForm(data={"relative_name": request.args.get("namn", "")[:120]})
    if form.validate_on_submit():
        try:
            grant, token = services.grant_invite(
                patient=patient,
                by=current_user,
                name=form.relative_name.data or "",
                relation=form.relation.data or "",
                scopes=form.scopes.data or [],
                ends_on=form.ends_on.data,
            )
        except UserFacingError as error:
            show_error(form, error, default="scopes")
        else:
            stash_put(STASH, token, grant.id)
            return redirect(url_for("relatives.show_link", grant_id=grant.id), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("relatives/invite.html", form=form), status


def _grant_of(patient: Patient, grant_id: int) -> ProxyGrant:
    grant = next((g for g in services.grants_of_patient(patient.id) if g.id == grant_id), None)
    if grant is None:
        abort(404)
    return grant


@bp.get("/<int:grant_id>/lank")
@own_route(Action.MANAGE_RELATIVES)
def show_link(patient: Patient, grant_id: int) -> str | Response:
    grant = _grant_of(patient, grant_id)
    token = stash_take(STASH, grant.id)
    if token is None:
        flash(_("Länken visas bara en gång. Bjud in igen om personen behöver en ny."), "info")
        return redirect(url_for("relatives.index"), 303)
    return invitation_page(grant, token, back=url_for("relatives.index"))


@bp.route("/<int:grant_id>/andra", methods=["GET", "POST"])
@own_route(Action.MANAGE_RELATIVES)
def change(patient: Patient, grant_id: int) -> Page:
    grant = _grant_of(patient, grant_id)
    if not grant_holds(grant):
        abort(404)
    form = ScopeForm(data={"scopes": list(grant.scopes), "ends_on": grant.ends_on})
    if form.validate_on_submit():
        try:
            services.grant_change(
                patient=patient,
                by=current_user,
                grant_id=grant.id,
                scopes=form.scopes.data or [],
                ends_on=form.ends_on.data,
            )
        except UserFacingError as error:
            show_error(form, error, default="scopes")
        else:
            flash(_("Sparat. Det gäller från och med nu."), "success")
            return redirect(url_for("relatives.index"), 303)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "relatives/change.html", form=form, grant=grant, end_form=EmptyForm()
    ), status


@bp.post("/<int:grant_id>/avsluta")
@own_route(Action.MANAGE_RELATIVES)
def end(patient: Patient, grant_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    grant = _grant_of(patient, grant_id)
    try:
        services.grant_end(patient=patient, by=current_user, grant_id=grant.id)
    except UserFacingError as error:
        flash(str(error.message), "info")
    else:
        flash(
            _("%(name)s kan inte längre se eller göra något i din plan.", name=grant.label),
            "success",
        )
    return redirect(url_for("relatives.index"), 303)


@bp.get("/samtycken")
@own_route(Action.MANAGE_RELATIVES)
def ledger(patient: Patient) -> str:
    return render_template(
        "relatives/ledger.html",
        events=services.ledger(patient.id),
        scope_words=SCOPE_WORDS,
        patient=patient,
    )
