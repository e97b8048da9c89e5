"""The one door: strangers get 404 on patient routes; others' reads are logged, never edited."""

from __future__ import annotations

import re
from datetime import UTC

import pytest
from flask import g, request_started
from sqlalchemy import event, func, select
from werkzeug.routing.converters import NumberConverter

from tests.conftest import (
    _forget_previous_request,
    fresh_database,
    make_config,
    register_with_invitation,
)
from webapp import create_app
from webapp.access import Action, Relation
from webapp.audit import AccessLogEntry
from webapp.extensions import db
from webapp.people import services as people

ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def app(tmp_path):
    # CSRF off for this module only, so POSTs reach the access check instead of stopping at CSRF.
    app = create_app(make_config(tmp_path, WTF_CSRF_ENABLED=False))
    request_started.connect(_forget_previous_request, app)
    with app.app_context():
        fresh_database()
        yield app
        db.session.remove()


@pytest.fixture
def other_patient(nurse):
    return people.patient_create(
        created_by=nurse, name="Gunnar Ek", phone="070-444 55 66", personal_number=None
    )


def patient_routes(app):
    rules = [rule for rule in app.url_map.iter_rules() if "patient_id" in rule.arguments]
    assert len(rules) >= 5, "the walk must find the patient-scoped routes"
    return rules


def fill(rule, patient_id):
    values = {}
    for name in rule.arguments:
        if name == "patient_id":
            values[name] = patient_id
        elif isinstance(rule._converters[name], NumberConverter):
            values[name] = 1
        else:
            values[name] = "x"
    return rule.build(values)[1]


def walk(client, rules, patient_id):
    answers = {}
    for rule in rules:
        path = fill(rule, patient_id)
        for method in sorted(rule.methods & set(ALL_METHODS)):
            response = client.open(path, method=method, data={"name": "x", "text": "x"})
            answers[(method, path)] = response.status_code
    return answers


def signed_in(app, user):
    client = app.test_client()
    register_with_invitation(client, user)
    return client


def test_staff_of_another_unit_gets_404_on_every_patient_route(app, patient, other_unit_nurse):
    stranger = signed_in(app, other_unit_nurse.user)
    answers = walk(stranger, patient_routes(app), patient.id)
    assert {key: status for key, status in answers.items() if status != 404} == {}
    assert db.session.scalars(select(AccessLogEntry)).all() == []


def test_another_patient_gets_404_on_every_patient_route(app, patient, other_patient):
    stranger = signed_in(app, other_patient.user)
    answers = walk(stranger, patient_routes(app), patient.id)
    assert {key: status for key, status in answers.items() if status != 404} == {}


def test_the_patient_gets_404_on_the_care_side_routes_for_themselves(app, patient):
    own = signed_in(app, patient.user)
    care_rules = [r for r in patient_routes(app) if r.rule.startswith("/vard/")]
    answers = walk(own, care_rules, patient.id)
    assert {key: status for key, status in answers.items() if status != 404} == {}


def test_unknown_patient_id_is_404_even_for_staff(app, patient, nurse):
    staff = signed_in(app, nurse.user)
    answers = walk(staff, patient_routes(app), 999_999)
    assert {key: status for key, status in answers.items() if status != 404} == {}


def test_signed_out_visitor_never_sees_a_patient_route(app, patient):
    answers = walk(app.test_client(), patient_routes(app), patient.id)
    assert all(status in (302, 404) for status in answers.values()), answers


def test_care_contact_sees_the_patient_page(app, patient, nurse):
    staff = signed_in(app, nurse.user)
    response = staff.get(f"/vard/patienter/{patient.id}")
    assert response.status_code == 200
    assert "Astrid Berg" in response.get_data(as_text=True)


def test_care_contact_never_gets_a_500_on_any_patient_route(app, patient, nurse):
    staff = signed_in(app, nurse.user)
    answers = walk(staff, patient_routes(app), patient.id)
    assert {key: status for key, status in answers.items() if status >= 500} == {}


def test_staff_reads_are_logged_with_who_what_and_when(app, patient, nurse):
    staff = signed_in(app, nurse.user)
    staff.get(f"/vard/patienter/{patient.id}")
    (entry,) = db.session.scalars(select(AccessLogEntry)).all()
    assert entry.actor_user_id == nurse.user_id
    assert entry.actor_role == Relation.CARE_CONTACT
    assert entry.actor_care_unit_id == nurse.care_unit_id
    assert entry.patient_id == patient.id
    assert entry.action == Action.VIEW_PATIENT_RECORD
    assert entry.at.tzinfo is UTC


def test_every_staff_page_of_a_patient_leaves_a_log_row(app, patient, nurse):
    staff = signed_in(app, nurse.user)
    opened = []
    for rule in patient_routes(app):
        if "GET" not in rule.methods:
            continue
        path = fill(rule, patient.id)
        before = db.session.scalar(select(func.count()).select_from(AccessLogEntry))
        if staff.get(path).status_code != 200:
            continue  # a made-up id of a follow-up, version ...: nothing was shown
        after = db.session.scalar(select(func.count()).select_from(AccessLogEntry))
        assert after == before + 1, f"{path} was read without a log row"
        opened.append(path)
    assert len(opened) >= 8, opened


def test_unit_colleague_reads_are_logged_as_unit_staff(app, patient, physician):
    colleague = signed_in(app, physician.user)
    assert colleague.get(f"/vard/patienter/{patient.id}").status_code == 200
    (entry,) = db.session.scalars(select(AccessLogEntry)).all()
    assert entry.actor_role == Relation.UNIT_STAFF


def test_patients_own_reads_are_not_logged(app, patient):
    own = signed_in(app, patient.user)
    for path in ("/", "/logglista", "/nycklar"):
        assert own.get(path).status_code == 200
    assert db.session.scalars(select(AccessLogEntry)).all() == []


def test_logglista_names_the_staff_member_in_plain_swedish(app, patient, nurse):
    signed_in(app, nurse.user).get(f"/vard/patienter/{patient.id}")
    html = signed_in(app, patient.user).get("/logglista").get_data(as_text=True)
    assert "Karin Lind" in html
    assert "din fasta vårdkontakt" in html
    assert "öppnade dina uppgifter" in html
    assert "view_patient_record" not in html


def test_logglista_is_the_patients_own(app, patient, other_patient, nurse):
    signed_in(app, nurse.user).get(f"/vard/patienter/{patient.id}")
    html = signed_in(app, other_patient.user).get("/logglista").get_data(as_text=True)
    assert "Karin Lind" not in html
    assert "Ingen annan har öppnat" in html


def test_staff_has_no_logglista_of_their_own(app, nurse):
    assert signed_in(app, nurse.user).get("/logglista").status_code == 404


def test_no_route_ever_updates_or_deletes_access_log_rows(app, patient, nurse, other_unit_nurse):
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        staff = signed_in(app, nurse.user)
        staff.get(f"/vard/patienter/{patient.id}")
        walk(staff, patient_routes(app), patient.id)
        walk(signed_in(app, other_unit_nurse.user), patient_routes(app), patient.id)
        own = signed_in(app, patient.user)
        own.get("/logglista")
        own.post("/nycklar/logga-ut-overallt")
        for rule in app.url_map.iter_rules():
            if not rule.arguments and "POST" in rule.methods:
                staff.post(rule.rule, data={"lang": "en"})
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert any(re.match(r"\s*INSERT INTO access_log_entry", s, re.I) for s in statements)
    touching = [
        s
        for s in statements
        if re.search(r"\b(UPDATE\s+access_log_entry|DELETE\s+FROM\s+access_log_entry)\b", s, re.I)
    ]
    assert touching == []
    g.pop("_login_user", None)


def test_no_view_is_bound_to_the_access_log_model():
    import webapp.audit as audit

    public = [name for name in dir(audit) if not name.startswith("_")]
    assert not [name for name in public if re.search(r"delete|update|remove|edit", name, re.I)]
