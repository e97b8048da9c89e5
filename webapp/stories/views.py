"""The patient's stories at /berattelser/, her care contact's reading of them, and the unit's
view of those it may use at /berattelser/enhet/<unit>."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import Action, leader_route, own_route, patient_route, viewer_may
from webapp.errors import UserFacingError
from webapp.forms import EmptyForm, Page, show_error
from webapp.people.models import Patient, StaffMember
from webapp.people.relations import active_leader
from webapp.relatives.acting import acting_grant
from webapp.stories import services as stories
from webapp.stories.blueprint import bp
from webapp.stories.forms import UNIT_TOO, StoryForm


@bp.route("/", methods=["GET", "POST"])
@own_route(Action.TELL_STORY)
def index(patient: Patient) -> Page:
    """The patient tells and chooses who may read; a relative acting for her tells for her
    care contact only (her unit's use is hers to give), and sees only what they told."""
    may_share = viewer_may(Action.SHARE_STORY_WITH_UNIT)
    form = StoryForm()
    if not may_share:
        del form.who
    if form.validate_on_submit():
        try:
            stories.story_tell(
                patient=patient,
                teller=current_user,
                text=form.text.data or "",
                unit_may_use=may_share and form.who.data == UNIT_TOO,
            )
        except UserFacingError as error:
            show_error(form, error, default="text")
        else:
            flash(
                _("Tack för att du berättar. Din vårdkontakt kan läsa det nu.")
                if may_share
                else _("Tack för att du berättar. Vårdkontakten kan läsa det nu."),
                "success",
            )
            return redirect(url_for("stories.index"), 303)
    grant = acting_grant()
    return render_template(
        "stories/index.html",
        form=form,
        patient=patient,
        may_share=may_share,
        told=stories.stories_of(
            patient_id=patient.id,
            told_by_user_id=None if grant is None else current_user.id,
        ),
        button=EmptyForm(),
    ), 400 if form.is_submitted() else 200


@bp.post("/<int:story_id>/dra-tillbaka")
@own_route(Action.SHARE_STORY_WITH_UNIT)
def withdraw(patient: Patient, story_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    if stories.story_unit_withdraw(patient=patient, story_id=story_id) is not None:
        flash(
            _("Klart. Enheten kan inte längre läsa berättelsen. Din vårdkontakt kan det."),
            "success",
        )
    return redirect(url_for("stories.index"), 303)


@bp.post("/<int:story_id>/dela")
@own_route(Action.SHARE_STORY_WITH_UNIT)
def allow(patient: Patient, story_id: int) -> Response:
    if not EmptyForm().validate_on_submit():
        abort(400)
    if stories.story_unit_allow(patient=patient, story_id=story_id, by_user=current_user):
        flash(_("Klart. Enheten får använda berättelsen utan ditt namn."), "success")
    return redirect(url_for("stories.index"), 303)


@bp.get("/patient/<int:patient_id>")
@patient_route(Action.READ_STORIES)
def care_list(patient: Patient) -> str:
    return render_template(
        "stories/care.html", patient=patient, told=stories.stories_of(patient_id=patient.id)
    )


def _leader_of(unit_id: int) -> StaffMember:
    leader = active_leader(current_user)
    if leader is None or leader.care_unit_id != unit_id:
        abort(404)
    return leader


@bp.get("/enhet/<int:unit_id>")
@leader_route
def unit_list(unit_id: int) -> str:
    leader = _leader_of(unit_id)
    return render_template(
        "stories/unit.html",
        unit=leader.care_unit,
        found=stories.unit_stories(care_unit_id=unit_id),
        counts=stories.unit_counts(care_unit_id=unit_id),
        form=EmptyForm(),
    )


@bp.post("/enhet/<int:unit_id>/<int:story_id>/diskuterad")
@leader_route
def discussed(unit_id: int, story_id: int) -> Response:
    leader = _leader_of(unit_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    marked = stories.story_discussed(care_unit_id=unit_id, story_id=story_id, by_staff=leader)
    if marked is None:
        abort(404)
    if marked:
        flash(_("Markerad som diskuterad."), "success")
    return redirect(
        url_for("stories.unit_list", unit_id=unit_id, _anchor=f"berattelse-{story_id}"), 303
    )
