"""Every route × every role: what the door lets each one do with Astrid's data.

Roles: the patient herself, a relative with each single scope, a relative of another patient,
a relative whose grant was ended, one whose grant ran out, her care contact, other staff of
her unit, staff of another unit, and a stranger. What each may do is read from the policy's
own tables (`PERMISSIONS`, `SCOPE_ACTIONS`), so the test checks the door against the policy:
a "yes" is never a 404 (and never a 500); a "no" is always a 404.

Routes are classified, so that a new route fails here until someone decides what it is: a
care-side route with `<patient_id>`, one of the patient's own screens (marked by the door, or
listed below with the action its view asks the door for), or a route about the account
itself (keys, devices, sign-in), which shows no patient's data.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.routing.converters import NumberConverter

from tests.conftest import fresh_database, make_config, per_request_sessions
from tests.conftest import register_with_invitation as register
from tests.selfcare_rows import check_in_make, goal_make
from webapp import create_app
from webapp.access import PERMISSIONS, SCOPE_ACTIONS, Action, Relation
from webapp.extensions import db
from webapp.people import services as people
from webapp.people.models import User, UserKind
from webapp.relatives import services as relatives
from webapp.relatives.models import ProxyGrant, Scope

# The patient's own screens whose view asks the door itself (not by a route decorator).
OWN_INNER = {
    "/overenskommelse/": Action.VIEW_PLAN,
    "/overenskommelse/godkann": Action.CONSENT_AS_PATIENT,
    "/overenskommelse/prata-forst": Action.CONSENT_AS_PATIENT,
    "/overenskommelse/version/<int:number>": Action.VIEW_PLAN,
    "/overenskommelse/utskrift": Action.VIEW_PLAN,
    "/overenskommelse/nar-jag-blir-samre": Action.VIEW_PLAN,
    "/kvitto/": Action.VIEW_PLAN,
    "/kvitto/fraga/<int:question>": Action.ANSWER_RECEIPT_AS_PATIENT,
    "/kvitto/fraga/<int:question>/ringa": Action.ANSWER_RECEIPT_AS_PATIENT,
    "/uppfoljning/": Action.VIEW_PLAN,
    "/uppfoljning/sett": Action.ACKNOWLEDGE_NEWS,
    "/uppfoljning/<int:follow_up_id>/kan-inte-komma": Action.RESPOND_TO_FOLLOW_UP,
    "/uppfoljning/<int:follow_up_id>.ics": Action.VIEW_PLAN,
    "/uppfoljning/kalenderlank": Action.MANAGE_CALENDAR_FEED,
    "/uppfoljning/kalenderlank/detaljer": Action.MANAGE_CALENDAR_FEED,
    "/uppfoljning/kalenderlank/ny": Action.MANAGE_CALENDAR_FEED,
    "/uppfoljning/kalenderlank/stang-av": Action.MANAGE_CALENDAR_FEED,
    "/viktigt/": Action.VIEW_WHAT_MATTERS,
    "/viktigt/historik": Action.VIEW_WHAT_MATTERS,
    "/viktigt/ny": Action.WRITE_WHAT_MATTERS,
    "/viktigt/<int:statement_id>/andra": Action.WRITE_WHAT_MATTERS,
    "/viktigt/<int:statement_id>/flytta": Action.WRITE_WHAT_MATTERS,
    "/viktigt/<int:statement_id>/arkivera": Action.WRITE_WHAT_MATTERS,
    "/viktigt/<int:statement_id>/ta-tillbaka": Action.WRITE_WHAT_MATTERS,
    "/vardteam/jag-har-last": Action.ACKNOWLEDGE_NEWS,
}

# Routes about the signed-in account or the unit, never one patient's data; and the pages
# anyone may open. Each has its own tests.
NOT_PATIENT_DATA_PREFIXES = (
    "/static/",
    "/passkeys/api/",
    "/nycklar",
    "/paminnelser/",
    "/narstaende/hjalper",
    "/narstaende/inbjudan",
    "/inbjudan/",
    "/uppfoljning/kalender/",  # the calendar feed: its own secret token
    "/vard/",
    "/kvitto/enhet",
    "/egenvard/inkorg",
    "/enhet/",  # the unit's figures and lists (the care side's and its leader's)
    "/berattelser/enhet/",
)
NOT_PATIENT_DATA = {
    "/",
    "/healthz",
    "/logga-in",
    "/logga-ut",
    "/utloggad",
    "/installningar",
    "/sprak",
    "/offline",
    "/sw.js",
    "/manifest.webmanifest",
    "/tillganglighet",
}

SINGLE_SCOPES = [scope.value for scope in Scope]
ROLES = [
    "stranger",
    "other_unit",
    "relative_of_other",
    "revoked",
    "expired",
    *(f"relative:{scope}" for scope in SINGLE_SCOPES),
    "colleague",
    "care_contact",
    "patient",  # last: her POSTs end grants and archive what the others use
]


@pytest.fixture
def app(tmp_path):
    # CSRF off, so that POSTs reach the door instead of stopping at CSRF.
    app = create_app(make_config(tmp_path, WTF_CSRF_ENABLED=False))
    per_request_sessions(app)
    with app.app_context():
        fresh_database()
        yield app
        db.session.remove()


def _relative(app, patient, scopes, *, name="Eva"):
    """A relative account with its own passkey, acting for `patient` by a grant."""
    grant, token = relatives.grant_invite(
        patient=patient, by=patient.user, name=name, relation="dotter", scopes=scopes
    )
    user = User(kind=UserKind.RELATIVE, name=name)
    db.session.add(user)
    db.session.flush()
    relatives.grant_accept(token=token, user=user)
    db.session.commit()
    client = app.test_client()
    register(client, user)
    assert client.post(f"/narstaende/hjalper/{grant.id}").status_code == 303
    return client, grant


@pytest.fixture
def world(app, nurse, patient, unit, other_unit_nurse):
    """Astrid's record with a self-care goal and a check-in (ids 1), and a client per role."""
    goal = goal_make(patient, agreed_by_staff_id=None)  # her own: she may change it
    check_in_make(goal, datetime.now(UTC), value=72.0)
    clients = {}
    for scope in SINGLE_SCOPES:  # her grants first: grant 1 is hers
        clients[f"relative:{scope}"], _grant = _relative(app, patient, [scope])
    clients["revoked"], revoked = _relative(app, patient, SINGLE_SCOPES, name="Rut")
    clients["expired"], expired = _relative(app, patient, SINGLE_SCOPES, name="Ebba")
    relatives.grant_end(patient=patient, by=patient.user, grant_id=revoked.id)
    db.session.get(ProxyGrant, expired.id).ends_on = relatives.today_local() - timedelta(days=1)
    db.session.commit()
    gunnar = people.patient_create(
        created_by=nurse, name="Gunnar Ek", phone="070-444 55 66", personal_number=None
    )
    db.session.commit()
    clients["relative_of_other"], _grant = _relative(app, gunnar, SINGLE_SCOPES, name="Sven")
    colleague = people.staff_create(unit=unit, name="Lena Kollega", title="Undersköterska")
    db.session.commit()
    for role, user in (
        ("patient", patient.user),
        ("care_contact", nurse.user),
        ("colleague", colleague.user),
        ("other_unit", other_unit_nurse.user),
    ):
        clients[role] = app.test_client()
        register(clients[role], user)
    clients["stranger"] = app.test_client()
    return patient, clients


def _classify(app):
    care, own = [], []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if "patient_id" in rule.arguments:
            care.append((rule, view.door_action))
        elif hasattr(view, "door_action"):
            own.append((rule, Action(view.door_action)))
        elif rule.rule in OWN_INNER:
            own.append((rule, OWN_INNER[rule.rule]))
        else:
            assert rule.rule in NOT_PATIENT_DATA or rule.rule.startswith(
                NOT_PATIENT_DATA_PREFIXES
            ), f"{rule.rule}: decide whether it shows a patient's data, and add it here"
    return care, own


def _path(rule, patient_id):
    values = {}
    for name in rule.arguments:
        if name == "patient_id":
            values[name] = patient_id
        elif isinstance(rule._converters[name], NumberConverter):
            values[name] = 1
        else:
            values[name] = "x"
    return rule.build(values)[1]


def _care_side_allowed(role):
    if role == "care_contact":  # her care contact, also the unit's administrator
        held = (Relation.CARE_CONTACT, Relation.UNIT_ADMIN, Relation.UNIT_STAFF)
    elif role == "colleague":
        held = (Relation.UNIT_STAFF,)
    else:
        return frozenset()
    allowed: frozenset[Action] = frozenset()
    for relation in held:
        allowed |= PERMISSIONS[relation]
    return allowed


def _own_allowed(role, rule):
    if role == "patient":
        return PERMISSIONS[Relation.SELF]
    if role.startswith("relative:"):
        return SCOPE_ACTIONS[role.split(":", 1)[1]] & PERMISSIONS[Relation.RELATIVE]
    if role == "relative_of_other":
        # Sven acts for Gunnar with every scope: the patient's own screens are Gunnar's to
        # him, and Astrid's goal and check-in (ids 1) are not found through them.
        if {"goal_id", "check_in_id"} & set(rule.arguments):
            return frozenset()
        return PERMISSIONS[Relation.RELATIVE]
    return frozenset()


def test_every_route_for_every_role_follows_the_policy(app, world):
    patient, clients = world
    care, own = _classify(app)
    assert len(care) >= 20 and len(own) >= 30, "the walk must find the routes"
    walk = [(rule, action, "care") for rule, action in care]
    walk += [(rule, action, "own") for rule, action in own]
    wrong = []
    for role in ROLES:
        client = clients[role]
        refused = 302 if role == "stranger" else 404  # a stranger is asked to sign in
        for rule, action, side in walk:
            allowed = _care_side_allowed(role) if side == "care" else _own_allowed(role, rule)
            path = _path(rule, patient.id)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method, data={"text": "x"})
                status = response.status_code
                if status >= 500:
                    wrong.append((role, method, path, status, "a 500"))
                elif action not in allowed and status != refused:
                    wrong.append((role, method, path, status, "let in"))
                elif role == "relative_of_other" and "Astrid Berg" in response.get_data(
                    as_text=True
                ):
                    wrong.append((role, method, path, status, "shown her name"))
                elif (
                    action in allowed
                    and status == refused
                    and method == "GET"
                    and not {
                        "check_in_id",
                        "follow_up_id",
                        "statement_id",
                        "number",
                        "update_id",
                        "part_id",
                    }
                    & set(rule.arguments)
                ):
                    # A page she may open whose records exist (goal and check-in 1 are
                    # Astrid's; the others are looked for by id and may not exist).
                    wrong.append((role, method, path, status, "refused"))
    assert wrong == [], "\n".join(map(str, wrong))


def test_a_relative_of_another_patient_never_reaches_her_records(app, world):
    """Sven helps Gunnar: the patient's own screens show Gunnar's plan to him, and Astrid's
    goal (id 1) is not found through them."""
    patient, clients = world
    sven = clients["relative_of_other"]
    assert sven.get("/egenvard/1/logga").status_code == 404
    assert sven.get("/egenvard/1/historik").status_code == 404
    page = sven.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Gunnar Ek" in page and "Astrid Berg" not in page


@pytest.mark.parametrize("role", ["revoked", "expired"])
def test_an_ended_grant_is_told_plainly_then_refused(world, role):
    _patient, clients = world
    client = clients[role]
    first = client.get("/egenvard/")
    assert first.status_code == 404
    assert "Din åtkomst har upphört" in first.get_data(as_text=True)
    assert client.get("/egenvard/").status_code == 404
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Astrid Berg" not in home
