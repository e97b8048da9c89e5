"""The one door: strangers get 404 on patient routes; others' reads are logged, never edited."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select
from werkzeug.routing.converters import NumberConverter

from tests.conftest import (
    fresh_database,
    make_config,
    per_request_sessions,
    register_with_invitation,
)
from webapp import create_app
from webapp.audit import READ_ACTIONS, AccessLogEntry, Change, Read
from webapp.extensions import db
from webapp.people import services as people
from webapp.people.relations import Relation

ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def app(tmp_path):
    # CSRF off for this module only, so POSTs reach the access check instead of stopping at CSRF.
    app = create_app(make_config(tmp_path, WTF_CSRF_ENABLED=False))
    per_request_sessions(app)
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


# A rule's variable parts as written: <name>, <converter:name> or <converter(args):name>.
VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def fill(rule, patient_id):
    converters = {
        found["name"]: rule.map.converters[found["converter"] or "default"]
        for found in VARIABLE.finditer(rule.rule)
    }
    values = {}
    for name in rule.arguments:
        if name == "patient_id":
            values[name] = patient_id
        elif issubclass(converters[name], NumberConverter):
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


@pytest.fixture
def colleague(unit):
    """Staff of the patient's unit who is neither their care contact nor their physician."""
    member = people.staff_create(unit=unit, name="Lena Kollega", title="Undersköterska")
    db.session.commit()
    return member


def rows_by(user_id):
    return db.session.scalars(
        select(AccessLogEntry)
        .where(AccessLogEntry.actor_user_id == user_id)
        .order_by(AccessLogEntry.id)
    ).all()


def reads_of(patient):
    return db.session.scalars(
        select(AccessLogEntry)
        .where(AccessLogEntry.patient_id == patient.id, AccessLogEntry.action.in_(READ_ACTIONS))
        .order_by(AccessLogEntry.id)
    ).all()


def changes_of(patient):
    return db.session.scalars(
        select(AccessLogEntry)
        .where(AccessLogEntry.patient_id == patient.id, AccessLogEntry.action.not_in(READ_ACTIONS))
        .order_by(AccessLogEntry.id)
    ).all()


def signed_in(app, user):
    client = app.test_client()
    register_with_invitation(client, user)
    return client


def test_staff_of_another_unit_gets_404_on_every_patient_route(app, patient, other_unit_nurse):
    stranger = signed_in(app, other_unit_nurse.user)
    answers = walk(stranger, patient_routes(app), patient.id)
    assert {key: status for key, status in answers.items() if status != 404} == {}
    assert rows_by(other_unit_nurse.user_id) == []


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
    (entry,) = reads_of(patient)
    assert entry.actor_user_id == nurse.user_id
    assert entry.actor_role == Relation.CARE_CONTACT
    assert entry.actor_care_unit_id == nurse.care_unit_id
    assert entry.patient_id == patient.id
    assert entry.action == Read.RECORD
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


def test_unit_colleague_reads_are_logged_as_unit_staff(app, patient, colleague):
    client = signed_in(app, colleague.user)
    assert client.get(f"/vard/patienter/{patient.id}").status_code == 200
    (entry,) = reads_of(patient)
    assert entry.actor_role == Relation.UNIT_STAFF


def test_the_fixed_physician_is_logged_as_the_physician(app, patient, physician):
    assert signed_in(app, physician.user).get(f"/vard/patienter/{patient.id}").status_code == 200
    (entry,) = reads_of(patient)
    assert entry.actor_role == Relation.PHYSICIAN


def test_patients_own_reads_are_not_logged(app, patient):
    own = signed_in(app, patient.user)
    for path in ("/", "/logglista", "/nycklar"):
        assert own.get(path).status_code == 200
    assert reads_of(patient) == []


def test_logglista_names_the_staff_member_in_plain_swedish(app, patient, nurse):
    signed_in(app, nurse.user).get(f"/vard/patienter/{patient.id}")
    html = signed_in(app, patient.user).get("/logglista").get_data(as_text=True)
    assert "Karin Lind" in html
    assert "din fasta vårdkontakt" in html
    assert "tittade på din plan" in html and "Det gällde: dina uppgifter." in html
    assert "view_patient_record" not in html


def test_logglista_is_the_patients_own(app, patient, other_patient, nurse):
    signed_in(app, nurse.user).get(f"/vard/patienter/{patient.id}")
    html = signed_in(app, other_patient.user).get("/logglista").get_data(as_text=True)
    assert "Det gällde: dina uppgifter." not in html
    assert "lade till dig som patient" in html  # Gunnar's own row, from his own care contact


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


def test_no_view_is_bound_to_the_access_log_model():
    import webapp.audit as audit

    public = [name for name in dir(audit) if not name.startswith("_")]
    assert not [name for name in public if re.search(r"delete|update|remove|edit", name, re.I)]


# --- the door decides once, and the log says what really happened ----------------------


def test_every_route_with_a_patient_id_goes_through_the_door(app):
    undecorated = [
        rule.rule
        for rule in patient_routes(app)
        if not hasattr(app.view_functions[rule.endpoint], "door_action")
    ]
    assert undecorated == [], "use @patient_route(Action.X) on these routes"


@pytest.mark.parametrize("who", ["physician", "colleague"])
def test_only_the_care_contact_or_an_admin_may_make_a_sign_in_link(app, patient, request, who):
    # The physician and a colleague of the unit can read the plan, but a sign-in link would
    # let them become the patient.
    member = request.getfixturevalue(who)
    client = signed_in(app, member.user)
    assert client.get(f"/vard/patienter/{patient.id}").status_code == 200
    assert client.post(f"/vard/patienter/{patient.id}/inbjudan").status_code == 404
    assert "Skapa en ny" not in client.get(f"/vard/patienter/{patient.id}").get_data(as_text=True)
    assert [row.action for row in changes_of(patient)] == [Change.PATIENT_CREATED]


def test_the_care_contact_makes_a_link_and_the_patient_sees_who_did(app, patient, nurse):
    client = signed_in(app, nurse.user)
    response = client.post(f"/vard/patienter/{patient.id}/inbjudan")
    assert response.status_code == 303
    link_rows = [row for row in changes_of(patient) if row.action == Change.SIGN_IN_LINK_ISSUED]
    assert [(row.actor_user_id, row.actor_role) for row in link_rows] == [
        (nurse.user_id, Relation.CARE_CONTACT)
    ]
    html = signed_in(app, patient.user).get("/logglista").get_data(as_text=True)
    assert (
        "Karin Lind" in html and "skapade en länk som kan användas för att logga in som du" in html
    )


def test_an_administrator_who_is_not_the_contact_may_make_a_link(app, patient, unit):
    admin = people.staff_create(unit=unit, name="Bo Chef", title="Enhetschef", is_unit_admin=True)
    db.session.commit()
    client = signed_in(app, admin.user)
    assert client.post(f"/vard/patienter/{patient.id}/inbjudan").status_code == 303
    (row,) = [row for row in changes_of(patient) if row.action == Change.SIGN_IN_LINK_ISSUED]
    assert row.actor_role == Relation.UNIT_ADMIN


def test_a_colleague_may_read_and_book_but_not_consent_for_care(app, patient, colleague):
    client = signed_in(app, colleague.user)
    assert client.get(f"/uppfoljning/patient/{patient.id}/ny").status_code == 200
    assert client.get(f"/overenskommelse/patient/{patient.id}").status_code == 200
    assert client.post(f"/overenskommelse/patient/{patient.id}/godkann").status_code == 404
    assert client.post(f"/overenskommelse/patient/{patient.id}/forslag").status_code == 404


def test_a_page_of_forms_shown_or_refused_adds_no_change_row(app, patient, nurse):
    staff = signed_in(app, nurse.user)
    before = changes_of(patient)
    for rule in patient_routes(app):
        path = fill(rule, patient.id)
        if "GET" in rule.methods:
            staff.get(path)
        # (A link and a new draft are buttons with no fields: a post of them is valid.)
        if "POST" in rule.methods and not rule.rule.endswith(("/inbjudan", "/forslag")):
            # CSRF is off in this module: these reach the forms, and every one is invalid.
            response = staff.post(path, data={"date": "inte ett datum", "answer": "kanske"})
            assert response.status_code in (303, 400, 404, 409), (path, response.status_code)
    assert [(row.action, row.actor_role) for row in changes_of(patient)] == [
        (row.action, row.actor_role) for row in before
    ]


def test_a_child_id_of_another_patient_is_404_and_no_read(app, patient, other_patient, nurse):
    from webapp.followups import services as followups
    from webapp.followups.details import FollowUpInput

    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    theirs = followups.follow_up_book(
        patient=other_patient,
        details=FollowUpInput(
            kind="phone", date=tomorrow, time="10:00", duration_minutes="15", purpose="Samtal"
        ),
        actor=nurse.user,
    )
    db.session.commit()
    staff = signed_in(app, nurse.user)
    path = f"/uppfoljning/patient/{patient.id}/{theirs.id}/flytta"
    assert staff.get(path).status_code == 404
    assert reads_of(patient) == [] and reads_of(other_patient) == []


def test_one_staff_request_leaves_exactly_one_read_row(app, patient, nurse):
    staff = signed_in(app, nurse.user)
    staff.get(f"/uppfoljning/patient/{patient.id}/ny")
    (entry,) = reads_of(patient)
    assert entry.action == Read.FOLLOW_UPS


def test_staff_of_another_unit_see_no_one_of_this_unit_in_any_list(app, patient, other_unit_nurse):
    stranger = signed_in(app, other_unit_nurse.user)
    for path in ("/vard/", "/vard/?visa=mina", "/kvitto/enhet"):
        html = stranger.get(path).get_data(as_text=True)
        assert "Astrid Berg" not in html and "Karin Lind" not in html, path


def test_a_link_stays_in_the_logglista_however_many_reads_come_after(app, clock, patient, nurse):
    # The clock stands still: the reads are counted per day, and a run across midnight would
    # split them into two days' lines.
    staff = signed_in(app, nurse.user)
    staff.post(f"/vard/patienter/{patient.id}/inbjudan")
    for _ in range(210):
        staff.get(f"/overenskommelse/patient/{patient.id}")
    own = signed_in(app, patient.user)
    pages, path = [], "/logglista"
    while path:
        assert len(pages) < 50, "the older pages never end"
        html = own.get(path).get_data(as_text=True)
        pages.append(html)
        older = re.search(r'href="(/logglista\?fore=\d+)"', html)
        path = older.group(1) if older else None
    everything = "\n".join(pages)
    assert "skapade en länk som kan användas för att logga in som du" in everything
    # The many reads are one line per person and day, not 210 lines (the 210 looks at the
    # agreement and the request that made the link).
    assert "dina uppgifter 211 gånger den dagen" in pages[0]


# --- the leader (verksamhetschef): the unit's figures, no patient at all ----------------


@pytest.fixture
def leader(unit):
    member = people.staff_create(
        unit=unit, name="Vera Chef", title="Verksamhetschef", is_quality_lead=True
    )
    db.session.commit()
    return member


def test_a_leader_gets_404_on_every_patient_route_and_reads_nothing(app, patient, leader):
    client = signed_in(app, leader.user)
    answers = walk(client, patient_routes(app), patient.id)
    assert {key: status for key, status in answers.items() if status != 404} == {}
    assert rows_by(leader.user_id) == []


def test_a_leader_has_no_list_of_patients_and_no_care_page(app, patient, leader):
    client = signed_in(app, leader.user)
    care_pages = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if not rule.arguments
        and "GET" in rule.methods
        and rule.rule.startswith(("/vard/", "/uppdateringar", "/enhet/behover-kontrakt"))
    ]
    assert "/vard/" in care_pages and "/enhet/behover-kontrakt" in care_pages
    assert {path: client.get(path).status_code for path in care_pages} == dict.fromkeys(
        care_pages, 404
    )
    # Nor a patient's own screens: she is no patient.
    for path in ("/kvitto/", "/berattelser/", "/viktigt/", "/egenvard/"):
        assert client.get(path).status_code == 404, path
    for path in ("/enhet/", f"/enhet/{leader.care_unit_id}/kvalitet"):
        html = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert "Så säger våra patienter" in html
        assert "Astrid Berg" not in html and "Karin Lind" not in html
    assert rows_by(leader.user_id) == []
