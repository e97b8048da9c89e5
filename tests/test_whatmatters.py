"""Vad är viktigt för dig? Writing, editing, ordering, archiving; the kept history; the care
contact's view with "new since you last looked"; and the refusals that leave data as it was."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import count_queries, csrf_token, mark_seen, register_with_invitation
from webapp.audit import AccessLogEntry
from webapp.extensions import db
from webapp.people import services as people
from webapp.whatmatters import services as whatmatters
from webapp.whatmatters.models import WhatMattersRevision, WhatMattersStatement

PAGE = "/viktigt/"
FAMILY = "Att träffa barnbarnen varje vecka."
GARDEN = "Att kunna sköta min trädgård."
HOME = "Att få bo kvar hemma."


# --- helpers ---------------------------------------------------------------------------


def add(patient, text, actor=None):
    return whatmatters.whatmatters_add(patient=patient, text=text, actor=actor or patient.user)


def post(client, path, data=None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, PAGE)})


def texts_in_order(patient):
    db.session.expire_all()
    return [s.text for s in whatmatters.whatmatters_list(patient=patient).active]


def snapshot(patient):
    """Everything saved about the patient's statements, to compare before and after a refusal."""
    db.session.expire_all()
    rows = db.session.scalars(
        select(WhatMattersStatement)
        .where(WhatMattersStatement.patient_id == patient.id)
        .order_by(WhatMattersStatement.id)
    )
    revisions = db.session.scalar(select(db.func.count()).select_from(WhatMattersRevision))
    return [(s.id, s.text, s.position, s.archived_at, s.lock_version) for s in rows], revisions


def list_items(html):
    """The texts of the numbered list on the area page, in the order shown."""
    part = html.split('class="wm-list"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<p class="wm-text"[^>]*>([^<]*)</p>', part)


@pytest.fixture
def other_patient(nurse):
    return people.patient_create(
        created_by=nurse, name="Bertil Ek", phone="070-999 88 77", personal_number=None
    )


# --- writing ---------------------------------------------------------------------------


def test_patient_adds_statements_in_their_own_words(patient_client, patient):
    response = post(patient_client, "/viktigt/ny", {"text": f"  {FAMILY} "})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/viktigt/#punkt-")
    post(patient_client, "/viktigt/ny", {"text": GARDEN})

    page = patient_client.get(PAGE).get_data(as_text=True)
    assert "Sparat. Det står nu sist i listan." in page
    assert list_items(page) == [FAMILY, GARDEN]
    statement = db.session.scalar(select(WhatMattersStatement).order_by(WhatMattersStatement.id))
    assert statement.created_by_user_id == patient.user_id  # who wrote it is recorded
    assert "Behöver du hjälp att komma igång?" in page
    assert "Vad ger dig energi?" in page and "Vem vill du ska vara med?" in page


def test_an_empty_statement_is_refused_and_nothing_is_saved(patient_client, patient):
    before = snapshot(patient)
    response = post(patient_client, "/viktigt/ny", {"text": "   "})
    assert response.status_code == 400
    assert "Skriv något först. Några ord räcker." in response.get_data(as_text=True)
    assert snapshot(patient) == before


def test_a_too_long_statement_keeps_the_text_and_saves_nothing(patient_client, patient):
    long_text = "Jag vill kunna gå ut i skogen. " * 11  # 341 characters
    before = snapshot(patient)
    response = post(patient_client, "/viktigt/ny", {"text": long_text})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Texten får vara högst 300 tecken. Nu är den 340 tecken." in html
    assert long_text.strip() in html  # what the user typed is still in the box
    assert 'aria-invalid="true"' in html
    assert snapshot(patient) == before


def test_a_missing_csrf_token_saves_nothing(patient_client, patient):
    before = snapshot(patient)
    response = patient_client.post("/viktigt/ny", data={"text": FAMILY})
    assert response.status_code == 400
    assert snapshot(patient) == before


def test_the_list_has_room_for_twenty(patient_client, patient):
    for number in range(whatmatters.ACTIVE_MAX):
        add(patient, f"Sak nummer {number}")
    response = post(patient_client, "/viktigt/ny", {"text": FAMILY})
    assert response.status_code == 400
    assert "Listan har redan 20 saker. Ta bort något från listan först" in response.get_data(
        as_text=True
    )
    assert FAMILY not in texts_in_order(patient)


# --- editing ---------------------------------------------------------------------------


def test_patient_edits_a_statement(patient_client, patient):
    statement = add(patient, FAMILY)
    page = patient_client.get(f"/viktigt/{statement.id}/andra").get_data(as_text=True)
    assert FAMILY in page and 'name="lock_version"' in page
    response = post(
        patient_client,
        f"/viktigt/{statement.id}/andra",
        {"text": "Att träffa barnbarnen varje dag.", "lock_version": statement.lock_version},
    )
    assert response.status_code == 303
    assert texts_in_order(patient) == ["Att träffa barnbarnen varje dag."]
    assert "Ändringen är sparad." in patient_client.get(PAGE).get_data(as_text=True)


def test_an_edit_to_empty_is_refused(patient_client, patient):
    statement = add(patient, FAMILY)
    before = snapshot(patient)
    response = post(
        patient_client,
        f"/viktigt/{statement.id}/andra",
        {"text": "", "lock_version": statement.lock_version},
    )
    assert response.status_code == 400
    assert "Skriv något först." in response.get_data(as_text=True)
    assert snapshot(patient) == before


def test_a_stale_edit_is_refused_and_both_texts_are_shown(patient_client, patient):
    statement = add(patient, FAMILY)
    old_version = statement.lock_version
    # Someone else (another phone, later a relative) saves first.
    whatmatters.whatmatters_edit(
        patient=patient,
        statement_id=statement.id,
        text="Att träffa barnbarnen på söndagar.",
        expected_version=old_version,
        actor=patient.user,
    )
    before = snapshot(patient)
    mine = "Att ringa barnbarnen varje kväll."
    response = post(
        patient_client,
        f"/viktigt/{statement.id}/andra",
        {"text": mine, "lock_version": old_version},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Någon annan ändrade det här under tiden" in html
    assert "Att träffa barnbarnen på söndagar." in html  # what is saved now
    assert mine in html  # and what I wrote, not lost
    assert snapshot(patient) == before

    # Saving again from the page now shown is a deliberate choice, and it is saved.
    new_version = re.search(r'name="lock_version" type="hidden" value="(\d+)"', html)
    new_version = new_version or re.search(r'name="lock_version" value="(\d+)"', html)
    assert new_version and int(new_version.group(1)) == old_version + 1
    response = post(
        patient_client,
        f"/viktigt/{statement.id}/andra",
        {"text": mine, "lock_version": new_version.group(1)},
    )
    assert response.status_code == 303
    assert texts_in_order(patient) == [mine]


# --- ordering --------------------------------------------------------------------------


def test_patient_moves_a_statement_up_and_is_told_where_it_went(patient_client, patient):
    ids = [add(patient, text).id for text in (FAMILY, GARDEN, HOME)]
    response = post(patient_client, f"/viktigt/{ids[2]}/flytta", {"direction": "up"})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert f"flyttad={ids[2]}" in location and "#" not in location  # "#" would stop autofocus
    html = patient_client.get(location).get_data(as_text=True)
    assert list_items(html) == [FAMILY, HOME, GARDEN]
    assert "Flyttades upp till plats 2 av 3." in html
    # Focus goes back to the moved statement's "Flytta upp" button.
    autofocused = re.search(r"<button[^>]*autofocus[^>]*>([^<]*)</button>", html)
    assert autofocused and autofocused.group(1) == "Flytta upp"
    assert f'aria-describedby="wm-moved wm-text-{ids[2]}"' in html

    post(patient_client, f"/viktigt/{ids[0]}/flytta", {"direction": "down"})
    assert texts_in_order(patient) == [HOME, FAMILY, GARDEN]


def test_the_first_cannot_move_up(patient_client, patient):
    first = add(patient, FAMILY)
    add(patient, GARDEN)
    before = snapshot(patient)
    response = post(patient_client, f"/viktigt/{first.id}/flytta", {"direction": "up"})
    assert response.status_code == 400
    assert "Det ligger redan först." in response.get_data(as_text=True)
    assert snapshot(patient) == before


def test_a_move_without_a_direction_is_refused(patient_client, patient):
    first = add(patient, FAMILY)
    add(patient, GARDEN)
    before = snapshot(patient)
    response = post(patient_client, f"/viktigt/{first.id}/flytta", {"direction": "sideways"})
    assert response.status_code == 400
    assert snapshot(patient) == before


# --- archiving, history ----------------------------------------------------------------


def test_archive_and_restore(patient_client, patient):
    family, garden = add(patient, FAMILY), add(patient, GARDEN)
    add(patient, HOME)
    response = post(patient_client, f"/viktigt/{family.id}/arkivera")
    assert response.status_code == 303
    html = patient_client.get(PAGE).get_data(as_text=True)
    assert list_items(html) == [GARDEN, HOME]
    archived = html.split("Borttaget från listan</h2>", 1)[1]
    assert FAMILY in archived and "Ta tillbaka" in archived

    response = post(patient_client, f"/viktigt/{family.id}/arkivera")  # a second tap
    assert response.status_code == 400
    assert "Det här är redan borttaget från listan." in response.get_data(as_text=True)

    assert post(patient_client, f"/viktigt/{family.id}/ta-tillbaka").status_code == 303
    assert texts_in_order(patient) == [GARDEN, HOME, FAMILY]  # back, last
    assert garden.id in [s.id for s in whatmatters.whatmatters_list(patient=patient).active]


def test_history_is_kept_with_who_and_when(patient_client, patient):
    statement = add(patient, FAMILY)
    add(patient, GARDEN)
    whatmatters.whatmatters_edit(
        patient=patient,
        statement_id=statement.id,
        text="Att träffa barnbarnen <ofta>.",
        expected_version=statement.lock_version,
        actor=patient.user,
    )
    whatmatters.whatmatters_move(
        patient=patient, statement_id=statement.id, direction="down", actor=patient.user
    )
    whatmatters.whatmatters_archive(patient=patient, statement_id=statement.id, actor=patient.user)
    whatmatters.whatmatters_restore(patient=patient, statement_id=statement.id, actor=patient.user)

    kinds = [r.kind for r in whatmatters.whatmatters_history(patient=patient)]
    assert kinds == ["restored", "archived", "reordered", "edited", "created", "created"]
    html = patient_client.get("/viktigt/historik").get_data(as_text=True)
    assert f"Du skrev: ”{FAMILY}”" in html
    assert "Du ändrade texten till: ”Att träffa barnbarnen &lt;ofta&gt;.”" in html
    assert "till plats 2." in html
    assert "<ofta>" not in html  # the patient's words are shown, never run


def test_who_wrote_it_is_recorded_and_shown(patient_client, patient, nurse):
    # Later a relative writes on the patient's behalf; any other writer is shown by name.
    add(patient, FAMILY, actor=nurse.user)
    statement = db.session.scalar(select(WhatMattersStatement))
    assert statement.created_by_user_id == nurse.user_id
    revision = db.session.scalar(select(WhatMattersRevision))
    assert revision.changed_by_user_id == nurse.user_id
    assert "Skrivet av Karin Lind" in patient_client.get(PAGE).get_data(as_text=True)


# --- the care contact's side, and access -----------------------------------------------


def test_care_contact_reads_the_history_and_it_is_logged(nurse_client, patient):
    add(patient, FAMILY)
    response = nurse_client.get(f"/viktigt/patient/{patient.id}/historik")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Astrid Berg (patienten) skrev: ”{FAMILY}”" in html
    entry = db.session.scalar(select(AccessLogEntry).order_by(AccessLogEntry.id.desc()))
    assert entry.patient_id == patient.id and entry.action == "read_what_matters"


def test_strangers_get_404_and_change_nothing(
    app, patient_client, patient, other_patient, other_unit_nurse
):
    statement = add(patient, FAMILY)
    add(patient, GARDEN)
    before = snapshot(patient)
    stranger = app.test_client()
    register_with_invitation(stranger, other_unit_nurse.user)
    assert stranger.get(f"/viktigt/patient/{patient.id}/historik").status_code == 404
    assert stranger.get(PAGE).status_code == 404  # staff have no list of their own

    other = app.test_client()
    register_with_invitation(other, other_patient.user)
    assert other.get(f"/viktigt/{statement.id}/andra").status_code == 404
    assert other.get(f"/viktigt/patient/{patient.id}/historik").status_code == 404
    for path, data in (
        (f"/viktigt/{statement.id}/andra", {"text": "Hej", "lock_version": 1}),
        (f"/viktigt/{statement.id}/flytta", {"direction": "down"}),
        (f"/viktigt/{statement.id}/arkivera", {}),
        (f"/viktigt/{statement.id}/ta-tillbaka", {}),
    ):
        assert post(other, path, data).status_code == 404, path
    assert app.test_client().get(PAGE).status_code in (302, 401, 404)  # signed out
    assert snapshot(patient) == before
    assert (
        db.session.scalar(
            select(AccessLogEntry).where(AccessLogEntry.actor_user_id == other_unit_nurse.user_id)
        )
        is None
    )


def test_min_plan_shows_the_list_in_order(patient_client, patient):
    add(patient, FAMILY)
    add(patient, GARDEN)
    html = patient_client.get("/").get_data(as_text=True)
    part = html.split('class="card whatmatters-overview"', 1)[1].split("</section>", 1)[0]
    assert "Det här är viktigt för mig" in part
    assert part.index(FAMILY) < part.index(GARDEN)
    assert ">Ändra</a>" in part


def test_care_contact_sees_what_is_new_since_last_look(patient_client, nurse_client, patient):
    family = add(patient, FAMILY)
    garden = add(patient, GARDEN)
    page = f"/vard/patienter/{patient.id}"
    first = nurse_client.get(page).get_data(as_text=True)
    assert "Det här är viktigt för patienten" in first
    assert (
        "sedan du tittade senast"
        not in first.split("whatmatters-overview", 1)[1].split("</section>")[0]
    )

    home = add(patient, HOME)
    whatmatters.whatmatters_edit(
        patient=patient,
        statement_id=family.id,
        text="Att träffa barnbarnen ofta.",
        expected_version=family.lock_version,
        actor=patient.user,
    )
    whatmatters.whatmatters_archive(patient=patient, statement_id=garden.id, actor=patient.user)
    whatmatters.whatmatters_move(
        patient=patient, statement_id=home.id, direction="up", actor=patient.user
    )
    html = nurse_client.get(page).get_data(as_text=True)
    part = html.split("whatmatters-overview", 1)[1].split("</section>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", part, re.S)
    assert HOME in items[0] and "Nytt sedan du tittade senast" in items[0]
    assert "Att träffa barnbarnen ofta." in items[1] and "Ändrat sedan du tittade" in items[1]
    assert "Ny ordning sedan du tittade senast" in part
    assert "Borttaget sedan du tittade senast" in part and GARDEN in part

    mark_seen(nurse_client, patient.id)
    again = nurse_client.get(page).get_data(as_text=True)
    assert (
        "sedan du tittade senast"
        not in again.split("whatmatters-overview", 1)[1].split("</section>")[0]
    )


def test_overview_is_one_query_whatever_the_count(patient):
    for number in range(3):
        add(patient, f"Sak {number}")
    assert patient.id  # loaded before counting: the page has the patient already
    with count_queries() as few:
        whatmatters.for_overview(patient)
    for number in range(12):
        add(patient, f"Mer {number}", actor=patient.user)
    whatmatters.whatmatters_archive(
        patient=patient,
        statement_id=whatmatters.whatmatters_list(patient=patient).active[0].id,
        actor=patient.user,
    )
    db.session.expire_all()
    assert patient.id
    with count_queries() as many:
        found = whatmatters.for_overview(patient)
        names = [s.created_by.name for s in found.active]  # no lazy loads afterwards
    assert len(few) == len(many) == 1
    assert len(found.active) == 14 and len(names) == 14


# --- the page as she uses it: writing first, moving, taking off the list ----------------


def test_the_box_for_something_new_comes_before_the_list(patient_client, patient):
    add(patient, FAMILY)
    html = patient_client.get(PAGE).get_data(as_text=True)
    assert html.index("Skriv något nytt") < html.index('class="wm-list"')


def test_move_first_puts_it_at_the_top_and_says_so(patient_client, patient):
    ids = [add(patient, text).id for text in (FAMILY, GARDEN, HOME)]
    html = patient_client.get(PAGE).get_data(as_text=True)
    # Up and down together; "Flytta först" where "Flytta upp" does not already make it first.
    assert html.count(">Flytta först</button>") == 1
    assert html.count('class="wm-updown"') == 3
    response = post(patient_client, f"/viktigt/{ids[2]}/flytta", {"direction": "first"})
    assert response.status_code == 303
    html = patient_client.get(response.headers["Location"]).get_data(as_text=True)
    assert list_items(html) == [HOME, FAMILY, GARDEN]
    assert "Flyttades upp till plats 1 av 3." in html
    autofocused = re.search(r"<button[^>]*autofocus[^>]*>([^<]*)</button>", html)
    assert autofocused and autofocused.group(1) == "Flytta ner"  # its own, still under focus

    before = snapshot(patient)
    response = post(patient_client, f"/viktigt/{ids[2]}/flytta", {"direction": "first"})
    assert response.status_code == 400
    assert "Det ligger redan först." in response.get_data(as_text=True)
    assert snapshot(patient) == before


def test_taken_off_the_list_is_said_in_plain_words_everywhere(
    patient_client, nurse_client, patient, nurse
):
    from webapp.agreement import services as agreements
    from webapp.demo import agreement_agreed_by_both

    family = add(patient, FAMILY)
    html = patient_client.get(PAGE).get_data(as_text=True)
    assert ">Ta bort från listan</button>" in html and "Arkivera" not in html
    agreement_agreed_by_both(
        patient=patient,
        care=nurse.user,
        items=[agreements.ItemInput(kind="action", text="Ringa Eva.", what_matters_id=family.id)],
    )
    response = post(patient_client, f"/viktigt/{family.id}/arkivera")
    page = patient_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Det är borttaget från listan." in page
    history = patient_client.get("/viktigt/historik").get_data(as_text=True)
    assert f"Du tog bort från listan: ”{FAMILY}”" in history

    removed = "(borttaget från listan över det som är viktigt)"
    for client, path in (
        (patient_client, "/overenskommelse/"),
        (nurse_client, f"/overenskommelse/patient/{patient.id}"),
        (nurse_client, f"/overenskommelse/patient/{patient.id}/version/1"),
    ):
        text = client.get(path).get_data(as_text=True)
        assert f"Hör ihop med: {FAMILY}" in text and removed in text, path
    editor_choices = agreements.what_matters_choices(patient=patient)
    assert editor_choices == [(family.id, f"{FAMILY} (borttaget från listan)")]


def test_the_proposal_marks_a_tie_to_something_taken_off_the_list(patient_client, patient, nurse):
    from webapp.agreement import services as agreements
    from webapp.demo import agreement_agreed_by_both

    family = add(patient, FAMILY)
    agreement_agreed_by_both(
        patient=patient,
        care=nurse.user,
        items=[agreements.ItemInput(kind="action", text="Ringa Eva.")],
        consent_sides=(False,),  # only care: a proposal waiting for her
    )
    draft = agreements.agreement_draft_find(patient=patient)
    agreements.agreement_draft_save(
        patient=patient,
        version_id=draft.id,
        expected_lock=draft.lock_version,
        items=[agreements.ItemInput(kind="action", text="Ringa Eva.", what_matters_id=family.id)],
        texts={},
        by_user=nurse.user,
    )
    whatmatters.whatmatters_archive(patient=patient, statement_id=family.id, actor=patient.user)
    page = patient_client.get("/overenskommelse/").get_data(as_text=True)
    news = page.split('id="news-heading"')[1].split("</section>")[0]
    assert f"Hör ihop med: {FAMILY}" in news
    assert "(borttaget från listan över det som är viktigt)" in news
