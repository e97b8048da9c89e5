"""In a real browser on the smallest phone, with the text doubled: the pages that now speak
plainer (a new patient's promised first contact, Mitt kvitto before anything is agreed, the
logglista with its count on request, the phone hours refused in one message) fit the screen
and stay clean in axe."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import create_care_team, create_patient
from tests.browser.test_layout_browser import DOUBLE_TEXT, NARROW, SMALL_TARGETS, assert_fits


def _at_double_text_on_a_small_phone(page, axe_check) -> None:
    page.set_viewport_size(NARROW)
    page.evaluate(DOUBLE_TEXT)
    assert_fits(page)
    assert page.evaluate(SMALL_TARGETS) == []
    axe_check(page)


def test_a_new_patients_plan_receipt_and_logglista_in_plain_words(
    page, new_page, live_server, sign_in_as, axe_check
):
    team = create_care_team(live_server)
    patient = create_patient(live_server, team, name="Elsa Nyström")
    nurse_page = new_page()
    sign_in_as(nurse_page, live_server, team.nurse_user_id)
    for _ in range(3):  # three looks at her plan today: one line in the patient's logglista
        nurse_page.goto(f"{live_server.url}/vard/patienter/{patient.patient_id}")

    sign_in_as(page, live_server, patient.user_id)
    page.goto(f"{live_server.url}/")
    promise = page.get_by_text(re.compile(r"Karin Lind hör av sig inom 3 arbetsdagar, senast "))
    expect(promise).to_be_visible()
    _at_double_text_on_a_small_phone(page, axe_check)

    page.goto(f"{live_server.url}/kvitto/")
    expect(
        page.get_by_text("Du får frågorna när du och din vårdkontakt", exact=False)
    ).to_be_visible()
    expect(page.get_by_role("link", name="Svara på frågorna")).to_have_count(0)
    _at_double_text_on_a_small_phone(page, axe_check)

    page.goto(f"{live_server.url}/logglista")
    expect(page.locator(".explain-logglista")).to_be_visible()
    line = page.locator(".log-line", has_text="tittade på din plan")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("Karin Lind tittade på din plan i dag")
    count = line.locator("details.log-count")
    expect(count.get_by_text("gånger den dagen", exact=False)).to_be_hidden()
    count.locator("summary").click()  # the count, on request
    # Her three looks, and the worklist she lands on when she signs in.
    expect(count).to_contain_text("Karin Lind öppnade en sida med dina uppgifter 4 gånger")
    _at_double_text_on_a_small_phone(page, axe_check)


def test_phone_hours_typed_freely_are_refused_in_one_message_naming_the_day(
    page, live_server, sign_in_as, axe_check
):
    team = create_care_team(live_server)
    sign_in_as(page, live_server, team.nurse_user_id)
    page.set_viewport_size(NARROW)
    page.goto(f"{live_server.url}/vard/telefontid")
    page.get_by_label("Måndag").fill("8-10 och 13-15")
    page.get_by_label("Onsdag").fill("förmiddag")
    page.get_by_role("button", name="Spara").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Onsdag: skriv tiden som 8–10")
    expect(page.get_by_label("Onsdag")).to_have_value("förmiddag")
    expect(page.get_by_label("Måndag")).to_have_value("8-10 och 13-15")
    _at_double_text_on_a_small_phone(page, axe_check)

    page.get_by_label("Onsdag").fill("kl. 9–11")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Din telefontid är sparad.")).to_be_visible()
