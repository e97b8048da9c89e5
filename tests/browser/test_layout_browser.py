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

# Words of headings and phone numbers that the browser broke across lines where no hyphen
# shows: a word (each of its letters measured with a Range) may go on on the next line only
# after a soft hyphen (shown as "-" there) or a hyphen of its own; a phone number's group
# (an inline .phone-part, or a .phone of one group) never breaks at all. Words of running
# text may break anywhere when someone typed them; our own long words are checked by
# SPLIT_WITHOUT_HYPHEN.
SPLIT_WORDS = r"""(root, selector, wanted) => {
  const firstTop = (node, i) => {
    const range = document.createRange();
    range.setStart(node, i);
    range.setEnd(node, i + 1);
    // The last box: a letter right after a soft hyphen where the line broke also has the
    // hyphen's box, at the end of the line before.
    const box = [...range.getClientRects()].filter(r => r.width > 0).pop();
    return box ? Math.round(box.top) : null;
  };
  const split = [];
  for (const element of root.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('svg, [hidden]')) continue;
      for (const word of node.data.matchAll(/[^\s]+/g)) {
        const plain = word[0].replaceAll('\u00ad', '');
        if (wanted && !wanted.includes(plain.toLowerCase().replace(/[^\p{L}]/gu, ''))) continue;
        let lastTop = null, lastIndex = null;
        for (let i = word.index; i < word.index + word[0].length; i++) {
          if (node.data[i] === '\u00ad') continue;
          const top = firstTop(node, i);
          if (top === null) continue;
          if (lastTop !== null && top > lastTop + 2) {
            const before = node.data.slice(lastIndex + 1, i);
            const hyphen = before.includes('\u00ad') || node.data[lastIndex] === '-';
            if (!hyphen) split.push(`"${plain}" at "${plain.slice(0, i - word.index)}|"`);
          }
          lastTop = top;
          lastIndex = i;
        }
      }
    }
  }
  return split;
}"""

BROKEN_ACROSS_LINES = (
    """() => {
  const lines = rects => new Set([...rects].filter(r => r.width > 0)
                                  .map(r => Math.round(r.top))).size;
  const splitWords = """
    + SPLIT_WORDS
    + """;
  const broken = splitWords(document, 'h1, h2, h3, h4, legend, .contact-name', null)
    .map(word => `heading word ${word}`);
  for (const part of document.querySelectorAll('.phone-part, .phone:not(:has(.phone-part))')) {
    if (lines(part.getClientRects()) > 1) broken.push(`phone number "${part.textContent}"`);
  }
  return broken;
}"""
)

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
    """Nothing reaches past the device's width (the viewport Playwright was given, not the
    window, which a page too wide can widen on a phone)."""
    device = page.viewport_size
    assert device is not None
    overflow = page.evaluate(HORIZONTAL_OVERFLOW) + page.evaluate("innerWidth") - device["width"]
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
