"""Min plan around "Att göra nu": the next step in one line with "Mår du sämre?", the menu
and the settings page that took over the keys, a new patient's first-time card, and the
welcome after the first sign-in."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import csrf_token, register_with_invitation
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.followups.details import FollowUpInput, local_zone
from webapp.followups.models import FollowUp
from webapp.people.models import Patient, StaffMember
from webapp.whatmatters import services as whatmatters


def _book(patient: Patient, nurse: StaffMember, **details: str) -> None:
    day = (now_utc().astimezone(local_zone()) + timedelta(days=2)).date().isoformat()
    values = {"time": "13:00", "duration_minutes": "20", "purpose": "Hur går det?", **details}
    followups.follow_up_book(
        patient=patient, details=FollowUpInput(date=day, **values), actor=nurse.user
    )
    db.session.commit()


def _next_step(html: str) -> str:
    """The next step's words (the line is a link to that contact)."""
    found = re.search(r'<p class="next-step-line">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else ""


def test_the_next_step_says_who_calls_whom_in_one_line(
    patient_client, nurse_client, patient, nurse
):
    _book(patient, nurse, kind="phone", caller="care", with_whom="Karin Lind")
    html = patient_client.get("/").get_data(as_text=True)
    line = _next_step(html)
    assert line.endswith("kl. 13:00 – Karin Lind ringer dig"), line
    assert html.index("next-step-line") < html.index('id="contact-heading"')
    # The line leads to that contact, where "Jag kan inte komma" and the calendar are.
    link = re.search(r'<p class="next-step-line"><a href="([^"]+)">', html)
    assert link, html
    follow_up = db.session.scalars(select(FollowUp)).one()
    assert link.group(1) == f"/uppfoljning/#kontakt-{follow_up.id}"
    listing_html = patient_client.get("/uppfoljning/").get_data(as_text=True)
    item = listing_html[listing_html.index(f'id="kontakt-{follow_up.id}"') :]
    assert "Jag kan inte komma" in item[: item.index("</li>")]
    worse = re.search(r'<a class="button button-primary" href="([^"]+)">Mår du sämre\?</a>', html)
    assert worse and worse.group(1) == "/overenskommelse/nar-jag-blir-samre"
    listing = patient_client.get("/uppfoljning/").get_data(as_text=True)
    assert "Karin Lind ringer dig" in listing
    care_listing = nurse_client.get(f"/uppfoljning/patient/{patient.id}/").get_data(as_text=True)
    assert "<dd>Vården ringer patienten</dd>" in care_listing


def test_a_call_the_patient_makes_and_a_visit_say_so(patient_client, patient, nurse):
    _book(patient, nurse, kind="phone", caller="patient")
    assert _next_step(patient_client.get("/").get_data(as_text=True)).endswith(
        "Du ringer din vårdkontakt"
    )


def test_a_visit_says_where_from_the_units_address(patient_client, patient, nurse, unit):
    unit.address = "Storgatan 1, 123 45 Nära"
    db.session.commit()
    _book(patient, nurse, kind="visit", with_whom="Karin Lind")
    line = _next_step(patient_client.get("/").get_data(as_text=True))
    assert line.endswith("Besök med Karin Lind, Vårdcentralen Test, Storgatan 1, 123 45 Nära")
    listing = patient_client.get("/uppfoljning/").get_data(as_text=True)
    assert "<dd>Vårdcentralen Test, Storgatan 1, 123 45 Nära</dd>" in listing


def test_the_menu_offers_help_when_worse_and_keys_move_to_settings(patient_client):
    html = patient_client.get("/").get_data(as_text=True)
    menu = html[html.index("<nav") : html.index("</nav>")]
    assert "Mår du sämre?" in menu and "Inställningar" in menu
    assert "Nycklar" not in menu
    settings = patient_client.get("/installningar").get_data(as_text=True)
    for link in ("/nycklar", "/paminnelser/", "/uppfoljning/kalenderlank", "/logglista"):
        assert f'href="{link}"' in settings, link


def test_a_new_patient_sees_where_to_start_until_she_has_written(patient_client, patient):
    html = patient_client.get("/").get_data(as_text=True)
    card = html.index('id="first-time-heading"')
    assert card < html.index('id="contact-heading"')
    assert "1." not in html[card : card + 40]  # an ordered list numbers the steps itself
    assert 'href="/viktigt/"' in html[card:]
    # Who gets in touch, and by when: the promise made when she was added.
    assert re.search(r"Karin Lind hör av sig inom 3 arbetsdagar, senast \w+dag \d+ \w+\.", html)
    assert "Att göra nu" not in html  # nothing waits but her first step
    assert "Alla planerade kontakter" not in html  # no link to an empty list
    assert "Hela överenskommelsen och alla versioner" not in html
    whatmatters.whatmatters_add(patient=patient, text="Att gå till affären.", actor=patient.user)
    db.session.commit()
    html = patient_client.get("/").get_data(as_text=True)
    assert "first-time-heading" not in html
    assert "Att göra nu" in html
    # The promise stays in "Nästa steg" until the first contact is booked.
    assert "Karin Lind hör av sig inom 3 arbetsdagar" in _next_step(html)


def test_the_promised_first_contact_goes_once_it_is_booked(patient_client, patient, nurse):
    whatmatters.whatmatters_add(patient=patient, text="Att gå till affären.", actor=patient.user)
    db.session.commit()
    assert "hör av sig inom" in _next_step(patient_client.get("/").get_data(as_text=True))
    _book(patient, nurse, kind="phone", caller="care", with_whom="Karin Lind")
    line = _next_step(patient_client.get("/").get_data(as_text=True))
    assert "hör av sig inom" not in line and "Karin Lind ringer dig" in line


def test_the_welcome_after_the_first_passkey_says_she_is_signed_in(client, patient):
    register_with_invitation(client, patient.user)
    html = client.get("/?welcome=1").get_data(as_text=True)
    assert "Klart! Du är inloggad." in html
    assert "Nu kan du logga in" not in html


def test_the_next_step_in_english(patient_client, patient, nurse):
    _book(patient, nurse, kind="phone", caller="care", with_whom="Karin Lind")
    patient_client.post(
        "/sprak", data={"lang": "en", "next": "/", "csrf_token": csrf_token(patient_client, "/")}
    )
    line = _next_step(patient_client.get("/").get_data(as_text=True))
    assert re.match(r"^[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]+ ", line), line
    assert line.endswith("Karin Lind calls you"), line
