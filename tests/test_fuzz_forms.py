"""Arbitrary text to every form of the app, and arbitrary JSON to the passkey API: never a 500.

The forms are found by walking `app.url_map` for rules that take POST, so a new form is covered
without touching this file. Each is posted by the person it is meant for (patient forms by the
patient, care forms by the care contact) with a real CSRF token and the field names read from
the page that shows the form. Ids in the URL are real ones (a statement, an agreement draft, a
follow-up, a part of care, a passkey) or invented ones; an invented id may answer 404, never 500.
When a post is refused (4xx), the patient's data must be as it was.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from werkzeug.routing import Rule

from tests.conftest import csrf_token, make_config
from webapp import create_app
from webapp.agreement import services as agreements
from webapp.careteam import services as careteam
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.passkeys.models import Credential
from webapp.people.models import Patient, StaffMember
from webapp.receipt import services as receipt
from webapp.whatmatters import services as whatmatters

FUZZ = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
JSON_API = "/passkeys/api/"
# Bookkeeping that a refused request may legitimately write: reads are logged, a passkey
# ceremony stores its challenge, the care contact's "last looked" moment moves on.
NOT_DATA = {"access_log_entry", "webauthn_challenge", "patient_last_seen"}


def _rules() -> list[Rule]:
    app = create_app(make_config(Path(tempfile.mkdtemp(prefix="nara-fuzz-"))))
    return sorted(
        (r for r in app.url_map.iter_rules() if "POST" in (r.methods or set())),
        key=lambda r: r.rule,
    )


POST_RULES = _rules()
FORM_RULES = [r for r in POST_RULES if not r.rule.startswith(JSON_API)]
API_RULES = [r for r in POST_RULES if r.rule.startswith(JSON_API)]


# --- the world the forms act on ---------------------------------------------------------


def _is_care_form(rule: Rule) -> bool:
    return "patient_id" in rule.arguments or rule.rule.startswith("/vard/")


def _build_world(patient: Patient, nurse: StaffMember) -> dict[str, int]:
    """One of each thing a form can act on; returns the real id for each URL argument."""
    statement = whatmatters.whatmatters_add(
        patient=patient, text="Att kunna gå till affären.", actor=patient.user
    )
    draft = agreements.agreement_draft_start(patient=patient, by_user=nurse.user)
    draft = agreements.agreement_draft_save(
        patient=patient,
        version_id=draft.id,
        expected_lock=draft.lock_version,
        items=[agreements.ItemInput(kind="goal", text="Gå till affären själv.")],
        texts={},
    )
    follow_up = followups.follow_up_book(
        patient=patient,
        details=followups.FollowUpInput(
            date=(date.today() + timedelta(days=30)).isoformat(), time="10:00", duration_minutes="30", kind="visit", purpose="Prata"
        ),
        actor=nurse.user,
    )
    part = careteam.care_part_add(
        patient=patient, organisation="Hemtjänsten", kind="municipal_home_care", role_text="Hjälp hemma"
    )
    receipt.receipt_answer_save(
        patient=patient, side="patient", question=1, answer="yes", comment=None,
        by_user=patient.user,
    )
    return {
        "patient_id": patient.id,
        "statement_id": statement.id,
        "follow_up_id": follow_up.id,
        "part_id": part.id,
        "number": draft.number,
        "question": 1,
    }


def _passkey_id(user_id: int) -> int:
    found = db.session.scalar(select(Credential.id).where(Credential.user_id == user_id))
    assert found is not None
    return found


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every data table: a refused request must leave these as they were."""
    db.session.expire_all()
    return {
        table.name: sorted(
            (tuple(map(repr, row)) for row in db.session.execute(text(f"SELECT * FROM {table.name}"))),
        )
        for table in db.metadata.sorted_tables
        if table.name not in NOT_DATA
    }


# --- reading the forms off the pages ----------------------------------------------------


class _Forms(HTMLParser):
    """The POST forms of a page: action -> {field name: values seen (value, options)}."""

    def __init__(self, page_path: str) -> None:
        super().__init__()
        self.page_path = page_path
        self.forms: dict[str, dict[str, set[str]]] = {}
        self._current: dict[str, set[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "form" and (attr.get("method") or "").lower() == "post":
            action = (attr.get("action") or self.page_path).split("#")[0].split("?")[0]
            self._current = self.forms.setdefault(action, {})
        elif self._current is not None and tag in ("input", "textarea", "select", "button"):
            name = attr.get("name")
            if name and name != "csrf_token":
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


def _crawl(client: FlaskClient, app: Flask, ids: dict[str, int], care: bool) -> dict:
    """Every form on every page this person can open (pages with ids we know)."""
    forms: dict[str, dict[str, set[str]]] = {}
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
            known = forms.setdefault(action, {})
            for name, values in fields.items():
                known.setdefault(name, set()).update(values)
    return forms


# --- what to post -----------------------------------------------------------------------

LONG_TEXT = st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=4),
                      st.integers(300, 6000))
NASTY = st.sampled_from(["", " ", "\x00", "\r\n", "0", "-1", "1e9", "99999999999999999999",
                         "2026-02-30", "24:61", "'; DROP TABLE patient; --", "<script>", "\u202e"])


def _value(known: set[str], ids: dict[str, int]) -> st.SearchStrategy[str | None]:
    plausible = sorted(known | {str(v) for v in ids.values()} | {"up", "down", "y"})
    return st.one_of(st.none(), st.text(), LONG_TEXT, NASTY, st.sampled_from(plausible))


def _id(real: int) -> st.SearchStrategy[int]:
    return st.one_of(st.just(real), st.integers(0, 2**70))


@pytest.fixture
def world(app: Flask, patient: Patient, nurse: StaffMember, patient_client: FlaskClient,
          nurse_client: FlaskClient) -> dict[str, Any]:
    ids = _build_world(patient, nurse)
    return {
        "ids": ids,
        "patient_ids": {**ids, "passkey_id": _passkey_id(patient.user_id)},
        "nurse_ids": {**ids, "passkey_id": _passkey_id(nurse.user_id)},
        "patient_client": patient_client,
        "nurse_client": nurse_client,
    }


def test_every_post_rule_is_covered() -> None:
    """The walk finds the forms (a sanity check that the parametrisation below is not empty)."""
    endpoints = {rule.endpoint for rule in FORM_RULES}
    assert {"whatmatters.add", "agreement.staff_edit", "followups.book", "care.new_patient"} <= (
        endpoints
    )
    assert {rule.rule for rule in API_RULES} >= {
        "/passkeys/api/login/verify", "/passkeys/api/register/verify"
    }


@pytest.mark.parametrize("rule", FORM_RULES, ids=lambda rule: rule.endpoint)
def test_arbitrary_text_to_a_form_never_answers_500(
    app: Flask, world: dict[str, Any], rule: Rule
) -> None:
    care = _is_care_form(rule)
    client: FlaskClient = world["nurse_client" if care else "patient_client"]
    ids: dict[str, int] = world["nurse_ids" if care else "patient_ids"]
    forms = _crawl(client, app, ids, care)
    fields = forms.get(_url(rule, ids), {})
    token = csrf_token(client, "/")
    arguments = {name: _id(ids[name]) for name in rule.arguments}
    values = st.fixed_dictionaries({name: _value(known, ids) for name, known in fields.items()})

    @FUZZ
    @given(url_ids=st.fixed_dictionaries(arguments), data=values)
    def post(url_ids: dict[str, int], data: dict[str, str | None]) -> None:
        before = _snapshot()
        body = {name: value for name, value in data.items() if value is not None}
        response = client.post(_url(rule, url_ids), data={**body, "csrf_token": token})
        assert response.status_code != 500, (rule.rule, url_ids, body)
        if 400 <= response.status_code < 500:
            assert _snapshot() == before, f"{rule.rule} refused {body!r} but changed data"

    post()


# --- the JSON passkey API -----------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
CEREMONY_KEYS = ["credential", "invitation", "next", "id", "rawId", "response", "type",
                 "clientDataJSON", "attestationObject", "authenticatorData", "signature"]
CEREMONY = st.dictionaries(st.sampled_from(CEREMONY_KEYS), JSON, max_size=4)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "patient"])
@pytest.mark.parametrize("rule", API_RULES, ids=lambda rule: rule.endpoint)
def test_arbitrary_json_to_the_passkey_api_never_answers_500(
    app: Flask, patient: Patient, client: FlaskClient, rule: Rule, signed_in: bool,
    request: pytest.FixtureRequest,
) -> None:
    if signed_in:
        client = request.getfixturevalue("patient_client")
    token = csrf_token(client, "/" if signed_in else "/logga-in")

    @FUZZ
    @given(body=st.one_of(JSON, CEREMONY, st.fixed_dictionaries({"credential": CEREMONY})),
           raw=st.one_of(st.none(), st.binary(max_size=64)))
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
