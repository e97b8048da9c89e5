"""Managing passkeys on the phone, and the lost phone: a new link from the care contact."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    axe_check,
    create_care_team,
    create_patient,
    invitation_link,
    sign_in_as,
    virtual_authenticator,
)

pytestmark = pytest.mark.browser


def card(page, name):
    return page.locator("li.card", has=page.get_by_role("heading", name=name, exact=True))


def sign_in_with_passkey(page, live_server):
    page.goto(live_server.url + "/logga-in")
    page.get_by_role("button", name="Logga in med nyckel").click()


def test_rename_add_and_remove_passkeys(live_server, page):
    patient = create_patient(live_server, create_care_team(live_server))
    cdp, authenticator_id = sign_in_as(page, live_server, patient.user_id)
    page.get_by_role("navigation").get_by_role("link", name="Inställningar").click()
    page.get_by_role("link", name="Nycklar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina nycklar")
    expect(page.locator("li.card")).to_have_count(1)
    axe_check(page)

    # Rename: an empty name is refused with a message by the field, a real one is kept.
    first = page.locator("li.card").first
    first.get_by_label("Namn på nyckeln").fill("")
    first.get_by_role("button", name="Spara namnet").click()
    expect(page.get_by_text("Skriv ett namn, till exempel ”Min telefon”.")).to_be_visible()
    axe_check(page)
    page.locator("li.card").first.get_by_label("Namn på nyckeln").fill("Min telefon")
    page.locator("li.card").first.get_by_role("button", name="Spara namnet").click()
    expect(page.get_by_text("Namnet är ändrat.")).to_be_visible()
    expect(card(page, "Min telefon")).to_have_count(1)

    # The phone already holds this passkey: making another one here says so.
    page.get_by_role("button", name="Skapa nyckel på den här enheten").click()
    expect(page.locator("#passkey-message")).to_have_text(
        "Den här enheten har redan en nyckel till Nära. Du kan logga in med den."
    )

    # The phone lost its passkey (e.g. reset): a second one is made on the same device.
    first_key = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator_id})
    page.get_by_role("button", name="Skapa nyckel på den här enheten").click()
    expect(page.get_by_text("Nyckeln är tillagd.")).to_be_visible()
    expect(page.locator("li.card")).to_have_count(2)
    second = page.locator("li.card").nth(1)
    second.get_by_label("Namn på nyckeln").fill("Nya telefonen")
    second.get_by_role("button", name="Spara namnet").click()
    expect(card(page, "Nya telefonen")).to_have_count(1)
    axe_check(page)

    # The old one is removed; the last one cannot be.
    card(page, "Min telefon").get_by_role("button", name="Ta bort Min telefon").click()
    expect(page.get_by_text("Nyckeln är borttagen.", exact=False)).to_be_visible()
    expect(page.locator("li.card")).to_have_count(1)
    card(page, "Nya telefonen").get_by_role("button", name="Ta bort Nya telefonen").click()
    expect(page.locator(".notice-error")).to_contain_text("Du kan inte ta bort din enda nyckel")
    expect(card(page, "Nya telefonen")).to_have_count(1)
    expect(page.locator(".log-list")).to_contain_text("En nyckel togs bort (Min telefon)")
    axe_check(page)

    # The removed passkey no longer signs anyone in; the remaining one does.
    second_key = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    page.get_by_role("button", name="Logga ut", exact=True).click()
    expect(page).to_have_url(re.compile(r"/utloggad$"))
    cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator_id})
    cdp.send(
        "WebAuthn.addCredential",
        {"authenticatorId": authenticator_id, "credential": first_key["credentials"][0]},
    )
    sign_in_with_passkey(page, live_server)
    expect(page.get_by_role("alert")).to_contain_text("Den här nyckeln känns inte igen.")

    cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator_id})
    cdp.send(
        "WebAuthn.addCredential",
        {"authenticatorId": authenticator_id, "credential": second_key["credentials"][0]},
    )
    sign_in_with_passkey(page, live_server)
    expect(page.get_by_role("heading", level=1)).to_have_text("Min plan")


def test_lost_phone_new_link_from_the_care_contact(live_server, new_page):
    team = create_care_team(live_server)
    patient = create_patient(live_server, team, name="Gösta Nyberg")
    old_phone = new_page()
    sign_in_as(old_phone, live_server, patient.user_id)

    staff = new_page()
    sign_in_as(staff, live_server, team.nurse_user_id)
    staff.get_by_role("link", name="Gösta Nyberg").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Gösta Nyberg")
    expect(staff.locator(".facts")).to_contain_text("1 nyckel")
    axe_check(staff)
    staff.get_by_role("button", name="Skapa ny länk").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Länk till Gösta Nyberg")
    link = staff.locator("[data-invitation-link]").get_attribute("href")

    new_phone = new_page()
    virtual_authenticator(new_phone)
    new_phone.goto(link)
    expect(
        new_phone.get_by_text("Din vårdkontakt har skickat en ny länk", exact=False)
    ).to_be_visible()
    axe_check(new_phone)
    new_phone.get_by_role("button", name="Skapa nyckel").click()
    expect(new_phone.get_by_role("heading", level=1)).to_have_text("Min plan")
    notice = new_phone.get_by_role("alert").filter(has_text="En ny nyckel lades till")
    expect(notice).to_contain_text("med en länk från din vårdkontakt")
    expect(notice).to_contain_text("Var det inte du? Ring din vårdkontakt direkt.")
    axe_check(new_phone)

    # Signing in with the link ended every other session: the old phone is signed out.
    old_phone.reload()
    expect(old_phone.get_by_role("link", name="Logga in med nyckel")).to_be_visible()
    # The new key cannot put the notice away on its first day (it may be the very key the
    # notice warns about)...
    new_phone.get_by_role("button", name="Det var jag").click()
    expect(
        new_phone.get_by_text("kan inte tas bort från den nya nyckeln", exact=False)
    ).to_be_visible()
    expect(
        new_phone.get_by_role("alert").filter(has_text="En ny nyckel lades till")
    ).to_be_visible()
    # ...but the patient's own phone, signed in again with its own key, shows it and can.
    old_phone.get_by_role("link", name="Logga in med nyckel").click()
    old_phone.get_by_role("button", name="Logga in med nyckel").click()
    expect(old_phone.get_by_role("heading", level=1)).to_have_text("Min plan")
    old_notice = old_phone.get_by_role("alert").filter(has_text="En ny nyckel lades till")
    expect(old_notice).to_be_visible()
    axe_check(old_phone)
    # Wait for the answer to the post itself: the page going away alone looks the same.
    with old_phone.expect_response(lambda response: "/nycklar/handelser/sett" in response.url):
        old_phone.get_by_role("button", name="Det var jag").click()
    expect(old_phone.get_by_role("heading", level=1)).to_have_text("Min plan")
    expect(old_phone.get_by_text("En ny nyckel lades till", exact=False)).to_have_count(0)
    new_phone.reload()
    expect(new_phone.get_by_text("En ny nyckel lades till", exact=False)).to_have_count(0)

    new_phone.goto(live_server.url + "/nycklar")
    expect(new_phone.locator("li.card")).to_have_count(2)
    # The key made with the care contact's link says so, whatever it is renamed to.
    expect(new_phone.locator(".passkey-origin")).to_contain_text(
        "Tillagd med en länk från Karin Lind"
    )
    expect(new_phone.locator(".log-list")).to_contain_text(
        "En nyckel lades till med en länk från din vårdkontakt"
    )


def test_a_tap_before_the_passkey_script_is_there_is_not_lost(start_live_server, new_page):
    """A slow phone (or a first start on a busy machine): the page is up before passkeys.js
    has arrived, since app.js imports it once the page has run. The button says it is not
    ready yet, rather than taking a tap that nothing listens for."""
    server = start_live_server()
    patient = create_patient(server, create_care_team(server))
    arrived = threading.Event()
    app_itself = server.app.wsgi_app

    def hold_back_passkeys_js(environ, start_response):
        if environ["PATH_INFO"] == "/static/js/passkeys.js":
            arrived.wait(timeout=60)
        return app_itself(environ, start_response)

    server.app.wsgi_app = hold_back_passkeys_js
    try:
        phone = new_page(server.url)
        virtual_authenticator(phone)
        phone.goto(invitation_link(server, patient.user_id), wait_until="domcontentloaded")
        button = phone.get_by_role("button", name="Skapa nyckel")
        expect(button).to_be_disabled()
        expect(phone.locator("html")).not_to_have_attribute("data-passkeys", "ready")
    finally:
        arrived.set()
    expect(phone.locator("html")).to_have_attribute("data-passkeys", "ready")
    button.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Min plan")


def test_a_passkey_script_that_never_comes_is_told(live_server, page):
    page.route("**/static/js/passkeys.js", lambda route: route.abort())
    page.goto(live_server.url + "/logga-in")
    expect(page.get_by_role("alert")).to_have_text(
        "Ingen kontakt med Nära just nu. Kontrollera internet och försök igen."
    )
    expect(page.get_by_role("button", name="Logga in med nyckel")).to_be_disabled()
