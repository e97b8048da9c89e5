"""In a real browser: the administrator ends a leaving colleague's access. She is asked
first, sees whose fixed care contact he is and chooses; the patient nobody takes over yet
sees that he has left and the unit's number, never his, and the worklist names her."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import app_work, create_care_team
from webapp.extensions import db
from webapp.people import services as people
from webapp.people.models import StaffMember

LEAVER_PHONE = "010-999 88 77"


def test_ending_access_asks_who_takes_over_and_the_plan_drops_the_number(
    page, new_page, live_server, sign_in_as, axe_check
):
    team = create_care_team(live_server)
    with app_work(live_server.app):
        nurse = db.session.get(StaffMember, team.nurse_staff_id)
        assert nurse is not None
        leaver = people.staff_create(
            unit=nurse.care_unit,
            name="Per Slutar",
            title="Sjuksköterska",
            phone=LEAVER_PHONE,
            phone_hours="Alla dagar 0–24",
        )
        greta = people.patient_create(
            created_by=leaver, name="Greta Holm", phone="070-333 44 55", personal_number=None
        )
        greta_user, leaver_id = greta.user_id, leaver.id

    patient_page = new_page()
    sign_in_as(patient_page, live_server, greta_user)
    patient_page.goto(f"{live_server.url}/")
    expect(patient_page.locator(".contact-card").first).to_contain_text(LEAVER_PHONE)

    sign_in_as(page, live_server, team.nurse_user_id)
    page.goto(f"{live_server.url}/vard/personal")
    page.get_by_role("link", name="Avsluta åtkomst för Per Slutar").click()
    # Asked first: nothing has ended yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Avsluta åtkomst för Per Slutar?")
    expect(page.locator(".handover-patients")).to_have_text("Greta Holm")
    expect(page.get_by_label("Ny fast vårdkontakt för deras patienter")).to_have_value("")
    axe_check(page)
    with app_work(live_server.app):
        assert db.session.get(StaffMember, leaver_id).deactivated_at is None

    page.get_by_role("button", name="Ja, avsluta åtkomsten för Per Slutar").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Personal på")
    expect(page.get_by_text("Per Slutar kan inte längre logga in.", exact=False)).to_be_visible()

    # The worklist names the patient nobody has taken over yet.
    page.goto(f"{live_server.url}/vard/")
    orphans = page.locator(".worklist-orphans")
    expect(orphans).to_contain_text("Greta Holm")
    expect(orphans).to_contain_text("Per Slutar har slutat")
    axe_check(page)

    # Her plan says so, and gives the unit's number, never his.
    patient_page.reload()
    card = patient_page.locator(".contact-card").first
    expect(card).to_contain_text("Per Slutar har slutat")
    expect(card).to_contain_text("010-100 00 00")
    assert LEAVER_PHONE not in patient_page.content()
    axe_check(patient_page)

    # Someone is chosen: the plan names her, and Greta leaves the "needs someone" list.
    orphans.get_by_role("link", name="Greta Holm").click()
    page.get_by_label("Fast vårdkontakt", exact=True).select_option(
        label="Karin Lind, Distriktssköterska"
    )
    page.get_by_label("Meddelande till patienten").fill("Per har slutat. Karin tar över.")
    page.get_by_role("button", name="Spara och meddela patienten").click()
    page.goto(f"{live_server.url}/vard/")
    expect(page.locator(".worklist-orphans")).to_have_count(0)
    patient_page.reload()
    expect(patient_page.locator(".contact-card").first).to_contain_text("Karin Lind")
