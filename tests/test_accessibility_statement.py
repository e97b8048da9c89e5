"""The accessibility statement DOS-lagen requires: open without signing in, linked from every
page's footer, with a way to report a problem; and the offline page's 1177 and 112 are
tap-to-call numbers that keep on one line."""

from __future__ import annotations

import pytest

from tests.conftest import make_config
from webapp import create_app

STATEMENT = "/tillganglighet"


def test_anyone_can_read_the_statement_without_signing_in(client):
    response = client.get(STATEMENT)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for part in (
        "Så tillgänglig är Nära",  # what it is
        "Om något inte fungerar för dig",  # content another way
        "Säg till om ett problem",  # report a problem
        "Brister vi känner till",  # known shortcomings
        "Myndigheten för digital förvaltning (DIGG)",  # supervisory authority
        'href="https://www.digg.se/tdosanmalan"',  # and how to complain to it
        "Redogörelsen skrevs den 28 november 2026",  # when it was made and reviewed
    ):
        assert part in html, part
    # Nothing configured: no invented address, but the patient's own care unit.
    assert "mailto:" not in html
    assert "Berätta det för din vårdkontakt eller ring din vårdenhet." in html


def test_the_configured_contact_is_where_problems_are_reported(tmp_path):
    app = create_app(
        make_config(
            tmp_path,
            ACCESSIBILITY_CONTACT_EMAIL="tillganglighet@region.example.se",
            ACCESSIBILITY_CONTACT_PHONE="010-200 30 40",
        )
    )
    html = app.test_client().get(STATEMENT).get_data(as_text=True)
    assert 'href="mailto:tillganglighet@region.example.se"' in html
    assert '<a class="phone" href="tel:0102003040"><span class="phone-part">010-200</span> ' in html


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_links_to_the_statement_in_its_footer(app, patient_client, signed_in):
    browser = patient_client if signed_in else app.test_client()
    html = browser.get("/" if signed_in else "/logga-in").get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer">') :]
    assert f'href="{STATEMENT}"' in footer
    assert '<a class="phone" href="tel:112">112</a>' in footer
    assert '<a class="phone" href="tel:1177">1177</a>' in footer


def test_offline_page_offers_1177_and_112_as_tap_to_call(client):
    html = client.get("/offline").get_data(as_text=True)
    assert 'href="tel:1177"><span class="phone">1177</span>' in html.replace("Ring ", "")
    assert 'href="tel:112"><span class="phone">112</span>' in html.replace("Ring ", "")
