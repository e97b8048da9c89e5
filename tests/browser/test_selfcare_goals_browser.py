"""In a real browser: the nurse starts a weight goal from the ready-made template on a laptop;
the patient sees it on Min plan and on her self-care page on a 320 px phone, whole at every
text size and clean in axe."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import create_care_team, create_patient
from tests.browser.test_layout_browser import assert_whole_at_every_size


@pytest.mark.browser
def test_the_nurse_sets_a_weight_goal_from_the_template_and_the_patient_sees_it(
    live_server, new_page, sign_in_as, axe_check
):
    team = create_care_team(live_server)
    who = create_patient(live_server, team)
    staff = new_page(viewport={"width": 1280, "height": 900})
    sign_in_as(staff, live_server, team.nurse_user_id)
    staff.goto(f"{live_server.url}/vard/patienter/{who.patient_id}")
    staff.get_by_role("link", name="Egenvård och mål").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(f"Egenvård för {who.name}")
    axe_check(staff)
    staff.get_by_role("link", name="Vikt vid hjärtsvikt").click()
    expect(staff.get_by_label("Målet med patientens egna ord")).to_have_value(
        "Väga mig varje morgon"
    )
    expect(staff.locator("#limits-0-advice")).to_have_value(
        "Ring din vårdkontakt i dag. Om du har svårt att andas: ring 112."
    )
    axe_check(staff)
    review = (date.today() + timedelta(days=180)).isoformat()
    staff.get_by_label("Bedömningen följs upp senast").fill(review)
    staff.get_by_role("button", name="Spara").click()
    expect(staff.get_by_text("Sparat. Patienten ser målet i sin egenvård.")).to_be_visible()
    expect(staff.get_by_text("Ökar mer än 2 kg på 3 dagar")).to_be_visible()

    page = new_page(viewport={"width": 320, "height": 720})
    sign_in_as(page, live_server, who.user_id)
    page.goto(f"{live_server.url}/")
    summary = page.locator(".selfcare-overview")
    expect(summary.get_by_text("Egenvård i dag: 0 av 1 gjort")).to_be_visible()
    summary.get_by_role("link", name="Min egenvård").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Min egenvård")
    expect(page.get_by_role("heading", name="Egenvård som vården har bedömt")).to_be_visible()
    expect(page.get_by_role("heading", name="Väga mig varje morgon")).to_be_visible()
    page.get_by_text("Mer om målet").click()
    expect(page.get_by_text("Bedömd av Karin Lind")).to_be_visible()
    assert_whole_at_every_size(page, axe_check)
    page.get_by_role("link", name="Sätt ett eget mål").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sätt ett eget mål")
    assert_whole_at_every_size(page, axe_check)
