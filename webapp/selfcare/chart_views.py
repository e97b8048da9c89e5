"""Pictures of progress: a goal's chart for the patient (/egenvard/<goal>/bild) and for care
(/egenvard/patient/<patient>/<goal>/bild), with ?period=vecka|manad|tre-manader."""

from __future__ import annotations

from flask import abort, render_template, request, url_for

from webapp.access import Action, own_route, patient_route
from webapp.people.models import Patient
from webapp.selfcare import bp
from webapp.selfcare.chart import (
    PERIOD_WORDS,
    GoalNotFound,
    Period,
    chart_description,
    chart_goal,
    chart_make,
    chart_title,
    limit_words,
    period_of,
    target_words,
)
from webapp.selfcare.chart_svg import chart_svg, key_svg, table_rows_html
from webapp.selfcare.consistency import today_local
from webapp.selfcare.models import Frequency, LimitKind

DRAWN_LIMITS = (LimitKind.BELOW, LimitKind.ABOVE)  # a change over days is said in words only


@bp.get("/<int:goal_id>/bild")
@own_route(Action.VIEW_SELF_CARE)
def chart(patient: Patient, goal_id: int) -> str:
    return _chart_page(patient, goal_id, for_patient=True)


@bp.get("/patient/<int:patient_id>/<int:goal_id>/bild")
@patient_route(Action.VIEW_SELF_CARE)
def care_chart(patient: Patient, goal_id: int) -> str:
    return _chart_page(patient, goal_id, for_patient=False)


def _chart_page(patient: Patient, goal_id: int, *, for_patient: bool) -> str:
    try:
        goal = chart_goal(patient, goal_id)
    except GoalNotFound:
        abort(404)  # another patient's goal, or none: nothing shown, so no read is logged
    period = period_of(request.args.get("period"))
    chart = chart_make(patient, goal, period, today_local())

    def here(period: str) -> str:
        if for_patient:
            return url_for("selfcare.chart", goal_id=goal.id, period=period)
        return url_for("selfcare.care_chart", patient_id=patient.id, goal_id=goal.id, period=period)

    return render_template(
        "selfcare/chart.html",
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
