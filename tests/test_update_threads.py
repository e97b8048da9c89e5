"""Care's answer reaches the patient: updates from the same moment (the one a value over a
limit makes by itself and her own "Sämre" minutes later) are one thread, read and answered
together; "Att göra nu" says "Karin har svarat dig." until she has read it; and "Mår du
sämre?" sends care a "Sämre" in one step."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from tests.conftest import committed, csrf_token
from tests.test_selfcare_updates import (
    MINE,
    changes_of,
    flagged_update,
    own_update,
    post_care,
    signed_in,
    text_of,
)
from webapp.audit import Change
from webapp.extensions import db
from webapp.selfcare.models import PatientUpdate, UpdateFeeling

WORSE_PAGE = "/overenskommelse/nar-jag-blir-samre"
# A quarter past ten on a Saturday morning, Stockholm time.
SATURDAY = datetime(2026, 11, 28, 9, 15, tzinfo=UTC)


def todo_of(html: str) -> str:
    """The words of "Att göra nu" ("" when a new patient has nothing there)."""
    if 'id="todo-heading"' not in html:
        return ""
    start = html.index('id="todo-heading"')
    return text_of(html[start : html.index("</section>", start)])


def test_a_flagged_update_and_her_own_worse_minutes_later_are_answered_together(
    app, clock, patient, nurse, patient_client
):
    clock.now = SATURDAY
    flagged = flagged_update(patient)
    clock.advance(minutes=6)
    worse = own_update(patient, UpdateFeeling.WORSE, "Andfådd, svullna fötter.")
    clock.advance(days=1)
    next_day = own_update(patient, UpdateFeeling.SAME)
    nurse_client = signed_in(app, nurse.user)

    clock.advance(minutes=10)
    answer = "Jag ringer dig om en stund."
    response = post_care(nurse_client, patient.id, worse.id, do="answer", answer=answer)
    assert response.status_code == 303
    assert changes_of(patient) == [Change.UPDATE_ANSWERED]  # one answer, one line in her log
    db.session.expire_all()
    answered = {u.id: u for u in db.session.scalars(select(PatientUpdate))}
    for update in (flagged, worse):
        assert answered[update.id].answer == answer and answered[update.id].seen_at is not None
    assert answered[next_day.id].answered_at is None and answered[next_day.id].seen_at is None

    # Her list: the two from Saturday are one card, read and answered once; the next day's
    # is its own, still unread. No "Inte läst ännu" on a message care has handled.
    html = patient_client.get(MINE).get_data(as_text=True)
    card_html = re.findall(r'<li class="card update-card.*?</li>', html, re.S)
    cards = [text_of(card) for card in card_html]
    assert len(cards) == 2
    newest, saturday = cards
    assert "Du skrev: Som förut" in newest and "Inte läst ännu" in newest
    assert "Utanför det ni kommit överens om" in saturday and "Andfådd, svullna fötter." in saturday
    assert saturday.count("Svar från Karin Lind") == 1 and saturday.count(answer) == 1
    assert "Läst av Karin Lind" in saturday and "Inte läst" not in saturday


def test_marking_one_read_marks_its_thread_read(app, clock, patient, nurse_client):
    clock.now = SATURDAY
    flagged = flagged_update(patient)
    clock.advance(minutes=3)
    worse = own_update(patient, UpdateFeeling.WORSE)
    assert post_care(nurse_client, patient.id, flagged.id, do="seen").status_code == 303
    db.session.expire_all()
    assert db.session.get(PatientUpdate, worse.id).seen_at is not None
    assert changes_of(patient) == [Change.UPDATE_SEEN]
    # The opened update names the rest of its thread, so she knows what she answers.
    page = text_of(nurse_client.get(f"/egenvard/patient/{patient.id}/uppdatering/{worse.id}").text)
    assert "Från samma tillfälle" in page and "Utanför en överenskommen gräns" in page


def test_att_gora_nu_says_care_answered_until_she_has_read_it(
    app, clock, patient, nurse, patient_client
):
    clock.now = SATURDAY
    update = own_update(patient, UpdateFeeling.WORSE, "Andfådd.")
    assert "svarat dig" not in todo_of(patient_client.get("/").text)
    nurse_client = signed_in(app, nurse.user)
    post_care(nurse_client, patient.id, update.id, do="answer", answer="Jag ringer dig.")

    home = patient_client.get("/").text
    assert "Karin har svarat dig." in todo_of(home)
    assert f'href="/egenvard/uppdateringar#uppdatering-{update.id}"' in home
    # Looking again without reading it: still there.
    assert "Karin har svarat dig." in todo_of(patient_client.get("/").text)

    listing = patient_client.get(MINE).text
    assert "Nytt" in text_of(listing)
    assert "svarat dig" not in todo_of(patient_client.get("/").text)
    assert "Nytt" not in text_of(patient_client.get(MINE).text)


def test_mar_du_samre_sends_care_a_worse_update_in_one_step(patient_client, patient):
    page = patient_client.get(WORSE_PAGE).text
    # First on the page: whom to call, then the one-step update.
    assert page.index("Vem ringer jag?") < page.index("Berätta för vården")
    assert '<input type="hidden" name="feeling" value="worse">' in page
    response = patient_client.post(
        "/egenvard/uppdatering",
        data={
            "csrf_token": csrf_token(patient_client, WORSE_PAGE),
            "feeling": "worse",
            "text": "Svullna fötter.",
        },
    )
    assert response.status_code == 303
    [sent] = db.session.scalars(select(PatientUpdate)).all()
    assert sent.feeling == UpdateFeeling.WORSE and sent.text == "Svullna fötter."
    assert "Skickat till Karin Lind." in patient_client.get(response.headers["Location"]).text


def test_an_answer_given_before_the_thread_grew_leaves_the_new_message_unread(
    app, clock, patient, nurse, patient_client
):
    clock.now = SATURDAY
    first = own_update(patient, UpdateFeeling.WORSE)
    nurse_client = signed_in(app, nurse.user)
    clock.advance(minutes=20)
    post_care(nurse_client, patient.id, first.id, do="answer", answer="Jag ringer.")
    clock.advance(minutes=10)
    later = committed(own_update(patient, UpdateFeeling.WORSE, "Nu är det värre."))
    db.session.expire_all()
    assert db.session.get(PatientUpdate, later.id).answered_at is None
    listing = text_of(patient_client.get(MINE).text)
    assert "Ditt senaste meddelande är inte läst ännu" in listing
