"""The printout for the fridge: besides the agreement, the next planned contact and every
phone number of the plan, each on one line, so the paper alone says whom to call."""

from __future__ import annotations

import re

from tests.test_agreement import GOAL, make_agreed
from tests.test_followups import book, local_day
from webapp.careteam import services as careteam
from webapp.extensions import db

PRINT = "/overenskommelse/utskrift"


def phones_on(html: str) -> list[str]:
    whole = re.sub(r'<span class="phone-part">([^<]*)</span>', r"\1", html)  # a number's groups
    return re.findall(r'<(?:a|span) class="phone"[^>]*>([^<]+)<', whole)


def test_the_printout_has_the_next_contact_and_every_number(patient_client, patient, nurse):
    make_agreed(patient, nurse)
    book(patient, nurse, date=local_day(12), time="13:00", end_time="13:30", with_whom="Karin Lind")
    book(patient, nurse, date=local_day(5), time="10:00", end_time="10:30", with_whom="Ali Hassan")
    careteam.care_part_add(
        patient=patient,
        actor=nurse.user,
        organisation="Hemtjänsten",
        kind="municipal_home_care",
        role_text="Hjälper till med medicinerna.",
        contact_name="Sara",
        phone="08-555 123 00",
        phone_hours="Dygnet runt",
    )
    db.session.commit()

    html = patient_client.get(PRINT).get_data(as_text=True)
    assert GOAL in html
    next_part = html[html.index("Nästa kontakt") : html.index("Det här har vi kommit överens om")]
    assert "kl. 10:00–10:30" in next_part and "Ali Hassan" in next_part  # the nearer one
    assert "Karin Lind" not in next_part
    assert "Utskriven " in html
    paper = html[html.index('<article class="agreement-print">') : html.index("</article>")]
    numbers = phones_on(paper)
    # The fixed care contact, the unit, the other part of care, 1177 and 112: each once.
    for number in ("010-123 45 67", "010-100 00 00", "08-555 123 00", "1177", "112"):
        assert numbers.count(number) == 1, (number, numbers)
    assert "Hemtjänsten, Sara:" in html and "(Dygnet runt)" in html


def test_without_a_contact_booked_the_printout_says_so(patient_client, patient, nurse):
    make_agreed(patient, nurse)
    html = patient_client.get(PRINT).get_data(as_text=True)
    assert "Ingen planerad kontakt när det här skrevs ut." in html
