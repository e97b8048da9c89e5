"""The installable app in Chromium: manifest, service worker, offline page, and sign-out
leaving nothing of the plan behind on the device."""

from __future__ import annotations

import re
import struct

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_check, create_care_team, create_patient, sign_in_as

pytestmark = pytest.mark.browser

SW_READY = "navigator.serviceWorker.ready.then(r => r.active.scriptURL)"
# wait_for_function does not await a promise: each poll asks anew and reads the last answer.
NO_REGISTRATION_LEFT = """() => {
  navigator.serviceWorker.getRegistrations().then(r => { window.registrationsLeft = r.length; });
  return window.registrationsLeft === 0;
}"""
WORKERS_KEPT = """navigator.serviceWorker.getRegistrations().then(registrations => registrations
  .flatMap(r => [r.installing, r.waiting, r.active]).filter(Boolean).map(w => w.scriptURL))"""


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_manifest_makes_the_app_installable(live_server, page):
    page.goto(live_server.url + "/logga-in")
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.ok
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"].startswith("Nära")
    assert manifest["short_name"] == "Nära"
    assert manifest["lang"] == "sv"
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/"
    assert manifest["start_url"].startswith("/")
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    found = set()
    for icon in manifest["icons"]:
        image = page.request.get(live_server.url + icon["src"])
        assert image.ok, icon
        width, height = png_size(image.body())
        assert icon["sizes"] == f"{width}x{height}"
        for purpose in icon.get("purpose", "any").split():
            found.add((width, purpose))
    assert {(192, "any"), (512, "any"), (192, "maskable"), (512, "maskable")} <= found


def test_service_worker_installs_and_shows_the_offline_page(start_live_server, new_page):
    server = start_live_server()
    page = new_page(server.url)
    page.goto(server.url + "/logga-in")
    assert page.evaluate(SW_READY) == server.url + "/sw.js"
    page.reload()
    controller = page.evaluate("navigator.serviceWorker.controller?.scriptURL")
    assert controller == server.url + "/sw.js"
    scope = page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.scope)")
    assert scope == server.url + "/"

    server.stop()
    page.goto(server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingen internetanslutning")
    # Without internet the phone can still call: 1177 and 112 are tap-to-call.
    expect(page.get_by_role("link", name="Ring 1177")).to_have_attribute("href", "tel:1177")
    expect(page.get_by_role("link", name="Ring 112")).to_have_attribute("href", "tel:112")
    # The shell came from the cache: the page looks like the app, not a browser error.
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == (
        "flex"
    )
    axe_check(page)
    page.goto(server.url + "/vard/patienter/1")  # any page, even one that needs signing in
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingen internetanslutning")


def test_signing_out_clears_what_the_device_kept(live_server, page):
    patient = create_patient(live_server, create_care_team(live_server))
    sign_in_as(page, live_server, patient.user_id)
    page.evaluate(SW_READY)
    page.evaluate(
        """async () => {
          const cache = await caches.open("nara-plan-test");
          await cache.put("/plan-copy", new Response("Min plan: personligt"));
          localStorage.setItem("nara-test", "personligt");
        }"""
    )
    assert "nara-plan-test" in page.evaluate("caches.keys()")

    # Hold back the service worker the signed-out page registers anew, to see the bare effect.
    page.context.route("**/sw.js", lambda route: route.abort())
    page.get_by_role("button", name="Logga ut", exact=True).click()
    expect(page).to_have_url(re.compile(r"/utloggad$"))
    expect(page.get_by_text("Det som fanns sparat i den här enheten är borttaget.")).to_be_visible()
    assert page.evaluate("caches.keys()") == []
    # No worker survived. The signed-out page's own attempt to register one anew (held back
    # above) shows up as a registration without a worker until it fails: wait for that.
    assert page.evaluate(WORKERS_KEPT) == []
    page.wait_for_function(NO_REGISTRATION_LEFT)
    assert page.evaluate("localStorage.length") == 0
    axe_check(page)

    # Back to normal, the worker returns with the shell only: nothing personal is cached.
    page.context.unroute("**/sw.js")
    page.reload()
    page.evaluate(SW_READY)
    cached = page.evaluate(
        """async () => {
          const urls = [];
          for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
          }
          return urls;
        }"""
    )
    paths = {url.removeprefix(live_server.url) for url in cached}
    assert paths and all(p == "/offline" or p.startswith(("/static/", "/manifest")) for p in paths)
