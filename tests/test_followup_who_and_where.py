"""A visit says where to go, and a phone call says who calls whom: the care contact is asked
when booking, and the patient reads it beside the time ("Karin Lind ringer dig")."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.test_followups import MINE, form_data, local_day, post
from webapp.extensions import db
from webapp.followups.models import FollowUp


def booking_path(patient) -> str:
    return f"/uppfoljning/patient/{patient.id}/ny"


def facts(html: str) -> list[tuple[str, str]]:
    return re.findall(r"<dt>([^<]+)</dt><dd[^>]*>([^<]+)</dd>", html)


def test_a_phone_call_says_who_calls_whom(nurse_client, patient_client, patient):
    path = booking_path(patient)
    form = nurse_client.get(path).get_data(as_text=True)
    assert "Vid telefonsamtal: vem ringer?" in form
    assert re.search(r'<input checked[^>]*value="care"', form)  # the usual case is ready

    for day, caller in ((3, "care"), (4, "patient")):
        data = form_data(date=local_day(day), kind="phone", place="", with_whom="Karin Lind")
        response = post(nurse_client, path, {**data, "caller": caller})
        assert response.status_code == 303
    html = patient_client.get(MINE).get_data(as_text=True)
    assert ("Vem ringer", "Karin Lind ringer dig") in facts(html)
    assert ("Vem ringer", "Du ringer Karin Lind") in facts(html)
    # Min plan's next contact says it too.
    plan = patient_client.get("/").get_data(as_text=True)
    assert ("Vem ringer", "Karin Lind ringer dig") in facts(plan)

    # Moving the call keeps who calls: the form opens with the patient's choice.
    later = db.session.scalar(select(FollowUp).where(FollowUp.caller == "patient"))
    moving = nurse_client.get(f"/uppfoljning/patient/{patient.id}/{later.id}/flytta")
    assert re.search(r'<input checked[^>]*value="patient"', moving.get_data(as_text=True))


def test_a_visit_needs_the_address_and_a_refusal_keeps_what_was_typed(nurse_client, patient):
    data = form_data(date=local_day(5), kind="visit", place="  ", purpose="Blodtrycket.")
    response = post(nurse_client, booking_path(patient), data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Skriv adressen dit patienten ska komma." in html
    assert "Blodtrycket." in html
    assert db.session.scalars(select(FollowUp)).all() == []


def test_an_unknown_caller_is_refused(nurse_client, patient):
    data = form_data(date=local_day(5), kind="phone")
    response = post(nurse_client, booking_path(patient), {**data, "caller": "grannen"})
    assert response.status_code == 400
    assert "Välj vem som ringer." in response.get_data(as_text=True)
    assert db.session.scalars(select(FollowUp)).all() == []


def test_a_home_visit_without_an_address_is_at_home(nurse_client, patient_client, patient):
    data = form_data(date=local_day(5), kind="home_visit", place="")
    assert post(nurse_client, booking_path(patient), data).status_code == 303
    html = patient_client.get(MINE).get_data(as_text=True)
    assert ("Var", "Hemma hos dig") in facts(html)
