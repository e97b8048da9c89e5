"""Min plan on a 360 px phone: a new patient is shown where to start, and once something
waits for her, "Att göra nu" is the first thing on the screen; axe-core is clean on both."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import app_work, create_care_team, create_patient
from webapp.agreement import services as agreements
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember
from webapp.whatmatters import services as whatmatters

NARROW = {"width": 360, "height": 740}


@pytest.mark.browser
def test_new_patient_card_then_att_gora_nu_first_on_a_narrow_phone(
    live_server, new_page, sign_in_as, axe_check
):
    team = create_care_team(live_server)
    person = create_patient(live_server, team)
    page = new_page(viewport=NARROW)
    sign_in_as(page, live_server, person.user_id)

    start = page.get_by_role("region", name="Så börjar du")
    expect(start.get_by_role("listitem")).to_have_count(2)
    expect(start.get_by_role("link", name="Skriv vad som är viktigt för dig")).to_be_visible()
    expect(page.get_by_role("region", name="Att göra nu")).to_have_count(0)
    expect(page.get_by_role("navigation")).to_contain_text("Mår du sämre?")
    axe_check(page)

    # She writes what matters; her care contact sends a proposal: it waits for her.
    with app_work(live_server.app):
        patient = db.session.get(Patient, person.patient_id)
        nurse = db.session.get(StaffMember, team.nurse_staff_id)
        assert patient and nurse
        whatmatters.whatmatters_add(
            patient=patient, text="Att gå till affären.", actor=patient.user
        )
        draft = agreements.agreement_draft_start(patient=patient, by_user=nurse.user)
        agreements.agreement_draft_save(
            patient=patient,
            version_id=draft.id,
            expected_lock=draft.lock_version,
            items=[agreements.ItemInput(kind="action", text="Promenera varje dag.")],
            texts={},
            by_user=nurse.user,
        )
    page.reload()
    todo = page.get_by_role("region", name="Att göra nu")
    proposal = todo.get_by_role("link", name="Läs förslaget")
    expect(proposal).to_be_in_viewport()  # first on the screen, no scrolling
    headings = page.locator("main h2").all_text_contents()
    assert headings[:2] == ["Att göra nu", "Nästa steg"], headings
    expect(page.get_by_role("region", name="Så börjar du")).to_have_count(0)
    box = proposal.bounding_box()
    assert box and box["height"] >= 44  # a main way forward is easy to tap
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(page)
