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
# inline exception of WCAG 2.5.5; links styled as buttons, the menu links, the footer's links
# and a link alone in its paragraph or list item (a way forward: to a part of the plan, back
# to Min plan) count.
SMALL_TARGETS = """() => {
  const targets = document.querySelectorAll(
    'button, input:not([type=hidden]), select, textarea, summary, a.button, .nav-list a, ' +
    '.site-footer a, main p > a:only-child, main li > a:only-child');
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

# Back to the size the page itself sets.
NORMAL_TEXT = "() => { document.documentElement.style.fontSize = ''; }"

# Words of headings and phone numbers that the browser laid out on more than one line: a word
# (measured with a Range over it) or a phone number (an inline .phone element) with boxes
# on different lines. Long words in running text may wrap; these may not.
BROKEN_ACROSS_LINES = """() => {
  const lines = rects => new Set([...rects].filter(r => r.width > 0)
                                  .map(r => Math.round(r.top))).size;
  const broken = [];
  for (const heading of document.querySelectorAll('h1, h2, h3, h4, legend, .contact-name')) {
    const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        if (lines(range.getClientRects()) > 1) broken.push(`heading word "${word[0]}"`);
      }
    }
  }
  for (const phone of document.querySelectorAll('.phone')) {
    if (lines(phone.getClientRects()) > 1) broken.push(`phone number "${phone.textContent}"`);
  }
  return broken;
}"""

# Phone numbers shown without the class that keeps them on one line: every tel: link shows
# its number in a .phone element.
PHONES_NOT_MARKED = """() => [...document.querySelectorAll('a[href^="tel:"]')]
  .filter(a => !a.matches('.phone') && !a.querySelector('.phone'))
  .map(a => a.textContent.trim())"""


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


def assert_fits(page: Page, where: str = "") -> None:
    overflow = page.evaluate(HORIZONTAL_OVERFLOW)
    assert overflow <= 0, (
        f"{where or page.url} scrolls sideways by {overflow} px: {page.evaluate(STICKING_OUT)}"
    )


def assert_whole_at_every_size(page: Page, axe_check: Any) -> None:
    """The page as it is now, at 320 and 360 px and at normal and 200 % text: it fits, and
    heading words and phone numbers stay on one line. Axe once, at the hardest size."""
    assert page.evaluate(PHONES_NOT_MARKED) == []
    for width in (320, 360):
        page.set_viewport_size({"width": width, "height": 720})
        for double in (False, True):
            page.evaluate(DOUBLE_TEXT if double else NORMAL_TEXT)
            size = f"{page.url} at {width} px, {'200' if double else '100'} % text"
            assert_fits(page, size)
            assert page.evaluate(BROKEN_ACROSS_LINES) == [], size
            if width == 320 and double:
                axe_check(page)
    page.evaluate(NORMAL_TEXT)


@pytest.mark.browser
def test_min_plan_and_the_agreement_keep_their_words_whole_on_a_small_phone(
    live_server, page, sign_in_as, axe_check, full_plan
):
    """Min plan, the agreement, När jag blir sämre, the accessibility statement and the offline
    page, at 320 and 360 px, at normal and at 200 % text: nothing scrolls sideways, no word of
    a heading and no phone number breaks across lines, and the page is clean in axe. One load
    per page: the same page is resized and its text doubled and restored."""
    sign_in_as(page, live_server, full_plan["patient"])
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size(NARROW)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Min plan")
    expect(page.get_by_text(LONG_WORD)).to_be_visible()
    # The page's last request of its own: app.js registering the service worker.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    assert page.evaluate(SMALL_TARGETS) == []
    assert_whole_at_every_size(page, axe_check)

    for path, heading in (
        ("/overenskommelse/", "Vår överenskommelse"),
        ("/overenskommelse/nar-jag-blir-samre", "När jag blir sämre"),
        ("/tillganglighet", "Så tillgänglig är Nära"),
        ("/offline", "Ingen internetanslutning"),
    ):
        page.set_viewport_size(NARROW)
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert page.evaluate(SMALL_TARGETS) == []
        assert_whole_at_every_size(page, axe_check)

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
