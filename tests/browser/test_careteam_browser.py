"""In a real browser: the care contact adds a part of care and hands the patient over to a
colleague with a message; the patient sees both on "Min plan" on a phone and says they read it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import app_work, create_care_team, create_patient
from webapp.extensions import db
from webapp.people import services as people
from webapp.people.models import StaffMember

WHY = "Karin går i pension. Eva tar över och känner till din plan."


@pytest.fixture
def team(live_server):
    care = create_care_team(live_server)
    patient = create_patient(live_server, care)
    with app_work(live_server.app):
        nurse = db.session.get(StaffMember, care.nurse_staff_id)
        people.staff_create(unit=nurse.care_unit, name="Eva Ek", title="Sjuksköterska")
    return {
        "nurse": care.nurse_user_id,
        "patient": patient.user_id,
        "patient_id": patient.patient_id,
    }


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.browser
def test_new_part_of_care_and_new_care_contact_reach_the_patients_phone(
    live_server, page, new_page, sign_in_as, axe_check, team
):
    sign_in_as(page, live_server, team["nurse"])
    page.goto(f"{live_server.url}/vard/patienter/{team['patient_id']}")
    page.get_by_role("link", name="Ändra delar av vården").click()
    axe_check(page)
    page.get_by_label("Verksamhet").fill("Hemtjänsten i Solna")
    page.get_by_label("Sorts vård").select_option("municipal_home_care")
    page.get_by_label("Vad de gör för patienten").fill("Hjälper dig med mat och medicin.")
    page.get_by_label("Kontaktperson (frivilligt)").fill("Maria Holm")
    page.get_by_label("Telefon (frivilligt)").fill("08-746 10 00")
    page.get_by_label("Telefontider (frivilligt)").fill(
        "Dygnet runt"
    )  # open whenever the test runs
    page.get_by_role("button", name="Lägg till").click()
    expect(page.get_by_text("Hemtjänsten i Solna finns nu i patientens plan.")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Tillbaka till Astrid Berg").click()
    page.get_by_role("link", name="Byt fast vårdkontakt eller läkarkontakt").click()
    axe_check(page)
    page.get_by_label("Fast vårdkontakt", exact=True).select_option(label="Eva Ek, Sjuksköterska")
    page.get_by_label("Meddelande till patienten").fill(WHY)
    page.get_by_role("button", name="Spara och meddela patienten").click()
    expect(page.get_by_text("Kontakten är ändrad.")).to_be_visible()
    axe_check(page)

    page = new_page()  # the patient's own phone
    sign_in_as(page, live_server, team["patient"])
    page.goto(f"{live_server.url}/")
    notice = page.get_by_text("Du har fått en ny fast vårdkontakt: Eva Ek, Sjuksköterska.")
    expect(notice).to_be_visible()
    expect(page.get_by_text(f"Meddelande från vårdenheten: {WHY}")).to_be_visible()
    contacts = page.get_by_role("region", name="Mina kontakter i vården")
    expect(contacts.get_by_role("heading", name="Hemtjänsten i Solna")).to_be_visible()
    expect(contacts.get_by_text("Maria Holm")).to_be_visible()
    call = contacts.get_by_role("link", name="Ring 08-746 10 00")
    expect(call).to_have_attribute("href", "tel:087461000")
    assert fits_the_screen(page)
    axe_check(page)

    page.get_by_role("button", name="Jag har läst").click()
    expect(notice).to_have_count(0)
    expect(page.get_by_role("region", name="Min fasta vårdkontakt")).to_contain_text("Eva Ek")
    expect(contacts.get_by_role("heading", name="Hemtjänsten i Solna")).to_be_visible()
    assert fits_the_screen(page)
    axe_check(page)
