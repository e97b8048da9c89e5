"""Arbitrary text to every form of the app, and arbitrary JSON to the JSON API: never a 500.

The forms are found by walking `app.url_map` for rules that take POST, so a new form is covered
without touching this file. Each is posted by the person it is meant for (patient forms by the
patient, care forms by the care contact) with a real CSRF token and the field names read from
the page that shows the form. Ids in the URL are real ones (a statement, an agreement draft, a
follow-up, a part of care, a passkey) or invented ones; an invented id may answer 404, never 500.
When a post is refused (4xx), the patient's data must be as it was, and a NUL character (which
PostgreSQL cannot store, so these SQLite runs would not notice) never reaches the database.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.routing import Rule

from tests.conftest import (
    ORIGIN,
    api,
    csrf_token,
    empty_every_table,
    fresh_database,
    made_up_subscription,
    make_config,
    per_request_sessions,
    register_with_invitation,
)
from tests.fakes.authenticator import SoftAuthenticator
from tests.selfcare_rows import check_in_make
from webapp import create_app
from webapp.agreement import services as agreements
from webapp.auth import services as auth_services
from webapp.auth.models import InvitationPurpose, SecurityEventKind
from webapp.auth.passkeys.models import Credential
from webapp.auth.sessions import is_safe_next
from webapp.careteam import services as careteam
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.followups.details import FollowUpInput
from webapp.followups.feed import calendar_feed_enable
from webapp.forms import AppForm
from webapp.notify import services as notify
from webapp.people import services as people
from webapp.people.models import Patient, StaffMember
from webapp.receipt import services as receipt
from webapp.relatives import services as relatives
from webapp.selfcare.goals import services as selfcare_goals
from webapp.selfcare.goals.validation import GoalInput, LimitInput
from webapp.selfcare.updates import services as updates
from webapp.stories import services as stories
from webapp.whatmatters import services as whatmatters

# Random text finds the same form bugs on either database, so the SQLite pass tries more
# examples per form and the PostgreSQL pass (which runs beside it on the same two cores) a few
# (each run draws new ones, so the runs together try many more):
# what only PostgreSQL refuses (a NUL, a number past its integer) has its own tests below,
# which try every field on both.
FUZZ = settings(
    max_examples=5 if os.environ.get("TEST_DATABASE_URL") else 15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
# What the pages' scripts post as JSON (not forms): the passkey ceremonies and a device's
# push subscription.
JSON_API = "/passkeys/api/"
JSON_ENDPOINTS = {"notify.device_add", "selfcare.sync"}


def _is_json(rule: Rule) -> bool:
    return rule.rule.startswith(JSON_API) or rule.endpoint in JSON_ENDPOINTS


# Bookkeeping that a refused request may legitimately write: reads are logged, a passkey
# ceremony stores its challenge, the care contact's "last looked" moment moves on.
NOT_DATA = {"access_log_entry", "webauthn_challenge", "patient_last_seen"}


def _rules() -> list[Rule]:
    # Only the URL map is read: an in-memory database that is never opened will do.
    app = create_app(make_config(Path("unused"), SQLALCHEMY_DATABASE_URI="sqlite://"))
    return sorted(
        (r for r in app.url_map.iter_rules() if "POST" in (r.methods or set())),
        key=lambda r: r.rule,
    )


POST_RULES = _rules()
FORM_RULES = [r for r in POST_RULES if not _is_json(r)]
API_RULES = [r for r in POST_RULES if _is_json(r)]


# --- the world the forms act on ---------------------------------------------------------


def _is_care_form(rule: Rule) -> bool:
    return "patient_id" in rule.arguments or rule.rule.startswith(
        ("/vard/", "/enhet/", "/berattelser/enhet/")
    )


def _build_world(patient: Patient, nurse: StaffMember) -> dict[str, int]:
    """One of each thing a form can act on; returns the real id for each URL argument."""
    statement = whatmatters.whatmatters_add(
        patient=patient, text="Att kunna gå till affären.", actor=patient.user
    )
    # A second one to move past, and an archived one to take back: their forms show too.
    whatmatters.whatmatters_add(patient=patient, text="Att träffa barnbarnen.", actor=patient.user)
    archived = whatmatters.whatmatters_add(patient=patient, text="Att sjunga.", actor=patient.user)
    whatmatters.whatmatters_archive(patient=patient, statement_id=archived.id, actor=patient.user)
    draft = agreements.agreement_draft_start(patient=patient, by_user=nurse.user)
    draft = agreements.agreement_draft_save(
        patient=patient,
        version_id=draft.id,
        expected_lock=draft.lock_version,
        items=[agreements.ItemInput(kind="goal", text="Gå till affären själv.")],
        texts={},
        by_user=nurse.user,
    )
    follow_up = followups.follow_up_book(
        patient=patient,
        details=FollowUpInput(
            date=(date.today() + timedelta(days=30)).isoformat(),
            time="10:00",
            duration_minutes="30",
            kind="visit",
            place="Storgatan 1",
            purpose="Prata",
        ),
        actor=nurse.user,
    )
    # A time care moved: "Jag har sett det" in Att göra nu.
    later = followups.follow_up_book(
        patient=patient,
        details=FollowUpInput(
            date=(date.today() + timedelta(days=40)).isoformat(),
            time="10:00",
            duration_minutes="30",
            kind="phone",
            purpose="Prata",
        ),
        actor=nurse.user,
    )
    followups.follow_up_move(
        patient=patient,
        follow_up_id=later.id,
        details=FollowUpInput(
            date=(date.today() + timedelta(days=41)).isoformat(),
            time="10:00",
            duration_minutes="30",
            kind="phone",
            purpose="Prata",
        ),
        actor=nurse.user,
    )
    part = careteam.care_part_add(
        patient=patient,
        actor=nurse.user,
        organisation="Hemtjänsten",
        kind="municipal_home_care",
        role_text="Hjälp hemma",
    )
    # Forms that only show when there is something to answer: a new contact, a calendar
    # link, a passkey added with the care contact's help.
    other = people.staff_create(
        unit=nurse.care_unit, name="Eva Ström", title="Allmänläkare", is_physician=True
    )
    careteam.contacts_assign(
        patient=patient,
        care_contact_id=nurse.id,
        physician_id=other.id,
        message="Ali har gått i pension.",
        changed_by=nurse.user,
    )
    calendar_feed_enable(patient=patient)
    auth_services.security_event_record(
        user=patient.user, kind=SecurityEventKind.PASSKEY_ADDED_BY_RECOVERY
    )
    db.session.commit()
    receipt.receipt_answer_save(  # a Delvis, so the offer of a call after it shows too
        patient=patient,
        side="patient",
        question=1,
        answer="partly",
        comment=None,
        by_user=patient.user,
    )
    # She asked to be called about it: the care side's "Jag har ringt" shows.
    receipt.receipt_call_wanted(patient=patient, question=1, by_user=patient.user)
    device = notify.device_add(
        user=patient.user, subscription=made_up_subscription(), name="Min telefon"
    )
    # An update to care, unread and unanswered: the care side's "Markera som läst" and "Svara".
    update = updates.update_send(
        patient=patient, actor=patient.user, feeling="worse", text="Andfådd i trappan."
    )
    # Self-care: the patient's own goal (hers to change) and one agreed with care (care's).
    own_goal = selfcare_goals.goal_create(
        patient=patient,
        details=GoalInput(title="Gå ut", measure="number", unit="steps", reminder_times="18:00"),
        actor=patient.user,
    )
    care_goal = selfcare_goals.goal_create(
        patient=patient,
        details=GoalInput(
            title="Väga mig",
            measure="number",
            unit="kg",
            kind="assessed",
            assessed_on=date.today().isoformat(),
            review_on=(date.today() + timedelta(days=90)).isoformat(),
            limits=(LimitInput(kind="rise", value="2", window_days="3", advice="Ring."),),
        ),
        actor=nurse.user,
    )
    # Stories: one the unit may use (hers to take back, the unit's to mark discussed) and one
    # for her care contact only (hers to let the unit use).
    shared = stories.story_tell(
        patient=patient, teller=patient.user, text="Karin ringer alltid.", unit_may_use=True
    )
    stories.story_tell(patient=patient, teller=patient.user, text="Bra.", unit_may_use=False)
    db.session.commit()
    # A check-in to change or delete, on the patient's own goal.
    check_in = check_in_make(own_goal, datetime.now(UTC) - timedelta(hours=1), value=4000)
    # A relative she invited: her "Ändra eller avsluta" shows.
    grant, _token = relatives.grant_invite(
        patient=patient, by=patient.user, name="Eva", relation="dotter", scopes=["view_plan"]
    )
    db.session.commit()
    return {
        "grant_id": grant.id,
        "goal_id": own_goal.id,
        "care_goal_id": care_goal.id,
        "check_in_id": check_in.id,
        "device_id": device.id,
        "patient_id": patient.id,
        "statement_id": statement.id,
        "follow_up_id": follow_up.id,
        "part_id": part.id,
        "member_id": other.id,
        "story_id": shared.id,
        "unit_id": nurse.care_unit_id,
        "number": draft.number,
        "question": 1,
        "update_id": update.id,
    }


def _passkey_id(user_id: int) -> int:
    found = db.session.scalar(select(Credential.id).where(Credential.user_id == user_id))
    assert found is not None
    return found


Tables = dict[str, list[Any]]


def _every_row() -> Tables:
    """Every row of every table as the requests committed them, read on a connection of its
    own (one SELECT per table; the fuzz checks read it once per example)."""
    with db.engine.connect() as connection:
        return {
            table.name: connection.execute(table.select()).all()
            for table in db.metadata.sorted_tables
        }


def _stored_nul(tables: Tables) -> list[str]:
    """Where a NUL character was saved (PostgreSQL would refuse it with a 500): table.column."""
    return [
        f"{name}.{column}"
        for name, rows in tables.items()
        for row in rows
        for column, value in row._mapping.items()
        if isinstance(value, str) and "\x00" in value
    ]


def _snapshot(tables: Tables) -> dict[str, list[tuple]]:
    """The data tables: a refused request must leave these as they were."""
    return {
        name: sorted(tuple(map(repr, row)) for row in rows)
        for name, rows in tables.items()
        if name not in NOT_DATA
    }


# --- reading the forms off the pages ----------------------------------------------------


TYPED_INPUTS = {None, "text", "search", "tel", "email"}


class _Forms(HTMLParser):
    """The POST forms of a page: action -> {field name: values seen (value, options)}."""

    def __init__(self, page_path: str) -> None:
        super().__init__()
        self.page_path = page_path
        self.forms: dict[str, dict[str, set[str]]] = {}
        self.text_fields: dict[str, set[str]] = {}  # action -> names of fields a person types in
        self._current: dict[str, set[str]] | None = None
        self._action = ""
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "form" and (attr.get("method") or "").lower() == "post":
            action = (attr.get("action") or self.page_path).split("#")[0].split("?")[0]
            self._current = self.forms.setdefault(action, {})
            self._action = action
        elif self._current is not None and tag in ("input", "textarea", "select", "button"):
            name = attr.get("name")
            if name and name != "csrf_token":
                if tag == "textarea" or (tag == "input" and attr.get("type") in TYPED_INPUTS):
                    self.text_fields.setdefault(self._action, set()).add(name)
                values = self._current.setdefault(name, set())
                if attr.get("value") is not None:
                    values.add(attr["value"] or "")
                if tag == "select":
                    self._select = name
        elif tag == "option" and self._current is not None and self._select:
            self._current[self._select].add(attr.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def _url(rule: Rule, ids: dict[str, int]) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<int:{name}>", str(ids[name]))
    return path


@dataclass
class FoundForm:
    args: dict[str, int]  # the ids in the form's action, as the page shows it
    fields: dict[str, set[str]] = field(default_factory=dict)
    text_fields: set[str] = field(default_factory=set)  # the ones a person types in


def _crawl(client: FlaskClient, app: Flask, ids: dict[str, int], care: bool) -> dict:
    """Every form on every page this person can open (pages with ids we know), by endpoint."""
    adapter = app.url_map.bind("localhost")
    forms: dict[str, FoundForm] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or set(rule.arguments) - set(ids):
            continue
        if _is_care_form(rule) != care and rule.rule != "/":
            continue
        path = _url(rule, ids)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _Forms(path)
        parser.feed(response.get_data(as_text=True))
        for action, fields in parser.forms.items():
            endpoint, args = adapter.match(action, method="POST")
            found = forms.setdefault(endpoint, FoundForm(args=args))
            for name, values in fields.items():
                found.fields.setdefault(name, set()).update(values)
            found.text_fields.update(parser.text_fields.get(action, set()))
    return forms


# --- what to post -----------------------------------------------------------------------

LONG_TEXT = st.builds(
    lambda piece, times: piece * times, st.text(min_size=1, max_size=4), st.integers(300, 6000)
)
NUL_TEXT = "Att gå\x00 ut i dag"
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        NUL_TEXT,
        "\r\n",
        "0",
        "-1",
        "1e9",
        "1e309",
        "99999999999999999999",
        str(2**64),
        "-" + str(2**63 + 1),
        "9" * 400,
        "0001-01-01",
        "2026-02-30",
        "24:61",
        "'; DROP TABLE patient; --",
        "<script>",
        "\u202e",
    ]
)


def _value(known: set[str], ids: dict[str, int]) -> st.SearchStrategy[str | None]:
    plausible = sorted(known | {str(v) for v in ids.values()} | {"up", "down", "y"})
    return st.one_of(st.none(), st.text(), LONG_TEXT, NASTY, st.sampled_from(plausible))


def _id(real: int) -> st.SearchStrategy[int]:
    # Mostly the real id (so the form itself is reached), sometimes an invented one (404).
    return st.one_of(st.just(real), st.just(real), st.just(real), st.integers(0, 2**70))


@dataclass
class Pristine:
    """The database as the world was built: SQLite's own backup, or else every row of it."""

    sqlite: sqlite3.Connection | None = None
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def take(cls) -> Pristine:
        db.session.remove()
        with db.engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                copy = sqlite3.connect(":memory:")
                connection.connection.driver_connection.backup(copy)
                return cls(sqlite=copy)
            return cls(
                rows={
                    table.name: [row._asdict() for row in connection.execute(table.select())]
                    for table in db.metadata.sorted_tables
                }
            )

    def put_back(self) -> None:
        db.session.remove()
        if self.sqlite is not None:
            with db.engine.connect() as connection:
                self.sqlite.backup(connection.connection.driver_connection)
            return
        with db.engine.begin() as connection:
            # Sequences are left as they are: they are already past every id put back.
            empty_every_table(connection, restart_ids=False)
            for table in db.metadata.sorted_tables:
                if self.rows[table.name]:
                    connection.execute(table.insert(), self.rows[table.name])


@dataclass
class World:
    """One app with one of everything, built once; each test starts from a copy of it."""

    app: Flask
    ids: dict[bool, dict[str, int]]  # per side (care or not): the real id of each URL argument
    clients: dict[bool, FlaskClient]
    tokens: dict[bool, str]
    forms: dict[bool, dict[str, FoundForm]]  # per side: endpoint -> the form as found
    pristine: Pristine
    cookies: dict[bool, str]  # per side: the session cookie of the sign-in

    def restore(self) -> None:
        """Put back the database and both sign-ins as they were when the world was built, and
        forget a language chosen since (the fuzzed language switch may have picked English,
        which the session and its own cookie keep, and the next test reads Swedish words)."""
        self.pristine.put_back()
        name = self.app.config["SESSION_COOKIE_NAME"]
        for care, client in self.clients.items():
            client.set_cookie(name, self.cookies[care])
            client.delete_cookie("lang")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    # Module-wide: a fresh app, two passkey sign-ins and two crawls per test would cost more
    # than all the fuzzing; restoring a copy of the database costs a millisecond (SQLite) or a
    # few (PostgreSQL).
    app = create_app(make_config(tmp_path_factory.mktemp("fuzz")))
    per_request_sessions(app)
    with app.app_context():
        fresh_database()
        unit = people.care_unit_get_or_create(name="Vårdcentralen Fuzz", phone="010-100 00 00")
        db.session.commit()
        nurse = people.staff_create(
            unit=unit, name="Karin Lind", title="Distriktssköterska", is_unit_admin=True
        )
        physician = people.staff_create(
            unit=unit, name="Ali Hassan", title="Allmänläkare", is_physician=True
        )
        patient = people.patient_create(
            created_by=nurse,
            name="Astrid Berg",
            phone="070-111 22 33",
            personal_number=None,
            physician_id=physician.id,
        )
        ids = _build_world(patient, nurse)
        people_by_side = {False: patient.user, True: nurse.user}
        clients = {care: app.test_client() for care in people_by_side}
        for care, user in people_by_side.items():
            register_with_invitation(clients[care], user)
        side_ids = {
            care: {**ids, "passkey_id": _passkey_id(user.id)}
            for care, user in people_by_side.items()
        }
        side_ids[True]["goal_id"] = ids["care_goal_id"]  # care changes the goal agreed with care
        tokens = {care: csrf_token(clients[care], "/vard/" if care else "/") for care in clients}
        forms = {care: _crawl(clients[care], app, side_ids[care], care) for care in clients}
        name = app.config["SESSION_COOKIE_NAME"]
        cookies = {}
        for care, client in clients.items():
            cookie = client.get_cookie(name)
            assert cookie is not None
            cookies[care] = cookie.value
        made = World(
            app=app,
            ids=side_ids,
            clients=clients,
            tokens=tokens,
            forms=forms,
            pristine=Pristine.take(),
            cookies=cookies,
        )
        yield made
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def fresh(world: World) -> World:
    world.restore()
    return world


def test_every_post_rule_is_covered() -> None:
    """The walk finds the forms (a sanity check that the parametrisation below is not empty)."""
    endpoints = {rule.endpoint for rule in FORM_RULES}
    assert {"whatmatters.add", "agreement.staff_edit", "followups.book", "care.new_patient"} <= (
        endpoints
    )
    assert {rule.rule for rule in API_RULES} >= {
        "/passkeys/api/login/verify",
        "/passkeys/api/register/verify",
    }


# Forms no page shows in the world above: "start a draft" only shows without a draft;
# "Markera som sett" only when something is new since the care contact marked it last; "Vi
# har pratat" only once the patient has answered "Jag vill prata om det först", which would
# hide that form of hers.
# The relative's own pages (taking a link, choosing whom to help, stepping down) need a
# relative signed in, and the world's two people are the patient and her care contact.
NOT_ON_ANY_PAGE = {
    "agreement.staff_draft_start",
    "care.mark_seen",
    "agreement.staff_talk_done",
    "relatives.take_invitation",
    "relatives.act_for",
    "relatives.step_down",
}


def test_the_fuzzer_finds_every_form_on_a_page(world: World) -> None:
    """So that a form's fields are fuzzed, not just its URL: each form is found on a page."""
    missing = {rule.endpoint for rule in FORM_RULES} - {
        endpoint for forms in world.forms.values() for endpoint in forms
    }
    assert missing == NOT_ON_ANY_PAGE


@pytest.mark.parametrize("rule", FORM_RULES, ids=lambda rule: rule.endpoint)
def test_arbitrary_text_to_a_form_never_answers_500(fresh: World, rule: Rule) -> None:
    care = _is_care_form(rule)
    client, token = fresh.clients[care], fresh.tokens[care]
    found = fresh.forms[care].get(rule.endpoint, FoundForm(args={}))
    ids, fields = {**fresh.ids[care], **found.args}, found.fields
    arguments = {name: _id(ids[name]) for name in rule.arguments}
    values = st.fixed_dictionaries({name: _value(known, ids) for name, known in fields.items()})

    # The tables after one example are the tables before the next: nothing else writes.
    last: list[dict[str, list[tuple]]] = [_snapshot(_every_row())]

    @FUZZ
    @given(url_ids=st.fixed_dictionaries(arguments), data=values)
    def post(url_ids: dict[str, int], data: dict[str, str | None]) -> None:
        before = last[0]
        body = {name: value for name, value in data.items() if value is not None}
        response = client.post(_url(rule, url_ids), data={**body, "csrf_token": token})
        after = _every_row()
        last[0] = _snapshot(after)
        assert response.status_code != 500, (rule.rule, url_ids, body)
        assert _stored_nul(after) == [], (rule.rule, body)
        if 400 <= response.status_code < 500:
            assert last[0] == before, f"{rule.rule} refused {body!r} but changed data"

    post()


def test_every_form_refuses_the_nul_character() -> None:
    """The check lives in AppForm; a form made from FlaskForm directly would not have it."""

    def subclasses(cls: type) -> list[type]:
        return [sub for direct in cls.__subclasses__() for sub in [direct, *subclasses(direct)]]

    ours = [cls for cls in subclasses(FlaskForm) if cls.__module__.startswith("webapp.")]
    assert len(ours) > 10
    assert [cls.__qualname__ for cls in ours if not issubclass(cls, AppForm)] == []


@pytest.mark.parametrize("rule", FORM_RULES, ids=lambda rule: rule.endpoint)
def test_a_nul_character_in_any_field_is_refused_and_saves_nothing(
    fresh: World, rule: Rule
) -> None:
    """Each field in turn gets text with a NUL in it, the others a value the page offers. A
    field a person types in is refused in plain words, with what was typed kept (the NUL
    taken out); no field lets the NUL into the database."""
    care = _is_care_form(rule)
    client, token = fresh.clients[care], fresh.tokens[care]
    found = fresh.forms[care].get(rule.endpoint)
    if found is None:
        pytest.skip("no page shows this form")
    url = _url(rule, {**fresh.ids[care], **found.args})
    plausible = {name: min(known, default="") for name, known in found.fields.items()}
    for name in found.fields:
        fresh.restore()
        before = _snapshot(_every_row())
        body = {**plausible, name: NUL_TEXT, "csrf_token": token}
        response = client.post(url, data=body)
        after = _every_row()
        assert response.status_code != 500, (rule.rule, name)
        assert _stored_nul(after) == [], (rule.rule, name)
        if name in found.text_fields:
            page = response.get_data(as_text=True)
            assert response.status_code == 400, (rule.rule, name)
            assert "ett osynligt tecken som inte går att spara" in page, (rule.rule, name)
            assert "Att gå ut i dag" in page and "\x00" not in page, (rule.rule, name)
            assert _snapshot(after) == before, (rule.rule, name)


# --- query strings --------------------------------------------------------------------

# The query-string arguments the app reads, found in its source so a new one is covered too.
QUERY_ARGS = sorted(
    set(
        re.findall(
            r"request\.args\.get\(\s*\"(\w+)\"",
            "".join(path.read_text() for path in Path("webapp").rglob("*.py")),
        )
    )
)
QUERY_VALUES = ["99999999999999999999", str(2**64), str(2**31), "-1", "\x00", NUL_TEXT, "1e309"]


def test_huge_numbers_and_nul_in_query_strings_never_answer_500(fresh: World) -> None:
    assert {"jamfor", "flyttad", "next"} <= set(QUERY_ARGS)
    for care, client in fresh.clients.items():
        ids = fresh.ids[care]
        for rule in fresh.app.url_map.iter_rules():
            if "GET" not in (rule.methods or set()) or set(rule.arguments) - set(ids):
                continue
            if rule.rule.startswith("/static"):
                continue
            for value in QUERY_VALUES:
                query = {name: value for name in QUERY_ARGS}
                response = client.get(_url(rule, ids), query_string=query)
                assert response.status_code != 500, (rule.rule, value)


# --- the JSON passkey API -----------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
CEREMONY_KEYS = [
    "credential",
    "invitation",
    "next",
    "id",
    "rawId",
    "response",
    "type",
    "clientDataJSON",
    "attestationObject",
    "authenticatorData",
    "signature",
    "subscription",
    "name",
    "endpoint",
    "keys",
    "p256dh",
    "auth",
    "check_ins",
    "client_uuid",
    "goal_id",
    "taken_at",
    "done",
    "value",
    "value2",
    "note",
]
CEREMONY = st.dictionaries(st.sampled_from(CEREMONY_KEYS), JSON, max_size=4)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "patient"])
@pytest.mark.parametrize("rule", API_RULES, ids=lambda rule: rule.endpoint)
def test_arbitrary_json_to_the_json_api_never_answers_500(
    fresh: World, rule: Rule, signed_in: bool
) -> None:
    if signed_in:
        client, token = fresh.clients[False], fresh.tokens[False]
    else:
        client = fresh.app.test_client()
        token = csrf_token(client, "/logga-in")

    @FUZZ
    @given(
        body=st.one_of(JSON, CEREMONY, st.fixed_dictionaries({"credential": CEREMONY})),
        raw=st.one_of(st.none(), st.binary(max_size=64)),
    )
    def post(body: Any, raw: bytes | None) -> None:
        headers = {"X-CSRFToken": token}
        if raw is None:
            response = client.post(rule.rule, json=body, headers=headers)
        else:
            response = client.post(
                rule.rule, data=raw, headers={**headers, "Content-Type": "application/json"}
            )
        assert response.status_code != 500, (rule.rule, body, raw)
        if response.status_code >= 400:
            assert response.is_json and "error" in response.get_json(), response.data[:200]

    post()


def _answered(response: Any) -> dict[str, Any]:
    assert response.status_code != 500, response.data[:200]
    body = response.get_json()
    assert isinstance(body, dict) and ("redirect" in body or "error" in body), body
    return body


def test_wrong_json_types_in_a_real_ceremony_never_answer_500(fresh: World) -> None:
    """A real passkey, made and used by a soft authenticator, with the parts our code reads
    itself (transports, where to go next, the user handle) replaced by any JSON at all."""
    patient_id = fresh.ids[False]["patient_id"]

    @FUZZ
    @given(transports=JSON, target=JSON, handle=JSON, attachment=JSON)
    def ceremonies(transports: Any, target: Any, handle: Any, attachment: Any) -> None:
        fresh.restore()
        patient = db.session.get(Patient, patient_id)
        assert patient is not None
        client, authenticator = fresh.app.test_client(), SoftAuthenticator(origin=ORIGIN)
        _invitation, invitation = auth_services.invitation_issue(
            user=patient.user, purpose=InvitationPurpose.ONBOARDING, created_by=None
        )
        token = csrf_token(client, f"/inbjudan/{invitation}")
        options = api(client, "/passkeys/api/register/options", {"invitation": invitation}, token)
        credential = authenticator.create(options.get_json())
        credential["response"]["transports"] = transports
        credential["authenticatorAttachment"] = attachment
        registered = _answered(
            api(client, "/passkeys/api/register/verify", {"credential": credential}, token)
        )

        signer = fresh.app.test_client()
        token = csrf_token(signer)
        options = api(signer, "/passkeys/api/login/options", {}, token).get_json()
        credential = authenticator.get(options)
        if handle is not None:
            credential["response"]["userHandle"] = handle
        body = {"credential": credential, "next": target}
        signed_in = _answered(api(signer, "/passkeys/api/login/verify", body, token))
        if "redirect" in registered and handle is None:  # a good passkey signs in
            safe = isinstance(target, str) and is_safe_next(target)
            assert signed_in == {"redirect": target if safe else "/"}

    ceremonies()
