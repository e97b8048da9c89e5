""" "Min plan" is served from memory, and never shows a plan older than the last change."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from tests.conftest import count_queries, register_with_invitation
from webapp import kept_pages
from webapp.agreement import services as agreement
from webapp.agreement.models import ItemKind
from webapp.careteam import services as careteam
from webapp.demo import agreement_agreed_by_both, demo_plan_load
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.followups.models import FollowUp
from webapp.people import services as people
from webapp.people.models import Patient
from webapp.plan import cache
from webapp.receipt import services as receipt
from webapp.whatmatters import services as whatmatters


@pytest.fixture
def planned(patient, nurse):
    demo_plan_load(patient=patient, nurse=nurse)
    db.session.commit()
    return patient


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def without_tokens(page: str) -> str:
    # CSRF tokens carry the second they were made in, so two looks differ there.
    return re.sub(r'(name="csrf[-_]token" (?:content|value)=")[^"]+', r"\1", page)


def statement_id(patient, text):
    active = whatmatters.whatmatters_list(patient=patient).active
    return next(statement.id for statement in active if statement.text == text)


def next_follow_up(patient):
    return db.session.scalars(
        select(FollowUp).where(FollowUp.patient_id == patient.id).order_by(FollowUp.starts_at)
    ).first()


def add_statement(patient, nurse):
    whatmatters.whatmatters_add(patient=patient, text="Att sjunga i kören.", actor=patient.user)
    return "Att sjunga i kören."


def edit_statement(patient, nurse):
    found = whatmatters.whatmatters_find(
        patient=patient, statement_id=statement_id(patient, "Att kunna gå till affären själv.")
    )
    whatmatters.whatmatters_edit(
        patient=patient,
        statement_id=found.id,
        text="Att kunna gå till affären och torget själv.",
        expected_version=found.lock_version,
        actor=patient.user,
    )
    return "Att kunna gå till affären och torget själv."


def archive_statement(patient, nurse):
    whatmatters.whatmatters_archive(
        patient=patient,
        statement_id=statement_id(patient, "Att träffa barnbarnen på söndagarna."),
        actor=patient.user,
    )
    return lambda page: "Att träffa barnbarnen på söndagarna." not in page


def new_agreement_version(patient, nurse):
    items = [agreement.ItemInput(kind=ItemKind.GOAL, text="Cykla till badet i juni.")]
    agreement_agreed_by_both(patient=patient, care=nurse.user, items=items)
    return "Cykla till badet i juni."


def cannot_come(patient, nurse):
    followups.follow_up_cannot_come(
        patient=patient, follow_up_id=next_follow_up(patient).id, reason="Jag är bortrest."
    )
    return "Du har sagt att du inte kan komma"


def cancel_follow_up(patient, nurse):
    followups.follow_up_cancel(
        patient=patient,
        follow_up_id=next_follow_up(patient).id,
        reason="Karin är sjuk.",
        actor=nurse.user,
    )
    return "Avbokad"


def add_care_part(patient, nurse):
    careteam.care_part_add(
        patient=patient,
        actor=nurse.user,
        organisation="Hjärtmottagningen",
        kind="specialist",
        role_text="Följer upp hjärtat en gång om året.",
    )
    return "Hjärtmottagningen"


def new_care_contact(patient, nurse):
    colleague = people.staff_create(
        unit=nurse.care_unit, name="Maja Sjöberg", title="Sjuksköterska", phone="010-123 45 99"
    )
    careteam.contacts_assign(
        patient=patient,
        care_contact_id=colleague.id,
        physician_id=patient.physician_id,
        message="Karin går i pension.",
        changed_by=nurse.user,
    )
    return "Maja Sjöberg"


def receipt_answer(patient, nurse):
    receipt.receipt_answer_save(
        patient=patient,
        side="patient",
        question=1,
        answer="yes",
        comment=None,
        by_user=patient.user,
    )
    return "1 av 7"


CHANGES = [
    add_statement,
    edit_statement,
    archive_statement,
    new_agreement_version,
    cannot_come,
    cancel_follow_up,
    add_care_part,
    new_care_contact,
    receipt_answer,
]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
def test_every_change_shows_on_the_next_look(planned, nurse, patient_client, change):
    before = home(patient_client)
    assert without_tokens(home(patient_client)) == without_tokens(before)  # from memory
    version = db.session.get(Patient, planned.id).plan_version
    expected = change(planned, nurse)
    after = home(patient_client)
    db.session.expire_all()
    assert db.session.get(Patient, planned.id).plan_version > version
    if callable(expected):
        assert expected(after)
    else:
        assert expected not in before
        assert expected in after


def test_a_look_at_an_unchanged_plan_is_one_query(planned, patient_client):
    home(patient_client)
    with count_queries() as statements:
        page = home(patient_client)
    assert "Att kunna gå till affären själv." in page
    assert len(statements) == 1, statements  # the session's user, with the patient row


def test_a_change_and_its_new_plan_version_commit_at_once(planned, patient_client):
    from sqlalchemy import event

    from tests.conftest import csrf_token

    home(patient_client)
    token = csrf_token(patient_client, "/viktigt/")
    commits: list[str] = []

    def committed(_connection: object) -> None:
        commits.append("commit")

    event.listen(db.engine, "commit", committed)
    try:
        answer = patient_client.post(
            "/viktigt/ny", data={"csrf_token": token, "text": "Att se barnbarnen."}
        )
        assert answer.status_code in (302, 303)
        assert commits == ["commit"]
    finally:
        event.remove(db.engine, "commit", committed)
    assert "Att se barnbarnen." in home(patient_client)


def test_a_refused_change_changes_nothing_not_even_the_version(planned, patient_client):
    before = home(patient_client)
    version = db.session.get(Patient, planned.id).plan_version
    with pytest.raises(whatmatters.WhatMattersError):
        whatmatters.whatmatters_add(patient=planned, text="   ", actor=planned.user)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Patient, planned.id).plan_version == version
    assert without_tokens(home(patient_client)) == without_tokens(before)


def test_one_commit_that_changes_two_plans_moves_both_and_no_other(planned, nurse):
    second = people.patient_create(
        created_by=nurse, name="Bertil Ek", phone="070-999 88 77", personal_number=None
    )
    third = people.patient_create(
        created_by=nurse, name="Cecilia Holm", phone="070-555 44 33", personal_number=None
    )
    db.session.commit()
    versions = {p.id: p.plan_version for p in (planned, second, third)}
    whatmatters.whatmatters_add(patient=planned, text="Att gå till affären.", actor=planned.user)
    whatmatters.whatmatters_add(patient=second, text="Att sjunga i kören.", actor=second.user)
    db.session.commit()
    db.session.expire_all()
    after = {p.id: db.session.get(Patient, p.id).plan_version for p in (planned, second, third)}
    assert after == {
        planned.id: versions[planned.id] + 1,
        second.id: versions[second.id] + 1,
        third.id: versions[third.id],
    }


def test_a_bulk_write_that_names_no_patient_is_refused(planned):
    db.session.execute(update(FollowUp).values(place="Någonstans"))
    with pytest.raises(RuntimeError, match="plan_changed"):
        db.session.commit()
    db.session.rollback()
    assert "Någonstans" not in {f.place for f in db.session.scalars(select(FollowUp))}


def test_each_device_gets_its_own_csrf_token_in_the_cached_plan(app, planned, nurse):
    new_care_contact(planned, nurse)  # puts a "Jag har läst" form in the plan
    phone, tablet = app.test_client(), app.test_client()
    register_with_invitation(phone, planned.user)
    register_with_invitation(tablet, planned.user)
    tokens = []
    for client in (phone, tablet):
        page = home(client)
        form = page[page.index('action="/vardteam/jag-har-last"') :]
        tokens.append(re.search(r'name="csrf_token" value="([^"]+)"', form).group(1))
    assert tokens[0] != tokens[1]
    assert kept_pages.CSRF_PLACEHOLDER not in page
    answer = tablet.post(
        "/vardteam/jag-har-last",
        data={"csrf_token": tokens[1], **_hidden_fields(page)},
    )
    assert answer.status_code in (302, 303)
    assert "Maja Sjöberg" in home(phone)  # still the contact, the notice is done
    assert "Karin går i pension." not in home(phone)


def test_the_kept_page_gives_each_device_its_own_tokens_everywhere_on_it(app, planned):
    phone, tablet = app.test_client(), app.test_client()
    register_with_invitation(phone, planned.user)
    register_with_invitation(tablet, planned.user)
    looks = {"phone": [home(phone), home(phone)], "tablet": [home(tablet)]}
    tokens = {}
    for device, pages in looks.items():
        for page in pages:
            # The header's, the language switch's and sign-out's: all this device's one token.
            found = set(re.findall(r'name="csrf[-_]token" (?:content|value)="([^"]+)"', page))
            assert len(found) == 1, found
            assert kept_pages.CSRF_PLACEHOLDER not in page
            tokens[device] = found.pop()
    assert tokens["phone"] != tokens["tablet"]
    assert without_tokens(looks["phone"][1]) == without_tokens(looks["tablet"][0])
    language = {"lang": "en", "csrf_token": tokens["tablet"], "next": "/"}
    changed = tablet.post("/sprak", data=language)
    assert changed.status_code == 303
    assert "My plan" in home(tablet)


def test_a_message_or_a_welcome_is_shown_once_even_when_the_page_is_kept(planned, patient_client):
    home(patient_client)
    with patient_client.session_transaction() as cookie_session:
        cookie_session["_flashes"] = [("error", "Nyckeln kunde inte tas bort.")]
    assert "Nyckeln kunde inte tas bort." in home(patient_client)
    assert "Nyckeln kunde inte tas bort." not in home(patient_client)
    welcome = patient_client.get("/?welcome=1").get_data(as_text=True)
    assert "Klart! Du är inloggad." in welcome
    assert "Klart! Du är inloggad." not in home(patient_client)


def _hidden_fields(page):
    form = page[page.index('action="/vardteam/jag-har-last"') :]
    form = form[: form.index("</form>")]
    return {
        name: value
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
        if name != "csrf_token"
    }


def test_the_language_is_part_of_what_is_kept(planned, patient_client):
    swedish = home(patient_client)
    token = re.search(r'name="csrf-token" content="([^"]+)"', swedish).group(1)
    patient_client.post("/sprak", data={"lang": "en", "csrf_token": token})
    english = home(patient_client)
    assert "Min fasta vårdkontakt" in swedish
    assert "Min fasta vårdkontakt" not in english


def test_kept_plans_age_out_because_the_clock_moves(monkeypatch):
    store = kept_pages.KeptPages(max_entries=2, max_age=cache.MAX_AGE)
    now = [1000.0]
    monkeypatch.setattr(kept_pages.time, "monotonic", lambda: now[0])
    store.put(("a",), "<p>a</p>")
    assert store.get(("a",)) == "<p>a</p>"
    now[0] += cache.MAX_AGE + 1
    assert store.get(("a",)) is None
    for key in ("b", "c", "d"):
        store.put((key,), key)
    assert store.get(("b",)) is None  # the least recently used made room
    assert store.get(("d",)) == "d"


# --- every model decides: on the plan, or off it ----------------------------------------


def _belongs_to_a_patient(table, plan_tables) -> bool:
    """A table with a foreign key to the patient, or to a row of a patient's plan."""
    return any(
        fk.column.table.name == "patient" or fk.column.table.name in plan_tables
        for fk in table.foreign_keys
    )


def test_every_model_that_belongs_to_a_patient_is_on_the_plan_or_declared_off_it(app):
    from webapp.db import OffPlan, PlanRow
    from webapp.plan.version import plan_tables

    undecided = [
        mapper.class_.__name__
        for mapper in db.Model.registry.mappers
        if _belongs_to_a_patient(mapper.class_.__table__, plan_tables())
        and not issubclass(mapper.class_, PlanRow | OffPlan)
    ]
    assert undecided == [], "mark these PlanRow (and say how to find the patient) or OffPlan"
    unexplained = [
        mapper.class_.__name__
        for mapper in db.Model.registry.mappers
        if issubclass(mapper.class_, OffPlan) and not mapper.class_.__off_plan__
    ]
    assert unexplained == [], "an OffPlan model says why in __off_plan__"


def test_a_plan_row_finds_its_patient_through_its_parents(planned):
    from webapp.agreement.models import AgreementItem
    from webapp.plan.version import patient_ids_of

    item = db.session.scalar(select(AgreementItem))
    assert patient_ids_of(db.session(), [item]) == {planned.id}
