"""Getting the sign-in link to a new patient: a text message from the care contact's phone
beside the QR code, and the patient's page telling whether the link was used."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta
from urllib.parse import unquote

from sqlalchemy import select

from tests.conftest import ORIGIN, api, csrf_token
from tests.fakes.authenticator import SoftAuthenticator
from tests.test_care_onboarding import post_patient
from webapp.auth.models import Invitation
from webapp.care.invitation import international_number
from webapp.db import now_utc
from webapp.extensions import db
from webapp.people.models import Patient, User


def post(client, path: str, data: dict, *, page: str):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def sms_link(page: str) -> str:
    match = re.search(r'<a class="button button-primary" href="(sms:[^"]+)"', page)
    assert match, "no sms link on the page"
    return html_lib.unescape(match.group(1))


def test_after_the_number_is_typed_the_link_can_go_as_a_text_message(nurse_client):
    created = post_patient(nurse_client, name="Bo Ny", phone="070-222 33 44")
    page = nurse_client.get(created.headers["Location"]).get_data(as_text=True)
    assert (
        'Skicka länken som sms till <span class="phone"><span class="phone-part">070-222</span> '
        '<span class="phone-part">33 44</span></span>'
    ) in page
    assert 'class="qr"' in page  # the QR code stays beside it

    href = sms_link(page)
    number, body = href.removeprefix("sms:").split("?&body=")
    assert number == "+46702223344"
    # Percent-encoded as both phones read it: no raw space, "&" or "+" to cut the text short.
    assert not set(" &+#") & set(body)
    text = unquote(body)
    link = re.search(r"data-invitation-link>([^<]+)<", page).group(1)
    assert text.startswith("Hej! Här är din länk till Nära från Vårdcentralen Test.")
    assert text.endswith(link) and link.startswith(f"{ORIGIN}/inbjudan/")


def test_numbers_as_typed_become_international():
    assert international_number("070-123 45 67") == "+46701234567"
    assert international_number("+46 70 123 45 67") == "+46701234567"
    assert international_number("0046701234567") == "+46701234567"


def redeem(client, token: str) -> None:
    """The patient opens the link on her phone and makes a passkey."""
    authenticator = SoftAuthenticator(origin=ORIGIN)
    csrf = csrf_token(client, f"/inbjudan/{token}")
    options = api(client, "/passkeys/api/register/options", {"invitation": token}, csrf)
    credential = authenticator.create(options.get_json())
    verified = api(client, "/passkeys/api/register/verify", {"credential": credential}, csrf)
    assert verified.status_code == 200


def test_the_patient_page_says_whether_the_link_was_used(app, nurse_client):
    created = post_patient(nurse_client, name="Bo Ny")
    shown = nurse_client.get(created.headers["Location"]).get_data(as_text=True)
    first_token = re.search(r"data-invitation-link>[^<]+/inbjudan/([^<]+)<", shown).group(1)
    patient = db.session.scalar(select(Patient).join(Patient.user).where(User.name == "Bo Ny"))
    page = f"/vard/patienter/{patient.id}"

    html = nurse_client.get(page).get_data(as_text=True)
    assert "Länken har inte använts ännu. Den går ut " in html

    # Three days on (her own session would have ended long before): the link's time is up.
    invitation = db.session.scalar(select(Invitation).where(Invitation.user_id == patient.user_id))
    invitation.expires_at = now_utc() - timedelta(minutes=1)
    db.session.commit()
    html = nurse_client.get(page).get_data(as_text=True)
    assert "Länken gick ut " in html and "utan att användas." in html

    again = post(nurse_client, f"{page}/inbjudan", {}, page=page)
    shown = nurse_client.get(again.headers["Location"]).get_data(as_text=True)
    token = re.search(r"data-invitation-link>[^<]+/inbjudan/([^<]+)<", shown).group(1)
    assert token != first_token
    redeem(app.test_client(), token)
    html = nurse_client.get(page).get_data(as_text=True)
    assert "Länken användes " in html
    assert "inte använts" not in html and "gick ut" not in html
