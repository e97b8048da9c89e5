"""The patient's own copy as a FHIR R4 Bundle: it parses with the library's R4B models, every
reference resolves inside it, and everything in her plan is in it with the right values,
units, codes and performers."""

from __future__ import annotations

import json

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.export_helpers import by_ref, of_type, unresolved, validated
from webapp.demo import demo_plan_load
from webapp.export.fhir import bundle_of
from webapp.export.record import record_of
from webapp.extensions import db
from webapp.people import services as people
from webapp.selfcare.models import CheckIn, SelfCareGoal
from webapp.whatmatters import services as whatmatters
from webapp.whatmatters.services import WhatMattersError


def export(app: Flask, patient) -> dict:
    with app.test_request_context():
        made = bundle_of(record_of(patient), "https://nara.test")
    # What the patient downloads is JSON: the round trip goes through it.
    return json.loads(json.dumps(made, ensure_ascii=False))


def test_astrids_full_plan_is_a_valid_bundle_whose_references_all_resolve(app, patient, nurse):
    demo_plan_load(patient=patient, nurse=nurse)
    db.session.commit()
    bundle = export(app, patient)
    validated(bundle)
    assert bundle["type"] == "collection"
    assert unresolved(bundle) == []
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    for kind in (
        "Patient", "Organization", "Practitioner", "PractitionerRole", "CareTeam", "CarePlan",
        "Goal", "Appointment", "Observation", "Provenance",
    ):  # fmt: skip
        assert kind in kinds, kind


def test_gunnars_empty_plan_is_a_valid_bundle(app, nurse):
    gunnar = people.patient_create(
        created_by=nurse, name="Gunnar Ek", phone="070-222 33 44", personal_number=None
    )
    db.session.commit()
    bundle = export(app, gunnar)
    validated(bundle)
    assert unresolved(bundle) == []
    [patient] = of_type(bundle, "Patient")
    assert patient["name"] == [{"text": "Gunnar Ek"}]
    assert "identifier" not in patient  # no personnummer known
    assert of_type(bundle, "CarePlan") == [] and of_type(bundle, "Observation") == []


def test_the_patient_carries_her_personnummer_under_the_swedish_system(app, patient):
    [found] = of_type(export(app, patient), "Patient")
    assert found["identifier"] == [
        {
            "use": "official",
            "system": "http://electronichealth.se/identifier/personnummer",
            "value": "194903122382",
        }
    ]


def test_every_check_in_is_an_observation_with_loinc_ucum_and_performer(app, patient, nurse):
    demo_plan_load(patient=patient, nurse=nurse)
    db.session.commit()
    bundle = export(app, patient)
    observations = of_type(bundle, "Observation")
    check_ins = db.session.scalars(select(CheckIn).where(CheckIn.patient_id == patient.id)).all()
    assert len(observations) == len(check_ins) > 40
    goals = {g.id: g for g in db.session.scalars(select(SelfCareGoal))}
    weights = [o for o in observations if o["code"]["text"] == "Väga mig varje morgon"]
    expected = sorted(c.value for c in check_ins if goals[c.goal_id].unit == "kg")
    assert sorted(o["valueQuantity"]["value"] for o in weights) == expected
    weight = weights[0]
    assert weight["code"]["coding"] == [
        {"system": "http://loinc.org", "code": "29463-7", "display": "Body weight"}
    ]
    assert weight["valueQuantity"]["system"] == "http://unitsofmeasure.org"
    assert weight["valueQuantity"]["code"] == "kg"
    assert by_ref(bundle, weight["performer"][0]["reference"])["resourceType"] == "Patient"
    steps = next(o for o in observations if o["code"]["text"].startswith("Gå minst"))
    assert steps["valueQuantity"]["code"] == "{steps}"
    assert steps["code"]["coding"][0]["code"] == "55423-8"
    # Knee exercises are done with her daughter, named on the goal.
    exercise = next(o for o in observations if o["code"]["text"] == "Göra mina knäövningar")
    assert exercise["valueBoolean"] is True
    assert exercise["performer"] == [{"display": "Dottern Eva"}]


def test_every_statement_agreement_item_follow_up_and_answer_is_in_it(app, patient, nurse):
    from webapp.agreement import services as agreements
    from webapp.followups.models import FollowUp
    from webapp.receipt import services as receipt

    demo_plan_load(patient=patient, nurse=nurse)
    receipt.receipt_answer_save(
        patient=patient,
        side="patient",
        question=2,
        answer="partly",
        comment="Nästan.",
        by_user=patient.user,
    )
    receipt.receipt_answer_save(
        patient=patient, side="care", question=2, answer="yes", comment=None, by_user=nurse.user
    )
    db.session.commit()
    bundle = export(app, patient)
    goals = of_type(bundle, "Goal")
    statements = [
        g["description"]["text"]
        for g in goals
        if g["category"][0]["text"] == "Vad är viktigt för dig?"
    ]
    assert statements == [s.text for s in whatmatters.whatmatters_list(patient=patient).active]

    [version] = agreements.agreement_versions(patient=patient)
    [plan] = of_type(bundle, "CarePlan")
    assert plan["status"] == "active" and plan["intent"] == "plan"
    plan_goals = [by_ref(bundle, g["reference"])["description"]["text"] for g in plan["goal"]]
    assert plan_goals == [item.text for item in version.goals]
    actions = [a["detail"] for a in plan["activity"] if a["detail"]["code"]["text"] == "Åtgärd"]
    assert [a["description"] for a in actions] == [item.text for item in version.actions]
    for detail, item in zip(actions, version.actions, strict=True):
        who = detail["performer"][0]
        if item.responsible == "patient":
            assert by_ref(bundle, who["reference"])["resourceType"] == "Patient"
        elif item.responsible == "care_contact":
            assert by_ref(bundle, who["reference"])["resourceType"] == "PractitionerRole"
        else:
            assert who["display"] == item.responsible_label(for_staff=True)
    worse = [
        a["detail"]["description"]
        for a in plan["activity"]
        if a["detail"]["code"]["text"].startswith("När jag blir sämre")
    ]
    assert worse == [
        t
        for t in (version.self_care_text, version.warning_signs_text, version.when_worse_text)
        if t
    ]

    [consent] = of_type(bundle, "Provenance")
    assert consent["target"] == [{"reference": by_ref_url(bundle, plan)}]
    signers = {by_ref(bundle, s["who"]["reference"])["resourceType"] for s in consent["signature"]}
    assert signers == {"Patient", "PractitionerRole"}

    booked = db.session.scalars(select(FollowUp).order_by(FollowUp.starts_at)).all()
    appointments = of_type(bundle, "Appointment")
    assert [(a["description"], a["status"]) for a in appointments] == [
        (f.purpose, "booked") for f in booked
    ]
    assert appointments[0]["start"] == booked[0].starts_at.isoformat().replace("+00:00", "Z")

    [mine] = [
        r
        for r in of_type(bundle, "QuestionnaireResponse")
        if r["questionnaire"].endswith("-patient")
    ]
    assert mine["status"] == "in-progress"
    [answer] = mine["item"]
    assert answer["linkId"] == "2"
    assert answer["answer"][0]["valueCoding"] == {"code": "partly", "display": "Delvis"}
    assert answer["answer"][0]["item"] == [
        {"linkId": "2.comment", "answer": [{"valueString": "Nästan."}]}
    ]
    assert by_ref(bundle, mine["author"]["reference"])["resourceType"] == "Patient"
    [care] = [
        r for r in of_type(bundle, "QuestionnaireResponse") if r["questionnaire"].endswith("-care")
    ]
    assert care["item"][0]["answer"][0]["valueCoding"]["code"] == "yes"


def by_ref_url(bundle: dict, resource: dict) -> str:
    return next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is resource)


def test_the_mapping_in_the_docs_names_every_code_the_export_uses():
    from pathlib import Path

    from webapp.export import codes

    doc = (Path(__file__).resolve().parent.parent / "docs/fhir-mapping.md").read_text("utf-8")
    used = [*codes.LOINC_BY_UNIT.values(), *codes.LOINC_BY_TEMPLATE.values()]
    used += [codes.BLOOD_PRESSURE_PANEL, codes.SYSTOLIC, codes.DIASTOLIC]
    for code in used:
        assert f"{code.code} {code.display}" in doc or code.code in doc, code
    for ucum in [*codes.UCUM_BY_UNIT.values(), codes.MM_HG, codes.SCORE]:
        assert f"`{ucum}`" in doc, ucum
    assert codes.PERSONNUMMER in doc


# The codes FHIR R4 binds as "required" for the elements the export sets, which the library's
# models do not check (they check shape and types, not bindings).
REQUIRED_CODES = {
    ("CarePlan", "status"): set(
        "draft active on-hold revoked completed entered-in-error unknown".split()
    ),
    ("CarePlan", "intent"): set("proposal plan order option".split()),
    ("Goal", "lifecycleStatus"): set(
        (
            "proposed planned accepted active on-hold completed cancelled entered-in-error rejected"
        ).split()
    ),
    ("Observation", "status"): set(
        "registered preliminary final amended corrected cancelled entered-in-error unknown".split()
    ),
    ("Appointment", "status"): set(
        (
            "proposed pending booked arrived fulfilled "
            "cancelled noshow entered-in-error checked-in waitlist"
        ).split()
    ),
    ("Communication", "status"): set(
        (
            "preparation in-progress not-done on-hold stopped completed entered-in-error unknown"
        ).split()
    ),
    ("Communication", "priority"): set("routine urgent asap stat".split()),
    ("QuestionnaireResponse", "status"): set(
        "in-progress completed amended entered-in-error stopped".split()
    ),
    ("Questionnaire", "status"): set("draft active retired unknown".split()),
    ("CareTeam", "status"): set("proposed active suspended inactive entered-in-error".split()),
}
ACTIVITY_STATUS = set(
    (
        "not-started scheduled in-progress on-hold "
        "completed cancelled stopped unknown entered-in-error"
    ).split()
)
PARTICIPANT_STATUS = set("accepted declined tentative needs-action".split())


def test_every_status_is_one_fhir_allows(app, patient, nurse):
    from tests.test_agreement import make_agreed, make_draft
    from tests.test_followups import book
    from webapp.followups import services as followups

    demo_plan_load(patient=patient, nurse=nurse)
    make_agreed(patient, nurse)
    make_draft(patient, nurse)
    moved = book(patient, nurse)
    followups.follow_up_cannot_come(patient=patient, follow_up_id=moved.id, reason="Bortrest.")
    db.session.commit()
    bundle = export(app, patient)
    statuses = {p.get("status") for p in of_type(bundle, "CarePlan")}
    assert {"draft", "active", "completed"} <= statuses  # every state of a version is there
    for (kind, field), allowed in REQUIRED_CODES.items():
        for resource in of_type(bundle, kind):
            if field in resource:
                assert resource[field] in allowed, (kind, field, resource[field])
    for plan in of_type(bundle, "CarePlan"):
        for activity in plan.get("activity", []):
            assert activity["detail"]["status"] in ACTIVITY_STATUS
    for appointment in of_type(bundle, "Appointment"):
        for participant in appointment["participant"]:
            assert participant["status"] in PARTICIPANT_STATUS
    declined = [a for a in of_type(bundle, "Appointment") if a.get("comment") == "Bortrest."]
    assert declined[0]["participant"][0]["status"] == "declined"


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    words=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        min_size=1,
        max_size=120,
    )
)
def test_any_text_she_writes_comes_back_exactly(app, patient, words):
    """Whatever Nära saves of what she typed (quotes, brackets, emoji, RTL marks, control
    characters) is in the Bundle exactly, through JSON and back."""
    try:
        saved = whatmatters.whatmatters_add(patient=patient, text=words, actor=patient.user)
    except WhatMattersError:
        return  # refused in plain words, nothing saved: nothing to carry
    db.session.commit()
    bundle = export(app, patient)
    validated(bundle)
    texts = [g["description"]["text"] for g in of_type(bundle, "Goal")]
    assert saved.text in texts
    assert saved.text == words.strip()
