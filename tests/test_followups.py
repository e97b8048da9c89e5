"""Överenskommen tid: the care contact books, moves and cancels follow-ups; the patient sees
them next first, says "Jag kan inte komma" and takes them into a calendar (.ics per follow-up
and a private, revocable feed), with times right on both sides of a daylight-saving change.
Bad input and strangers leave everything as it was."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import count_queries, csrf_token, mark_seen, register_with_invitation
from webapp.audit import AccessLogEntry, Change, Read
from webapp.db import now_utc
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.followups.details import FollowUpError, FollowUpInput, FollowUpInputError
from webapp.followups.models import CalendarFeed, FollowUp
from webapp.people import services as people
from webapp.people.relations import Relation

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MINE = "/uppfoljning/"
FEED = "/uppfoljning/kalenderlank"
# Tests that name dates in 2027 run as if it were this moment, so they never go stale.
FROZEN_NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


# --- helpers ---------------------------------------------------------------------------


def local_day(days_ahead: int) -> str:
    return (now_utc().astimezone(STOCKHOLM).date() + timedelta(days=days_ahead)).isoformat()


def details(**overrides: str) -> FollowUpInput:
    values = {
        "date": local_day(10),
        "time": "09:00",
        "end_time": "09:30",
        "kind": "visit",
        "with_whom": "Karin Lind",
        "place": "Vårdcentralen Test, Storgatan 1",
        "purpose": "Vi ser över dina mediciner.",
        "preparation": "Ta med alla dina mediciner.",
    }
    values.update(overrides)
    return FollowUpInput(**values)


def book(patient, nurse, **overrides: str) -> FollowUp:
    return followups.follow_up_book(patient=patient, details=details(**overrides), actor=nurse.user)


def form_data(**overrides: str) -> dict[str, str]:
    values = details(**overrides)
    return {name: getattr(values, name) for name in FORM_FIELDS}


FORM_FIELDS = ("date", "time", "end_time", "kind", "with_whom", "place", "purpose", "preparation")


def post(client, path: str, data: dict[str, str] | None = None, token_from: str | None = None):
    token = csrf_token(client, token_from or path)
    return client.post(path, data={**(data or {}), "csrf_token": token})


def snapshot() -> list[tuple]:
    """Everything saved about follow-ups and feeds, to compare before and after a refusal."""
    db.session.expire_all()
    rows = db.session.scalars(select(FollowUp).order_by(FollowUp.id))
    feeds = db.session.scalars(select(CalendarFeed).order_by(CalendarFeed.id))
    return [
        (
            f.id,
            f.starts_at,
            f.duration_minutes,
            f.kind,
            f.purpose,
            f.status,
            f.moved_to_id,
            f.cancel_reason,
            f.cannot_come_at,
            f.cannot_come_reason,
            f.lock_version,
        )
        for f in rows
    ] + [(feed.id, feed.token_hash, feed.revoked_at) for feed in feeds]


def events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def the_event(response):
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    (found,) = events(response.data)
    return found


def item_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="kontakt-(\d+)"', html)]


@pytest.fixture
def frozen(clock) -> datetime:
    # The app's one clock (webapp.clock): every module reads it at call time.
    clock.now = FROZEN_NOW
    return FROZEN_NOW


@pytest.fixture
def other_patient(nurse):
    return people.patient_create(
        created_by=nurse, name="Bertil Ek", phone="070-999 88 77", personal_number=None
    )


def signed_in(app, user):
    client = app.test_client()
    register_with_invitation(client, user)
    return client


# --- booking and what the patient sees -------------------------------------------------


def test_care_contact_books_and_the_patient_sees_every_detail(
    nurse_client, patient_client, patient
):
    page = nurse_client.get(f"/uppfoljning/patient/{patient.id}/ny").get_data(as_text=True)
    assert "Boka kontakt med Astrid Berg" in page
    assert 'value="Karin Lind"' in page  # "med vem" starts as the care contact
    for word in ("Besök", "Telefonsamtal", "Videosamtal", "Provtagning", "Hembesök"):
        assert word in page

    path = f"/uppfoljning/patient/{patient.id}/ny"
    response = post(nurse_client, path, form_data(kind="home_visit", place="Hemma hos dig"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/uppfoljning/patient/{patient.id}/")
    assert "Kontakten är bokad." in nurse_client.get(response.headers["Location"]).get_data(
        as_text=True
    )

    saved = db.session.scalar(select(FollowUp))
    local = saved.starts_at.astimezone(STOCKHOLM)
    assert (local.date().isoformat(), local.strftime("%H:%M")) == (local_day(10), "09:00")
    assert saved.duration_minutes == 30 and saved.is_planned

    html = patient_client.get(MINE).get_data(as_text=True)
    for text in (
        "Hembesök",
        "Karin Lind",
        "Hemma hos dig",
        "Vi ser över dina mediciner.",
        "Ta med alla dina mediciner.",
        "kl. 09:00–09:30",
        "Lägg in i min kalender",
        "Jag kan inte komma",
    ):
        assert text in html


def test_the_patient_sees_the_next_one_first(patient_client, patient, nurse):
    later = book(patient, nurse, date=local_day(30), purpose="Provsvar.")
    soon = book(patient, nurse, date=local_day(3), purpose="Hur går promenaderna?")
    middle = book(patient, nurse, date=local_day(12), kind="phone", purpose="Telefonsamtal.")

    html = patient_client.get(MINE).get_data(as_text=True)
    assert item_ids(html) == [soon.id, middle.id, later.id]
    assert "Den närmaste står först." in html

    home = patient_client.get("/").get_data(as_text=True)
    next_part = home.split('id="followups-heading"', 1)[1].split("</section>", 1)[0]
    assert "Hur går promenaderna?" in next_part
    assert "Provsvar." not in next_part
    assert "2 planerade kontakter till." in next_part


def test_patient_with_nothing_booked_is_told_so(patient_client):
    assert "Du har ingen planerad kontakt just nu." in patient_client.get(MINE).get_data(
        as_text=True
    )
    assert "Ingen planerad kontakt just nu." in patient_client.get("/").get_data(as_text=True)


# --- "Jag kan inte komma" --------------------------------------------------------------


def test_cannot_come_reaches_the_care_contact_marked_as_new(
    nurse_client, patient_client, patient, nurse
):
    follow_up = book(patient, nurse)
    care_page = f"/vard/patienter/{patient.id}"
    nurse_client.get(care_page)  # the care contact has looked once before

    path = f"/uppfoljning/{follow_up.id}/kan-inte-komma"
    assert "Varför kan du inte komma?" in patient_client.get(path).get_data(as_text=True)
    response = post(patient_client, path, {"reason": "Jag ska på begravning den dagen."})
    assert response.status_code == 303
    html = patient_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Din vårdkontakt får veta att du inte kan komma." in html
    assert "Du har sagt att du inte kan komma." in html
    assert "Jag ska på begravning den dagen." in html
    assert f'href="{path}"' not in html  # the button is gone once said

    html = nurse_client.get(care_page).get_data(as_text=True)
    assert "Nytt sedan du tittade senast" in html
    assert "Kan inte komma" in html and "Jag ska på begravning den dagen." in html
    assert "Nytt sedan du tittade senast" in nurse_client.get(care_page).get_data(as_text=True)
    mark_seen(nurse_client, patient.id)
    html = nurse_client.get(care_page).get_data(as_text=True)  # seen now: no longer new
    assert "Jag ska på begravning den dagen." in html
    assert (
        "Nytt sedan du tittade senast"
        not in html.split('id="followups-heading"')[1].split("</section>")[0]
    )

    html = nurse_client.get(f"/uppfoljning/patient/{patient.id}/").get_data(as_text=True)
    assert "Patienten kan inte komma." in html and "Jag ska på begravning den dagen." in html


def test_cannot_come_without_a_fitting_reason_is_refused(patient_client, patient, nurse):
    follow_up = book(patient, nurse)
    before = snapshot()
    path = f"/uppfoljning/{follow_up.id}/kan-inte-komma"
    for reason, message in (
        ("   ", "Skriv varför du inte kan komma."),
        ("Jag är bortrest. " * 40, "Texten får vara högst 500 tecken."),
    ):
        response = post(patient_client, path, {"reason": reason})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert message in html
        assert reason.strip() in html  # what was typed is still there
        assert snapshot() == before


def test_cannot_come_to_a_cancelled_or_past_follow_up_is_refused(patient_client, patient, nurse):
    cancelled = book(patient, nurse)
    followups.follow_up_cancel(
        patient=patient, follow_up_id=cancelled.id, reason="Sjuk.", actor=nurse.user
    )
    past = FollowUp(
        patient_id=patient.id,
        starts_at=now_utc() - timedelta(days=2),
        duration_minutes=30,
        kind="phone",
        purpose="Telefonsamtal.",
        created_by_user_id=nurse.user_id,
    )
    db.session.add(past)
    db.session.commit()
    before = snapshot()
    for follow_up_id, message in (
        (cancelled.id, "Den här kontakten är redan avbokad."),
        (past.id, "Den här tiden har redan varit."),
    ):
        path = f"/uppfoljning/{follow_up_id}/kan-inte-komma"
        response = post(patient_client, path, {"reason": "Kan inte."})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert snapshot() == before
    assert "Tidigare" in patient_client.get(MINE).get_data(as_text=True)


# --- moving and cancelling stay visible ------------------------------------------------


def test_a_moved_follow_up_stays_visible_as_moved(nurse_client, patient_client, patient, nurse):
    old = book(patient, nurse, date=local_day(5), time="10:00", end_time="10:45")
    path = f"/uppfoljning/patient/{patient.id}/{old.id}/flytta"

    form = nurse_client.get(path).get_data(as_text=True)  # the form starts from the old time
    assert f'value="{local_day(5)}"' in form
    assert 'value="10:00"' in form and 'value="10:45"' in form
    response = post(
        nurse_client, path, form_data(date=local_day(8), time="13:00", end_time="13:45")
    )
    assert response.status_code == 303

    db.session.expire_all()
    new = db.session.scalar(select(FollowUp).where(FollowUp.id != old.id))
    old = db.session.get(FollowUp, old.id)
    assert old.is_moved and old.moved_to_id == new.id and new.is_planned
    assert new.duration_minutes == 45

    html = patient_client.get(MINE).get_data(as_text=True)
    assert item_ids(html) == [old.id, new.id]
    assert "Flyttad:" in html and "Flyttad till" in html
    home = patient_client.get("/").get_data(as_text=True)
    assert "Ny tid:" in home and "kl. 13:00" in home

    calendar = the_event(patient_client.get(f"/uppfoljning/{old.id}.ics"))
    assert calendar["STATUS"] == "CANCELLED"
    assert str(calendar["SUMMARY"]).startswith("Flyttad:")

    response = post(nurse_client, path, form_data(date=local_day(9)))  # moved already
    assert response.status_code == 400
    assert "Den här kontakten är redan flyttad." in response.get_data(as_text=True)


def test_a_cancelled_follow_up_stays_visible_with_its_reason(
    nurse_client, patient_client, patient, nurse
):
    follow_up = book(patient, nurse)
    path = f"/uppfoljning/patient/{patient.id}/{follow_up.id}/avboka"

    before = snapshot()
    response = post(nurse_client, path, {"reason": ""})
    assert response.status_code == 400
    assert "Skriv varför kontakten avbokas." in response.get_data(as_text=True)
    assert snapshot() == before

    response = post(nurse_client, path, {"reason": "Karin är sjuk. Vi ringer om ny tid."})
    assert response.status_code == 303
    html = patient_client.get(MINE).get_data(as_text=True)
    assert "Avbokad:" in html and "Karin är sjuk. Vi ringer om ny tid." in html
    assert "Jag kan inte komma" not in html.split(f'id="kontakt-{follow_up.id}"')[1]
    assert "Avbokad:" in patient_client.get("/").get_data(as_text=True)
    assert the_event(patient_client.get(f"/uppfoljning/{follow_up.id}.ics"))["STATUS"] == (
        "CANCELLED"
    )

    response = post(nurse_client, path, {"reason": "Igen."})
    assert response.status_code == 400
    assert "Den här kontakten är redan avbokad." in response.get_data(as_text=True)


# --- bad input -------------------------------------------------------------------------


# Each rule: what the care contact types (on top of a good booking on 2027-01-15), and the
# message they get. Run with the clock at FROZEN_NOW (2026-12-01 12:00 UTC).
BAD_BOOKINGS = [
    ({"date": "2026-11-30"}, "Tiden har redan varit."),
    ({"date": "2026-12-01", "time": "12:00", "end_time": "12:30"}, "Tiden har redan varit."),
    ({"date": "2030-01-10"}, "Det är mer än tre år fram."),
    ({"date": ""}, "Skriv vilket datum"),
    ({"date": "29/3 2027"}, "Skriv datumet som år-månad-dag"),
    ({"date": "2027-02-30"}, "Det datumet finns inte."),
    ({"time": "25:00"}, "Den tiden finns inte."),
    ({"time": "nio"}, "Skriv tiden som timmar och minuter"),
    ({"end_time": "08:30"}, "Slutet kan inte vara före början."),
    ({"end_time": "09:00"}, "Slutet kan inte vara före början."),
    ({"end_time": ""}, "Skriv när kontakten slutar"),
    ({"end_time": "18:00"}, "Så lång kan en kontakt inte vara."),
    ({"kind": "massage"}, "Välj vilken sorts kontakt det är."),
    ({"purpose": "  "}, "Skriv vad kontakten gäller."),
    ({"purpose": "Prover. " * 70}, "Texten får vara högst 500 tecken."),
    ({"place": "Storgatan " * 25}, "Texten får vara högst 200 tecken."),
    ({"with_whom": "Karin " * 30}, "Texten får vara högst 120 tecken."),
    ({"preparation": "Fasta. " * 150}, "Texten får vara högst 1000 tecken."),
    ({"date": "2027-03-28", "time": "02:30", "end_time": "04:00"}, "Den tiden finns inte"),
    ({"date": "2027-10-31", "time": "02:30", "end_time": "04:00"}, "finns två gånger"),
]


def test_bad_bookings_are_refused_keep_the_text_and_change_nothing(
    frozen, nurse_client, patient, nurse
):
    book(patient, nurse, date="2027-01-15")
    before = snapshot()
    path = f"/uppfoljning/patient/{patient.id}/ny"
    for overrides, message in BAD_BOOKINGS:  # one signed-in client for all: fast
        data = form_data(**{"date": "2027-01-15", **overrides})
        response = post(nurse_client, path, data)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, overrides
        assert message in html, overrides
        assert "Något behöver rättas" in html and 'aria-invalid="true"' in html
        for name in ("date", "time", "end_time", "purpose", "place"):
            typed = data[name].strip()
            assert not typed or typed in html, (overrides, name)  # still in the form
        assert snapshot() == before, overrides


@pytest.mark.parametrize("time", ["00:10", "09:00"])
def test_a_booking_in_year_one_is_refused_as_past(frozen, nurse_client, patient, time):
    # Just after midnight on 0001-01-01 in Stockholm is before the first moment in UTC.
    data = form_data(date="0001-01-01", time=time, end_time="10:00")
    response = post(nurse_client, f"/uppfoljning/patient/{patient.id}/ny", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tiden har redan varit." in html and 'value="0001-01-01"' in html
    assert snapshot() == []


def test_the_last_hour_of_year_9999_west_of_utc_is_refused_as_too_far(frozen, app, patient, nurse):
    app.config["DEFAULT_TIMEZONE"] = "America/New_York"  # this test's own app
    with pytest.raises(FollowUpInputError) as refused:
        book(patient, nurse, date="9999-12-31", time="23:10", end_time="23:40")
    assert refused.value.errors["date"].startswith("Det är mer än tre år fram.")
    assert snapshot() == []


def test_every_wrong_field_is_named_at_once(frozen, nurse_client, patient):
    data = form_data(date="2026-11-30", kind="x", purpose="")
    html = post(nurse_client, f"/uppfoljning/patient/{patient.id}/ny", data).get_data(as_text=True)
    assert "Tiden har redan varit." in html
    assert "Välj vilken sorts kontakt det är." in html
    assert "Skriv vad kontakten gäller." in html
    assert snapshot() == []


def test_a_post_without_csrf_saves_nothing(nurse_client, patient):
    response = nurse_client.post(f"/uppfoljning/patient/{patient.id}/ny", data=form_data())
    assert response.status_code == 400
    assert snapshot() == []


def test_the_service_refuses_the_same_input(frozen, patient, nurse):
    with pytest.raises(FollowUpInputError) as caught:
        book(patient, nurse, date="2027-01-15", time="10:00", end_time="09:00", place="x" * 201)
    assert set(caught.value.errors) == {"end_time", "place"}
    with pytest.raises(FollowUpError):
        followups.follow_up_move(
            patient=patient, follow_up_id=999, details=details(date="2027-01-15"), actor=nurse.user
        )
    assert snapshot() == []


def test_a_duration_in_minutes_also_works_from_code(frozen, patient, nurse):
    saved = book(patient, nurse, date="2027-01-15", end_time="", duration_minutes="45")
    assert saved.duration_minutes == 45
    with pytest.raises(FollowUpInputError):
        book(patient, nurse, date="2027-01-16", end_time="", duration_minutes="-5")


# --- calendar files and daylight saving -------------------------------------------------


def test_the_ics_file_reads_back_with_time_summary_and_place(patient_client, patient, nurse):
    follow_up = book(patient, nurse, date=local_day(6), time="14:15", end_time="15:00")
    response = patient_client.get(f"/uppfoljning/{follow_up.id}.ics")
    assert 'attachment; filename="planerad-kontakt-' in response.headers["Content-Disposition"]
    found = the_event(response)
    expected = datetime.fromisoformat(f"{local_day(6)}T14:15").replace(tzinfo=STOCKHOLM)
    assert found.decoded("DTSTART") == expected
    assert found.decoded("DTEND") - found.decoded("DTSTART") == timedelta(minutes=45)
    assert str(found["SUMMARY"]) == "Besök med Karin Lind"
    assert str(found["LOCATION"]) == "Vårdcentralen Test, Storgatan 1"
    assert "Vi ser över dina mediciner." in str(found["DESCRIPTION"])
    assert found["STATUS"] == "CONFIRMED"


def test_0800_stockholm_the_day_after_summer_time_starts_is_0600_utc_in_the_calendar(
    frozen, nurse_client, patient_client, patient
):
    for day, utc_hour in (
        ("2027-03-29", 6),  # the day after the switch to summer time (UTC+2)
        ("2027-01-15", 7),  # winter (UTC+1)
        ("2027-11-01", 7),  # the day after the switch back to winter time
    ):
        data = form_data(date=day, time="08:00", end_time="08:30")
        assert post(nurse_client, f"/uppfoljning/patient/{patient.id}/ny", data).status_code == 303
        follow_up = db.session.scalar(select(FollowUp).order_by(FollowUp.id.desc()))

        response = patient_client.get(f"/uppfoljning/{follow_up.id}.ics")
        start = the_event(response).decoded("DTSTART")
        assert start.utcoffset() == timedelta(0), day
        assert start == datetime.fromisoformat(f"{day}T{utc_hour:02d}:00").replace(tzinfo=UTC)
        assert f"DTSTART:{day.replace('-', '')}T0{utc_hour}0000Z" in response.get_data(as_text=True)
    page = patient_client.get(MINE).get_data(as_text=True)
    assert page.count("kl. 08:00–08:30") == 3  # and 08:00 on the patient's page every time


def test_the_private_feed_can_be_turned_on_renewed_and_off(app, patient_client, patient, nurse):
    planned = book(patient, nurse, date=local_day(4))
    cancelled = book(patient, nurse, date=local_day(5))
    followups.follow_up_cancel(
        patient=patient, follow_up_id=cancelled.id, reason="Sjuk.", actor=nurse.user
    )
    assert "Länken är avstängd." in patient_client.get(FEED).get_data(as_text=True)

    response = post(patient_client, f"{FEED}/ny", token_from=FEED)
    assert response.status_code == 303
    html = patient_client.get(FEED).get_data(as_text=True)
    url = re.search(r'href="(http://localhost/uppfoljning/kalender/[^"]+\.ics)"', html).group(1)
    assert 'href="webcal://localhost/uppfoljning/kalender/' in html
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = db.session.scalar(select(CalendarFeed))
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()  # only the hash is kept
    assert token not in patient_client.get(FEED).get_data(as_text=True)  # shown once

    outsider = app.test_client()  # a calendar app: no sign-in, the link is the key
    response = outsider.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    by_uid = {str(e["UID"]): e for e in events(response.data)}
    assert by_uid[f"follow-up-{planned.id}@localhost"]["STATUS"] == "CONFIRMED"
    assert by_uid[f"follow-up-{cancelled.id}@localhost"]["STATUS"] == "CANCELLED"

    post(patient_client, f"{FEED}/ny", token_from=FEED)  # a new link: the old one stops
    assert outsider.get(url).status_code == 404
    new_url = re.search(
        r'href="(http://localhost/uppfoljning/kalender/[^"]+\.ics)"',
        patient_client.get(FEED).get_data(as_text=True),
    ).group(1)
    assert outsider.get(new_url).status_code == 200

    response = post(patient_client, f"{FEED}/stang-av", token_from=FEED)
    assert response.status_code == 303
    assert "Länken är avstängd." in patient_client.get(FEED).get_data(as_text=True)
    assert outsider.get(new_url).status_code == 404
    assert outsider.get("/uppfoljning/kalender/gissning.ics").status_code == 404
    assert db.session.scalar(select(CalendarFeed)).revoked_at is not None


# --- access ----------------------------------------------------------------------------


def test_strangers_get_404_everywhere_and_nothing_changes(
    app, nurse_client, patient, nurse, other_unit_nurse, other_patient
):
    follow_up = book(patient, nurse)
    post(nurse_client, f"/uppfoljning/patient/{patient.id}/ny", form_data())  # nurse's token
    before = snapshot()
    staff_paths = [
        f"/uppfoljning/patient/{patient.id}/",
        f"/uppfoljning/patient/{patient.id}/ny",
        f"/uppfoljning/patient/{patient.id}/{follow_up.id}/flytta",
        f"/uppfoljning/patient/{patient.id}/{follow_up.id}/avboka",
        f"/uppfoljning/patient/{patient.id}/{follow_up.id}.ics",
    ]
    for stranger in (signed_in(app, other_unit_nurse.user), signed_in(app, other_patient.user)):
        token = csrf_token(stranger, "/finns-inte")
        for path in staff_paths:
            assert stranger.get(path).status_code == 404, path
            data = {**form_data(), "reason": "x", "csrf_token": token}
            assert stranger.post(path, data=data).status_code in (404, 405), path
    other = signed_in(app, other_patient.user)
    token = csrf_token(other, "/finns-inte")
    for path in (f"/uppfoljning/{follow_up.id}.ics", f"/uppfoljning/{follow_up.id}/kan-inte-komma"):
        assert other.get(path).status_code == 404, path
        assert other.post(path, data={"reason": "x", "csrf_token": token}).status_code in (404, 405)
    # Staff have no patient side of their own.
    for path in (MINE, FEED, f"/uppfoljning/{follow_up.id}.ics"):
        assert nurse_client.get(path).status_code == 404
    assert snapshot() == before
    log = db.session.scalars(select(AccessLogEntry.actor_user_id).order_by(AccessLogEntry.id)).all()
    assert other_unit_nurse.user_id not in log and other_patient.user_id not in log


def test_the_patient_gets_404_on_the_care_side(patient_client, patient, nurse):
    follow_up = book(patient, nurse)
    for path in (
        f"/uppfoljning/patient/{patient.id}/",
        f"/uppfoljning/patient/{patient.id}/ny",
        f"/uppfoljning/patient/{patient.id}/{follow_up.id}/avboka",
    ):
        assert patient_client.get(path).status_code == 404


def test_a_follow_up_of_another_patient_is_404_through_this_patient(
    nurse_client, patient, other_patient, nurse
):
    theirs = book(other_patient, nurse)
    path = f"/uppfoljning/patient/{patient.id}/{theirs.id}/avboka"
    assert nurse_client.get(path).status_code == 404
    assert nurse_client.get(f"/uppfoljning/patient/{patient.id}/{theirs.id}.ics").status_code == 404


def test_staff_reads_and_bookings_are_in_the_access_log(app, nurse_client, physician, patient):
    nurse_client.get(f"/uppfoljning/patient/{patient.id}/")
    post(nurse_client, f"/uppfoljning/patient/{patient.id}/ny", form_data())
    follow_up = db.session.scalar(select(FollowUp))
    nurse_client.get(f"/uppfoljning/patient/{patient.id}/{follow_up.id}.ics")
    colleague = signed_in(app, physician.user)
    assert colleague.get(f"/uppfoljning/patient/{patient.id}/").status_code == 200

    rows = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)).all()
    seen = {(row.actor_user_id, row.actor_role, row.action) for row in rows}
    assert (patient.care_contact.user_id, Relation.CARE_CONTACT, Read.FOLLOW_UPS) in seen
    assert (patient.care_contact.user_id, Relation.CARE_CONTACT, Change.FOLLOW_UP_BOOKED) in seen
    assert (physician.user_id, Relation.PHYSICIAN, Read.FOLLOW_UPS) in seen
    assert all(row.patient_id == patient.id for row in rows)


def test_the_patients_own_reads_are_not_logged(patient_client, patient, nurse):
    follow_up = book(patient, nurse)
    patient_client.get(MINE)
    patient_client.get(f"/uppfoljning/{follow_up.id}.ics")
    rows = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)).all()
    assert [row.action for row in rows] == [Change.PATIENT_CREATED, Change.FOLLOW_UP_BOOKED]


# --- the overview stays cheap ----------------------------------------------------------


def test_for_overview_runs_a_fixed_number_of_queries(patient, nurse):
    def queries_for_overview() -> tuple[int, object]:
        db.session.expire_all()
        with count_queries() as statements:
            result = followups.for_overview(patient)
            # Touch what the partial reads, so a lazy load would be counted.
            for f in result.upcoming:
                _ = (f.kind_words, f.with_whom, f.ends_at, f.moved_to and f.moved_to.starts_at)
        return len(statements), result

    book(patient, nurse, date=local_day(2))
    one, _ = queries_for_overview()
    for days in range(3, 15):
        book(patient, nurse, date=local_day(days))
    moved = book(patient, nurse, date=local_day(20))
    followups.follow_up_move(
        patient=patient,
        follow_up_id=moved.id,
        details=details(date=local_day(21)),
        actor=nurse.user,
    )
    many, result = queries_for_overview()
    assert one == many <= 2
    assert len(result.upcoming) == 15 and result.planned_count == 14


def test_the_home_page_query_count_does_not_grow_with_follow_ups(patient_client, patient, nurse):
    def home_queries() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            assert patient_client.get("/").status_code == 200
        return len(statements)

    book(patient, nurse, date=local_day(2))
    home_queries()  # warm up (sessions, caches)
    book(patient, nurse, date=local_day(3))
    one = home_queries()  # a booking changed the plan: the page is built afresh
    for days in range(4, 13):
        book(patient, nurse, date=local_day(days))
    assert home_queries() == one
    assert home_queries() == 1  # nothing changed since: the plan comes from memory
