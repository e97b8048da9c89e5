"""In a real browser on a phone-sized screen: the patient writes three things that matter to
them and puts them in order with the keyboard only; axe-core is clean on every page visited."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import app_work
from tests.browser.test_layout_browser import STICKING_OUT
from webapp.people import services as people

FAMILY = "Att träffa barnbarnen varje vecka."
GARDEN = "Att kunna sköta min trädgård."
HOME = "Att få bo kvar hemma."

# The focused element, described well enough to tell which button of which statement it is.
FOCUSED = """() => {
  const el = document.activeElement;
  const item = el && el.closest("li.wm-item");
  const text = item && item.querySelector(".wm-text");
  return {tag: el ? el.tagName : "", label: el ? el.textContent.trim() : "",
          item: text ? text.textContent.trim() : null};
}"""


# The browser's text size doubled, as a phone's text setting does.
DOUBLE_TEXT = """() => {
  const root = document.documentElement;
  root.style.fontSize = (2 * parseFloat(getComputedStyle(root).fontSize)) + 'px';
}"""


FITS = "() => document.scrollingElement.scrollWidth <= window.innerWidth"


def make_patient(app):
    with app_work(app):
        unit = people.care_unit_get_or_create(name="Vårdcentralen Viktigt")
        nurse = people.staff_create(unit=unit, name="Karin Viktig", title="Distriktssköterska")
        patient = people.patient_create(
            created_by=nurse, name="Greta Holm", phone="070-222 33 44", personal_number=None
        )
        return {"patient": patient.user, "nurse": nurse.user, "patient_id": patient.id}


def tab_to(page: Page, label: str, item: str, limit: int = 60) -> None:
    """Press Tab until the button `label` of the statement `item` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["label"] == label and focused["item"] == item:
            return
    pytest.fail(f"Tab never reached {label!r} of {item!r}")


def shown_order(page: Page) -> list[str]:
    return page.locator("ol.wm-list > li .wm-text").all_text_contents()


@pytest.mark.browser
def test_patient_writes_and_orders_what_matters_with_the_keyboard(
    live_server, page, sign_in_as, axe_check
):
    who = make_patient(live_server.app)
    sign_in_as(page, live_server, who["patient"])
    axe_check(page)  # Min plan

    page.get_by_role("link", name="Skriv vad som är viktigt för dig").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vad är viktigt för dig?")
    page.get_by_text("Behöver du hjälp att komma igång?").click()
    expect(page.get_by_text("Vad ger dig energi?")).to_be_visible()
    axe_check(page)

    for text in (FAMILY, GARDEN, HOME):
        # After a save the page opens at the saved statement (#punkt-N); the browser starts
        # keyboard navigation from there once the page has loaded. Wait for that, then type.
        page.wait_for_function("() => document.readyState === 'complete'")
        page.get_by_label("Skriv en sak som är viktig för dig").fill(text)
        page.keyboard.press("Tab")  # to "Spara"
        expect(page.get_by_role("button", name="Spara", exact=True)).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_text("Sparat. Det står nu sist i listan.")).to_be_visible()
        # The message may still be the previous save's: wait for this one in the list.
        expect(page.locator("ol.wm-list > li .wm-text").last).to_have_text(text)
    assert shown_order(page) == [FAMILY, GARDEN, HOME]
    axe_check(page)

    # From the top of the page, Tab to the third statement's "Flytta upp" and press Enter.
    page.goto(f"{live_server.url}/viktigt/")
    tab_to(page, "Flytta upp", HOME)
    page.keyboard.press("Enter")
    page.wait_for_url("**/viktigt/?flyttad=*")
    expect(page.get_by_role("status").filter(has_text="plats 2")).to_have_text(
        "Flyttades upp till plats 2 av 3."
    )
    assert shown_order(page) == [FAMILY, HOME, GARDEN]
    # Focus stayed with the moved statement, so pressing again moves it on.
    assert page.evaluate(FOCUSED) == {"tag": "BUTTON", "label": "Flytta upp", "item": HOME}
    axe_check(page)

    page.keyboard.press("Space")
    expect(page.get_by_text("Flyttades upp till plats 1 av 3.")).to_be_visible()
    assert shown_order(page) == [HOME, FAMILY, GARDEN]
    # At the top there is no "Flytta upp": focus is on its "Flytta ner" instead.
    assert page.evaluate(FOCUSED) == {"tag": "BUTTON", "label": "Flytta ner", "item": HOME}
    axe_check(page)

    # Up and down side by side, on the smallest phone too; at 200 % text nothing goes sideways.
    page.set_viewport_size({"width": 320, "height": 720})
    middle = page.locator("li.wm-item", has_text=FAMILY)
    up = middle.get_by_role("button", name="Flytta upp").bounding_box()
    down = middle.get_by_role("button", name="Flytta ner").bounding_box()
    assert up and down and abs(up["y"] - down["y"]) < 1 and down["x"] > up["x"]
    page.evaluate(DOUBLE_TEXT)
    assert page.evaluate(FITS), page.evaluate(STICKING_OUT)

    # "Flytta först" takes the third straight to the top.
    tab_to(page, "Flytta först", GARDEN)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Flyttades upp till plats 1 av 3.")).to_be_visible()
    assert shown_order(page) == [GARDEN, HOME, FAMILY]

    page.goto(live_server.url + "/")
    overview = page.locator("section.whatmatters-overview li")
    expect(overview).to_have_text([GARDEN, HOME, FAMILY])


@pytest.mark.browser
def test_patient_edits_archives_and_the_care_contact_sees_what_changed(
    live_server, page, new_page, sign_in_as, axe_check
):
    who = make_patient(live_server.app)
    staff = new_page(viewport={"width": 1280, "height": 900})
    sign_in_as(staff, live_server, who["nurse"])
    care_page = f"{live_server.url}/vard/patienter/{who['patient_id']}"
    staff.goto(care_page)  # the care contact's first look
    expect(staff.get_by_text("Patienten har inte skrivit något ännu.")).to_be_visible()

    sign_in_as(page, live_server, who["patient"])
    page.goto(f"{live_server.url}/viktigt/")
    box = page.get_by_label("Skriv en sak som är viktig för dig")
    box.fill("Jag vill gå ut i skogen. " * 13)
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("alert")).to_contain_text("högst 300 tecken")
    expect(box).to_have_value(("Jag vill gå ut i skogen. " * 13).strip())
    axe_check(page)  # the page with an error
    for text in (FAMILY, GARDEN):
        box.fill(text)
        page.get_by_role("button", name="Spara").click()

    page.locator("li.wm-item", has_text=GARDEN).get_by_role("link", name="Ändra").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ändra det som är viktigt")
    axe_check(page)
    page.get_by_label("Ändra texten").fill("Att sköta trädgården med hjälp.")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Ändringen är sparad.")).to_be_visible()

    page.locator("li.wm-item", has_text=FAMILY).get_by_role(
        "button", name="Ta bort från listan"
    ).click()
    expect(page.get_by_role("heading", name="Borttaget från listan")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Se allt som har ändrats (historik)").click()
    expect(page.get_by_text(f"Du tog bort från listan: ”{FAMILY}”")).to_be_visible()
    expect(
        page.get_by_text("Du ändrade texten till: ”Att sköta trädgården med hjälp.”")
    ).to_be_visible()
    axe_check(page)

    staff.goto(care_page)
    section = staff.locator("section.whatmatters-overview")
    expect(section.get_by_role("heading")).to_have_text("Det här är viktigt för patienten")
    expect(section.locator("li")).to_have_text(
        ["Att sköta trädgården med hjälp. Nytt sedan du tittade senast"]
    )
    expect(section).to_contain_text(f"Borttaget sedan du tittade senast {FAMILY}")
    axe_check(staff)
    staff.get_by_role("link", name="Se vad som har ändrats (historik)").click()
    expect(staff.get_by_text(f"Greta Holm (patienten) skrev: ”{FAMILY}”")).to_be_visible()
    axe_check(staff)


@pytest.mark.browser
def test_a_form_left_open_too_long_keeps_what_was_written(live_server, page, sign_in_as, axe_check):
    who = make_patient(live_server.app)
    sign_in_as(page, live_server, who["patient"])
    page.goto(live_server.url + "/viktigt/")
    # As if the page had been open past the token's lifetime (or came from elsewhere).
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(e => e.value = 'x')")
    page.get_by_label("Skriv en sak som är viktig för dig").fill(GARDEN)
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Något gick fel")
    expect(page.get_by_text("Ingenting har sparats.", exact=False)).to_be_visible()
    expect(page.get_by_label("Text 1")).to_have_value(GARDEN)
    axe_check(page)
    page.goto(live_server.url + "/viktigt/")
    expect(page.get_by_text(GARDEN)).to_have_count(0)
