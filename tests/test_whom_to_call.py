""" "Vem ringer jag?" right after care's advice and first on "Mår du sämre?": its first button
is a number that answers now, the care contact while her line is open, 1177 otherwise; 112
always; a printout lists every number whatever the hour."""

from __future__ import annotations

import re
from datetime import datetime

from tests.test_phone_hours import STOCKHOLM, WEEKDAYS_8_TO_10
from webapp.extensions import db
from webapp.people import services as people

WORSE_PAGE = "/overenskommelse/nar-jag-blir-samre"


def call_buttons(html: str) -> list[str]:
    section = html[html.index('id="call-heading"') :]
    section = section[: section.index("</section>")]
    return re.findall(r'class="button button-call[^"]*" href="tel:([^"]+)"', section)


def test_the_first_button_answers_now(clock, nurse, patient_client):
    people.phone_hours_set(holder=nurse, phone=nurse.phone, times=WEEKDAYS_8_TO_10, note="")
    db.session.commit()
    clock.now = datetime(2026, 12, 2, 9, 50, tzinfo=STOCKHOLM)  # a Wednesday, line open
    assert call_buttons(patient_client.get(WORSE_PAGE).text) == ["0101234567", "1177", "112"]
    clock.now = datetime(2026, 12, 2, 10, 5, tzinfo=STOCKHOLM)  # closed since 10:00
    page = patient_client.get(WORSE_PAGE).text
    assert call_buttons(page) == ["1177", "112"]
    assert "Telefontiden är stängd nu – ring 1177." in page
    # The printout is for the fridge: every number, with its hours, whatever the hour.
    printout = patient_client.get("/overenskommelse/utskrift").text
    assert call_buttons(printout)[0] == "0101234567"
