"""Phone hours as data: read from the old free text, edited per weekday by staff, and a
contact card that says "Telefontiden är stängd nu – ring 1177" outside them, on the app's
clock, even while the rendered plan is kept in memory."""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from tests.conftest import csrf_token, make_config
from webapp import create_app
from webapp.careteam import services as careteam
from webapp.extensions import db
from webapp.people import services as people
from webapp.people.models import StaffMember
from webapp.people.phone_hours import (
    day_ranges_from_text,
    describe,
    line_status,
    times_from_text,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEEKDAYS_8_TO_10 = [[day, 8 * 60, 10 * 60] for day in range(5)]


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("Vardagar 8–10", "Mån–fre 08:00–10:00"),
        ("Vardagar 8–10 och 13–15", "Mån–fre 08:00–10:00, 13:00–15:00"),
        ("Vardagar 8–16, lunchstängt 12–13", "Mån–fre 08:00–12:00, 13:00–16:00"),
        ("Alla dagar 7–21", "Mån–sön 07:00–21:00"),
        ("Dygnet runt", "Mån–sön 00:00–24:00"),
        ("Mån-tors 8.30-12, fre 8-11", "Mån–tors 08:30–12:00; fre 08:00–11:00"),
    ],
)
def test_old_free_text_reads_as_weekdays_and_times(text, described):
    times = times_from_text(text)
    assert times is not None
    assert describe(times, "sv") == described


@pytest.mark.parametrize("text", ["Ring när du vill", "8–10", "Vardagar 10–8", "Mån 25–26"])
def test_text_that_cannot_be_read_is_kept_as_text(text):
    assert times_from_text(text) is None


def test_open_now_and_when_it_opens_next_in_the_units_zone():
    wednesday_morning = datetime(2026, 12, 2, 9, 30, tzinfo=STOCKHOLM)
    status = line_status(WEEKDAYS_8_TO_10, wednesday_morning, STOCKHOLM)
    assert status.open_now and status.changes_at == datetime(2026, 12, 2, 10, tzinfo=STOCKHOLM)
    friday_evening = datetime(2026, 12, 4, 18, tzinfo=STOCKHOLM)
    status = line_status(WEEKDAYS_8_TO_10, friday_evening, STOCKHOLM)
    assert not status.open_now
    assert status.opens_at == datetime(2026, 12, 7, 8, tzinfo=STOCKHOLM)  # Monday
    # Across the spring change to summer time it still opens at 08:00 on the wall clock.
    saturday = datetime(2027, 3, 27, 12, tzinfo=STOCKHOLM)
    opens = line_status(WEEKDAYS_8_TO_10, saturday, STOCKHOLM).opens_at
    assert opens is not None and (opens.hour, opens.utcoffset().total_seconds()) == (8, 7200)


@pytest.fixture
def wednesday_morning(clock):
    clock.now = datetime(2026, 12, 2, 9, 50, tzinfo=STOCKHOLM)
    return clock


def _card(html: str) -> str:
    found = re.search(r'aria-labelledby="contact-heading"[^>]*>.*?</section>', html, re.S)
    assert found
    return found.group(0)


@pytest.fixture
def weekday_mornings(nurse):
    people.phone_hours_set(holder=nurse, phone=nurse.phone, times=WEEKDAYS_8_TO_10, note="")
    db.session.commit()


def test_the_card_offers_the_line_while_open_and_1177_when_closed(
    wednesday_morning, weekday_mornings, patient_client
):
    card = _card(patient_client.get("/").get_data(as_text=True))
    assert 'href="tel:0101234567"' in card and "stängd" not in card
    assert "Telefontid: Mån–fre 08:00–10:00" in card
    wednesday_morning.advance(minutes=10)  # 10:00: closed, though nothing in the plan changed
    card = _card(patient_client.get("/").get_data(as_text=True))
    assert "Telefontiden är stängd nu – ring 1177." in card
    assert "Telefonen öppnar igen torsdag 3 december kl. 08:00." in card
    assert 'href="tel:1177"' in card and 'href="tel:0101234567"' not in card


def test_staff_edit_their_hours_per_weekday_and_a_wrong_time_is_explained(
    wednesday_morning, weekday_mornings, nurse_client, nurse, patient_client
):
    page = nurse_client.get("/vard/telefontid").get_data(as_text=True)
    assert 'value="08:00–10:00"' in page  # Monday, as stored
    token = csrf_token(nurse_client, "/vard/telefontid")
    days = {f"day_{n}": "08:00–10:00" for n in range(5)}
    wrong = {**days, "csrf_token": token, "phone": nurse.phone, "day_2": "10-8", "note": ""}
    response = nurse_client.post("/vard/telefontid", data=wrong)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Onsdag: skriv tiden som 8–10, den tidigare tiden först." in html
    assert 'value="10-8"' in html  # what she typed is kept
    db.session.expire_all()
    assert db.session.get(StaffMember, nurse.id).phone_times == WEEKDAYS_8_TO_10
    right = {**wrong, "day_2": "09:00-11:00, 13-14", "note": "Stängt i juli."}
    assert nurse_client.post("/vard/telefontid", data=right).status_code == 303
    card = _card(patient_client.get("/").get_data(as_text=True))
    assert "Mån–tis 08:00–10:00; ons 09:00–11:00, 13:00–14:00; tors–fre 08:00–10:00" in card
    assert "Stängt i juli." in card


def test_the_unit_administrator_sets_the_units_hours_and_address(nurse_client, unit):
    token = csrf_token(nurse_client, "/vard/enhet")
    data = {"csrf_token": token, "phone": "010-100 00 00", "day_0": "8-16", "note": ""}
    data["address"] = "Storgatan 1, 123 45 Nära"
    assert nurse_client.post("/vard/enhet", data=data).status_code == 303
    db.session.expire_all()
    stored = db.session.get(type(unit), unit.id)
    assert stored.address == "Storgatan 1, 123 45 Nära"
    assert stored.phone_times == [[0, 8 * 60, 16 * 60]]


def test_the_migration_reads_old_hours_and_keeps_what_it_cannot_read(tmp_path):
    """Units and staff that had free-text hours before this release."""
    url = f"sqlite:///{tmp_path}/before.db"
    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        runner = app.test_cli_runner()
        assert runner.invoke(args=["db", "upgrade", "598b3e206e32"]).exit_code == 0
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO care_unit (id, name, phone, phone_hours, created_at) VALUES "
                    "(1, 'A', '010', 'Vardagar 8–16, lunchstängt 12–13', '2026-01-01'), "
                    "(2, 'B', '010', 'Ring när du vill', '2026-01-01')"
                )
            )
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT phone_hours, phone_times FROM care_unit ORDER BY id")
            ).all()
        db.engine.dispose()
    assert rows[0][0] == "" and json.loads(rows[0][1]) == [
        [day, start, end] for day in range(5) for start, end in ((480, 720), (780, 960))
    ]
    assert rows[1] == ("Ring när du vill", None)


def test_another_part_of_care_outside_its_typed_hours_offers_1177(
    wednesday_morning, patient_client, patient, nurse
):
    careteam.care_part_add(
        patient=patient,
        actor=nurse.user,
        organisation="Hemtjänsten",
        kind="municipal_home_care",
        role_text="Hjälper till.",
        phone="08-555 123 00",
        phone_hours="Vardagar 8–10",
    )
    db.session.commit()
    html = patient_client.get("/").get_data(as_text=True)
    part = html[html.index("careteam-part") :]
    assert 'href="tel:085551230' in part and "stängd" not in part
    wednesday_morning.advance(minutes=10)  # 10:00, within the session's idle time
    part = patient_client.get("/").get_data(as_text=True)
    part = part[part.index("careteam-part") :]
    assert "Telefontiden är stängd nu – ring 1177." in part
    assert "Telefonen öppnar igen torsdag 3 december kl. 08:00." in part
    assert 'href="tel:085551230' not in part


@pytest.mark.parametrize(
    ("typed", "ranges"),
    [
        ("8-10 och 13-15", [(480, 600), (780, 900)]),
        ("08:00–10:00, 13:00–15:00", [(480, 600), (780, 900)]),
        ("kl. 8.30–12", [(510, 720)]),
        ("13-15 samt 8-10", [(480, 600), (780, 900)]),
        ("8 - 10 / 13 - 15", [(480, 600), (780, 900)]),
        ("", []),
        ("Stängt", []),
    ],
)
def test_one_days_hours_are_read_as_people_type_them(typed, ranges):
    assert day_ranges_from_text(typed) == ranges


@pytest.mark.parametrize("typed", ["8-10 eller 13-15", "10-8", "8-12 och 11-15", "förmiddag", "8"])
def test_one_days_hours_that_cannot_be_read_are_not_guessed(typed):
    assert day_ranges_from_text(typed) is None


def test_hours_typed_freely_are_understood_or_refused_in_one_message_naming_the_days(
    nurse_client, nurse
):
    token = csrf_token(nurse_client, "/vard/telefontid")
    typed = {"csrf_token": token, "phone": nurse.phone, "note": ""}
    typed |= {"day_0": "8-10 och 13-15", "day_1": "8-10 eller 13-15", "day_3": "förmiddag"}
    response = nurse_client.post("/vard/telefontid", data=typed)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    message = "Tisdag och torsdag: skriv tiden som 8–10, den tidigare tiden först."
    assert html.count(message) == 2  # once in the summary, once at Tuesday's field
    assert "Måndag:" not in html  # Monday was understood
    assert 'value="8-10 eller 13-15"' in html and 'value="förmiddag"' in html

    understood = {**typed, "day_1": "8–10, 13–15", "day_3": "kl. 9-11"}
    assert nurse_client.post("/vard/telefontid", data=understood).status_code == 303
    db.session.expire_all()
    assert db.session.get(StaffMember, nurse.id).phone_times == [
        [0, 480, 600],
        [0, 780, 900],
        [1, 480, 600],
        [1, 780, 900],
        [3, 540, 660],
    ]
