"""In a real browser: the care contact books a follow-up; the patient, on a phone-sized page,
sees it, downloads its .ics (parsed back here with `icalendar`) and says "Jag kan inte komma";
the care contact sees the reason, marked as new. axe-core is run on every page visited."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.conftest import create_care_team, create_patient

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PURPOSE = "Vi ser över dina blodtrycksmediciner."
REASON = "Min dotter kan inte skjutsa mig den dagen."


def test_booking_calendar_file_and_cannot_come(page, new_page, live_server, sign_in_as, axe_check):
    team = create_care_team(live_server)
    patient = create_patient(live_server, team, name="Elsa Nyström")
    day = (datetime.now(UTC).astimezone(STOCKHOLM) + timedelta(days=10)).date().isoformat()

    # The care contact books, first with an end before the start.
    sign_in_as(page, live_server, team.nurse_user_id)
    page.goto(f"{live_server.url}/vard/patienter/{patient.patient_id}")
    axe_check(page)
    page.get_by_role("link", name="Boka ny kontakt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Boka kontakt med Elsa Nyström")
    axe_check(page)
    page.get_by_label("Datum").fill(day)
    page.get_by_label("Börjar klockan").fill("08:00")
    page.get_by_label("Slutar klockan").fill("07:30")
    page.get_by_label("Sorts kontakt").select_option(label="Besök")
    page.get_by_label("Var").fill("Vårdcentralen Linden, rum 4")
    page.get_by_label("Vad gäller det?").fill(PURPOSE)
    page.get_by_role("button", name="Boka").click()
    expect(page.get_by_text("Slutet kan inte vara före början.").first).to_be_visible()
    expect(page.get_by_label("Vad gäller det?")).to_have_value(PURPOSE)
    axe_check(page)
    page.get_by_label("Slutar klockan").fill("08:45")
    page.get_by_role("button", name="Boka").click()
    expect(page.get_by_text("Kontakten är bokad.")).to_be_visible()
    axe_check(page)

    # The patient sees it on a phone and takes it into the calendar.
    phone = new_page()
    sign_in_as(phone, live_server, patient.user_id)
    expect(phone.get_by_text(PURPOSE)).to_be_visible()
    axe_check(phone)
    phone.get_by_role("link", name="Alla planerade kontakter").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Mina planerade kontakter")
    axe_check(phone)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Lägg in i min kalender").click()
    body = Path(download.value.path()).read_bytes()
    (found,) = Calendar.from_ical(body).walk("VEVENT")
    expected = datetime.fromisoformat(f"{day}T08:00").replace(tzinfo=STOCKHOLM)
    assert found.decoded("DTSTART") == expected.astimezone(UTC)
    assert found.decoded("DTEND") == expected.astimezone(UTC) + timedelta(minutes=45)
    assert str(found["LOCATION"]) == "Vårdcentralen Linden, rum 4"

    # "Jag kan inte komma", with a reason.
    phone.get_by_role("link", name="Jag kan inte komma").click()
    axe_check(phone)
    phone.get_by_label("Varför kan du inte komma?").fill(REASON)
    phone.get_by_role("button", name="Skicka till min vårdkontakt").click()
    expect(phone.get_by_text("Din vårdkontakt får veta att du inte kan komma.")).to_be_visible()
    expect(phone.get_by_text("Du har sagt att du inte kan komma.")).to_be_visible()
    axe_check(phone)

    # The care contact sees it, marked as new since they last looked.
    page.goto(f"{live_server.url}/vard/patienter/{patient.patient_id}")
    news = page.locator(".fu-overview .notice")
    expect(news).to_contain_text("Nytt sedan du tittade senast")
    expect(news).to_contain_text(REASON)
    axe_check(page)


def test_choosing_what_the_calendar_link_carries_on_a_small_phone_at_double_text(
    page, live_server, sign_in_as, axe_check
):
    from tests.browser.test_layout_browser import DOUBLE_TEXT, NARROW, SMALL_TARGETS, assert_fits

    patient = create_patient(live_server, create_care_team(live_server), name="Elsa Nyström")
    sign_in_as(page, live_server, patient.user_id)
    page.set_viewport_size(NARROW)
    page.goto(f"{live_server.url}/uppfoljning/kalenderlank")
    page.get_by_role("button", name="Slå på kalenderlänken").click()
    expect(page.get_by_role("link", name="Lägg in i telefonens kalender")).to_have_attribute(
        "href", re.compile(r"^webcal://")
    )
    expect(page.get_by_role("heading", name="Vad syns i kalendern?")).to_be_visible()
    # Step by step for either kind of phone, opened with a tap.
    android = page.locator("details.calendar-how", has_text="På Android")
    android.locator("summary").click()
    expect(android.get_by_text("”Från webbadress”", exact=False)).to_be_visible()
    brief = page.get_by_label("Bara vilken sorts kontakt det är och när")
    details = page.get_by_label("Också med vem, var, vad det gäller", exact=False)
    expect(brief).to_be_checked()
    page.evaluate(DOUBLE_TEXT)
    assert_fits(page)
    assert page.evaluate(SMALL_TARGETS) == []
    axe_check(page)

    details.check()
    page.get_by_role("button", name="Spara valet").click()
    expect(
        page.get_by_text("Kalendern får nu också veta med vem, var och vad det gäller.")
    ).to_be_visible()
    expect(page.get_by_label("Också med vem, var, vad det gäller", exact=False)).to_be_checked()
    axe_check(page)
