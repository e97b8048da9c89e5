"""In a bad moment, at 200 % text on a 320 px phone (the root font size doubled, as
test_layout_browser does): Min plan, "Mår du sämre?", a check-in outside the agreed limits,
Mitt kvitto, the agreement proposal and the logglista have no text smaller than body text,
nothing past the device's width, none of our long words split without a hyphen, the menu
folded into one "Meny" button, and are clean in axe. Care's advice is followed at once by
the call; "Mår du sämre?" opens on whom to call and tells care "Jag mår sämre" in one step;
a refused form puts the focus on its error summary right under the heading; the next step
leads to its contact."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import app_work
from tests.browser.test_agreement_browser import make_agreed, make_people, make_proposal
from tests.browser.test_layout_browser import DOUBLE_TEXT, SPLIT_WORDS, assert_fits
from tests.browser.test_selfcare_checkin_browser import ADVICE, _goal
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.followups.details import FollowUpInput, local_zone
from webapp.people.models import Patient
from webapp.selfcare.models import PatientUpdate

NARROW = {"width": 320, "height": 720}
# Our own long words (and the care team's title in these tests): each must break, if at
# all, at a hyphen. Words someone typed may break anywhere rather than widen the page.
LONG_WORDS = [
    "sjukvårdsrådgivning",
    "sjukvårdsrådgivningen",
    "överenskommelse",
    "överenskommelsen",
    "distriktssköterska",
    "vårdcentralen",
    "inställningar",
    "påminnelser",
    "uppdateringar",
    "vårdkontakten",
    "vårdkontakt",
    "läkarkontakt",
    "tillgänglighet",
    "egenvårdsbedömning",
    "internetanslutning",
    "logglista",
    "uppföljning",
]

# Visible text whose font is smaller than the body's: the words that matter most must never
# be the smallest on the screen. (The charts' words are HTML beside their pictures, measured
# by tests/browser/test_selfcare_chart_browser.py; an SVG draws no words but the quality charts'.)
TEXT_SMALLER_THAN_BODY = """() => {
  const body = parseFloat(getComputedStyle(document.body).fontSize);
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim()) continue;
    const element = node.parentElement;
    if (element.closest('svg, script, style, .visually-hidden, .skip-link')) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (size < body - 0.5) {
      small.push(`${element.tagName.toLowerCase()} "${node.data.trim().slice(0, 30)}" ` +
                 `${size} px < ${body} px`);
    }
  }
  return small;
}"""

LONG_WORDS_SPLIT = f"() => ({SPLIT_WORDS})(document, 'body', {json.dumps(LONG_WORDS)})"


def large_text(page: Page, path: str, heading: str) -> None:
    """Open `path` (on the page's own server) on a 320 px phone and double the text."""
    page.set_viewport_size(NARROW)
    page.goto("/".join(page.url.split("/", 3)[:3]) + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.evaluate(DOUBLE_TEXT)


def assert_readable_at_large_text(page: Page, axe_check: Any) -> None:
    """The page as it is now (320 px, 200 % text): see the module's docstring."""
    where = page.url
    assert page.evaluate(TEXT_SMALLER_THAN_BODY) == [], where
    assert_fits(page, where)
    assert page.evaluate(LONG_WORDS_SPLIT) == [], where
    # The menu is one button: its links are not on the screen until it is opened.
    expect(page.get_by_role("navigation", name="Huvudmeny").get_by_text("Meny")).to_be_visible()
    expect(page.get_by_role("link", name="Inställningar")).to_be_hidden()
    axe_check(page)


def first_call_button_top(page: Page) -> float:
    box = page.locator("a.button-call").first.bounding_box()
    assert box is not None
    return box["y"]


@pytest.fixture
def patient_in_a_bad_moment(live_server: Any, new_page: Any, sign_in_as: Any) -> dict[str, Any]:
    """A patient with an agreed agreement, a proposal of a change, a weight goal with a limit
    and a phone call booked; signed in on a small phone."""
    who = make_people(live_server)
    make_agreed(live_server.app, who)
    make_proposal(live_server.app, who)
    who["goal_id"] = _goal(live_server, who["patient_id"])
    with app_work(live_server.app):
        patient = db.session.get(Patient, who["patient_id"])
        assert patient is not None
        day = (now_utc().astimezone(local_zone()) + timedelta(days=3)).date().isoformat()
        follow_up = followups.follow_up_book(
            patient=patient,
            details=FollowUpInput(
                date=day,
                time="09:30",
                duration_minutes="20",
                kind="phone",
                caller="care",
                with_whom="Karin Lind",
                purpose="Hur går det?",
            ),
            actor=patient.care_contact.user,
        )
        db.session.flush()
        who["follow_up_id"] = follow_up.id
    page = new_page(viewport=NARROW)
    sign_in_as(page, live_server, who["patient_user"])
    who["page"] = page
    return who


@pytest.mark.browser
def test_the_pages_of_a_bad_moment_read_whole_at_200_percent_text(
    live_server: Any, patient_in_a_bad_moment: dict[str, Any], axe_check: Any
) -> None:
    page: Page = patient_in_a_bad_moment["page"]
    for path, heading in (
        ("/", "Min plan"),
        ("/overenskommelse/nar-jag-blir-samre", "När jag blir sämre"),
        ("/kvitto/fraga/1", "Mitt kvitto"),
        ("/overenskommelse/", "Vår överenskommelse"),
        ("/logglista", "Vem har tittat i min plan?"),
    ):
        large_text(page, path, heading)
        assert_readable_at_large_text(page, axe_check)

    # "Mår du sämre?": the first thing is whom to call, its button on the first screen.
    large_text(page, "/overenskommelse/nar-jag-blir-samre", "När jag blir sämre")
    assert first_call_button_top(page) < NARROW["height"]

    # Without internet and without the plan kept in the phone, the offline page still names
    # her care contact's number (remembered from Min plan), besides 1177 and 112.
    page.goto(f"{live_server.url}/offline")
    expect(page.get_by_role("link", name="Ring 010-123 45 67")).to_have_attribute(
        "href", "tel:0101234567"
    )
    expect(page.get_by_text("Din fasta vårdkontakt: Karin Lind")).to_be_visible()
    page.evaluate(DOUBLE_TEXT)
    assert_fits(page)
    assert page.evaluate(TEXT_SMALLER_THAN_BODY) == []

    # The next step on Min plan leads to its contact, where "Jag kan inte komma" is.
    large_text(page, "/", "Min plan")
    page.locator(".next-step-line a").click()
    contact = page.locator(f"#kontakt-{patient_in_a_bad_moment['follow_up_id']}")
    expect(contact.get_by_role("link", name="Jag kan inte komma")).to_be_visible()


@pytest.mark.browser
def test_cares_advice_is_followed_at_once_by_the_call(
    live_server: Any, patient_in_a_bad_moment: dict[str, Any], axe_check: Any
) -> None:
    page: Page = patient_in_a_bad_moment["page"]
    page.goto(f"{live_server.url}/egenvard/{patient_in_a_bad_moment['goal_id']}/logga")
    page.get_by_label("Skriv värdet i kg").fill("104")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gör så här nu")
    page.evaluate(DOUBLE_TEXT)
    advice = page.locator(".ci-advice")
    expect(advice).to_have_text(ADVICE)
    advice_box = advice.bounding_box()
    assert advice_box is not None
    # The call follows the advice at once (only the "Vem ringer jag?" heading between), its
    # button on the first screen with at least a 44 px target of it in sight (at 200 % text
    # the button, name and number, is taller than what is left), and it calls Karin.
    assert page.evaluate("window.scrollY") == 0
    call = page.locator("a.button-call").first.bounding_box()
    assert call is not None
    assert advice_box["y"] + advice_box["height"] < call["y"], call
    assert call["y"] + 44 <= NARROW["height"], call
    expect(page.locator("a.button-call").first).to_have_attribute("href", "tel:0101234567")
    assert_readable_at_large_text(page, axe_check)

    # Feeling worse too: from there to "Mår du sämre?", and care is told in one step.
    page.get_by_role("link", name="Mår du sämre? Berätta det för vården").click()
    page.get_by_label("Vad har hänt? (frivilligt)").fill("Andfådd, svullna fötter.")
    page.get_by_role("button", name="Skicka: Jag mår sämre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina uppdateringar")
    expect(page.get_by_text("Skickat till Karin Lind.")).to_be_visible()
    # The flagged update and her own words are one card: one matter for care.
    expect(page.locator(".update-card")).to_have_count(1)
    with app_work(live_server.app):
        sent = db.session.scalars(select(PatientUpdate).order_by(PatientUpdate.id)).all()
        assert [(u.flagged, u.feeling, u.text) for u in sent] == [
            (True, None, ""),
            (False, "worse", "Andfådd, svullna fötter."),
        ]


@pytest.mark.browser
def test_a_refused_form_puts_the_focus_on_its_error_summary_under_the_heading(
    live_server: Any, patient_in_a_bad_moment: dict[str, Any]
) -> None:
    page: Page = patient_in_a_bad_moment["page"]
    large_text(page, "/egenvard/uppdatering", "Hur går det?")
    page.get_by_role("button", name="Skicka till Karin Lind").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    # Right under the heading, on the first screen even at 200 % text (the page loads anew,
    # so the text is doubled again to see it as she does).
    page.evaluate(DOUBLE_TEXT)
    assert page.evaluate(
        "() => document.querySelector('main h1').nextElementSibling.matches('.error-summary')"
    )
    box = summary.bounding_box()
    assert box is not None and box["y"] < NARROW["height"] / 2


@pytest.mark.browser
def test_the_menu_opens_from_its_one_button_with_the_keyboard(
    live_server: Any, patient_in_a_bad_moment: dict[str, Any], axe_check: Any
) -> None:
    page: Page = patient_in_a_bad_moment["page"]
    large_text(page, "/", "Min plan")
    menu = page.locator("summary.menu-button")
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("link", name="Mår du sämre?")).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name="Mår du sämre?")).to_be_visible()
    assert_fits(page)
    axe_check(page)
    # At normal text on the same phone the links are side by side, no button.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    expect(menu).to_be_hidden()
    expect(nav.get_by_role("link", name="Min plan")).to_be_visible()
