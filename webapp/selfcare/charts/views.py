"""Pictures of progress: a goal's chart for the patient (/egenvard/<goal>/bild) and for care
(/egenvard/patient/<patient>/<goal>/bild), with ?period=vecka|manad|tre-manader.

The whole page is rendered once per change and kept in each worker, as "Min plan" is
(webapp/plan/cache.py, webapp/kept_pages.py): keyed by the patient's plan version (bumped
in the same commit as any check-in, goal or limit written), the directory version (names of
who logged), the day (this week's figure and the period move with it), the period, the
language, whose side it is and who looks (the menu and offline key are the viewer's). The
door still runs on every request, so every staff look is logged; the patient's own look goes
through it with the id and plan version of the signed-in row, and their record is made only
when the chart is drawn (never their contacts, which the chart does not show).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from webapp.access import (
    Action,
    own_id_route,
    own_patient_lean,
    own_plan_version,
    patient_route,
    viewer_key,
)
from webapp.auth.signed_in import directory_version
from webapp.i18n import current_locale
from webapp.kept_pages import KeptPages, for_keeping, kept_pages_of, message_waiting, to_send
from webapp.people.models import Patient
from webapp.selfcare.blueprint import bp
from webapp.selfcare.charts.consistency import today_local
from webapp.selfcare.charts.services import (
    PERIOD_WORDS,
    Chart,
    GoalNotFound,
    Period,
    chart_description,
    chart_goal,
    chart_make,
    chart_title,
    period_of,
)
from webapp.selfcare.charts.svg import chart_svg, key_svg, table_rows_html
from webapp.selfcare.charts.words import limit_words, target_words
from webapp.selfcare.models import Frequency, LimitKind

DRAWN_LIMITS = (LimitKind.BELOW, LimitKind.ABOVE)  # a change over days is said in words only
KEPT_MAX = 256  # pages per worker: some 25 KB each
KEPT_MAX_AGE = 600.0  # seconds: a page is made afresh now and then, whatever happens


@bp.get("/<int:goal_id>/bild")
@own_id_route(Action.VIEW_SELF_CARE)
def chart(patient_id: int, goal_id: int) -> str:
    # The id and plan version come with the signed-in account, or for a relative with the
    # grant the door read (as for "Min plan").
    return _chart_page(
        patient_id,
        own_plan_version(current_user),
        lambda: own_patient_lean(current_user, Action.VIEW_SELF_CARE),
        goal_id,
        for_patient=True,
    )


@bp.get("/patient/<int:patient_id>/<int:goal_id>/bild")
@patient_route(Action.VIEW_SELF_CARE)
def care_chart(patient: Patient, goal_id: int) -> str:
    return _chart_page(
        patient.id, patient.plan_version, lambda: patient, goal_id, for_patient=False
    )


def _chart_page(
    patient_id: int,
    plan_version: int,
    patient_of: Callable[[], Patient],
    goal_id: int,
    *,
    for_patient: bool,
) -> str:
    period = period_of(request.args.get("period"))
    today = today_local()
    key = (
        patient_id,
        goal_id,
        plan_version,
        directory_version(),
        today,
        period,
        current_locale(),
        for_patient,
        current_user.id,  # the whole page is kept: its menu and offline key are the viewer's
        viewer_key(),  # and whom they act for: a relative's page is never the patient's
    )
    if message_waiting():  # the message is for this look: drawn for it, and not kept
        return to_send(_chart_drawn(patient_of(), goal_id, period, today, for_patient))
    kept = _kept()
    page = kept.get(key)
    if page is None:
        page = for_keeping(_chart_drawn(patient_of(), goal_id, period, today, for_patient))
        kept.put(key, page)
    return to_send(page)


def _chart_drawn(
    patient: Patient, goal_id: int, period: Period, today: date, for_patient: bool
) -> str:
    try:
        goal = chart_goal(patient, goal_id)
    except GoalNotFound:
        abort(404)  # another patient's goal, or none: nothing shown, so no read is logged
    title, body = _chart_content(patient, chart_make(patient, goal, period, today), for_patient)
    return render_template("selfcare/chart.html", title=title, body=Markup(body))  # noqa: S704


def _chart_content(patient: Patient, chart: Chart, for_patient: bool) -> tuple[str, str]:
    """The page's title and content (HTML from our own autoescaping template)."""
    goal = chart.goal

    def here(period: str) -> str:
        if for_patient:
            return url_for("selfcare.chart", goal_id=goal.id, period=period)
        return url_for("selfcare.care_chart", patient_id=patient.id, goal_id=goal.id, period=period)

    body = render_template(
        "selfcare/chart_body.html",
        patient=patient,
        goal=goal,
        chart=chart,
        for_patient=for_patient,
        periods=[(p, PERIOD_WORDS[p], here(p.value)) for p in Period],
        svg=chart_svg(chart, title=chart_title(chart), description=chart_description(chart)),
        key_svg=key_svg,
        target=target_words(goal, chart.words),
        limits=[
            (limit_words(goal, limit, chart.words), limit.advice, limit.kind in DRAWN_LIMITS)
            for limit in goal.limits
        ],
        table_rows=table_rows_html(chart),
        Frequency=Frequency,
    )
    return goal.title, body


def _kept() -> KeptPages:
    return kept_pages_of("selfcare_charts", max_entries=KEPT_MAX, max_age=KEPT_MAX_AGE)
