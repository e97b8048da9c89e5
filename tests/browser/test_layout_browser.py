"""In a real browser: "Min plan" with something in every part fits a 320 px wide phone, still
fits at 200 % text, keeps its buttons and form controls at least 44 px high, is clean in
axe-core, and asks no other origin for anything. The care contact's view of the same patient
fits 320 px too."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import app_work, create_care_team, create_patient
from tests.test_page_budget import grow_plan, small_plan
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember
from webapp.whatmatters import services as whatmatters

NARROW = {"width": 320, "height": 720}
# One long Swedish compound word: it must wrap, not push the page sideways.
LONG_WORD = "Hemsjukvårdsorganisationsförändringsarbetet"

HORIZONTAL_OVERFLOW = "() => document.scrollingElement.scrollWidth - window.innerWidth"
# The innermost elements that reach past the right edge: what to fix when a page overflows.
STICKING_OUT = """() => [...document.body.querySelectorAll('*')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter(el => ![...el.children].some(c => c.getBoundingClientRect().right > innerWidth + 0.5))
  .slice(0, 8)
  .map(el => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}" `
             + `right=${Math.round(el.getBoundingClientRect().right)}`)"""

# Buttons and form controls that can be seen, with their size. Links in running text are the
# inline exception of WCAG 2.5.5; links styled as buttons and the menu links count.
SMALL_TARGETS = """() => {
  const targets = document.querySelectorAll(
    'button, input:not([type=hidden]), select, textarea, summary, a.button, .nav-list a');
  const small = [];
  for (const el of targets) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    const tooNarrow = el.tagName === 'BUTTON' && box.width < 44;
    if (box.height < 44 || tooNarrow) {
      small.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}" ` +
                 `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""

# The browser's text size doubled: twice the root font size the page itself sets.
DOUBLE_TEXT = """() => {
  const root = document.documentElement;
  const size = parseFloat(getComputedStyle(root).fontSize);
  root.style.fontSize = (2 * size) + 'px';
  return size;
}"""


@pytest.fixture
def full_plan(live_server) -> dict[str, Any]:
    """A patient with something in every part of the plan, and their care contact."""
    team = create_care_team(live_server)
    ref = create_patient(live_server, team)
    with app_work(live_server.app):
        patient = db.session.get(Patient, ref.patient_id)
        nurse = db.session.get(StaffMember, team.nurse_staff_id)
        physician = db.session.get(StaffMember, team.physician_staff_id)
        small_plan(patient, nurse)
        grow_plan(patient, nurse, physician)
        whatmatters.whatmatters_add(
            patient=patient, text=f"Att förstå {LONG_WORD} i min kommun.", actor=patient.user
        )
    return {"patient": ref.user_id, "patient_id": ref.patient_id, "nurse": team.nurse_user_id}


def assert_fits(page: Page) -> None:
    overflow = page.evaluate(HORIZONTAL_OVERFLOW)
    assert overflow <= 0, (
        f"{page.url} scrolls sideways by {overflow} px: {page.evaluate(STICKING_OUT)}"
    )


@pytest.mark.browser
def test_min_plan_fits_a_small_phone_at_double_text_size(
    live_server, page, sign_in_as, axe_check, full_plan
):
    sign_in_as(page, live_server, full_plan["patient"])
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size(NARROW)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Min plan")
    expect(page.get_by_text(LONG_WORD)).to_be_visible()
    # The page's last request of its own: app.js registering the service worker.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    assert_fits(page)
    assert page.evaluate(SMALL_TARGETS) == []
    axe_check(page)

    assert page.evaluate(DOUBLE_TEXT) == 20  # app.css sets 125 %: 20 px
    assert_fits(page)
    axe_check(page)

    # Every request the page made went to the app itself (the `page` fixture also fails the
    # test on any request to another origin, on any page).
    assert any(url.endswith(".css") for url in requested), requested
    assert [url for url in requested if not url.startswith(live_server.url + "/")] == []


@pytest.mark.browser
def test_care_contacts_view_of_the_patient_fits_a_small_phone(
    live_server, page, sign_in_as, axe_check, full_plan
):
    sign_in_as(page, live_server, full_plan["nurse"])
    page.set_viewport_size(NARROW)
    page.goto(f"{live_server.url}/vard/patienter/{full_plan['patient_id']}")
    expect(page.get_by_text(LONG_WORD)).to_be_visible()
    assert_fits(page)
    assert page.evaluate(SMALL_TARGETS) == []
    axe_check(page)

    page.evaluate(DOUBLE_TEXT)
    assert_fits(page)
    axe_check(page)
