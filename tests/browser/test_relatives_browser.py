"""Närstående on phones, two people in two browser contexts: Astrid invites her daughter; Eva
makes her own passkey from the link, logs a weight for her mother and sends an update; Astrid
sees "Loggat av Eva (dotter)" and Eva's look in her logglista; Astrid ends it, and Eva's next
request is refused and says why. Every new page is clean in axe."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    app_work,
    axe_check,
    create_care_team,
    create_patient,
    sign_in_as,
    virtual_authenticator,
)
from webapp.extensions import db
from webapp.people.models import Patient
from webapp.relatives.acting import today_local
from webapp.selfcare.models import SelfCareGoal

pytestmark = pytest.mark.browser


def _weight_goal(live_server: Any, patient_id: int) -> int:
    with app_work(live_server.app):
        patient = db.session.get(Patient, patient_id)
        assert patient is not None
        goal = SelfCareGoal(
            patient_id=patient.id,
            kind="own",
            title="Väga mig varje morgon",
            measure="number",
            unit="kg",
            agreed_by_staff_id=patient.care_contact_id,
            created_by_user_id=patient.user_id,
        )
        db.session.add(goal)
        db.session.flush()
        return goal.id


def test_a_daughter_helps_her_mother_until_the_mother_ends_it(
    live_server: Any, new_page: Any
) -> None:
    team = create_care_team(live_server)
    astrid = create_patient(live_server, team)
    goal_id = _weight_goal(live_server, astrid.patient_id)
    base = live_server.url

    # Astrid invites her daughter from her settings.
    mother: Page = new_page()
    sign_in_as(mother, live_server, astrid.user_id)
    mother.goto(base + "/installningar")
    mother.get_by_role("link", name="Mina närstående").click()
    expect(mother.get_by_role("heading", level=1)).to_have_text("Mina närstående")
    axe_check(mother)
    mother.get_by_role("link", name="Bjud in en närstående").click()
    mother.get_by_role("button", name="Skapa inbjudan").click()  # empty: refused, kept
    expect(mother.get_by_text("Skriv ett namn.").first).to_be_visible()
    axe_check(mother)
    mother.get_by_label("Namn").fill("Eva")
    mother.get_by_label("Vem är personen för dig?").fill("dotter")
    mother.get_by_label("Se min plan").check()
    mother.get_by_label("Logga min egenvård och skicka uppdateringar åt mig").check()
    mother.get_by_role("button", name="Skapa inbjudan").click()
    expect(mother.get_by_role("heading", level=1)).to_have_text("Inbjudan till Eva (dotter)")
    expect(mother.locator(".qr svg")).to_be_visible()
    sms = mother.get_by_role("link", name="Skicka länken som sms")
    expect(sms).to_have_attribute("href", re.compile(r"^sms:\?&body=Hej%21%20Astrid%20Berg"))
    link = mother.locator("[data-invitation-link]").get_attribute("href")
    assert link and link.startswith(f"{base}/narstaende/inbjudan/")
    axe_check(mother)

    # Eva, on her own phone, makes her own passkey from the link.
    daughter: Page = new_page()
    virtual_authenticator(daughter)
    daughter.goto(link)
    expect(daughter.get_by_role("heading", level=1)).to_have_text("Inbjudan från Astrid Berg")
    axe_check(daughter)
    daughter.get_by_role("button", name="Skapa min egen nyckel").click()
    daughter.get_by_role("button", name="Skapa nyckel").click()
    banner = daughter.locator(".acting-banner")
    expect(banner).to_contain_text("Du hjälper: Astrid Berg")
    expect(daughter.get_by_role("heading", level=1)).to_have_text("Min plan")
    expect(daughter.get_by_role("link", name=re.compile("logglista"))).to_have_count(0)
    axe_check(daughter)

    # She logs a weight for her mother, and sends an update.
    daughter.goto(f"{base}/egenvard/{goal_id}/logga")
    expect(banner).to_contain_text("Astrid Berg")
    daughter.get_by_label("Skriv värdet i kg").fill("72,4")
    daughter.get_by_role("button", name="Spara").click()
    expect(daughter.get_by_role("heading", level=1)).to_have_text("Sparat")
    daughter.goto(f"{base}/egenvard/uppdatering")
    daughter.get_by_label("Som förut").check()
    daughter.get_by_role("button", name=re.compile("^Skicka")).click()
    expect(daughter.get_by_role("heading", level=1)).not_to_have_text("Hur går det?")

    # Astrid sees who logged it, and Eva's look in her logglista.
    mother.goto(f"{base}/egenvard/{goal_id}/historik")
    expect(mother.get_by_text("Loggat av Eva (dotter)", exact=False)).to_be_visible()
    mother.goto(base + "/logglista")
    expect(mother.locator(".log-line").filter(has_text="Eva (dotter)").first).to_be_visible()
    axe_check(mother)

    # She ends it in one step; Eva's very next request is refused and says why.
    mother.goto(base + "/narstaende/")
    mother.get_by_role("link", name=re.compile("Ändra eller avsluta")).click()
    axe_check(mother)
    mother.get_by_role("button", name="Avsluta åtkomsten för Eva").click()
    expect(mother.get_by_text("kan inte längre se eller göra något", exact=False)).to_be_visible()
    mother.goto(base + "/narstaende/samtycken")
    expect(mother.get_by_text("Du avslutade åtkomsten för Eva (dotter).")).to_be_visible()
    axe_check(mother)

    daughter.goto(f"{base}/egenvard/{goal_id}/logga")
    expect(daughter.get_by_role("heading", level=1)).to_have_text("Din åtkomst har upphört")
    expect(daughter.locator(".acting-banner")).to_have_count(0)
    axe_check(daughter)
    daughter.goto(base + "/")
    expect(daughter.get_by_role("heading", level=1)).to_have_text("Vem vill du hjälpa?")
    expect(daughter.get_by_text("Astrid Berg")).to_have_count(0)
    axe_check(daughter)


def test_consent_recorded_in_person_and_a_helper_who_steps_down(
    live_server: Any, new_page: Any
) -> None:
    team = create_care_team(live_server)
    astrid = create_patient(live_server, team)
    base = live_server.url

    # Her care contact records the consent Astrid gave at the visit: reminders only.
    nurse: Page = new_page()
    sign_in_as(nurse, live_server, team.nurse_user_id)
    nurse.goto(f"{base}/vard/patienter/{astrid.patient_id}")
    nurse.get_by_role("link", name="Anteckna samtycke för en närstående").click()
    expect(nurse.get_by_role("heading", level=1)).to_have_text(
        "Anteckna samtycke för en närstående"
    )
    axe_check(nurse)
    nurse.get_by_label("Namn").fill("Gunnar")
    nurse.get_by_label("Vem är personen för dig?").fill("granne")
    nurse.get_by_label("Få mina påminnelser").check()
    with app_work(live_server.app):
        today = today_local()
    nurse.get_by_label("Dag då patienten gav sitt samtycke").fill(today.isoformat())
    nurse.get_by_label("Sista dag", exact=True).fill((today + timedelta(days=400)).isoformat())
    nurse.get_by_role("button", name="Anteckna och skapa länk").click()
    expect(nurse.get_by_text("högst tolv månader", exact=False).first).to_be_visible()
    axe_check(nurse)
    nurse.get_by_label("Sista dag", exact=True).fill((today + timedelta(days=180)).isoformat())
    nurse.get_by_role("button", name="Anteckna och skapa länk").click()
    expect(nurse.get_by_role("heading", level=1)).to_have_text("Inbjudan till Gunnar (granne)")
    link = nurse.locator("[data-invitation-link]").get_attribute("href")
    assert link

    # Gunnar takes it; with reminders only, his page says so and shows none of her plan.
    neighbour: Page = new_page()
    virtual_authenticator(neighbour)
    neighbour.goto(link)
    neighbour.get_by_role("button", name="Skapa min egen nyckel").click()
    neighbour.get_by_role("button", name="Skapa nyckel").click()
    expect(neighbour.get_by_role("heading", level=1)).to_have_text("Du hjälper Astrid Berg")
    expect(neighbour.get_by_text("Du får påminnelserna i din telefon.")).to_be_visible()
    axe_check(neighbour)

    # He steps down; Astrid's ledger says so.
    neighbour.goto(base + "/narstaende/hjalper")
    axe_check(neighbour)
    neighbour.get_by_role("link", name="Jag vill inte längre hjälpa Astrid Berg").click()
    axe_check(neighbour)
    neighbour.get_by_role("button", name="Jag vill inte längre hjälpa Astrid Berg").click()
    expect(neighbour.get_by_text("Du hjälper inte längre Astrid Berg.")).to_be_visible()

    mother: Page = new_page()
    sign_in_as(mother, live_server, astrid.user_id)
    mother.goto(base + "/narstaende/samtycken")
    expect(mother.get_by_text("Gunnar (granne) slutade hjälpa dig.")).to_be_visible()
    expect(
        mother.get_by_text("Karin Lind antecknade att du gav Gunnar (granne) åtkomst", exact=False)
    ).to_be_visible()
