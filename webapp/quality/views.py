"""The unit's pages: /enhet/<unit>/kvalitet (figures, CSV), the leader role, and
/enhet/behover-kontrakt (who needs a contract). Thin: the rules are in the modules beside."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import (
    admin_route,
    leader_route,
    listed_reads_noted,
    patients_visible_to,
    staff_route,
)
from webapp.clock import now_utc
from webapp.errors import UserFacingError
from webapp.followups.details import local_zone
from webapp.forms import EmptyForm, Page
from webapp.people.models import StaffMember
from webapp.people.relations import active_leader
from webapp.quality import report
from webapp.quality.blueprint import bp
from webapp.quality.contracts import MISSING_WORDS, Missing, contract_needs
from webapp.quality.figures import QUESTIONS, unit_figures
from webapp.quality.roles import quality_lead_set
from webapp.stories import services as stories


def _own_unit(unit_id: int) -> StaffMember:
    """The viewer, if `unit_id` is her own unit: another unit's figures are a 404."""
    leader = active_leader(current_user)
    if leader is None or leader.care_unit_id != unit_id:
        abort(404)
    return leader


def _this_month() -> date:
    today = now_utc().astimezone(local_zone()).date()
    return today.replace(day=1)


@bp.get("/")
@leader_route
def index() -> Response:
    return redirect(url_for("quality.figures", unit_id=current_user.staff.care_unit_id))


@bp.get("/<int:unit_id>/kvalitet")
@leader_route
def figures(unit_id: int) -> Page:
    leader = _own_unit(unit_id)
    typed = request.args.get("till", "")
    try:
        last = report.month_parse(typed, this_month=_this_month())
    except UserFacingError as error:
        return render_template(
            "quality/figures.html",
            unit=leader.care_unit,
            typed=typed,
            error=str(error.message),
            figures=None,
        ), 400
    found = unit_figures(care_unit_id=unit_id, last=last, zone=local_zone())
    return render_template(
        "quality/figures.html",
        unit=leader.care_unit,
        typed=last.strftime("%Y-%m"),
        error=None,
        figures=found,
        trends=report.trends(found),
        established_svg=report.established_svg(found),
        questions=QUESTIONS,
        stories=stories.unit_counts(care_unit_id=unit_id),
        r=report,
    )


@bp.get("/<int:unit_id>/kvalitet.csv")
@leader_route
def figures_csv(unit_id: int) -> Page:
    leader = _own_unit(unit_id)
    try:
        last = report.month_parse(request.args.get("till"), this_month=_this_month())
    except UserFacingError as error:
        return Response(str(error.message), 400, mimetype="text/plain")
    found = unit_figures(care_unit_id=unit_id, last=last, zone=local_zone())
    body = report.figures_csv(found, unit_name=leader.care_unit.name)
    name = f"sa-sager-vara-patienter-{last.strftime('%Y-%m')}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/personal/<int:member_id>/verksamhetschef")
@admin_route
def set_leader(member_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    lead = request.form.get("lead") == "1"
    try:
        member = quality_lead_set(admin=current_user.staff, member_id=member_id, lead=lead)
    except UserFacingError as error:
        flash(str(error.message), "error")
    else:
        if member is not None and lead:
            flash(
                _("%(name)s ser nu enhetens siffror och inga patienter.", name=member.name),
                "success",
            )
        elif member is not None:
            flash(_("%(name)s är inte längre verksamhetschef i Nära.", name=member.name), "success")
    return redirect(url_for("care.staff_list"), 303)


@bp.get("/behover-kontrakt")
@staff_route
def contract_needs_list() -> str:
    """For the care contacts: the patients by what their contract misses. Her own patients
    first ("mina"), the whole unit one link away; the names listed open their data, so
    each is a read row in the patient's log, as on the worklist."""
    staff = current_user.staff
    everyone = patients_visible_to(current_user)
    mine = [patient for patient in everyone if patient.care_contact_id == staff.id]
    shown = request.args.get("visa") or ("mina" if mine else "alla")
    scope = mine if shown == "mina" else everyone
    kind_text = request.args.get("saknar")
    kind = Missing(kind_text) if kind_text in set(Missing) else None
    if kind_text and kind is None:
        abort(404)
    needs = contract_needs(scope, care_unit_id=staff.care_unit_id)
    rows = needs.of_kind(kind)
    listed_reads_noted(current_user, [row.patient for row in rows])
    return render_template(
        "quality/contract_needs.html",
        needs=needs,
        rows=rows,
        kind=kind,
        shown="mina" if shown == "mina" else "alla",
        words=MISSING_WORDS,
        kinds=list(Missing),
    )
