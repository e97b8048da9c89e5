"""In a real browser: the patient tells her care contact "Sämre" with a few words; the nurse's
inbox shows the update a check-in outside an agreed limit made first, the patient's own after
it; she opens the patient's own and answers; the patient sees it read, by whom, and the
answer. The patient's pages fit a 320 px phone at 200 % text and are clean in axe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import app_work, create_care_team, create_patient
from tests.browser.test_layout_browser import assert_whole_at_every_size
from tests.selfcare_rows import check_in_make, flagged_update_make, goal_make
from webapp.extensions import db
from webapp.people.models import Patient

WORDS = "Mer andfådd i trappan sedan i söndags."
ANSWER = "Tack för att du säger till. Jag ringer dig i eftermiddag."


def _flagged(app, patient_id: int) -> None:
    """Yesterday's weighing crossed the limit agreed with care: an update made by itself."""
    with app_work(app):
        patient = db.session.get(Patient, patient_id)
        assert patient is not None
        goal = goal_make(
            patient,
            limits=[
                {"kind": "rise", "value": 2, "window_days": 3, "advice": "Ring din kontakt i dag."}
            ],
        )
        check_in = check_in_make(
            goal, datetime.now(UTC) - timedelta(days=1), value=78.4, outside_limits=True
        )
        flagged_update_make(check_in, patient.user)


def test_an_update_reaches_the_inbox_after_a_flagged_one_and_the_answer_comes_back(
    page, new_page, live_server, sign_in_as, axe_check
):
    team = create_care_team(live_server)
    astrid = create_patient(live_server, team)
    _flagged(live_server.app, astrid.patient_id)

    # The patient: three big choices and a box for more.
    sign_in_as(page, live_server, astrid.user_id)
    page.goto(f"{live_server.url}/egenvard/uppdatering")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hur går det?")
    assert_whole_at_every_size(page, axe_check)
    worse = page.get_by_role("radio", name="Sämre")
    assert page.locator("label.update-feeling").first.bounding_box()["height"] >= 44
    worse.check()
    page.get_by_label("Vill du berätta mer? (frivilligt)").fill(WORDS)
    page.get_by_role("button", name="Skicka till Karin Lind").click()
    expect(page).to_have_url(f"{live_server.url}/egenvard/uppdateringar")
    expect(page.get_by_role("status")).to_contain_text("Skickat till Karin Lind.")
    # Sent soon after the flagged one: the same moment, so one card (one matter for care).
    mine = page.locator(".update-list > li")
    expect(mine).to_have_count(1)
    expect(mine.first).to_contain_text("Du skrev: Sämre")
    expect(mine.first).to_contain_text(WORDS)
    expect(mine.first).to_contain_text("Inte läst ännu")
    expect(mine.first).to_contain_text("Det här har ni kommit överens om:")
    assert_whole_at_every_size(page, axe_check)

    # The nurse: the flagged update first, the patient's own (newer) after it.
    nurse = new_page()
    sign_in_as(nurse, live_server, team.nurse_user_id)
    nurse.goto(f"{live_server.url}/egenvard/inkorg")
    expect(nurse.get_by_role("heading", level=1)).to_have_text("Uppdateringar från patienter")
    unread = nurse.locator(".inbox").first.locator("> li")
    expect(unread).to_have_count(2)
    expect(unread.first).to_contain_text("Utanför en överenskommen gräns")
    expect(unread.nth(1)).to_contain_text("Mår: sämre")
    expect(unread.nth(1)).not_to_contain_text(WORDS)  # a line, not what she wrote
    axe_check(nurse)
    unread.nth(1).get_by_role("link", name="Astrid Berg").click()
    expect(nurse.get_by_role("heading", level=1)).to_have_text("Uppdatering från Astrid Berg")
    expect(nurse.get_by_text(WORDS)).to_be_visible()
    expect(nurse.get_by_role("link", name="070-111 22 33")).to_be_visible()
    axe_check(nurse)
    nurse.get_by_label("Ditt svar till patienten").fill(ANSWER)
    nurse.get_by_role("button", name="Svara").click()
    expect(nurse.get_by_role("status")).to_contain_text("Svaret är skickat.")
    expect(nurse.get_by_text("Läst av Karin Lind", exact=False)).to_be_visible()
    expect(nurse.get_by_role("button", name="Markera som läst")).to_have_count(0)
    nurse.goto(f"{live_server.url}/egenvard/inkorg")
    # Her answer answered the flagged one from the same moment too: nothing left unread.
    expect(nurse.locator(".inbox-unseen")).to_have_count(0)
    expect(nurse.locator(".inbox > li")).to_have_count(2)

    # The patient: read, by whom and when, and the answer.
    page.reload()
    answered = page.locator(".update-list > li").first
    expect(answered).to_contain_text("Läst av Karin Lind")
    expect(answered).to_contain_text(f"Svar från Karin Lind {ANSWER}")
    assert_whole_at_every_size(page, axe_check)
