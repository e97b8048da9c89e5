"""The patient's logglista in plain words: a staff member's many reads of one day are one
line, as a person would say it ("Karin Lind tittade på din plan i dag"), with what was read
and the count only when asked for; every change stays a line of its own; the page costs the
same number of SQL queries however many rows there are."""

from __future__ import annotations

import re

from tests.conftest import count_queries
from tests.test_access import signed_in
from tests.test_followups import book, local_day
from webapp.extensions import db


def lines(html: str) -> list[str]:
    found = re.findall(r'<li class="log-line">(.*?)</li>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in found]


def test_a_days_reads_are_one_line_and_changes_one_line_each(app, clock, patient, nurse):
    # The clock stands still so that a run across midnight does not make the reads two days.
    staff = signed_in(app, nurse.user)
    for path in (
        f"/vard/patienter/{patient.id}",
        f"/overenskommelse/patient/{patient.id}",
        f"/overenskommelse/patient/{patient.id}",
        f"/vard/patienter/{patient.id}",
    ):
        assert staff.get(path).status_code == 200
    book(patient, nurse, date=local_day(3))
    book(patient, nurse, date=local_day(4))
    db.session.commit()

    own = signed_in(app, patient.user)
    with count_queries() as few:
        shown = lines(own.get("/logglista").get_data(as_text=True))
    reads = [line for line in shown if "tittade på din plan" in line]
    assert len(reads) == 1, shown
    assert reads[0].startswith("Karin Lind tittade på din plan i dag, kl. ")
    assert "Det gällde: dina uppgifter, överenskommelsen." in reads[0]
    assert "din fasta vårdkontakt" in reads[0]
    # The count is there on request, not in the sentence.
    assert reads[0].index("Hur många gånger?") > reads[0].index("din fasta vårdkontakt")
    assert "Karin Lind öppnade en sida med dina uppgifter 4 gånger den dagen." in reads[0]
    booked = [line for line in shown if "bokade en planerad kontakt" in line]
    assert len(booked) == 2 and all(line.startswith("Karin Lind bokade") for line in booked)
    assert not any("gånger" in line for line in booked)

    for _ in range(30):
        staff.get(f"/overenskommelse/patient/{patient.id}")
    with count_queries() as many:
        shown = lines(own.get("/logglista").get_data(as_text=True))
    assert [line for line in shown if "med dina uppgifter 34 gånger" in line]
    assert len(many) == len(few)


def test_logglista_says_when_in_words_a_person_would_use(app, clock, patient, nurse):
    clock.advance(days=-1)
    signed_in(app, nurse.user).get(f"/vard/patienter/{patient.id}")
    clock.advance(days=1)
    signed_in(app, nurse.user).get(f"/vard/patienter/{patient.id}")
    html = signed_in(app, patient.user).get("/logglista").get_data(as_text=True)
    shown = [line for line in lines(html) if "tittade" in line]
    assert shown[0].startswith("Karin Lind tittade på din plan i dag, kl. ")
    assert shown[1].startswith("Karin Lind tittade på din plan i går, kl. ")
    assert not any("gånger" in line or "Hur många" in line for line in shown)  # one look each
