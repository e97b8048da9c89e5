"""In a real browser: the care contact drafts the agreement on their own screen and the patient
says "Jag är med på det här" on their phone; the agreement printed for the fridge; and the
"när jag blir sämre" page still readable on the phone after the server is gone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import app_work, create_care_team, create_patient
from tests.browser.test_layout_browser import assert_whole_at_every_size
from webapp.agreement import services as agreements
from webapp.demo import agreement_agreed_by_both
from webapp.extensions import db
from webapp.people.models import Patient
from webapp.pwa.offline import offline_key

GOAL = "Jag vill kunna gå till affären själv."
WALK = "Gå en promenad varje dag."
SIGNS = "Svullna ben eller mer andfådd än vanligt."
OFFLINE_PLAN_CACHES = (
    "caches.keys().then(names => names.filter(n => n.startsWith('nara-offline-plan')))"
)


def make_people(server):
    team = create_care_team(server)
    patient = create_patient(server, team)
    return {
        "nurse_user": team.nurse_user_id,
        "patient_user": patient.user_id,
        "patient_id": patient.patient_id,
    }


def make_agreed(app, who):
    with app_work(app):
        patient = db.session.get(Patient, who["patient_id"])
        agreement_agreed_by_both(
            patient=patient,
            care=patient.care_contact.user,
            items=[
                agreements.ItemInput(kind="goal", text=GOAL),
                agreements.ItemInput(kind="action", text=WALK),
            ],
            texts={
                "self_care_text": "Jag väger mig varje morgon.",
                "warning_signs_text": SIGNS,
                "when_worse_text": "Jag ringer Karin. Är det kväll ringer jag 1177.",
            },
        )


def make_proposal(app, who):
    """A change to the agreed version, drafted by the care contact, waiting for the patient."""
    with app_work(app):
        patient = db.session.get(Patient, who["patient_id"])
        care = patient.care_contact.user
        draft = agreements.agreement_draft_start(patient=patient, by_user=care)
        agreements.agreement_draft_save(
            patient=patient,
            version_id=draft.id,
            expected_lock=draft.lock_version,
            items=[
                agreements.ItemInput(kind="goal", text=GOAL),
                agreements.ItemInput(kind="action", text="Gå en lång promenad varje dag."),
            ],
            texts={"warning_signs_text": "Svullna ben eller feber."},
            by_user=care,
        )


FOCUSED = "() => document.activeElement && document.activeElement.textContent.trim()"


@pytest.mark.browser
def test_proposal_opens_on_what_is_new_and_is_answered_by_keyboard_on_a_small_phone(
    live_server, new_page, sign_in_as, axe_check
):
    who = make_people(live_server)
    make_agreed(live_server.app, who)
    make_proposal(live_server.app, who)
    page = new_page(viewport={"width": 320, "height": 720})
    sign_in_as(page, live_server, who["patient_user"])
    page.goto(live_server.url + "/overenskommelse/")
    expect(page.get_by_role("heading", name="Det här är nytt")).to_be_visible()
    # A change reads as two whole sentences, "Förut" above "Nu", nothing struck through.
    before = page.locator(".agreement-proposal .change-before", has_text="mer andfådd")
    now = page.locator(".agreement-proposal .change-now", has_text="Svullna ben eller feber.")
    expect(before).to_contain_text("Förut:")
    expect(now).to_contain_text("Nu:")
    assert before.bounding_box()["y"] < now.bounding_box()["y"]
    expect(page.locator(".agreement-proposal del, .agreement-proposal ins")).to_have_count(0)
    current = page.locator("details.agreement-current")
    expect(current).not_to_have_attribute("open", "")
    expect(current.get_by_text(WALK)).to_be_hidden()  # the version in force is folded away
    # At 320 and 360 px, normal and 200 % text: nothing sideways, no heading word or phone
    # number broken across lines, clean in axe.
    assert_whole_at_every_size(page, axe_check)
    page.set_viewport_size({"width": 320, "height": 720})

    for _ in range(40):  # the answer is reachable with the keyboard alone
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == "Jag vill prata om det först":
            break
    else:
        pytest.fail('Tab never reached "Jag vill prata om det först"')
    page.keyboard.press("Enter")
    expect(page.get_by_text("Din vårdkontakt får veta att du vill prata")).to_be_visible()
    expect(page.get_by_text("Du har sagt att du vill prata om förslaget först")).to_be_visible()
    expect(page.get_by_role("button", name="Jag är med på det här")).to_be_visible()
    axe_check(page)


@pytest.mark.browser
def test_care_contact_drafts_and_the_patient_consents_on_the_phone(
    live_server, page, new_page, sign_in_as, axe_check
):
    who = make_people(live_server)
    staff = new_page(viewport={"width": 1280, "height": 900})
    sign_in_as(staff, live_server, who["nurse_user"])
    staff.goto(f"{live_server.url}/vard/patienter/{who['patient_id']}")
    staff.get_by_role("link", name="Hela överenskommelsen och alla versioner").click()
    axe_check(staff)
    staff.get_by_role("button", name="Skriv ett förslag").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Förslag till överenskommelse")
    axe_check(staff)
    staff.get_by_label("Mål eller åtgärd").select_option("goal")
    staff.get_by_label("Nytt mål eller ny åtgärd").fill(GOAL)
    staff.get_by_role("button", name="Lägg till").click()
    expect(staff.get_by_text("Förslaget är sparat.")).to_be_visible()
    staff.get_by_label("Nytt mål eller ny åtgärd").fill(WALK)
    staff.locator("#new_responsible").select_option("patient")
    staff.get_by_label("Tecken att vara uppmärksam på").fill(SIGNS)
    staff.get_by_role("button", name="Spara förslaget").click()
    expect(staff.get_by_text("Förslaget är sparat.")).to_be_visible()
    staff.get_by_role("button", name="Godkänn för vårdens del").click()
    expect(staff.get_by_text("Vården har godkänt")).to_be_visible()
    axe_check(staff)

    sign_in_as(page, live_server, who["patient_user"])
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Väntar på att du godkänner").click()
    expect(page.get_by_text(SIGNS)).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Jag är med på det här").click()
    expect(page.get_by_text("Klart! Ni är överens.")).to_be_visible()
    expect(page.get_by_role("heading", name="Det här har vi kommit överens om")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(page)
    page.goto(live_server.url + "/")
    expect(page.get_by_text("Du: " + WALK)).to_be_visible()
    axe_check(page)


@pytest.mark.browser
def test_the_agreement_prints_for_the_fridge(live_server, page, sign_in_as, axe_check):
    who = make_people(live_server)
    make_agreed(live_server.app, who)
    sign_in_as(page, live_server, who["patient_user"])
    page.goto(live_server.url + "/overenskommelse/")
    page.get_by_role("link", name="Utskrift för kylskåpet").click()
    expect(page.get_by_role("button", name="Skriv ut")).to_be_visible()
    axe_check(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header nav")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("button", name="Skriv ut")).to_be_hidden()
    expect(page.get_by_text(GOAL)).to_be_visible()
    expect(page.get_by_text(SIGNS)).to_be_visible()
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 20  # 16 pt: large type on paper
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


@pytest.mark.browser
def test_when_worse_page_stays_readable_offline_once_turned_on(
    start_live_server, page, sign_in_as, axe_check
):
    server = start_live_server()
    who = make_people(server)
    make_agreed(server.app, who)
    sign_in_as(page, server, who["patient_user"])
    page.goto(server.url + "/")
    page.get_by_role("link", name="När jag blir sämre").click()  # two taps from Min plan
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    toggle = page.get_by_role("button", name="Spara planen i den här telefonen")
    expect(toggle).to_be_visible()
    axe_check(page)
    toggle.click()
    expect(page.get_by_text("Planen är sparad i den här telefonen.")).to_be_visible()
    page.reload()  # now the service worker controls the page and refreshes the copy
    expect(
        page.get_by_role("button", name="Sluta spara planen i den här telefonen")
    ).to_be_visible()

    server.stop()
    page.goto(server.url + "/overenskommelse/nar-jag-blir-samre")
    expect(page.get_by_text(SIGNS)).to_be_visible()
    expect(page.get_by_role("link", name="Ring 1177")).to_be_visible()
    page.goto(server.url + "/")
    expect(page.get_by_role("heading", name="Vår överenskommelse")).to_be_visible()
    expect(page.get_by_text(GOAL)).to_be_visible()


@pytest.mark.browser
def test_turning_offline_reading_off_deletes_the_copy(live_server, page, sign_in_as):
    who = make_people(live_server)
    with live_server.app.app_context():
        key = offline_key(who["patient_user"])  # the patient's own, opaque
    sign_in_as(page, live_server, who["patient_user"])
    page.goto(live_server.url + "/overenskommelse/nar-jag-blir-samre")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.get_by_role("button", name="Spara planen i den här telefonen").click()
    expect(page.get_by_text("Planen är sparad i den här telefonen.")).to_be_visible()
    assert page.evaluate(OFFLINE_PLAN_CACHES) == [f"nara-offline-plan:{key}"]
    page.get_by_role("button", name="Sluta spara planen i den här telefonen").click()
    expect(page.get_by_text("Planen är inte sparad i den här telefonen.")).to_be_visible()
    assert page.evaluate(OFFLINE_PLAN_CACHES) == []
