"""Who needs a contract: the unit's patients by what their contract misses, with counts, for
the care contacts; each name listed is a read in that patient's log; a leader sees none."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import count_queries, register_with_invitation
from webapp import audit
from webapp.agreement import services as agreements
from webapp.audit import AccessLogEntry
from webapp.clock import now_utc
from webapp.demo import agreement_agreed_by_both
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.followups.details import FollowUpInput, local_zone
from webapp.people import services as people
from webapp.receipt import services as receipts

PAGE = "/enhet/behover-kontrakt"


def signed_in(app, user):
    client = app.test_client()
    register_with_invitation(client, user)
    return client


def book(patient, nurse):
    day = (now_utc().astimezone(local_zone()) + timedelta(days=3)).date()
    followups.follow_up_book(
        patient=patient,
        details=FollowUpInput(
            kind="phone",
            date=day.isoformat(),
            time="10:00",
            duration_minutes="15",
            purpose="Samtal",
        ),
        actor=nurse.user,
    )


def agree(patient, nurse, *, both=True):
    agreement_agreed_by_both(
        patient=patient,
        care=nurse.user,
        items=[agreements.ItemInput(kind="action", text="Gå en promenad varje dag.")],
        consent_sides=(True, False) if both else (True,),
    )


def listed(html):
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def unit_patients(nurse, physician, unit):
    """Four patients of Karin's: one with it all, one with nothing, one with a proposal only
    and a nej in Mitt kvitto, and one whose care contact has left."""
    made = {
        name: people.patient_create(
            created_by=nurse, name=name, phone="070-000 00 00", personal_number=None
        )
        for name in ("Alla Delar", "Inga Delar", "Halva Delar", "Utan Kontakt")
    }
    agree(made["Alla Delar"], nurse)
    book(made["Alla Delar"], nurse)
    agree(made["Halva Delar"], nurse, both=False)
    book(made["Halva Delar"], nurse)
    receipts.receipt_answer_save(
        patient=made["Halva Delar"],
        side="patient",
        question=4,
        answer="no",
        comment=None,
        by_user=made["Halva Delar"].user,
    )
    gone = people.staff_create(unit=unit, name="Berit Borta", title="Sjuksköterska")
    made["Utan Kontakt"].care_contact = gone
    gone.deactivated_at = now_utc()
    db.session.commit()
    return made


def test_the_list_by_what_is_missing_with_counts(app, unit_patients, nurse):
    client = signed_in(app, nurse.user)
    html = client.get(PAGE + "?visa=alla").get_data(as_text=True)
    assert "Ingen fast vårdkontakt: 1" in html
    assert "Ingen överenskommelse: 2" in html
    assert "Överenskommelsen är inte godkänd av båda: 1" in html
    assert "Ingen nästa kontakt bokad: 2" in html
    assert "Nej i Mitt kvitto: 1" in html
    assert "Saknar något: 3 patienter" in html
    assert sorted(listed(html)) == ["Halva Delar", "Inga Delar", "Utan Kontakt"]
    one_kind = client.get(PAGE + "?visa=alla&saknar=nej-i-kvittot").get_data(as_text=True)
    assert listed(one_kind) == ["Halva Delar"]
    no_contact = client.get(PAGE + "?visa=alla&saknar=vardkontakt").get_data(as_text=True)
    assert listed(no_contact) == ["Utan Kontakt"]


def test_mine_are_only_hers(app, unit_patients, nurse):
    html = signed_in(app, nurse.user).get(PAGE).get_data(as_text=True)
    assert sorted(listed(html)) == ["Halva Delar", "Inga Delar"]


def test_each_name_listed_is_a_read_in_that_patients_log(app, unit_patients, nurse):
    signed_in(app, nurse.user).get(PAGE + "?visa=alla&saknar=nej-i-kvittot")
    rows = db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.action == audit.Read.WORKLIST)
    ).all()
    assert [row.patient_id for row in rows] == [unit_patients["Halva Delar"].id]


def test_an_unknown_kind_is_404(app, unit_patients, nurse):
    assert signed_in(app, nurse.user).get(PAGE + "?saknar=allt").status_code == 404


def test_leaders_and_strangers_see_no_list(app, unit_patients, unit, other_unit_nurse):
    leader = people.staff_create(
        unit=unit, name="Vera Chef", title="Verksamhetschef", is_quality_lead=True
    )
    db.session.commit()
    assert signed_in(app, leader.user).get(PAGE).status_code == 404
    html = signed_in(app, other_unit_nurse.user).get(PAGE + "?visa=alla").get_data(as_text=True)
    assert listed(html) == []


def test_the_list_costs_the_same_queries_for_more_patients(app, unit_patients, nurse):
    client = signed_in(app, nurse.user)
    client.get(PAGE + "?visa=alla")
    with count_queries() as few:
        client.get(PAGE + "?visa=alla")
    for n in range(10):
        people.patient_create(
            created_by=nurse, name=f"Fler {n}", phone="070-000 00 00", personal_number=None
        )
    db.session.commit()
    with count_queries() as many:
        client.get(PAGE + "?visa=alla")
    assert len(many) == len(few)
