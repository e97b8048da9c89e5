"""A proposal as the patient meets it: "Det här är nytt" in whole sentences, her answer on
the same page ("Jag är med på det här" or "Jag vill prata om det först"), and the care side
told of a wish to talk, on the agreement page and for the worklist."""

from __future__ import annotations

import re
from types import SimpleNamespace

from sqlalchemy import func, select

from tests.conftest import count_queries, csrf_token
from tests.test_agreement import (
    GOAL,
    STAFF_PAGE,
    WALK,
    WORSE,
    item,
    make_agreed,
    make_draft,
    post_consent,
)
from webapp.agreement import services as agreements
from webapp.agreement.whatsnew import Mark, whats_new, words_marked
from webapp.audit import AccessLogEntry, Change
from webapp.extensions import db
from webapp.people import services as people

PAGE = "/overenskommelse/"


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


TALK = "/overenskommelse/prata-forst"


def post_talk(client, version):
    return post_consent(client, TALK, version, PAGE)


def talk_wanted_at(patient):
    """When the patient said she wants to talk about the proposal waiting for her, as the
    worklist reads it; None when she has not (or no proposal waits)."""
    state = agreements.proposals_by_patient([patient.id]).get(patient.id)
    return state.talk_wanted_at if state else None


def log_count(patient, action):
    return db.session.scalar(
        select(func.count())
        .select_from(AccessLogEntry)
        .where(AccessLogEntry.patient_id == patient.id, AccessLogEntry.action == action)
    )


def test_words_added_and_removed_are_marked_and_line_breaks_kept():
    pieces = words_marked("Gå en promenad varje dag.", "Gå en lång promenad varannan dag.")
    assert [(p.mark, p.text) for p in pieces] == [
        (Mark.SAME, "Gå en "),
        (Mark.ADDED, "lång"),
        (Mark.SAME, " promenad "),
        (Mark.REMOVED, "varje"),
        (Mark.ADDED, "varannan"),
        (Mark.SAME, " dag."),
    ]
    kept = words_marked("Väg dig.\nRing Karin.", "Väg dig.\nRing Karin eller 1177.")
    assert "".join(p.text for p in kept if p.mark != Mark.REMOVED) == (
        "Väg dig.\nRing Karin eller 1177."
    )


def test_proposal_opens_on_what_is_new_with_the_answer_on_that_page(patient_client, patient, nurse):
    make_agreed(patient, nurse, items=[item("goal", GOAL), item(), item(text="Ta blodtrycket.")])
    make_draft(
        patient,
        nurse,
        items=[
            item("goal", GOAL),
            item(text="Gå en lång promenad varje dag."),
            item(text="Väga mig.", responsible="relative", name="Eva"),
        ],
        texts={**WORSE, "warning_signs_text": "Svullna ben eller feber."},
    )
    page = patient_client.get(PAGE).get_data(as_text=True)
    news = page.split('id="news-heading"')[1].split("</section>")[0]
    assert "Det här är nytt" in page
    # A reworded action reads as two whole sentences, not words struck through.
    text = text_of(news)
    assert "Förut: Du: Gå en promenad varje dag. Nu: Du: Gå en lång promenad varje dag." in text
    assert "Tas bort: Du: Ta blodtrycket." in text
    assert "Nytt: Närstående: Eva: Väga mig." in text
    assert (
        "Tecken att vara uppmärksam på Förut: Svullna ben eller mer andfådd än vanligt. "
        "Nu: Svullna ben eller feber."
    ) in text
    assert "<del" not in news and "<ins" not in news
    assert GOAL not in news  # unchanged: not news
    # The answer is on this page, both ways; the version in force folds away below it.
    assert "Jag är med på det här" in news and "Jag vill prata om det först" in news
    assert '<details class="card agreement-current">' in page.split("</section>")[1]
    assert page.index("Det här är nytt") < page.index("Det som gäller nu (version 1)")


def test_first_proposal_shows_everything_as_new(patient_client, patient, nurse):
    make_draft(patient, nurse)
    page = patient_client.get(PAGE).get_data(as_text=True)
    assert "Allt i den är nytt." in page
    assert f'<p class="change-now">{GOAL}</p>' in page  # all new: no "Nytt:" on every line
    assert "Det som gäller nu" not in page  # nothing is in force yet


def test_talk_first_reaches_the_care_contact_once(patient_client, nurse_client, patient, nurse):
    draft = make_draft(patient, nurse)
    answer = post_talk(patient_client, draft)
    assert answer.status_code == 303
    page = patient_client.get(PAGE).get_data(as_text=True)
    assert "Du har sagt att du vill prata om förslaget först" in page
    assert "Jag vill prata om det först" not in page  # said once is enough
    assert "Jag är med på det här" in page  # she can still say yes

    staff = nurse_client.get(STAFF_PAGE.format(id=patient.id)).get_data(as_text=True)
    assert "Patienten vill prata om förslaget först." in staff
    assert talk_wanted_at(patient) is not None

    before = talk_wanted_at(patient)
    assert post_talk(patient_client, draft).status_code == 303  # a second tap
    assert talk_wanted_at(patient) == before
    # Her own answer is not someone else looking: the log has no row for it.
    assert log_count(patient, Change.AGREEMENT_TALK_WANTED) == 0


def test_a_yes_or_a_changed_proposal_ends_the_wish_to_talk(patient_client, patient, nurse):
    draft = make_draft(patient, nurse)
    post_talk(patient_client, draft)
    draft = make_draft(patient, nurse, items=[item("goal", GOAL), item(text="Cykla.")])
    assert talk_wanted_at(patient) is None  # asked again, afresh

    post_talk(patient_client, draft)
    post_consent(patient_client, "/overenskommelse/godkann", draft, PAGE)
    assert talk_wanted_at(patient) is None


def test_talk_first_on_an_old_copy_changes_nothing(patient_client, patient, nurse):
    draft = make_draft(patient, nurse)
    read = SimpleNamespace(id=draft.id, lock_version=draft.lock_version)  # what she read
    make_draft(patient, nurse, items=[item("goal", GOAL), item(text="Cykla.")])
    answer = post_talk(patient_client, read)
    assert answer.status_code == 409
    assert "Överenskommelsen har ändrats sedan du läste den." in answer.get_data(as_text=True)
    assert talk_wanted_at(patient) is None


def test_talk_first_after_a_yes_is_refused_plainly(patient_client, patient, nurse):
    draft = make_draft(patient, nurse)
    post_consent(patient_client, "/overenskommelse/godkann", draft, PAGE)
    answer = post_talk(patient_client, draft)
    assert answer.status_code == 400
    assert "Du har redan sagt att du är med på förslaget." in answer.get_data(as_text=True)
    assert talk_wanted_at(patient) is None


def test_talk_first_needs_csrf_and_is_the_patients_own(
    nurse_client, patient_client, patient, nurse
):
    draft = make_draft(patient, nurse)
    forged = patient_client.post(
        TALK, data={"version_id": draft.id, "lock_version": draft.lock_version}
    )
    assert forged.status_code == 400
    token = csrf_token(nurse_client, STAFF_PAGE.format(id=patient.id))
    staff = nurse_client.post(
        TALK, data={"version_id": draft.id, "lock_version": draft.lock_version, "csrf_token": token}
    )
    assert staff.status_code == 404
    assert talk_wanted_at(patient) is None


def test_staff_view_of_what_is_new_says_patienten(patient, nurse):
    agreed = make_agreed(patient, nurse)
    draft = make_draft(patient, nurse, items=[item("goal", GOAL), item(responsible="care_contact")])
    news = whats_new(agreed=agreed, proposal=draft, for_staff=True)
    (changed,) = news.actions
    assert [(p.mark, p.text) for p in changed.who] == [
        (Mark.REMOVED, "Patienten"),
        (Mark.ADDED, "Fast vårdkontakt"),
    ]
    assert [(p.mark, p.text) for p in changed.text] == [(Mark.SAME, WALK)]


def test_min_plan_tells_both_sides_of_the_wish_to_talk(
    patient_client, nurse_client, patient, nurse
):
    draft = make_draft(patient, nurse)
    post_talk(patient_client, draft)
    home = patient_client.get("/").get_data(as_text=True)
    assert "Du vill prata om det först. Din vårdkontakt hör av sig." in home
    staff = nurse_client.get(f"/vard/patienter/{patient.id}").get_data(as_text=True)
    assert "Patienten vill prata om förslaget först." in staff


def test_after_the_talk_the_care_contact_says_so_and_it_is_in_the_log(
    patient_client, nurse_client, patient, nurse
):
    draft = make_draft(patient, nurse)
    post_talk(patient_client, draft)
    path = f"/overenskommelse/patient/{patient.id}/pratat"
    token = csrf_token(nurse_client, STAFF_PAGE.format(id=patient.id))
    assert nurse_client.post(path, data={"csrf_token": token}).status_code == 303
    assert talk_wanted_at(patient) is None
    assert log_count(patient, Change.AGREEMENT_TALK_DONE) == 1
    page = patient_client.get(PAGE).get_data(as_text=True)
    assert "Jag vill prata om det först" in page  # she answers again, either way

    nurse_client.post(path, data={"csrf_token": token})  # nothing left to mark
    assert log_count(patient, Change.AGREEMENT_TALK_DONE) == 1
    assert nurse_client.post(path, data={}).status_code == 400


def test_the_care_side_can_open_the_same_changes_in_its_own_words(nurse_client, patient, nurse):
    make_agreed(patient, nurse)
    make_draft(patient, nurse, items=[item("goal", GOAL), item(responsible="care_contact")])
    page = nurse_client.get(STAFF_PAGE.format(id=patient.id)).get_data(as_text=True)
    assert "Det här är nytt i förslaget" in page
    changes = text_of(page.split('class="agreement-staff-news"')[1].split("</details>")[0])
    assert f"Förut: Patienten: {WALK} Nu: Fast vårdkontakt: {WALK}" in changes


def test_where_proposals_stand_for_many_patients_is_one_query(patient_client, patient, nurse):
    draft = make_draft(patient, nurse)
    post_talk(patient_client, draft)
    others = [
        people.patient_create(
            created_by=nurse, name=f"Patient {n}", phone="0701234567", personal_number=None
        )
        for n in range(3)
    ]
    cared = make_draft(others[0], nurse)
    agreements.agreement_consent(
        patient=others[0],
        version_id=cared.id,
        expected_lock=cared.lock_version,
        as_patient=False,
        by_user=nurse.user,
    )
    agreements.agreement_draft_start(patient=others[1], by_user=nurse.user)  # empty: not yet
    ids = [patient.id, *(o.id for o in others)]
    first_other = others[0].id
    db.session.commit()
    with count_queries() as statements:
        states = agreements.proposals_by_patient(ids)
    assert len(statements) == 1
    assert set(states) == {patient.id, first_other}
    mine = states[patient.id]
    assert mine.waiting_for_patient and mine.waiting_for_care and mine.talk_wanted_at
    theirs = states[first_other]
    assert theirs.waiting_for_patient and not theirs.waiting_for_care
    assert theirs.talk_wanted_at is None
