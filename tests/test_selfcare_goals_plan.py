"""Self-care in Min plan: today's self-care in short ("Egenvård i dag: 1 av 2 gjort"), what is
due now at the top among the things to do, the agreement's "who does what", and a kept plan
that is drawn anew when the day changes or a reminder time comes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests.conftest import count_queries
from tests.selfcare_rows import check_in_make, goal_make
from tests.test_page_budget import every_plan_changes
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.selfcare.models import GoalKind, SelfCareGoal
from webapp.selfcare.schedule import local_zone
from webapp.whatmatters import services as whatmatters


def at(clock, hour: int, minute: int = 0, days: int = 0) -> None:
    day = now_utc().astimezone(local_zone()).date() + timedelta(days=days)
    clock.now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=local_zone())


@pytest.fixture
def quarter_to_eight(clock, patient):
    """07:45 today (before anyone signs in); she is past the first-time card."""
    at(clock, 7, 45)
    whatmatters.whatmatters_add(patient=patient, text="Att gå till affären.", actor=patient.user)
    db.session.commit()
    return clock


def _todo(html: str) -> str:
    found = re.search(r'<section class="card todo".*?</section>', html, re.S)
    assert found
    return found.group(0)


def _self_care(html: str) -> str:
    found = re.search(r'<section class="card selfcare-overview".*?</section>', html, re.S)
    assert found, "no self-care on the plan"
    return found.group(0)


def test_min_plan_says_what_is_done_today_and_links_to_self_care(
    quarter_to_eight, patient, nurse, patient_client
):
    weight = goal_make(patient, reminder_times="07:00")
    goal_make(patient, title="Hemövningar", measure="done", unit="", kind=GoalKind.ASSESSED)
    check_in_make(weight, now_utc() - timedelta(minutes=30), value=72.5)
    part = _self_care(patient_client.get("/").get_data(as_text=True))
    assert "Egenvård i dag: 1 av 2 gjort" in part
    assert "Väga mig varje morgon</strong>: Gjort i dag" in part
    assert "Hemövningar</strong>: Inte gjort i dag ännu" in part
    assert 'href="/egenvard/"' in part


def test_a_reminder_time_that_passes_puts_it_at_the_top_even_from_the_kept_plan(
    quarter_to_eight, patient, patient_client
):
    goal = goal_make(patient, reminder_times="08:00")
    assert "Dags för" not in _todo(patient_client.get("/").get_data(as_text=True))
    quarter_to_eight.advance(minutes=20)  # 08:05: nothing was written, the clock moved
    box = _todo(patient_client.get("/").get_data(as_text=True))
    assert "Dags för: Väga mig varje morgon" in box
    assert f'href="/egenvard/{goal.id}/logga"' in box
    check_in_make(db.session.get(SelfCareGoal, goal.id), now_utc(), value=72.0)
    assert "Dags för" not in _todo(patient_client.get("/").get_data(as_text=True))


@pytest.fixture
def twenty_to_midnight(clock, patient):
    at(clock, 23, 40)
    whatmatters.whatmatters_add(patient=patient, text="Att gå ut.", actor=patient.user)
    db.session.commit()
    return clock


def test_a_new_day_starts_with_nothing_done(twenty_to_midnight, patient, patient_client):
    clock = twenty_to_midnight
    goal = goal_make(patient)
    check_in_make(goal, now_utc(), value=72.0)
    assert "1 av 1 gjort" in _self_care(patient_client.get("/").get_data(as_text=True))
    clock.advance(minutes=25)  # 00:05 the next day
    assert "0 av 1 gjort" in _self_care(patient_client.get("/").get_data(as_text=True))


def test_the_plan_costs_the_same_queries_with_a_years_check_ins(
    quarter_to_eight, patient, patient_client
):
    goal = goal_make(patient, reminder_times="09:00")
    goal_id = goal.id

    def uncached() -> int:
        patient_client.get("/")
        every_plan_changes()
        db.session.remove()
        with count_queries() as statements:
            assert patient_client.get("/").status_code == 200
        db.session.remove()
        with count_queries() as kept:
            assert patient_client.get("/").status_code == 200
        db.session.remove()
        assert len(statements) > len(kept), "the changed plan was not drawn anew"
        return len(statements)

    few = uncached()
    for days in range(365):
        check_in_make(
            db.session.get(SelfCareGoal, goal_id), now_utc() - timedelta(days=days), value=70.0
        )
    assert uncached() == few


def test_the_care_page_and_the_agreement_say_who_does_what(
    quarter_to_eight, patient, nurse, nurse_client, patient_client
):
    goal_make(
        patient,
        kind=GoalKind.ASSESSED,
        assessed_by_staff_id=nurse.id,
        performer_name="Eva (dotter)",
        title="Lägga om såret",
        measure="done",
        unit="",
    )
    goal_make(patient, title="Gå minst 3 000 steg", unit="steps")
    care = nurse_client.get(f"/vard/patienter/{patient.id}").get_data(as_text=True)
    assert f'href="/egenvard/patient/{patient.id}"' in _self_care(care)
    assert "Närstående: Eva (dotter):</strong> Lägga om såret" in care
    assert "Bedömd av Karin Lind" in care
    own = patient_client.get("/").get_data(as_text=True)
    assert "Du:</strong> Gå minst 3 000 steg" in own
    page = patient_client.get("/overenskommelse/").get_data(as_text=True)
    assert "Egenvård: vem gör vad" in page and "Lägga om såret" in page
