"""Check-ins in a real browser: a number logged with the on-screen keypad; a check-in made
without a network waits in the phone ("Väntar på att skickas") and arrives exactly once when
the network returns; the log page is whole at 320 px and 200 % text and clean in axe."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from tests.browser.conftest import app_work, create_care_team, create_patient
from tests.browser.test_layout_browser import (
    DOUBLE_TEXT,
    SMALL_TARGETS,
    assert_whole_at_every_size,
)
from webapp.extensions import db
from webapp.people.models import Patient
from webapp.selfcare.models import CheckIn, GoalLimit, SelfCareGoal

ADVICE = "Ring din kontakt i dag."


def _goal(live_server: Any, patient_id: int, **fields: Any) -> int:
    with app_work(live_server.app):
        patient = db.session.get(Patient, patient_id)
        assert patient is not None
        goal = SelfCareGoal(
            patient_id=patient.id,
            kind="own",
            title=fields.pop("title", "Väga mig varje morgon"),
            measure=fields.pop("measure", "number"),
            unit=fields.pop("unit", "kg"),
            agreed_by_staff_id=patient.care_contact_id,
            created_by_user_id=patient.user_id,
            **fields,
        )
        goal.limits = [GoalLimit(kind="above", value=100, advice=ADVICE)]
        db.session.add(goal)
        db.session.flush()
        return goal.id


def _check_ins(live_server: Any, goal_id: int) -> list[tuple[float | None, str]]:
    with app_work(live_server.app):
        rows = db.session.scalars(
            select(CheckIn).where(CheckIn.goal_id == goal_id).order_by(CheckIn.id)
        )
        return [(row.value, row.client_uuid) for row in rows]


@pytest.fixture
def weigher(live_server: Any, page: Page, sign_in_as: Any) -> dict[str, Any]:
    team = create_care_team(live_server)
    patient = create_patient(live_server, team)
    goal_id = _goal(live_server, patient.patient_id)
    sign_in_as(page, live_server, patient.user_id)
    return {"goal_id": goal_id, "url": f"{live_server.url}/egenvard/{goal_id}/logga"}


def test_a_number_is_logged_with_the_on_screen_keypad(
    live_server: Any, page: Page, weigher: dict[str, Any]
) -> None:
    page.goto(weigher["url"])
    keypad = page.locator("[data-keypad]")
    expect(keypad).to_be_visible()
    for key in ("7", "2", "Komma", "4"):
        keypad.get_by_role("button", name=key, exact=True).click()
    value = page.get_by_label("Skriv värdet i kg")
    expect(value).to_have_value("72,4")
    keypad.get_by_role("button", name="Sudda").click()
    keypad.get_by_role("button", name="5", exact=True).click()
    expect(value).to_have_value("72,5")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sparat")
    expect(page.get_by_role("status").filter(has_text="72,5 kg")).to_be_visible()
    assert [value for value, _uuid in _check_ins(live_server, weigher["goal_id"])] == [72.5]


def test_a_value_over_the_agreed_limit_shows_cares_advice_and_whom_to_call(
    live_server: Any, page: Page, weigher: dict[str, Any]
) -> None:
    page.goto(weigher["url"])
    page.get_by_label("Skriv värdet i kg").fill("101")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", name="Gör så här nu")).to_be_visible()
    expect(page.get_by_text(ADVICE)).to_be_visible()
    expect(page.get_by_text("Vikten är 101 kg, över gränsen 100 kg.")).to_be_visible()
    expect(page.locator('a[href="tel:0101234567"]').first).to_be_visible()
    expect(page.locator('main a[href="tel:1177"]')).to_be_visible()
    expect(page.locator('main a[href="tel:112"]')).to_be_visible()
    # What she must do now is on the first screen of a small phone, also at 200 % text.
    page.set_viewport_size({"width": 320, "height": 640})
    page.evaluate(DOUBLE_TEXT)
    advice = page.get_by_text(ADVICE).bounding_box()
    assert advice is not None and advice["y"] + advice["height"] <= 640


@contextmanager
def logged_offline(live_server: Any, page: Page, value: str) -> Iterator[Locator]:
    """The phone without internet, a weight logged: it waits in the phone (the queue is
    given to the block). After the block the phone is online again."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # No network: the browser says so (navigator.onLine), and the server cannot be reached by
    # the page or its service worker (Playwright's switch misses the worker's requests).
    with live_server.unreachable():
        page.context.set_offline(True)
        page.get_by_label("Skriv värdet i kg").fill(value)
        page.get_by_role("button", name="Spara").click()
        queue = page.locator("#checkin-queue")
        expect(queue.get_by_text("Väntar på att skickas")).to_be_visible()
        yield queue
    page.context.set_offline(False)


def test_offline_a_check_in_waits_and_arrives_exactly_once(
    live_server: Any, page: Page, weigher: dict[str, Any]
) -> None:
    page.goto(weigher["url"])
    with logged_offline(live_server, page, "73,1") as queue:
        expect(
            queue.get_by_text("Sparad i telefonen. Den skickas när du har internet igen.")
        ).to_be_visible()
        expect(queue.get_by_text("Väga mig varje morgon: 73,1 kg")).to_be_visible()
        expect(page.get_by_label("Skriv värdet i kg")).to_have_value("")
        assert _check_ins(live_server, weigher["goal_id"]) == []
    # Back online, the "online" event: the page sends what waits.
    expect(page.locator("#checkin-queue").get_by_text("Skickad och sparad")).to_be_visible()
    expect(page.get_by_text("Väntar på att skickas")).to_have_count(0)
    saved = _check_ins(live_server, weigher["goal_id"])
    assert [value for value, _uuid in saved] == [73.1]
    # Opening the app again sends nothing twice: the phone forgot it once it was saved.
    page.goto(f"{live_server.url}/egenvard/{weigher['goal_id']}/historik")
    history = page.locator(".ci-history")
    expect(history.get_by_text("73,1 kg", exact=True)).to_be_visible()
    page.reload()
    expect(history.get_by_text("73,1 kg", exact=True)).to_have_count(1)
    assert _check_ins(live_server, weigher["goal_id"]) == saved
    page.get_by_role("button", name="Jag har sett det").click()
    expect(page.locator("#checkin-queue")).to_be_hidden()


def test_offline_a_value_over_the_limit_shows_cares_advice_once_it_is_sent(
    live_server: Any, page: Page, weigher: dict[str, Any]
) -> None:
    page.goto(weigher["url"])
    with logged_offline(live_server, page, "101") as queue:
        pass  # nothing else happens while the phone is offline
    expect(queue.get_by_text("Skickad och sparad")).to_be_visible()
    # What to do now, then why, as on the page a check-in made online opens.
    expect(queue.locator(".ci-advice")).to_have_text(
        [ADVICE, "Vikten är 101 kg, över gränsen 100 kg."]
    )
    assert [value for value, _uuid in _check_ins(live_server, weigher["goal_id"])] == [101.0]


def test_a_check_in_sent_after_its_goal_was_archived_says_what_became_of_it(
    live_server: Any, page: Page, weigher: dict[str, Any]
) -> None:
    page.goto(weigher["url"])
    with logged_offline(live_server, page, "74") as queue, app_work(live_server.app):
        goal = db.session.get(SelfCareGoal, weigher["goal_id"])
        assert goal is not None
        goal.status = "archived"
        goal.archived_at = datetime.now(UTC) - timedelta(minutes=1)
    expect(queue.get_by_text("Sparades inte", exact=True)).to_be_visible()
    expect(
        queue.get_by_text("Målet är borttaget, så det här sparades inte.", exact=False)
    ).to_be_visible()
    expect(queue.get_by_text("Väga mig varje morgon: 74 kg")).to_be_visible()
    assert _check_ins(live_server, weigher["goal_id"]) == []


def test_the_log_page_is_whole_on_a_small_phone_and_clean_in_axe(
    live_server: Any, page: Page, weigher: dict[str, Any], axe_check: Any
) -> None:
    page.goto(weigher["url"])
    expect(page.locator("[data-keypad]")).to_be_visible()
    assert page.evaluate(SMALL_TARGETS) == []
    assert_whole_at_every_size(page, axe_check)
    # The scale and the blood pressure screens too, and a page with an error on it.
    team_patient = page.url.split("/egenvard/")[0]
    with app_work(live_server.app):
        goal = db.session.get(SelfCareGoal, weigher["goal_id"])
        assert goal is not None
        patient_id = goal.patient_id
    for measure in ("scale_0_10", "blood_pressure", "done"):
        other = _goal(live_server, patient_id, title="Smärta i knät", measure=measure, unit="")
        page.goto(f"{team_patient}/egenvard/{other}/logga")
        assert_whole_at_every_size(page, axe_check)
    page.goto(weigher["url"])
    page.get_by_label("Skriv värdet i kg").fill("900")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("900 kg kan inte stämma", exact=False).first).to_be_visible()
    assert_whole_at_every_size(page, axe_check)
    page.goto(f"{team_patient}/egenvard/{weigher['goal_id']}/historik")
    assert_whole_at_every_size(page, axe_check)
