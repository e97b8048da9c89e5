"""In a real browser: the patient finds her own copy in Inställningar, reads "Min plan – hela"
on a small phone with large text and prints it, and downloads the FHIR file; the care contact
copies "Text till journalen" with one press and prints it."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import app_work, create_care_team, create_patient
from tests.browser.test_layout_browser import assert_whole_at_every_size
from tests.export_helpers import unresolved, validated
from webapp.demo import demo_plan_load
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember


def astrid_with_her_plan(live_server):
    team = create_care_team(live_server)
    ref = create_patient(live_server, team)
    with app_work(live_server.app):
        patient = db.session.get(Patient, ref.patient_id)
        nurse = db.session.get(StaffMember, team.nurse_staff_id)
        demo_plan_load(patient=patient, nurse=nurse)
    return ref, team


@pytest.mark.browser
def test_the_patient_reads_prints_and_downloads_her_whole_plan(
    live_server, page, sign_in_as, axe_check
):
    ref, _team = astrid_with_her_plan(live_server)
    sign_in_as(page, live_server, ref.user_id)
    page.goto(live_server.url + "/installningar")
    page.get_by_role("link", name="Ladda ner min plan").click()
    assert_whole_at_every_size(page, axe_check)

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Ladda ner som fil (FHIR)").click()
    download = downloading.value
    assert download.suggested_filename.startswith("nara-min-plan-")
    bundle = json.loads(open(download.path(), encoding="utf-8").read())
    validated(bundle)
    assert unresolved(bundle) == []

    page.get_by_role("link", name="Min plan – hela").click()
    expect(page.get_by_role("heading", name="Min plan – hela", level=1)).to_be_visible()
    expect(page.get_by_text("Att träffa barnbarnen på söndagarna.")).to_be_visible()
    expect(page.get_by_role("table").first).to_be_visible()
    assert_whole_at_every_size(page, axe_check)

    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Skriv ut")).to_be_hidden()
    expect(page.get_by_text("Väga mig varje morgon").first).to_be_visible()
    assert page.pdf(format="A4").startswith(b"%PDF")


@pytest.mark.browser
def test_the_care_contact_copies_the_journal_text_with_one_press(
    live_server, new_page, sign_in_as, axe_check
):
    ref, team = astrid_with_her_plan(live_server)
    page = new_page(
        viewport={"width": 1280, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    sign_in_as(page, live_server, team.nurse_user_id)
    page.goto(f"{live_server.url}/overenskommelse/patient/{ref.patient_id}")
    page.get_by_role("link", name="Text till journalen").click()
    expect(page.get_by_role("heading", name="Text till journalen")).to_be_visible()
    text = page.locator("#journal-text").inner_text()
    assert text.startswith("Vad är viktigt för patienten\n")
    assert "Vid försämring" in text and "Överenskommet datum och samtycke" in text
    assert_whole_at_every_size(page, axe_check)  # she may read it on her phone too
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Kopiera texten").click()
    expect(page.get_by_role("status")).to_have_text("Kopierad. Klistra in den i journalen.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == text.strip()

    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Kopiera texten")).to_be_hidden()
    expect(page.locator("#journal-text")).to_be_visible()
