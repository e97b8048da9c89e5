"""The whole onboarding on a phone: the care contact creates a patient and hands over a link;
the patient makes a passkey, sees their care contact, signs out and signs in again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_check, create_care_team, sign_in_as, virtual_authenticator

pytestmark = pytest.mark.browser


def test_care_contact_onboards_a_patient_who_signs_out_and_in_again(live_server, new_page):
    team = create_care_team(live_server)

    # The care contact, on their own phone, creates the patient through the form.
    staff = new_page()
    sign_in_as(staff, live_server, team.nurse_user_id)
    expect(staff.get_by_role("heading", level=1)).to_have_text(f"Patienter på {team.unit_name}")
    axe_check(staff)
    staff.get_by_role("link", name="Lägg till patient").click()
    expect(staff).to_have_url(re.compile(r"/vard/patienter/ny$"))
    axe_check(staff)

    staff.get_by_role("button", name="Skapa patient och länk").click()  # empty: refused
    expect(staff.get_by_text("Skriv namnet.").first).to_be_visible()
    axe_check(staff)  # the error summary and the fields' errors are accessible too
    staff.get_by_label("Patientens namn").fill("Sigrid Holm")
    staff.get_by_label("Mobilnummer").fill("070-765 43 21")
    staff.get_by_label("Fast läkarkontakt (frivilligt)").select_option(
        label=f"{team.physician_name}, Allmänläkare"
    )
    staff.get_by_role("button", name="Skapa patient och länk").click()

    expect(staff.get_by_role("heading", level=1)).to_have_text("Länk till Sigrid Holm")
    expect(staff.locator(".qr svg")).to_be_visible()
    link = staff.locator("[data-invitation-link]").get_attribute("href")
    assert link and link.startswith(f"{live_server.url}/inbjudan/")
    sms = staff.get_by_role("link", name="Skicka länken som sms till 070-765 43 21")
    expect(sms).to_have_attribute("href", re.compile(r"^sms:\+46707654321\?&body=Hej%21%20"))
    axe_check(staff)

    # The patient opens the link on their phone and makes a passkey.
    phone = new_page()
    virtual_authenticator(phone)
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Välkommen, Sigrid Holm")
    axe_check(phone)
    phone.get_by_role("button", name="Skapa nyckel").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Min plan")
    expect(phone.get_by_text("Klart! Du är inloggad.", exact=False)).to_be_visible()
    contact = phone.locator(
        "section", has=phone.get_by_role("heading", name="Min fasta vårdkontakt")
    )
    expect(contact).to_contain_text(team.nurse_name)
    expect(contact).to_contain_text(f"{team.nurse_title}, {team.unit_name}")
    expect(contact).to_contain_text("Telefontid: Mån–sön 00:00–24:00")
    call = contact.get_by_role("link", name=f"Ring {team.nurse_phone}")
    expect(call).to_have_attribute("href", "tel:0101234567")
    physician = phone.locator(
        "section", has=phone.get_by_role("heading", name="Min fasta läkarkontakt")
    )
    expect(physician).to_contain_text(team.physician_name)
    axe_check(phone)

    # The link worked once: opened again, it says so in plain words.
    phone.goto(link)
    expect(phone.get_by_text("Länken har redan använts.", exact=False)).to_be_visible()
    axe_check(phone)

    # Signing out lands on the signed-out page ...
    phone.goto(live_server.url + "/")
    phone.get_by_role("button", name="Logga ut", exact=True).click()
    expect(phone).to_have_url(re.compile(r"/utloggad$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Du är utloggad")
    axe_check(phone)
    phone.goto(live_server.url + "/")
    expect(phone.get_by_role("heading", level=1)).not_to_have_text("Min plan")
    axe_check(phone)  # the welcome page for someone signed out

    # ... and the passkey alone (no user name) brings the patient back to Min plan.
    phone.get_by_role("link", name="Logga in med nyckel").click()
    expect(phone).to_have_url(re.compile(r"/logga-in$"))
    axe_check(phone)
    phone.get_by_role("button", name="Logga in med nyckel").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Min plan")
    expect(contact).to_contain_text(team.nurse_name)

    # The care contact sees on the patient's page that the patient now has a passkey.
    staff.get_by_role("link", name="Klar", exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Sigrid Holm")
    expect(staff.locator(".facts")).to_contain_text("1 nyckel")
    expect(staff.get_by_text("Länken användes", exact=False)).to_be_visible()
    axe_check(staff)


def test_signing_in_goes_back_to_the_page_that_asked_for_it(live_server, page):
    team = create_care_team(live_server)
    sign_in_as(page, live_server, team.nurse_user_id)
    page.get_by_role("button", name="Logga ut", exact=True).click()
    expect(page).to_have_url(re.compile(r"/utloggad$"))
    # Signing out clears the site's storage, its service worker too, and the signed-out page
    # registers it again. A navigation while the old one is torn down can be fetched twice
    # (by the dying worker, then by the browser), and the first fetch takes the one-time
    # "Logga in för att se sidan." with it: wait until the page has its worker again.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    page.goto(live_server.url + "/nycklar")
    expect(page).to_have_url(re.compile(r"/logga-in\?next="))
    expect(page.get_by_text("Logga in för att se sidan.")).to_be_visible()
    page.get_by_role("button", name="Logga in med nyckel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina nycklar")
