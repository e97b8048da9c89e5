"""The patient's own copy (only she may download it: the door's EXPORT_OWN_COPY is hers
alone) and the care contact's "Text till journalen"."""

from __future__ import annotations

import json

from flask import abort, current_app, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import Action, own_route, patient_route
from webapp.agreement import services as agreements
from webapp.export.blueprint import bp
from webapp.export.fhir import bundle_of
from webapp.export.journal import journal_sections, journal_text
from webapp.export.readable import readable_of
from webapp.export.record import record_of
from webapp.extensions import limiter
from webapp.people.models import Patient
from webapp.people.services import users_by_id
from webapp.selfcare.goals.services import goals_all_of
from webapp.selfcare.models import FEELING_WORDS


def _export_limit() -> str:
    limit: str = current_app.config["EXPORT_RATE_LIMIT"]
    return limit


def _per_person() -> str:
    # Counted per account: a household behind one address does not share a limit.
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else "anonymous"


@bp.get("/min-plan/ladda-ner")
@own_route(Action.EXPORT_OWN_COPY)
def download(patient: Patient) -> str:
    return render_template("export/download.html", patient=patient)


@bp.get("/min-plan/ladda-ner/nara-min-plan.json")
@limiter.shared_limit(_export_limit, scope="export", key_func=_per_person)
@own_route(Action.EXPORT_OWN_COPY)
def fhir_bundle(patient: Patient) -> Response:
    record = record_of(patient)
    base = current_app.config["PUBLIC_BASE_URL"]
    body = json.dumps(bundle_of(record, base), ensure_ascii=False, separators=(",", ":"))
    made = record.made_at.date().isoformat()
    return Response(
        body,
        mimetype="application/fhir+json",
        headers={
            "Content-Disposition": f'attachment; filename="nara-min-plan-{made}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/min-plan/hela")
@limiter.shared_limit(_export_limit, scope="export", key_func=_per_person)
@own_route(Action.EXPORT_OWN_COPY)
def whole(patient: Patient) -> Response:
    copy = readable_of(record_of(patient))
    page = render_template("export/whole.html", copy=copy, feeling_words=FEELING_WORDS)
    return Response(page, mimetype="text/html", headers={"Cache-Control": "no-store"})


@bp.get("/overenskommelse/patient/<int:patient_id>/version/<int:number>/journal")
@patient_route(Action.VIEW_PLAN)
def journal(patient: Patient, number: int) -> str:
    version = agreements.agreement_version_find(patient=patient, number=number)
    if version is None or version.agreed_at is None:
        abort(404)  # only an agreed version goes into the journal
    ids = {version.patient_consent_by_user_id, version.care_consent_by_user_id} - {None}
    sections = journal_sections(
        patient=patient,
        version=version,
        goals=goals_all_of(patient_id=patient.id),
        users=users_by_id({i for i in ids if i is not None}),
    )
    return render_template(
        "export/journal.html",
        patient=patient,
        version=version,
        sections=sections,
        text=journal_text(sections),
    )
