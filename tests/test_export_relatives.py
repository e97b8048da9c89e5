"""Relatives in her copy: each relative she gave access a RelatedPerson with a Consent for
what they may do; what a relative logged names them; and a relative never gets her copy."""

from __future__ import annotations

import json

import pytest

from tests.export_helpers import EXPORT, WHOLE, by_ref, of_type, unresolved, validated
from tests.relatives_helpers import invite, take_with_new_account

OWN_PAGES = ("/min-plan/ladda-ner", EXPORT, WHOLE)


@pytest.fixture
def relative_client(app, patient_client):
    link = invite(patient_client, name="Eva", relation="dotter", scopes=["view_plan", "self_care"])
    relative = app.test_client()
    take_with_new_account(relative, link)
    return relative


@pytest.mark.parametrize("path", OWN_PAGES)
def test_a_relative_acting_for_her_never_gets_her_copy(relative_client, path):
    assert relative_client.get(path).status_code == 404


def test_her_relatives_are_in_her_copy_with_what_she_let_them_do(patient_client, relative_client):
    bundle = json.loads(patient_client.get(EXPORT).get_data(as_text=True))
    validated(bundle)
    assert unresolved(bundle) == []
    [person] = of_type(bundle, "RelatedPerson")
    assert person["name"] == [{"text": "Eva"}]
    assert person["relationship"] == [{"text": "dotter"}]
    assert person["active"] is True
    [consent] = of_type(bundle, "Consent")
    assert consent["status"] == "active"
    assert consent["provision"]["type"] == "permit"
    [actor] = consent["provision"]["actor"]
    assert by_ref(bundle, actor["reference"]["reference"]) == person
    assert [a["text"] for a in consent["provision"]["action"]] == [
        "Se min plan",
        "Logga min egenvård och skicka uppdateringar åt mig",
    ]
    assert consent["patient"]["reference"] == of_type_url(bundle, "Patient")


def of_type_url(bundle, kind):
    [url] = [e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]
    return url


def test_what_a_relative_logged_names_her_as_the_patient_named_her(
    app, patient, nurse, patient_client, relative_client
):
    import uuid

    from sqlalchemy import select

    from webapp.demo import demo_plan_load
    from webapp.extensions import db
    from webapp.relatives.models import ProxyGrant
    from webapp.selfcare.checkins.services import Reading, check_in_log
    from webapp.selfcare.models import SelfCareGoal

    demo_plan_load(patient=patient, nurse=nurse)
    grant = db.session.scalars(select(ProxyGrant)).one()
    goal = db.session.scalars(select(SelfCareGoal).where(SelfCareGoal.unit == "kg")).one()
    check_in_log(
        patient_id=patient.id,
        goal_id=goal.id,
        actor=grant.relative,
        client_uuid=str(uuid.uuid4()),
        taken_at=None,
        reading=Reading(value="71,8"),
        note="Vägde mamma i dag.",
    )
    db.session.commit()
    bundle = json.loads(patient_client.get(EXPORT).get_data(as_text=True))
    validated(bundle)
    assert unresolved(bundle) == []
    [logged] = [
        o
        for o in of_type(bundle, "Observation")
        if o.get("note") == [{"text": "Vägde mamma i dag."}]
    ]
    assert logged["valueQuantity"]["value"] == 71.8
    relative = logged["performer"][-1]
    assert relative["display"] == "Eva (dotter)"
    assert by_ref(bundle, relative["reference"])["resourceType"] == "RelatedPerson"


def test_the_readable_copy_names_her_relatives_and_what_they_may_do(
    patient_client, relative_client
):
    from tests.export_helpers import visible_text

    page = visible_text(patient_client.get(WHOLE).get_data(as_text=True))
    assert "Mina närstående" in page
    assert "Eva (dotter) : Se min plan, Logga min egenvård och skicka uppdateringar åt mig" in page
