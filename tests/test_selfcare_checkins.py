"""Check-ins: the one-screen log, what it refuses (nothing saved), the offline queue's sync that
never saves a check-in twice, edits and deletions that say who made them, the agreed limits
(also a change over a window of days), who may reach these pages, and their query budgets."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from tests.conftest import count_queries, csrf_token, register_with_invitation
from tests.selfcare_rows import check_in_make, goal_make
from webapp.extensions import db
from webapp.people import services as people
from webapp.selfcare.checkins import limits
from webapp.selfcare.checkins import services as checkins
from webapp.selfcare.checkins.rules import GoalRules
from webapp.selfcare.checkins.rules import goal_rules_at as rules_at
from webapp.selfcare.models import CheckIn, GoalStatus, PatientUpdate

ADVICE = "Ring din kontakt i dag. Ta inte extra vätskedrivande utan att prata med oss."


# --- helpers ---------------------------------------------------------------------------


def weight_goal(patient, **fields):
    return goal_make(
        patient,
        limits=[
            {"kind": "rise", "value": 2, "window_days": 3, "advice": ADVICE},
            {"kind": "above", "value": 100, "advice": "Ring 1177 om du inte når oss."},
        ],
        **fields,
    )


def log_path(goal):
    return f"/egenvard/{goal.id}/logga"


def post_log(client, goal, **data):
    token = csrf_token(client, log_path(goal))
    body = {"client_uuid": str(uuid.uuid4()), **data, "csrf_token": token}
    return client.post(log_path(goal), data=body)


def rows(goal):
    db.session.expire_all()
    return list(
        db.session.scalars(select(CheckIn).where(CheckIn.goal_id == goal.id).order_by(CheckIn.id))
    )


def updates():
    db.session.expire_all()
    return list(db.session.scalars(select(PatientUpdate).order_by(PatientUpdate.id)))


def sync(client, items, path="/"):
    token = csrf_token(client, path)
    return client.post(
        "/egenvard/skicka", json={"check_ins": items}, headers={"X-CSRFToken": token}
    )


def item(goal, **fields):
    return {
        "client_uuid": str(uuid.uuid4()),
        "goal_id": goal.id,
        "taken_at": datetime.now(UTC).isoformat(),
        "done": None,
        "value": "72,4",
        "value2": "",
        "note": "",
        **fields,
    }


def text_of(response):
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def other_patient(nurse):
    other = people.patient_create(
        created_by=nurse, name="Bertil Ek", phone="070-999 88 77", personal_number=None
    )
    db.session.commit()
    return other


# --- logging on the one screen ---------------------------------------------------------


def test_a_number_is_logged_and_confirmed_in_plain_words(patient_client, patient):
    goal = weight_goal(patient)
    page = patient_client.get(log_path(goal))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'inputmode="decimal"' in html and "data-keypad" in html
    assert "Jag glömde – logga för en tidigare tid" in html
    response = post_log(patient_client, goal, value="72,4", note="Efter frukost")
    assert response.status_code == 303
    [saved] = rows(goal)
    assert saved.value == 72.4 and saved.note == "Efter frukost"
    assert saved.logged_by_user_id == patient.user_id and not saved.outside_limits
    confirmation = text_of(patient_client.get(response.headers["Location"]))
    assert "Sparat" in confirmation and "72,4 kg" in confirmation
    assert "Ring 1177" not in confirmation.split("site-footer")[0] or "Vem ringer jag?" not in (
        confirmation
    )
    assert updates() == []


def test_done_is_one_tap(patient_client, patient):
    goal = goal_make(patient, title="Gå en promenad", measure="done", unit="")
    assert post_log(patient_client, goal, done="yes").status_code == 303
    assert post_log(patient_client, goal, done="no").status_code == 303
    assert [row.done for row in rows(goal)] == [True, False]


def test_a_scale_value_is_one_tap_and_blood_pressure_takes_two(patient_client, patient):
    pain = goal_make(patient, title="Smärta", measure="scale_0_10", unit="")
    page = patient_client.get(log_path(pain)).get_data(as_text=True)
    assert page.count('name="value" value="') == 11
    assert post_log(patient_client, pain, value="7").status_code == 303
    assert rows(pain)[0].value == 7
    pressure = goal_make(patient, title="Blodtryck", measure="blood_pressure", unit="")
    assert post_log(patient_client, pressure, value="135", value2="85").status_code == 303
    assert (rows(pressure)[0].value, rows(pressure)[0].value2) == (135, 85)


@pytest.mark.parametrize(
    ("measure", "data", "message"),
    [
        ("number", {"value": "0"}, "0 kg kan inte stämma. Skriv ett värde mellan 20 och 350 kg."),
        ("number", {"value": "900"}, "900 kg kan inte stämma"),
        ("number", {"value": "sjuttio"}, "Skriv bara siffror"),
        ("number", {"value": "7O,4"}, "Skriv bara siffror"),
        ("number", {"value": ""}, "Skriv ett värde först"),
        ("number", {"value": "72", "note": "x" * 501}, "Anteckningen får vara högst 500 tecken"),
        ("scale_1_5", {"value": "6"}, "Välj ett värde från 1 till 5."),
        ("scale_0_10", {"value": "2,5"}, "Välj ett värde från 0 till 10."),
        ("blood_pressure", {"value": "80", "value2": "120"}, "Det övre värdet ska vara högre"),
        ("blood_pressure", {"value": "999", "value2": "80"}, "999 mmHg kan inte stämma"),
        ("blood_pressure", {"value": "130", "value2": ""}, "Skriv ett värde först"),
        ("done", {}, "Tryck på Gjort eller Inte gjort."),
    ],
)
def test_bad_input_is_refused_in_plain_swedish_and_nothing_is_saved(
    patient_client, patient, measure, data, message
):
    goal = weight_goal(patient, measure=measure, unit="kg" if measure == "number" else "")
    response = post_log(patient_client, goal, **data)
    assert response.status_code == 400
    html = text_of(response)
    assert message in html
    assert rows(goal) == [] and updates() == []
    for typed in data.values() if measure in ("number", "blood_pressure") else ():
        if typed and len(typed) < 20:
            assert f'value="{typed}"' in html  # what was typed is kept


def test_a_pulse_of_999_is_refused(patient_client, patient):
    goal = goal_make(patient, title="Puls", unit="pulse")
    response = post_log(patient_client, goal, value="999")
    assert response.status_code == 400
    assert "999 slag per minut kan inte stämma" in text_of(response)
    assert rows(goal) == []


def test_a_check_in_in_the_future_is_refused_but_a_slow_clock_is_not(clock, patient):
    goal = GoalRules.of(weight_goal(patient))
    clock.now = datetime(2026, 5, 3, 10, 0, tzinfo=UTC)
    reading = checkins.Reading(value="72,4")
    with pytest.raises(checkins.CheckInError, match="Den tiden har inte varit än"):
        checkins.check_in_record(
            goal=goal,
            actor=patient.user,
            client_uuid=uuid.uuid4(),
            taken_at=clock.now + timedelta(minutes=10),
            reading=reading,
        )
    logged = checkins.check_in_record(
        goal=goal,
        actor=patient.user,
        client_uuid=uuid.uuid4(),
        taken_at=clock.now + timedelta(minutes=4),  # a phone's clock a little ahead
        reading=reading,
    )
    assert logged.created


def test_a_forgotten_check_in_may_be_logged_for_an_earlier_time(patient_client, patient):
    goal = weight_goal(patient)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).astimezone(checkins.local_zone())
    response = post_log(
        patient_client, goal, value="71", day=yesterday.date().isoformat(), time="07:45"
    )
    assert response.status_code == 303
    taken = rows(goal)[0].taken_at.astimezone(checkins.local_zone())
    assert (taken.date(), taken.strftime("%H:%M")) == (yesterday.date(), "07:45")


@pytest.mark.parametrize(
    ("day", "time", "message"),
    [
        ("2020-01-01", "08:00", "Du kan logga högst 30 dagar bakåt i tiden."),
        ("2099-01-01", "08:00", "Den tiden har inte varit än."),
        ("igår", "08:00", "Välj en dag"),
        ("", "25:00", "Skriv tiden som timmar och minuter"),
        ("2026-05-01", "", "Skriv också vilken tid"),
    ],
)
def test_a_bad_earlier_time_is_refused(patient_client, patient, day, time, message):
    goal = weight_goal(patient)
    response = post_log(patient_client, goal, value="72", day=day, time=time)
    assert response.status_code == 400
    assert message in text_of(response)
    assert rows(goal) == []


def test_the_same_form_sent_twice_saves_once(patient_client, patient):
    goal = weight_goal(patient)
    token = csrf_token(patient_client, log_path(goal))
    body = {"client_uuid": str(uuid.uuid4()), "value": "72", "csrf_token": token}
    first = patient_client.post(log_path(goal), data=body)
    second = patient_client.post(log_path(goal), data=body)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(rows(goal)) == 1


def test_the_page_without_javascript_carries_a_uuid_made_by_the_server(patient_client, patient):
    goal = weight_goal(patient)
    html = patient_client.get(log_path(goal)).get_data(as_text=True)
    found = re.search(r'name="client_uuid" value="([^"]+)"', html)
    assert found and uuid.UUID(found.group(1))


def test_a_bad_uuid_is_refused(patient_client, patient):
    goal = weight_goal(patient)
    token = csrf_token(patient_client, log_path(goal))
    body = {"client_uuid": "inte-ett-id", "value": "72", "csrf_token": token}
    response = patient_client.post(log_path(goal), data=body)
    assert response.status_code == 400
    assert "Ladda om sidan och försök igen" in text_of(response)
    assert rows(goal) == []


def test_an_archived_goal_takes_no_check_in(patient_client, patient):
    goal = weight_goal(patient, status=GoalStatus.ARCHIVED)
    assert "Målet är borttaget" in text_of(patient_client.get(log_path(goal)))
    response = post_log(patient_client, goal, value="72")
    assert response.status_code == 400
    assert "Målet är borttaget" in text_of(response)
    assert rows(goal) == []


# --- the offline queue's sync ------------------------------------------------------------


def test_sync_saves_each_and_a_retried_send_never_makes_two_rows(patient_client, patient):
    goal = weight_goal(patient)
    walk = goal_make(patient, title="Gå", measure="done", unit="")
    items = [item(goal, value="72,4"), item(walk, done=True, value=None)]
    first = sync(patient_client, items)
    assert first.status_code == 200
    assert [r["status"] for r in first.get_json()["results"]] == ["saved", "saved"]
    again = sync(patient_client, items)  # the answer was lost: the phone sends them again
    assert [r["status"] for r in again.get_json()["results"]] == ["already_saved"] * 2
    assert len(rows(goal)) == 1 and len(rows(walk)) == 1
    assert rows(goal)[0].client_uuid == items[0]["client_uuid"]


def test_a_retried_send_is_saved_before_even_after_its_goal_was_archived(patient_client, patient):
    """The answer to the first send was lost, and care ended the goal meanwhile: the phone is
    told its check-in was saved (it was), not that the goal takes no more."""
    goal = weight_goal(patient)
    sent = [item(goal, value="72,4")]
    assert sync(patient_client, sent).get_json()["results"][0]["status"] == "saved"
    goal.status = GoalStatus.ARCHIVED
    db.session.commit()
    again = sync(patient_client, sent).get_json()["results"][0]
    assert again["status"] == "already_saved"
    assert again["check_in_id"] == rows(goal)[0].id
    assert len(rows(goal)) == 1
    fresh = sync(patient_client, [item(goal, value="72,4")]).get_json()["results"][0]
    assert fresh["status"] == "goal_archived"


def test_sync_answers_each_item_for_itself(patient_client, patient, other_patient):
    goal = weight_goal(patient)
    archived = weight_goal(patient, title="Gammalt mål", status=GoalStatus.ARCHIVED)
    theirs = weight_goal(other_patient)
    taken = item(goal, value="70")
    check_in_make(theirs, datetime.now(UTC), client_uuid=taken["client_uuid"])
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    results = sync(
        patient_client,
        [
            item(goal, value="900"),
            item(archived),
            item(theirs),
            taken,
            item(goal, taken_at=future),
            item(goal, client_uuid="x"),
            "nonsense",
            item(goal, value="73"),
        ],
    ).get_json()["results"]
    assert [r["status"] for r in results] == [
        "refused",
        "goal_archived",
        "refused",
        "refused",
        "refused",
        "refused",
        "refused",
        "saved",
    ]
    assert "900 kg kan inte stämma" in results[0]["message"]
    assert results[1]["message"].startswith("Målet är borttaget")
    assert results[2]["message"] == "Målet finns inte längre."  # another's goal: not told
    assert [row.value for row in rows(goal)] == [73]
    assert rows(archived) == [] and len(rows(theirs)) == 1


def test_sync_refuses_what_it_cannot_read(patient_client):
    token = csrf_token(patient_client, "/")
    for body in ({"check_ins": "x"}, [], {"check_ins": [{}] * 101}):
        response = patient_client.post(
            "/egenvard/skicka", json=body, headers={"X-CSRFToken": token}
        )
        assert response.status_code == 400 and "error" in response.get_json()


def test_sync_needs_the_csrf_token(patient_client, patient):
    goal = weight_goal(patient)
    response = patient_client.post("/egenvard/skicka", json={"check_ins": [item(goal)]})
    assert response.status_code == 400
    assert rows(goal) == []


def test_a_flagged_check_in_from_the_queue_carries_cares_advice(patient_client, patient):
    goal = weight_goal(patient)
    [result] = sync(patient_client, [item(goal, value="101")]).get_json()["results"]
    assert result["flagged"]["advice"] == "Ring 1177 om du inte når oss."
    assert "Vikten är 101 kg, över gränsen 100 kg." in result["flagged"]["reason"]
    page = text_of(patient_client.get(result["flagged"]["url"]))
    # The number in care's advice is tap-to-call.
    assert 'Ring <a class="phone" href="tel:1177">1177</a> om du inte når oss.' in page
    assert "Vem ringer jag?" in page


# --- limits ----------------------------------------------------------------------------


def test_a_rise_over_the_window_makes_a_flagged_update_with_cares_advice(patient_client, patient):
    goal = weight_goal(patient)
    now = datetime.now(UTC)
    check_in_make(goal, now - timedelta(days=2), value=70.0)
    check_in_make(goal, now - timedelta(days=1), value=71.0)
    response = post_log(patient_client, goal, value="72,4")
    assert response.status_code == 303
    saved = rows(goal)[-1]
    assert saved.outside_limits
    [update] = updates()
    assert update.flagged and update.check_in_id == saved.id and update.goal_id == goal.id
    assert update.flag_reason == "Vikten har ökat 2,4 kg på 3 dagar (gränsen är 2 kg)."
    assert update.advice == ADVICE
    page = text_of(patient_client.get(response.headers["Location"]))
    assert ADVICE in page and update.flag_reason in page
    assert 'href="tel:0101234567"' in page  # the care contact, tap to call
    assert 'href="tel:1177"' in page and 'href="tel:112"' in page


@pytest.fixture(params=["with the rules", "on its own"])
def window_read(request):
    """A change limit's window is read with the goal's rules for a new check-in from the
    phone, and on its own for one checked again (an edit): the two must agree."""
    return request.param


def _crossed(goal, taken_at, value, value2=None, read="on its own"):
    """The limits a check-in of these values crosses; it is saved, for the next one to see."""
    if read == "with the rules":
        rules = rules_at(patient_id=goal.patient_id, goal_id=goal.id, window_at=taken_at)
        assert rules is not None and rules.window is not None and rules.window.at == taken_at
        with count_queries() as queries:
            crossed = limits.limits_crossed(goal=rules, taken_at=taken_at, values=(value, value2))
        assert queries == []  # read with the rules
    else:
        crossed = limits.limits_crossed(
            goal=GoalRules.of(goal), taken_at=taken_at, values=(value, value2)
        )
    check_in_make(goal, taken_at, value=value, value2=value2)
    return [breach.reason for breach in crossed]


@pytest.mark.parametrize(
    ("earlier", "days_back", "value", "crossed"),
    [
        (70.4, 1, 72.4, False),  # exactly 2 kg: not "more than" (and no float rounding)
        (70.3, 1, 72.4, True),  # 2,1 kg
        (70.0, 3, 72.4, True),  # the window's first moment counts
        (70.0, 3.01, 72.4, False),  # just outside the window
        (74.0, 1, 72.4, False),  # down, not up
    ],
)
def test_a_rise_limit_at_its_edges(app, patient, window_read, earlier, days_back, value, crossed):
    goal = goal_make(
        patient, limits=[{"kind": "rise", "value": 2, "window_days": 3, "advice": ADVICE}]
    )
    now = datetime(2026, 5, 3, 8, 0, tzinfo=UTC)
    check_in_make(goal, now - timedelta(days=days_back), value=earlier)
    assert bool(_crossed(goal, now, value, read=window_read)) is crossed


@pytest.mark.parametrize(("hours_back", "crossed"), [(72, True), (72.5, False), (71, True)])
def test_a_window_is_whole_days_of_24_hours_over_a_change_of_clocks(
    app, patient, window_read, hours_back, crossed
):
    # Sweden went to summer time on 29 March 2026: three days before 08:00 on 30 March is
    # 72 hours back, at 07:00 by the clocks of that day.
    goal = goal_make(
        patient, limits=[{"kind": "rise", "value": 2, "window_days": 3, "advice": ADVICE}]
    )
    now = datetime(2026, 3, 30, 8, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    earlier = now.astimezone(UTC) - timedelta(hours=hours_back)  # hours that passed
    check_in_make(goal, earlier, value=70.0)
    assert bool(_crossed(goal, now, 72.5, read=window_read)) is crossed


def test_a_rise_is_read_from_the_lowest_value_in_the_window_and_deleted_ones_do_not_count(
    app, patient, window_read
):
    goal = goal_make(
        patient, limits=[{"kind": "rise", "value": 2, "window_days": 3, "advice": ADVICE}]
    )
    now = datetime(2026, 5, 3, 8, 0, tzinfo=UTC)
    check_in_make(goal, now - timedelta(days=2), value=69.0, deleted_at=now)
    check_in_make(goal, now - timedelta(days=2), value=70.0)
    check_in_make(goal, now - timedelta(days=1), value=72.0)
    check_in_make(goal, now + timedelta(hours=1), value=60.0)  # after it: not "before"
    assert _crossed(goal, now, 72.5, read=window_read) == [
        "Vikten har ökat 2,5 kg på 3 dagar (gränsen är 2 kg)."
    ]


def test_a_fall_limit_and_blood_pressure_limits_read_their_own_value(app, patient, window_read):
    goal = goal_make(
        patient,
        title="Blodtryck",
        measure="blood_pressure",
        unit="",
        limits=[
            {"kind": "above", "value": 160, "value_index": 1, "advice": "Ring i dag."},
            {"kind": "below", "value": 50, "value_index": 2, "advice": "Ring i dag."},
            {"kind": "fall", "value": 20, "value_index": 1, "window_days": 1, "advice": "Ring."},
        ],
    )
    now = datetime(2026, 5, 3, 8, 0, tzinfo=UTC)
    check_in_make(goal, now - timedelta(hours=12), value=150.0, value2=80.0)
    assert _crossed(goal, now, 161, 45, read=window_read) == [
        "Det övre blodtrycket är 161 mmHg, över gränsen 160 mmHg.",
        "Det undre blodtrycket är 45 mmHg, under gränsen 50 mmHg.",
    ]
    # A fall is read from the highest value in the window: the 161 just before.
    assert _crossed(goal, now + timedelta(minutes=1), 125, 80, read=window_read) == [
        "Det övre blodtrycket har minskat 36 mmHg på 1 dag (gränsen är 20 mmHg)."
    ]
    assert _crossed(goal, now + timedelta(minutes=2), 160, 50, read=window_read) == []  # inside


def test_the_change_limits_cost_one_query_whatever_their_number(app, patient):
    goal = goal_make(
        patient,
        limits=[
            {"kind": "rise", "value": 2, "window_days": 3, "advice": ADVICE},
            {"kind": "rise", "value": 3, "window_days": 7, "advice": ADVICE},
            {"kind": "fall", "value": 3, "window_days": 7, "advice": ADVICE},
        ],
    )
    now = datetime(2026, 5, 3, 8, 0, tzinfo=UTC)
    for day in range(1, 30):
        check_in_make(goal, now - timedelta(days=day), value=70.0 + day % 3)
    rules = checkins.goal_rules_find(patient_id=patient.id, goal_id=goal.id)
    with count_queries() as queries:
        crossed = limits.limits_crossed(goal=rules, taken_at=now, values=(75.0, None))
    assert len(queries) == 1
    assert len(crossed) == 2


def test_a_check_in_from_the_phone_reads_its_goal_and_windows_in_one_query(patient_client, patient):
    goal = weight_goal(patient)  # a change limit: every check-in reads its window
    now = datetime.now(UTC)
    check_in_make(goal, now - timedelta(days=2), value=70.0)
    path = log_path(goal)
    token = csrf_token(patient_client, path)
    body = {"client_uuid": str(uuid.uuid4()), "value": "71,5", "csrf_token": token}
    with count_queries() as queries:
        response = patient_client.post(path, data=body)
    assert response.status_code == 303
    assert not rows(goal)[-1].outside_limits  # 1,5 kg up in 3 days: inside the limit
    # Who is signed in, the goal's rules with its windows; then the row and the plan's
    # version are written.
    kinds = [q.lstrip().split(None, 1)[0].upper() for q in queries]
    assert kinds == ["SELECT", "SELECT", "INSERT", "UPDATE"], queries
    assert "FROM self_care_goal" in queries[1] and "FROM check_in" in queries[1]


def test_a_change_limits_window_is_read_from_the_index_alone(app, patient):
    """A goal's check-ins lie among every other patient's in the table: read row by row, the
    window of a change limit would fetch a page for nearly every check-in in it, on every
    check-in logged (SQLite's plan; PostgreSQL chooses by its statistics)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan")
    goal = weight_goal(patient)
    rules = checkins.goal_rules_find(patient_id=patient.id, goal_id=goal.id)
    ran: list[tuple[str, object]] = []

    def remember(_conn, _cursor, statement, parameters, *_args):
        ran.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        limits.limits_crossed(goal=rules, taken_at=datetime.now(UTC), values=(75.0, None))
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    [(statement, parameters)] = ran
    plan = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
    reads = [row[-1] for row in plan if " check_in " in f"{row[-1]} "]
    assert reads, "the window is read"
    for step in reads:
        assert step.startswith("SEARCH check_in USING COVERING INDEX"), step


# --- edit, delete, history ---------------------------------------------------------------


def test_the_patient_edits_and_deletes_and_the_history_says_who_did(patient_client, patient):
    goal = weight_goal(patient)
    row = check_in_make(goal, datetime.now(UTC) - timedelta(hours=1), value=72.0)
    history = f"/egenvard/{goal.id}/historik"
    edit = f"{history}/{row.id}/andra"
    form = text_of(patient_client.get(edit))
    assert 'value="72"' in form
    token = csrf_token(patient_client, edit)
    stamp = row.taken_at.astimezone(checkins.local_zone())
    response = patient_client.post(
        edit,
        data={
            "value": "71,5",
            "day": stamp.date().isoformat(),
            "time": stamp.strftime("%H:%M"),
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    [changed] = rows(goal)
    assert changed.value == 71.5 and changed.edited_by_user_id == patient.user_id
    response = patient_client.post(f"{history}/{row.id}/ta-bort", data={"csrf_token": token})
    assert response.status_code == 303
    [gone] = rows(goal)
    assert gone.deleted_at is not None and gone.deleted_by_user_id == patient.user_id
    page = text_of(patient_client.get(history))
    assert "71,5 kg" in page
    assert "Loggat av dig" in page and "Ändrat av dig" in page and "Borttaget av dig" in page
    assert f"{row.id}/andra" not in page  # a deleted one is not changed again
    assert patient_client.get(edit).status_code == 404


def test_an_edit_with_bad_input_changes_nothing(patient_client, patient):
    goal = weight_goal(patient)
    row = check_in_make(goal, datetime.now(UTC) - timedelta(hours=1), value=72.0)
    edit = f"/egenvard/{goal.id}/historik/{row.id}/andra"
    token = csrf_token(patient_client, edit)
    response = patient_client.post(edit, data={"value": "900", "csrf_token": token})
    assert response.status_code == 400 and "900 kg kan inte stämma" in text_of(response)
    [same] = rows(goal)
    assert same.value == 72.0 and same.edited_at is None


def test_an_edit_that_crosses_a_limit_flags_it(patient_client, patient):
    goal = weight_goal(patient)
    row = check_in_make(goal, datetime.now(UTC) - timedelta(hours=1), value=72.0)
    edit = f"/egenvard/{goal.id}/historik/{row.id}/andra"
    token = csrf_token(patient_client, edit)
    assert patient_client.post(edit, data={"value": "102", "csrf_token": token}).status_code == 303
    assert rows(goal)[0].outside_limits
    assert [u.flag_reason for u in updates()] == ["Vikten är 102 kg, över gränsen 100 kg."]


def test_someone_else_may_change_only_what_they_logged(app, patient, other_patient):
    goal = weight_goal(patient)
    mine = check_in_make(goal, datetime.now(UTC), value=72.0)
    by_other = check_in_make(
        goal, datetime.now(UTC), value=72.0, logged_by_user_id=other_patient.user_id
    )
    # Later a relative logs on the patient's behalf: the rule is ready for them.
    assert checkins.may_change(patient=patient, actor=other_patient.user, check_in=by_other)
    assert not checkins.may_change(patient=patient, actor=other_patient.user, check_in=mine)
    assert checkins.may_change(patient=patient, actor=patient.user, check_in=by_other)


# --- access ------------------------------------------------------------------------------


def test_nobody_else_reaches_the_patients_own_check_in_pages(
    app, patient, other_patient, nurse, other_unit_nurse
):
    goal = weight_goal(patient)
    row = check_in_make(goal, datetime.now(UTC), value=72.0)
    paths = [
        f"/egenvard/{goal.id}/logga",
        f"/egenvard/{goal.id}/historik",
        f"/egenvard/{goal.id}/historik/{row.id}/andra",
    ]
    for person in (other_patient.user, nurse.user, other_unit_nurse.user):
        client = app.test_client()
        register_with_invitation(client, person)
        home = "/" if person is other_patient.user else "/vard/"
        token = csrf_token(client, home)
        for path in paths:
            assert client.get(path).status_code == 404, (person.name, path)
        for path in (paths[0], paths[2], f"/egenvard/{goal.id}/historik/{row.id}/ta-bort"):
            response = client.post(path, data={"value": "80", "csrf_token": token})
            assert response.status_code == 404, (person.name, path)
        if person is other_patient.user:
            [result] = sync(client, [item(goal)]).get_json()["results"]
            assert result["status"] == "refused"
        else:
            response = sync(client, [item(goal)], path=home)
            assert response.status_code == 404
    assert [(r.value, r.deleted_at) for r in rows(goal)] == [(72.0, None)]
    signed_out = app.test_client()
    assert signed_out.get(paths[0]).status_code == 302  # to the sign-in page


# --- query budgets -----------------------------------------------------------------------


def _queries_for(client, path):
    client.get(path)  # warm: the session's first request loads what every page loads
    with count_queries() as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_log_page_and_history_cost_the_same_queries_however_many_check_ins(
    patient_client, patient
):
    goal = weight_goal(patient)
    check_in_make(goal, datetime.now(UTC) - timedelta(days=1), value=72.0)
    first = rows(goal)[0]
    few = {
        path: _queries_for(patient_client, path)
        for path in (
            log_path(goal),
            f"/egenvard/{goal.id}/historik",
            f"{log_path(goal)}?sparad={first.id}",
        )
    }
    start = datetime.now(UTC) - timedelta(days=90)
    for day in range(80):
        check_in_make(
            goal,
            start + timedelta(days=day),
            value=70.0 + day % 5,
            edited_by_user_id=patient.user_id,
            edited_at=start,
        )
    many = {path: _queries_for(patient_client, path) for path in few}
    assert many == few
    assert max(few.values()) <= 8


@pytest.mark.parametrize(
    "sent",
    [
        {
            "client_uuid": " 0f6e2a8e-0000-4000-8000-000000000001 ",
            "value": " 72,4 ",
            "note": " Bra ",
        },
        {"done": "yes", "day": " 2025-03-31 ", "time": "08:00 "},
        {"value": "120", "value2": " 80", "done": " no"},
        {},
    ],
)
def test_a_check_in_is_read_from_the_request_as_the_form_reads_it(app, sent):
    # The check-in POST reads the request without making the form (CheckInSent.read); the
    # form is made only when the page is drawn again. Both must read the same check-in.
    from werkzeug.datastructures import MultiDict

    from webapp.selfcare.checkins.forms import CheckInForm, CheckInSent

    with app.test_request_context("/", method="POST", data=sent):
        form = CheckInForm(formdata=MultiDict(sent), meta={"csrf": False})
        assert form.validate()
        assert CheckInSent.read(MultiDict(sent)) == form.sent()


def test_a_nul_character_in_a_check_in_is_refused_and_nothing_is_saved(patient, patient_client):
    goal = goal_make(patient)
    answer = patient_client.post(
        f"/egenvard/{goal.id}/logga",
        data={
            "csrf_token": csrf_token(patient_client, f"/egenvard/{goal.id}/logga"),
            "client_uuid": str(uuid.uuid4()),
            "value": "72,4",
            "note": "Bra\x00dag",
        },
    )
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "osynligt tecken" in page
    assert "Bradag" in page  # what was typed, without the character
    assert db.session.scalars(select(CheckIn).where(CheckIn.goal_id == goal.id)).all() == []
