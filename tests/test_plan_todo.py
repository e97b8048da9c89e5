""" "Att göra nu" at the top of Min plan: each thing that waits for the patient comes with its
cause and goes when the cause goes (answered or seen), through the cached plan."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from tests.conftest import csrf_token
from webapp.agreement import services as agreements
from webapp.careteam import services as careteam
from webapp.clock import now_utc
from webapp.demo import agreement_agreed_by_both
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.followups.details import FollowUpInput, local_zone
from webapp.people import services as people
from webapp.people.models import Patient, StaffMember
from webapp.receipt import services as receipt
from webapp.receipt.models import QUESTION_COUNT
from webapp.whatmatters import services as whatmatters


@pytest.fixture(autouse=True)
def _not_new(patient: Patient) -> None:
    """She has written what matters, so she is past the first-time card (test_plan_home.py)."""
    whatmatters.whatmatters_add(patient=patient, text="Att gå till affären.", actor=patient.user)
    db.session.commit()


def _todo(client: FlaskClient) -> str:
    """The "Att göra nu" box of the patient's home, as text; it must come before the rest."""
    html = client.get("/").get_data(as_text=True)
    found = re.search(r'<section class="card todo".*?</section>', html, re.S)
    assert found, "no Att göra nu on the home"
    assert html.index('class="card todo"') < html.index('id="contact-heading"')
    return found.group(0)


def _post_button(client: FlaskClient, box: str, kind: str) -> None:
    item = re.search(rf'<li class="todo-item todo-{kind}">.*?</li>', box, re.S)
    assert item, box
    action = re.search(r'action="([^"]+)"', item.group(0))
    assert action
    fields = dict(re.findall(r'name="(up_to)" value="([^"]*)"', item.group(0)))
    response = client.post(action.group(1), data={"csrf_token": csrf_token(client, "/"), **fields})
    assert response.status_code == 303


def _book(patient: Patient, nurse: StaffMember, days: int) -> int:
    day = (now_utc().astimezone(local_zone()) + timedelta(days=days)).date()
    details = FollowUpInput(
        date=day.isoformat(),
        time="10:00",
        duration_minutes="30",
        kind="visit",
        place="Storgatan 1",
        purpose="Hur går det?",
    )
    return followups.follow_up_book(patient=patient, details=details, actor=nurse.user).id


def _agree(patient: Patient, nurse: StaffMember, *, consent_sides: tuple[bool, ...]) -> None:
    agreement_agreed_by_both(
        patient=patient,
        care=nurse.user,
        items=[agreements.ItemInput(kind="action", text="Promenera varje dag.")],
        consent_sides=consent_sides,
    )


def test_nothing_waiting_says_so_calmly(patient_client):
    box = _todo(patient_client)
    assert "Inget väntar på dig just nu." in box
    assert "todo-item" not in box


def test_a_proposal_waits_until_the_patient_consents(patient_client, patient, nurse):
    _agree(patient, nurse, consent_sides=())  # drafted by care, nobody has consented
    db.session.commit()
    box = _todo(patient_client)
    assert "förslag till överenskommelse" in box
    assert 'href="/overenskommelse/"' in box
    draft = agreements.agreement_draft_find(patient=patient)
    assert draft
    agreements.agreement_consent(
        patient=patient,
        version_id=draft.id,
        expected_lock=draft.lock_version,
        as_patient=True,
        by_user=patient.user,
    )
    db.session.commit()
    assert "todo-agreement" not in _todo(patient_client)


def test_a_moved_follow_up_waits_until_seen_and_a_later_move_waits_again(
    patient_client, patient, nurse
):
    first = _book(patient, nurse, 3)
    db.session.commit()
    assert "todo-follow-up" not in _todo(patient_client)  # a booking is not a change
    day = (now_utc().astimezone(local_zone()) + timedelta(days=5)).date().isoformat()
    moved = FollowUpInput(
        date=day,
        time="13:00",
        duration_minutes="30",
        kind="visit",
        place="Storgatan 1",
        purpose="Hur går det?",
    )
    new = followups.follow_up_move(
        patient=patient, follow_up_id=first, details=moved, actor=nurse.user
    )
    db.session.commit()
    box = _todo(patient_client)
    assert "är flyttad till" in box and "kl. 13:00" in box
    _post_button(patient_client, box, "follow-up")
    assert "todo-follow-up" not in _todo(patient_client)
    followups.follow_up_cancel(
        patient=patient, follow_up_id=new.id, reason="Sjuk", actor=nurse.user
    )
    db.session.commit()
    box = _todo(patient_client)
    assert "är avbokad" in box


def test_a_move_whose_old_time_has_passed_still_waits(patient_client, patient, nurse, clock):
    clock.advance(days=-3)  # care moved it three days ago, from a time that is now past
    first = _book(patient, nurse, 1)
    day = (now_utc().astimezone(local_zone()) + timedelta(days=9)).date().isoformat()
    moved = FollowUpInput(date=day, time="09:00", duration_minutes="30", kind="phone", purpose="X")
    followups.follow_up_move(patient=patient, follow_up_id=first, details=moved, actor=nurse.user)
    db.session.commit()
    clock.advance(days=3)  # today, the session still fresh
    assert "är flyttad till" in _todo(patient_client)


def test_a_new_fixed_contact_waits_until_read(patient_client, patient, nurse, unit):
    other = people.staff_create(unit=unit, name="Eva Ström", title="Sjuksköterska")
    careteam.contacts_assign(
        patient=patient,
        care_contact_id=other.id,
        physician_id=patient.physician_id,
        message="Karin har bytt tjänst.",
        changed_by=nurse.user,
    )
    db.session.commit()
    box = _todo(patient_client)
    assert "ny fast vårdkontakt: Eva Ström" in box and "Karin har bytt tjänst." in box
    _post_button(patient_client, box, "contact")
    assert "todo-contact" not in _todo(patient_client)


def test_care_asks_the_seven_questions_once_agreed_until_answered(patient_client, patient, nurse):
    assert "todo-receipt" not in _todo(patient_client)  # nothing agreed: nothing to judge
    _agree(patient, nurse, consent_sides=(True, False))
    db.session.commit()
    box = _todo(patient_client)
    assert "Vården frågar" in box and 'href="/kvitto/"' in box
    for question in range(1, QUESTION_COUNT + 1):
        receipt.receipt_answer_save(
            patient=patient,
            side="patient",
            question=question,
            answer="yes",
            comment="",
            by_user=patient.user,
        )
    db.session.commit()
    assert "todo-receipt" not in _todo(patient_client)
