"""The private calendar link goes to calendar services run by other companies (Google,
Apple, Microsoft): by default it carries what kind of contact and when, nothing more; the
patient can choose to include the details. A file she downloads for one follow-up goes to
her own device and keeps everything."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.test_followups import FEED, book, events, local_day, post
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.followups.details import FollowUpError
from webapp.followups.feed import calendar_feed_choose_details
from webapp.followups.models import CalendarFeed

# What each booking in these tests says beyond its kind and time (see test_followups.details).
DETAILS = (
    "Karin Lind",
    "Vårdcentralen Test, Storgatan 1",
    "Vi ser över dina mediciner.",
    "Ta med alla dina mediciner.",
)
CANCEL_REASON = "Sjuksköterskan är sjuk."
CHOOSE = f"{FEED}/detaljer"


def _feed_url(client) -> str:
    post(client, f"{FEED}/ny", token_from=FEED)
    html = client.get(FEED).get_data(as_text=True)
    return re.search(r'href="(http://localhost/uppfoljning/kalender/[^"]+\.ics)"', html).group(1)


def _checked(page: str) -> str:
    return re.search(r'<input checked [^>]*value="(\w+)"', page).group(1)


@pytest.fixture
def booked(patient, nurse):
    planned = book(patient, nurse, date=local_day(4))
    cancelled = book(patient, nurse, date=local_day(5))
    followups.follow_up_cancel(
        patient=patient, follow_up_id=cancelled.id, reason=CANCEL_REASON, actor=nurse.user
    )
    return planned, cancelled


def _by_uid(app, url: str) -> tuple[str, dict]:
    response = app.test_client().get(url)  # a calendar service: no sign-in
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    return body, {str(e["UID"]).split("@")[0]: e for e in events(response.data)}


def test_by_default_the_link_carries_only_kind_and_time(app, patient_client, booked):
    planned, cancelled = booked
    body, found = _by_uid(app, _feed_url(patient_client))
    unfolded = body.replace("\r\n ", "")
    for text in (*DETAILS, CANCEL_REASON):
        assert text not in unfolded, text
    event = found[f"follow-up-{planned.id}"]
    assert str(event["SUMMARY"]) == "Besök"
    assert "LOCATION" not in event
    assert str(event["DESCRIPTION"]) == "Med vem, var och vad det gäller står i Nära."
    assert event.decoded("DTEND") - event.decoded("DTSTART") == planned.ends_at - planned.starts_at
    gone = found[f"follow-up-{cancelled.id}"]
    assert str(gone["SUMMARY"]) == "Avbokad: Besök" and gone["STATUS"] == "CANCELLED"
    assert db.session.scalar(select(CalendarFeed.include_details)) is False


def test_the_patient_can_choose_to_include_the_details_and_back(app, patient_client, booked):
    planned, cancelled = booked
    url = _feed_url(patient_client)
    page = patient_client.get(FEED).get_data(as_text=True)
    assert "Vad syns i kalendern?" in page
    assert _checked(page) == "brief"

    response = post(patient_client, CHOOSE, {"include": "details"}, token_from=FEED)
    assert response.status_code == 303
    page = patient_client.get(FEED).get_data(as_text=True)
    assert "Kalendern får nu också veta med vem, var och vad det gäller." in page
    assert _checked(page) == "details"
    body, found = _by_uid(app, url)
    event = found[f"follow-up-{planned.id}"]
    assert str(event["SUMMARY"]) == "Besök med Karin Lind"
    assert str(event["LOCATION"]) == "Vårdcentralen Test, Storgatan 1"
    assert "Vi ser över dina mediciner." in str(event["DESCRIPTION"])
    assert CANCEL_REASON in str(found[f"follow-up-{cancelled.id}"]["DESCRIPTION"])

    # A new link keeps the choice; choosing "brief" again takes the details away.
    url = _feed_url(patient_client)
    assert "Vi ser över dina mediciner." in _by_uid(app, url)[0].replace("\r\n ", "")
    post(patient_client, CHOOSE, {"include": "brief"}, token_from=FEED)
    assert "bara veta vilken sorts kontakt" in patient_client.get(FEED).get_data(as_text=True)
    assert "Vi ser över dina mediciner." not in _by_uid(app, url)[0].replace("\r\n ", "")


def test_her_own_download_keeps_every_detail_and_the_page_says_so(app, patient_client, booked):
    planned, _cancelled = booked
    _feed_url(patient_client)  # the link is on, without details
    page = patient_client.get(FEED).get_data(as_text=True)
    assert "Laddar du ner en enda kontakt med ”Lägg in i min kalender”, följer allt med" in page
    response = patient_client.get(f"/uppfoljning/{planned.id}.ics")
    (event,) = events(response.data)
    assert str(event["SUMMARY"]) == "Besök med Karin Lind"
    assert "Ta med alla dina mediciner." in str(event["DESCRIPTION"])


@pytest.mark.parametrize("data", [{}, {"include": "everything"}, {"include": "details\x00"}])
def test_a_choice_that_is_none_of_the_two_is_refused_and_changes_nothing(
    patient_client, booked, data
):
    _feed_url(patient_client)
    response = post(patient_client, CHOOSE, data, token_from=FEED)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Välj vad kalendern ska få veta." in page or "osynligt tecken" in page
    assert "Vad syns i kalendern?" in page
    assert db.session.scalar(select(CalendarFeed.include_details)) is False


def test_the_choice_needs_the_link_on_and_a_csrf_token(patient, patient_client):
    response = patient_client.post(CHOOSE, data={"include": "details"})
    assert response.status_code == 400  # no CSRF token
    response = post(patient_client, CHOOSE, {"include": "details"}, token_from=FEED)
    assert response.status_code == 303  # the link is off: told so, nothing stored
    assert "Slå på den först." in patient_client.get(FEED).get_data(as_text=True)
    assert db.session.scalar(select(CalendarFeed)) is None
    with pytest.raises(FollowUpError):
        calendar_feed_choose_details(patient=patient, include=True)


def test_the_choice_is_the_patients_own(app, nurse_client, patient, patient_client):
    _feed_url(patient_client)
    token = csrf_token(nurse_client, "/vard/")
    response = nurse_client.post(CHOOSE, data={"include": "details", "csrf_token": token})
    assert response.status_code == 404
    assert db.session.scalar(select(CalendarFeed.include_details)) is False


def test_the_page_and_the_choice_in_english(patient_client, booked):
    _feed_url(patient_client)
    post(patient_client, "/sprak", {"lang": "en"}, token_from=FEED)
    page = patient_client.get(FEED).get_data(as_text=True)
    assert "What shows in the calendar?" in page
    assert "Vad syns i kalendern?" not in page


def test_after_switching_the_link_on_the_next_step_is_the_phones_calendar(patient_client):
    post(patient_client, f"{FEED}/ny", token_from=FEED)
    html = patient_client.get(FEED).get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    # The page's one primary button puts the link into the phone's calendar, and it comes
    # before anything else the page says; switching off is there, but not the main choice.
    primaries = re.findall(r'<(?:a|button) class="button button-primary"[^>]*>([^<]+)<', main)
    assert primaries == ["Lägg in i telefonens kalender"]
    assert main.index("Lägg in i telefonens kalender") < main.index("Med en kalenderlänk")
    assert '<button class="button">Stäng av länken</button>' in main
    # Then step by step, for a phone of either kind; "Prenumerera" only as the phone's own
    # button, quoted, never as the page's word.
    text = " ".join(re.sub(r"<[^>]+>", " ", main).split())
    assert "Så lägger du in länken, steg för steg På iPhone" in text
    assert "Tryck på ”Prenumerera”" in text and text.lower().count("prenumer") == 2
    assert "På Android" in text and "”Från webbadress”" in text
    assert main.index("Lägg in i telefonens kalender") < main.index("På iPhone")
    # Shown once: back on the page later, nothing to add, so no such button.
    later = patient_client.get(FEED).get_data(as_text=True)
    assert "Lägg in i telefonens kalender" not in later and "På iPhone" not in later
