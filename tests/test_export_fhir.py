"""The patient's own copy as a FHIR R4 Bundle: it parses with the library's R4B models, every
reference resolves inside it, and everything in her plan is in it with the right values,
units, codes and performers."""

from __future__ import annotations

import json

from flask import Flask
from sqlalchemy import select

from tests.export_helpers import by_ref, of_type, unresolved, validated
from webapp.demo import demo_plan_load
from webapp.export.fhir import bundle_of
from webapp.export.record import record_of
from webapp.extensions import db
from webapp.people import services as people
from webapp.selfcare.models import CheckIn, SelfCareGoal
from webapp.whatmatters import services as whatmatters


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
    demo_plan_load(patient=patient, nurse=nurse)
    db.session.commit()
    bundle = export(app, patient)
    goals = of_type(bundle, "Goal")
    statements = [
        g["description"]["text"]
        for g in goals
        if g["category"][0]["text"] == "Vad är viktigt för dig?"
    ]
    assert statements == [s.text for s in whatmatters.whatmatters_list(patient=patient).active]
    [plan] = of_type(bundle, "CarePlan")
    assert plan["status"] == "active" and plan["intent"] == "plan"
    plan_goals = [by_ref(bundle, g["reference"])["description"]["text"] for g in plan["goal"]]
    assert plan_goals  # Astrid's agreed goals
    [consent] = of_type(bundle, "Provenance")
    assert consent["target"] == [{"reference": by_ref_url(bundle, plan)}]
    signers = {by_ref(bundle, s["who"]["reference"])["resourceType"] for s in consent["signature"]}
    assert signers == {"Patient", "PractitionerRole"}
    appointments = of_type(bundle, "Appointment")
    assert len(appointments) == 2
    assert all(a["status"] == "booked" for a in appointments)


def by_ref_url(bundle: dict, resource: dict) -> str:
    return next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is resource)
