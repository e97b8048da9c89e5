"""Updates to the care contact: the patient sends how it goes (or a check-in outside an agreed
limit makes one by itself); the care contact's inbox shows flagged ones first, then the
newest; she marks one read and answers; the patient sees who read it, when, and the answer.
Every opening of an update is one read in the patient's log; strangers get 404."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import committed, count_queries, csrf_token, register_with_invitation
from tests.selfcare_rows import check_in_make, flagged_update_make, goal_make
from webapp.audit import READ_ACTIONS, AccessLogEntry, Change, Read
from webapp.extensions import db
from webapp.people import services as people
from webapp.people.models import Patient
from webapp.selfcare.models import UPDATE_TEXT_MAX, PatientUpdate, UpdateFeeling
from webapp.selfcare.updates import services as updates

NEW = "/egenvard/uppdatering"
MINE = "/egenvard/uppdateringar"
INBOX = "/egenvard/inkorg"
WEIGHT_LIMIT = {"kind": "rise", "value": 2, "window_days": 3, "advice": "Ring din kontakt i dag."}
# A quarter past ten on a Saturday morning, Stockholm time.
SATURDAY = datetime(2026, 11, 28, 9, 15, tzinfo=UTC)


def opened(patient_id: int, update_id: int) -> str:
    return f"/egenvard/patient/{patient_id}/uppdatering/{update_id}"


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def signed_in(app, user):
    client = app.test_client()
    register_with_invitation(client, user)
    return client


def own_update(patient, feeling=UpdateFeeling.SAME, text="") -> PatientUpdate:
    return committed(
        updates.update_send(patient=patient, actor=patient.user, feeling=feeling, text=text)
    )


def flagged_update(patient, value: float = 76.5) -> PatientUpdate:
    goal = goal_make(patient, limits=[WEIGHT_LIMIT])
    check_in = check_in_make(goal, datetime.now(UTC), value=value, outside_limits=True)
    return committed(flagged_update_make(check_in, patient.user))


def reads_of(patient) -> list[AccessLogEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.patient_id == patient.id, AccessLogEntry.action.in_(READ_ACTIONS))
            .order_by(AccessLogEntry.id)
        )
    )


def changes_of(patient) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AccessLogEntry.action)
            .where(
                AccessLogEntry.patient_id == patient.id,
                AccessLogEntry.action.not_in(READ_ACTIONS),
                AccessLogEntry.action != Change.PATIENT_CREATED,
            )
            .order_by(AccessLogEntry.id)
        )
    )


def update_count() -> int:
    return db.session.scalar(select(func.count(PatientUpdate.id))) or 0


def post_care(client, patient_id: int, update_id: int, **data):
    path = opened(patient_id, update_id)
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


@pytest.fixture
def colleague(unit):
    """Staff of the patient's unit, neither their care contact nor their physician."""
    return committed(people.staff_create(unit=unit, name="Lena Kollega", title="Undersköterska"))


# --- the patient sends ------------------------------------------------------------------


def test_sending_without_a_feeling_or_with_too_much_text_is_refused_keeping_what_was_typed(
    patient_client,
):
    token = csrf_token(patient_client, NEW)
    long_text = "Jag har haft ont i benen. " * 50  # 1300 characters
    response = patient_client.post(NEW, data={"csrf_token": token, "text": long_text})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Välj hur det går: Bättre, Som förut eller Sämre." in html
    assert f"Korta den till högst {UPDATE_TEXT_MAX}." in html
    assert "Jag har haft ont i benen." in html  # kept as typed
    assert update_count() == 0

    response = patient_client.post(
        NEW, data={"csrf_token": token, "feeling": "kanske", "text": "Hej"}
    )
    assert response.status_code == 400 and update_count() == 0


def test_the_patient_sends_worse_with_text_and_sees_it_sent_to_her_contact_unread(
    patient_client, patient
):
    page = patient_client.get(NEW).get_data(as_text=True)
    assert "Hur går det?" in page and "Skicka till Karin Lind" in page
    assert all(word in page for word in ("Bättre", "Som förut", "Sämre"))
    response = patient_client.post(
        NEW,
        data={
            "csrf_token": csrf_token(patient_client, NEW),
            "feeling": "worse",
            "text": "  Andfådd när jag går i trappan.  ",
        },
    )
    assert response.status_code == 303 and response.location.endswith(MINE)
    (update,) = db.session.scalars(select(PatientUpdate).order_by(PatientUpdate.id)).all()
    assert (update.feeling, update.text, update.flagged) == (
        "worse",
        "Andfådd när jag går i trappan.",
        False,
    )
    listing = text_of(patient_client.get(MINE).get_data(as_text=True))
    assert "Skickat till Karin Lind. Uppdateringar läses under arbetstid." in listing
    assert "Du skrev: Sämre" in listing and "Andfådd när jag går i trappan." in listing
    assert "Inte läst ännu" in listing
    assert changes_of(patient) == [] and reads_of(patient) == []  # her own: nothing logged


def test_a_flagged_update_carries_the_limit_and_the_advice_care_agreed(patient_client, patient):
    update = flagged_update(patient)
    assert update.flagged and update.feeling is None
    assert update.flag_reason == "Vikten har ökat mer än 2 kg på 3 dagar."
    assert update.advice == "Ring din kontakt i dag."
    assert update.goal_id is not None and update.check_in_id is not None
    listing = text_of(patient_client.get(MINE).get_data(as_text=True))
    assert "Utanför det ni kommit överens om" in listing
    assert "Väga mig varje morgon" in listing
    assert "Vikten har ökat mer än 2 kg på 3 dagar." in listing
    assert "Det här har ni kommit överens om: Ring din kontakt i dag." in listing


# --- the inbox --------------------------------------------------------------------------


def test_the_inbox_shows_flagged_first_then_the_newest_and_read_ones_below(
    app, clock, patient, nurse, nurse_client
):
    gunnar = committed(
        people.patient_create(
            created_by=nurse, name="Gunnar Ek", phone="070-444 55 66", personal_number=None
        )
    )
    clock.now = SATURDAY - timedelta(days=2)
    oldest = own_update(gunnar, UpdateFeeling.BETTER, "Promenaden gick bra.")
    clock.now = SATURDAY - timedelta(days=1)
    flagged = flagged_update(patient)
    clock.now = SATURDAY
    newest = own_update(patient, UpdateFeeling.WORSE, "Sov dåligt.")

    html = nurse_client.get(INBOX).get_data(as_text=True)
    order = re.findall(r'href="/egenvard/patient/\d+/uppdatering/(\d+)"', html)
    assert order == [str(flagged.id), str(newest.id), str(oldest.id)]
    page = text_of(html)
    assert "3 olästa uppdateringar." in page
    assert "Astrid Berg Oläst Utanför en överenskommen gräns" in page
    assert "Astrid Berg Oläst Mår: sämre" in page
    assert "Sov dåligt" not in page and "Promenaden" not in page  # no more than a line

    assert post_care(nurse_client, patient.id, flagged.id, do="seen").status_code == 303
    html = nurse_client.get(INBOX).get_data(as_text=True)
    unread, read = html.split("Lästa de senaste två veckorna")
    assert str(flagged.id) not in re.findall(r"uppdatering/(\d+)", unread)
    assert re.findall(r"uppdatering/(\d+)", read) == [str(flagged.id)]
    assert "Läst av Karin Lind" in text_of(read)


def test_her_own_patients_by_default_and_the_units_one_link_away(app, patient, nurse, colleague):
    other = committed(
        people.patient_create(
            created_by=colleague, name="Gunnar Ek", phone="070-444 55 66", personal_number=None
        )
    )
    other.care_contact_id = colleague.id
    db.session.commit()
    own_update(patient, UpdateFeeling.WORSE)
    theirs = own_update(other, UpdateFeeling.BETTER)
    client = signed_in(app, nurse.user)
    mine = text_of(client.get(INBOX).get_data(as_text=True))
    assert "Astrid Berg" in mine and "Gunnar Ek" not in mine
    unit = client.get(f"{INBOX}?visa=alla").get_data(as_text=True)
    assert "Gunnar Ek" in unit and f"uppdatering/{theirs.id}" in unit
    # The colleague is nobody's physician and Gunnar's care contact: hers by default.
    assert "Gunnar Ek" in signed_in(app, colleague.user).get(INBOX).get_data(as_text=True)


def test_the_physician_sees_her_patients_updates_in_her_inbox(app, patient, physician):
    update = own_update(patient, UpdateFeeling.WORSE)
    html = signed_in(app, physician.user).get(INBOX).get_data(as_text=True)
    assert f"uppdatering/{update.id}" in html


def test_an_inbox_listing_is_one_worklist_read_per_patient_listed(
    app, patient, nurse, nurse_client
):
    quiet = committed(
        people.patient_create(
            created_by=nurse, name="Gunnar Ek", phone="070-444 55 66", personal_number=None
        )
    )
    own_update(patient, UpdateFeeling.WORSE)
    own_update(patient, UpdateFeeling.SAME)
    assert nurse_client.get(INBOX).status_code == 200
    (read,) = reads_of(patient)
    assert (read.action, read.actor_role) == (Read.WORKLIST, "care_contact")
    assert reads_of(quiet) == []  # nothing of his was shown


# --- opening one, marking it read, answering --------------------------------------------


def test_opening_an_update_shows_where_it_came_from_and_is_one_read_of_the_update(
    patient, nurse_client
):
    update = flagged_update(patient, value=76.5)
    response = nurse_client.get(opened(patient.id, update.id))
    page = text_of(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Uppdatering från Astrid Berg" in page
    assert "Mål: Väga mig varje morgon" in page and "Loggat: 76,5 kg" in page
    assert "Gränsen: Vikten har ökat mer än 2 kg på 3 dagar." in page
    assert "Det patienten fick veta: Ring din kontakt i dag." in page
    assert 'href="tel:0701112233"' in response.get_data(as_text=True)
    (read,) = reads_of(patient)
    assert (read.action, read.actor_role) == (Read.UPDATE, "care_contact")
    nurse_client.get(opened(patient.id, update.id))
    assert len(reads_of(patient)) == 2  # each opening is a read of its own


def test_marking_read_twice_changes_nothing_the_second_time(clock, patient, nurse_client):
    update = own_update(patient, UpdateFeeling.WORSE)
    clock.now = SATURDAY
    assert post_care(nurse_client, patient.id, update.id, do="seen").status_code == 303
    clock.advance(hours=2)
    assert post_care(nurse_client, patient.id, update.id, do="seen").status_code == 303
    db.session.expire_all()
    seen = db.session.get(PatientUpdate, update.id)
    assert seen.seen_at.replace(tzinfo=UTC) == SATURDAY and seen.seen_by.name == "Karin Lind"
    assert changes_of(patient) == [Change.UPDATE_SEEN]


def test_the_answer_reaches_the_patient_with_who_read_it_and_when(
    app, clock, patient, nurse, patient_client
):
    update = own_update(patient, UpdateFeeling.WORSE, "Andfådd.")
    nurse_client = signed_in(app, nurse.user)
    clock.now = SATURDAY + timedelta(minutes=57)  # 11.12 in Stockholm
    empty = post_care(nurse_client, patient.id, update.id, do="answer", answer="   ")
    assert empty.status_code == 400
    assert "Skriv ditt svar till patienten." in empty.get_data(as_text=True)
    too_long = post_care(nurse_client, patient.id, update.id, do="answer", answer="x" * 1001)
    assert too_long.status_code == 400 and "x" * 1001 in too_long.get_data(as_text=True)
    assert changes_of(patient) == []

    answer = "Tack! Jag ringer dig i eftermiddag."
    response = post_care(nurse_client, patient.id, update.id, do="answer", answer=answer)
    assert response.status_code == 303
    assert changes_of(patient) == [Change.UPDATE_ANSWERED]
    listing = text_of(patient_client.get(MINE).get_data(as_text=True))
    assert "Läst av Karin Lind 28 nov. kl. 11.12" in listing
    assert f"Svar från Karin Lind {answer}" in listing
    # A second, different answer is refused; the first stays.
    again = post_care(nurse_client, patient.id, update.id, do="answer", answer="Något annat")
    assert again.status_code == 400
    assert "Uppdateringen har redan ett svar." in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PatientUpdate, update.id).answer == answer


def test_a_second_answer_by_the_service_is_refused_unless_it_is_the_same(patient, nurse):
    update = own_update(patient, UpdateFeeling.WORSE)
    updates.update_answer(patient=patient, update_id=update.id, staff=nurse, text="Ring mig.")
    db.session.commit()
    updates.update_answer(patient=patient, update_id=update.id, staff=nurse, text="Ring mig.")
    with pytest.raises(updates.UpdateError):
        updates.update_answer(patient=patient, update_id=update.id, staff=nurse, text="Nej.")


# --- who may --------------------------------------------------------------------------


def test_strangers_get_404_and_leave_no_read(app, patient, other_unit_nurse, nurse):
    update = own_update(patient, UpdateFeeling.WORSE)
    stranger = signed_in(app, other_unit_nurse.user)
    assert stranger.get(opened(patient.id, update.id)).status_code == 404
    assert "Astrid Berg" not in stranger.get(INBOX).get_data(as_text=True)
    assert "Astrid Berg" not in stranger.get(f"{INBOX}?visa=alla").get_data(as_text=True)
    own = signed_in(app, patient.user)
    assert own.get(opened(patient.id, update.id)).status_code == 404  # not the care side
    assert own.get(INBOX).status_code == 404
    assert reads_of(patient) == []


def test_another_patients_update_under_this_patient_is_404_and_no_read(app, patient, nurse):
    other = committed(
        people.patient_create(
            created_by=nurse, name="Gunnar Ek", phone="070-444 55 66", personal_number=None
        )
    )
    theirs = own_update(other, UpdateFeeling.WORSE)
    client = signed_in(app, nurse.user)
    assert client.get(opened(patient.id, theirs.id)).status_code == 404
    assert post_care(client, patient.id, theirs.id, do="seen").status_code == 404
    assert reads_of(patient) == [] and reads_of(other) == []
    db.session.expire_all()
    assert db.session.get(PatientUpdate, theirs.id).seen_at is None


def test_a_colleague_may_read_an_update_but_not_mark_or_answer_it(app, patient, colleague):
    update = own_update(patient, UpdateFeeling.WORSE)
    client = signed_in(app, colleague.user)
    page = client.get(opened(patient.id, update.id))
    assert page.status_code == 200 and "Markera som läst" not in page.get_data(as_text=True)
    (read,) = reads_of(patient)
    assert (read.action, read.actor_role) == (Read.UPDATE, "unit_staff")
    token = csrf_token(client, "/paminnelser/")
    path = opened(patient.id, update.id)
    assert client.post(path, data={"csrf_token": token, "do": "seen"}).status_code == 404
    assert (
        client.post(path, data={"csrf_token": token, "do": "answer", "answer": "Hej"}).status_code
        == 404
    )
    db.session.expire_all()
    assert db.session.get(PatientUpdate, update.id).seen_at is None
    assert changes_of(patient) == [] and len(reads_of(patient)) == 1


def test_a_post_without_a_known_button_is_refused_and_changes_nothing(patient, nurse_client):
    update = own_update(patient, UpdateFeeling.WORSE)
    assert post_care(nurse_client, patient.id, update.id, do="delete").status_code == 400
    assert changes_of(patient) == []


# --- the worklist -----------------------------------------------------------------------


def test_the_worklist_says_an_update_waits_flagged_first_and_leads_to_it(
    patient, nurse, nurse_client
):
    own_update(patient, UpdateFeeling.SAME)
    card = text_of(nurse_client.get("/vard/").get_data(as_text=True))
    assert "1 ny uppdatering från patienten" in card
    worse = own_update(patient, UpdateFeeling.WORSE, "andfådd, svullna fötter")
    flagged = flagged_update(patient)
    html = nurse_client.get("/vard/").get_data(as_text=True)
    card = text_of(html)
    # Said in words, the limit first, then her own: not "…gräns och 1 till".
    assert "Utanför gränsen: " in card and "Sämre: andfådd, svullna fötter" in card
    assert card.index("Utanför gränsen") < card.index("Sämre: ") < card.index("1 ny uppdatering")
    assert f'href="{opened(patient.id, flagged.id)}"' in html
    assert f'href="{opened(patient.id, worse.id)}"' in html

    # They came at the same moment: one thread, handled at once.
    updates.update_mark_seen(patient=patient, update_id=flagged.id, staff=nurse)
    db.session.commit()
    card = text_of(nurse_client.get("/vard/").get_data(as_text=True))
    assert "Sämre" not in card and "Utanför gränsen" not in card and "uppdatering" not in card


def test_a_handled_alert_leaves_her_own_words_until_they_are_handled_too(
    app, patient, nurse, clock
):
    flagged = flagged_update(patient)
    updates.update_mark_seen(patient=patient, update_id=flagged.id, staff=nurse)
    db.session.commit()
    clock.advance(hours=3)  # later that day, after the alert was handled
    worse = own_update(patient, UpdateFeeling.WORSE, "andfådd, svullna fötter")
    nurse_client = signed_in(app, nurse.user)
    card = text_of(nurse_client.get("/vard/").get_data(as_text=True))
    assert "Utanför gränsen" not in card and "Sämre: andfådd, svullna fötter" in card
    updates.update_mark_seen(patient=patient, update_id=worse.id, staff=nurse)
    db.session.commit()
    assert "Sämre" not in text_of(nurse_client.get("/vard/").get_data(as_text=True))


def test_on_the_worklist_a_flagged_update_comes_before_a_patient_who_only_wrote(
    patient, nurse, nurse_client
):
    anna = committed(
        people.patient_create(
            created_by=nurse, name="Anna Ahl", phone="070-444 55 66", personal_number=None
        )
    )
    flagged_update(patient)
    own_update(anna, UpdateFeeling.SAME)  # Anna sorts before Astrid by name, and wrote last
    html = nurse_client.get("/vard/").get_data(as_text=True)
    assert html.index("Astrid Berg") < html.index("Anna Ahl")


# --- a fixed number of queries -----------------------------------------------------------


def _queries(client, path: str) -> int:
    with count_queries() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_the_pages_cost_the_same_few_queries_however_many_updates_and_patients(
    app, patient, nurse, nurse_client
):
    patient_client = signed_in(app, patient.user)
    first = flagged_update(patient)
    own_update(patient, UpdateFeeling.WORSE)
    updates.update_answer(patient=patient, update_id=first.id, staff=nurse, text="Ring mig.")
    db.session.commit()
    paths = {"inbox": (nurse_client, INBOX), "mine": (patient_client, MINE)}
    few = {name: _queries(*where) for name, where in paths.items()}
    few["opened"] = _queries(nurse_client, opened(patient.id, first.id))
    for n in range(5):
        someone = committed(
            people.patient_create(
                created_by=nurse, name=f"Patient {n}", phone="070-444 55 66", personal_number=None
            )
        )
        for feeling in UpdateFeeling:
            own_update(someone, feeling, "Text")
            own_update(patient, feeling, "Text")
        flagged_update(someone)
    for update in db.session.scalars(
        select(PatientUpdate).where(PatientUpdate.answered_at.is_(None)).limit(6)
    ):
        owner = db.session.get(Patient, update.patient_id)
        updates.update_answer(patient=owner, update_id=update.id, staff=nurse, text="Tack.")
    db.session.commit()
    many = {name: _queries(*where) for name, where in paths.items()}
    many["opened"] = _queries(nurse_client, opened(patient.id, first.id))
    assert many == few
    # "mine": her look at new answers also writes that she has read them (two statements).
    assert few["inbox"] <= 6 and few["mine"] <= 6 and few["opened"] <= 6, few
