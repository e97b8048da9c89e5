"""A shared phone: the offline copy of "Min plan" belongs to one person. The next patient on
the same browser never sees the first one's plan, whether the first signed out or her session
simply ended; and a link to the signed-out page wipes nothing, while signing out does."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LiveServer,
    app_work,
    create_care_team,
    create_patient,
    invitation_link,
    sign_in_as,
)
from webapp.agreement import services as agreements
from webapp.demo import agreement_agreed_by_both
from webapp.extensions import db
from webapp.people.models import Patient
from webapp.pwa.offline import offline_key

pytestmark = pytest.mark.browser

WORSE = "/overenskommelse/nar-jag-blir-samre"
NO_INTERNET = "Ingen internetanslutning"
ASTRID = {
    "goal": "Jag vill kunna gå till affären själv.",
    "signs": "Svullna ben eller mer andfådd än vanligt.",
    "worse": "Jag ringer Karin. Är det kväll ringer jag 1177.",
}
GUNNAR = {
    "goal": "Jag vill kunna spela boule på torsdagarna.",
    "signs": "Feber över 38 grader eller ett sår som inte läker.",
    "worse": "Jag ringer min dotter och sedan vårdcentralen.",
}
OFFLINE_PLAN_CACHES = (
    "caches.keys().then(names => names.filter(n => n.startsWith('nara-offline-plan')))"
)


def patient_with_plan(server: LiveServer, team, name: str, texts: dict[str, str]):
    ref = create_patient(server, team, name=name)
    with app_work(server.app):
        patient = db.session.get(Patient, ref.patient_id)
        assert patient is not None
        agreement_agreed_by_both(
            patient=patient,
            care=patient.care_contact.user,
            items=[agreements.ItemInput(kind="goal", text=texts["goal"])],
            texts={"warning_signs_text": texts["signs"], "when_worse_text": texts["worse"]},
        )
        key = offline_key(ref.user_id)
    return ref, key


def keep_the_plan_on_this_phone(page: Page, server: LiveServer) -> None:
    page.goto(server.url + WORSE)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.get_by_role("button", name="Spara planen i den här telefonen").click()
    expect(page.get_by_text("Planen är sparad i den här telefonen.")).to_be_visible()
    page.reload()  # the service worker controls the page from now on
    stop = page.get_by_role("button", name="Sluta spara planen i den här telefonen")
    expect(stop).to_be_visible()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def assert_nothing_of(page: Page, texts: dict[str, str]) -> None:
    content = page.content()
    for text in texts.values():
        assert text not in content, f"{text!r} shown on {page.url}"


@pytest.mark.parametrize(
    ("first_leaves", "next_keeps_a_copy"),
    [("session ends", False), ("session ends", True), ("signs out", True)],
    ids=["session-ends", "session-ends-next-keeps-own", "signs-out-next-keeps-own"],
)
def test_the_next_patient_never_sees_the_first_patients_offline_plan(
    live_server, page, first_leaves, next_keeps_a_copy
):
    team = create_care_team(live_server)
    astrid, astrid_key = patient_with_plan(live_server, team, "Astrid Berg", ASTRID)
    gunnar, gunnar_key = patient_with_plan(live_server, team, "Gunnar Ek", GUNNAR)

    # Astrid keeps her plan on the phone and reads it without internet.
    sign_in_as(page, live_server, astrid.user_id)
    keep_the_plan_on_this_phone(page, live_server)
    assert page.evaluate(OFFLINE_PLAN_CACHES) == [f"nara-offline-plan:{astrid_key}"]
    with live_server.unreachable():
        page.goto(live_server.url + WORSE)
        expect(page.get_by_text(ASTRID["signs"])).to_be_visible()

    # Her session ends: she signs out, or it ends without her (as after the idle limit:
    # the next request carries no session).
    if first_leaves == "signs out":
        page.get_by_role("button", name="Logga ut", exact=True).click()
        expect(page).to_have_url(re.compile(r"/utloggad$"))
    else:
        page.context.clear_cookies()

    # Gunnar signs in on the same phone (the same platform authenticator).
    page.goto(invitation_link(live_server, gunnar.user_id))
    page.get_by_role("button", name="Skapa nyckel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Min plan")
    expect(page.get_by_text(GUNNAR["goal"])).to_be_visible()
    assert page.evaluate(OFFLINE_PLAN_CACHES) == []
    if next_keeps_a_copy:
        keep_the_plan_on_this_phone(page, live_server)
        assert page.evaluate(OFFLINE_PLAN_CACHES) == [f"nara-offline-plan:{gunnar_key}"]
    else:
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_function("navigator.serviceWorker.controller !== null")

    with live_server.unreachable():
        for path in (WORSE, "/"):
            page.goto(live_server.url + path)
            if next_keeps_a_copy:
                expect(page.get_by_text(GUNNAR["goal" if path == "/" else "signs"])).to_be_visible()
            else:
                expect(page.get_by_role("heading", level=1)).to_have_text(NO_INTERNET)
            assert_nothing_of(page, ASTRID)


def test_a_link_to_the_signed_out_page_keeps_the_copy_and_signing_out_clears_it(live_server, page):
    team = create_care_team(live_server)
    astrid, astrid_key = patient_with_plan(live_server, team, "Astrid Berg", ASTRID)
    sign_in_as(page, live_server, astrid.user_id)
    keep_the_plan_on_this_phone(page, live_server)

    # A link to /utloggad (from a message, another site): she is still signed in, and her
    # offline plan is still there.
    page.goto(live_server.url + "/utloggad")
    expect(page.get_by_role("heading", level=1)).to_have_text("Min plan")
    assert page.evaluate(OFFLINE_PLAN_CACHES) == [f"nara-offline-plan:{astrid_key}"]
    with live_server.unreachable():
        page.goto(live_server.url + WORSE)
        expect(page.get_by_text(ASTRID["signs"])).to_be_visible()

    # Signing out (the POST; Clear-Site-Data rides on its 303) takes it away.
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Logga ut", exact=True).click()
    expect(page).to_have_url(re.compile(r"/utloggad$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Du är utloggad")
    assert page.evaluate(OFFLINE_PLAN_CACHES) == []
    # The signed-out page brings the service worker back with its shell only.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    with live_server.unreachable():
        for path in (WORSE, "/"):
            page.goto(live_server.url + path)
            expect(page.get_by_role("heading", level=1)).to_have_text(NO_INTERNET)
            assert_nothing_of(page, ASTRID)
