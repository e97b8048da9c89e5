"""Mitt kvitto: the seven questions answered by both sides, the comparison, when a patient
contract is established, the unit's counts, and the refusals that leave data as it was."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import count_queries, csrf_token, mark_seen, register_with_invitation
from webapp.agreement import services as agreements
from webapp.audit import AccessLogEntry, Change, Read
from webapp.demo import agreement_agreed_by_both
from webapp.extensions import db
from webapp.people import services as people
from webapp.receipt import services as receipts
from webapp.receipt.models import ReceiptAnswer

STEP = "/kvitto/fraga/{n}"
STAFF_PAGE = "/kvitto/patient/{id}"
STAFF_STEP = "/kvitto/patient/{id}/fraga/{n}"
CALL = "/kvitto/fraga/{n}/ringa"


# --- helpers ---------------------------------------------------------------------------


def answer_all(patient, side, user, answers="yyyyyyy"):
    words = {"y": "yes", "p": "partly", "n": "no"}
    for number, letter in enumerate(answers, start=1):
        receipts.receipt_answer_save(
            patient=patient,
            side=side,
            question=number,
            answer=words[letter],
            comment=None,
            by_user=user,
        )


def make_agreed(patient, nurse):
    agreement_agreed_by_both(
        patient=patient,
        care=nurse.user,
        items=[agreements.ItemInput(kind="action", text="Gå en promenad varje dag.")],
    )


def answer_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ReceiptAnswer))


def post_step(client, path, answer="yes", comment="", go="next"):
    data = {"csrf_token": csrf_token(client, path), "comment": comment, "go": go}
    if answer is not None:
        data["answer"] = answer
    return client.post(path, data=data)


def post_call(client, number, call="yes", query=""):
    path = CALL.format(n=number) + query
    return client.post(path, data={"csrf_token": csrf_token(client, "/kvitto/"), "call": call})


@pytest.fixture
def stranger_client(app, other_unit_nurse):
    client = app.test_client()
    register_with_invitation(client, other_unit_nurse.user)
    return client


# --- the patient answers ---------------------------------------------------------------


def test_patient_steps_through_one_question_per_screen(patient_client, patient):
    page = patient_client.get(STEP.format(n=1)).get_data(as_text=True)
    assert "Fråga 1 av 7" in page
    assert "<legend>Jag kan leva mitt liv och lita på att jag får hjälp" in page

    response = post_step(patient_client, STEP.format(n=1), "partly", "Ibland är det svårt.")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(CALL.format(n=1))  # offered a call first
    response = post_call(patient_client, 1, "no")
    assert response.headers["Location"].endswith(STEP.format(n=2))
    for number in range(2, 8):
        response = post_step(patient_client, STEP.format(n=number))
    assert response.headers["Location"].endswith("/kvitto/")
    page = patient_client.get("/kvitto/").get_data(as_text=True)
    assert "Tack! Svaren är sparade." in page
    assert "Ibland är det svårt." in page
    assert answer_count() == 7


def test_every_answer_is_kept_and_the_latest_wins(patient_client, patient):
    post_step(patient_client, STEP.format(n=3), "no", "Telefonen är alltid upptagen.")
    post_step(patient_client, STEP.format(n=3), "yes")
    rows = db.session.scalars(select(ReceiptAnswer).order_by(ReceiptAnswer.id)).all()
    assert [(row.question, row.answer, row.side) for row in rows] == [
        (3, "no", "patient"),
        (3, "yes", "patient"),
    ]
    assert rows[0].comment == "Telefonen är alltid upptagen." and rows[1].comment is None
    assert rows[1].answered_by_user_id == patient.user_id
    current = receipts.receipt_current(patient_id=patient.id)
    assert current[("patient", 3)].answer == "yes"
    # The form shows the current answer again.
    page = patient_client.get(STEP.format(n=3)).get_data(as_text=True)
    assert re.findall(r'<input checked[^>]*value="(\w+)"', page) == ["yes"]


def test_back_without_an_answer_just_turns_the_page(patient_client):
    response = post_step(patient_client, STEP.format(n=2), answer=None, go="back")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(STEP.format(n=1))
    assert answer_count() == 0
    response = post_step(patient_client, STEP.format(n=2), "no", go="back")
    assert response.headers["Location"].endswith(STEP.format(n=1))
    assert answer_count() == 1


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "comment", "message"),
    [
        ("kanske", "Jag vet inte.", "Välj ett svar: Ja, Delvis eller Nej."),
        (None, "Jag vet inte.", "Välj ett svar: Ja, Delvis eller Nej."),
        ("yes", "x" * 501, "Kommentaren får vara högst 500 tecken."),
    ],
)
def test_bad_answers_are_refused_and_the_text_is_kept(patient_client, answer, comment, message):
    response = post_step(patient_client, STEP.format(n=1), answer, comment)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert comment in page
    assert answer_count() == 0


def test_question_out_of_range(patient_client, nurse_client, patient):
    assert patient_client.get(STEP.format(n=8)).status_code == 404
    response = post_step(patient_client, STEP.format(n=8))
    assert response.status_code == 400
    assert "Frågorna har nummer 1 till 7." in response.get_data(as_text=True)
    response = post_step(nurse_client, STAFF_STEP.format(id=patient.id, n=0))
    assert response.status_code == 400
    assert answer_count() == 0


def test_the_service_refuses_bad_input(patient):
    for kwargs in ({"question": 9}, {"answer": "maybe"}, {"comment": "x" * 501}):
        values = {"question": 1, "answer": "yes", "comment": None, **kwargs}
        with pytest.raises(receipts.ReceiptInputError):
            receipts.receipt_answer_save(
                patient=patient, side="patient", by_user=patient.user, **values
            )
    assert answer_count() == 0


# --- the care side and access ----------------------------------------------------------


def test_care_contact_answers_the_mirrored_questions(nurse_client, nurse, patient):
    path = STAFF_STEP.format(id=patient.id, n=1)
    page = nurse_client.get(path).get_data(as_text=True)
    assert "Patienten kan leva sitt liv och lita på att hen får hjälp" in page
    response = post_step(nurse_client, path, "partly", "Behöver mer hjälp på kvällarna.")
    assert response.status_code == 303
    row = db.session.scalar(select(ReceiptAnswer))
    assert (row.side, row.answer, row.answered_by_user_id) == ("care", "partly", nurse.user_id)
    actions = set(
        db.session.scalars(
            select(AccessLogEntry.action)
            .where(AccessLogEntry.patient_id == patient.id)
            .order_by(AccessLogEntry.id)
        )
    )
    assert {Read.RECEIPT, Change.RECEIPT_ANSWERED_BY_CARE} <= actions


def test_staff_reading_the_contract_is_logged(nurse_client, nurse, patient):
    before = db.session.scalar(select(func.count()).select_from(AccessLogEntry))
    page = nurse_client.get(STAFF_PAGE.format(id=patient.id)).get_data(as_text=True)
    assert "Kvitto för Astrid Berg" in page
    entry = db.session.scalar(select(AccessLogEntry).order_by(AccessLogEntry.id.desc()))
    assert db.session.scalar(select(func.count()).select_from(AccessLogEntry)) == before + 1
    assert (entry.actor_user_id, entry.patient_id, entry.action) == (
        nurse.user_id,
        patient.id,
        Read.RECEIPT,
    )


def test_strangers_and_the_wrong_side_get_404(
    stranger_client, patient_client, nurse_client, patient
):
    for path in (STAFF_PAGE.format(id=patient.id), STAFF_STEP.format(id=patient.id, n=1)):
        assert stranger_client.get(path).status_code == 404
    token = csrf_token(stranger_client, "/kvitto/enhet")
    response = stranger_client.post(
        STAFF_STEP.format(id=patient.id, n=1), data={"csrf_token": token, "answer": "yes"}
    )
    assert response.status_code == 404
    # The patient cannot answer for the care side, nor staff for the patient.
    assert patient_client.get(STAFF_STEP.format(id=patient.id, n=1)).status_code == 404
    assert nurse_client.get(STEP.format(n=1)).status_code == 404
    assert nurse_client.get("/kvitto/").status_code == 404
    assert patient_client.get("/kvitto/enhet").status_code == 404
    assert answer_count() == 0


# --- comparison and the contract -------------------------------------------------------


def test_comparison_says_where_the_sides_agree_and_differ(patient_client, patient, nurse):
    answer_all(patient, "patient", patient.user, "yyyyyyn")
    answer_all(patient, "care", nurse.user, "yyyyyyy")
    receipts.receipt_answer_save(
        patient=patient,
        side="care",
        question=6,
        answer="no",
        comment="Ingen tid bokad.",
        by_user=nurse.user,
    )
    contract = receipts.receipt_contract(patient_id=patient.id)
    assert [row.comparison for row in contract.rows] == ["agree"] * 5 + ["differ", "differ"]
    page = patient_client.get("/kvitto/").get_data(as_text=True)
    assert page.count("Ni svarar lika.") == 5
    assert page.count("Ni svarar olika.") == 2
    assert "Ingen tid bokad." in page


def test_unanswered_questions_are_waiting(patient_client, patient):
    receipts.receipt_answer_save(
        patient=patient,
        side="patient",
        question=1,
        answer="yes",
        comment=None,
        by_user=patient.user,
    )
    page = patient_client.get("/kvitto/").get_data(as_text=True)
    assert page.count("Väntar på vårdens svar.") == 1
    assert page.count("Ingen har svarat ännu.") == 6
    assert "Du har svarat på 1 av 7 frågor." in page


def test_established_only_with_all_yes_on_both_sides_and_an_agreed_agreement(
    patient_client, patient, nurse
):
    answer_all(patient, "patient", patient.user)
    answer_all(patient, "care", nurse.user)
    assert not receipts.receipt_contract(patient_id=patient.id).established
    page = patient_client.get("/kvitto/").get_data(as_text=True)
    assert "Stämmer det här för dig?" in page
    assert "Ni har inget patientkontrakt" not in page  # not a verdict on her

    make_agreed(patient, nurse)
    page = patient_client.get("/kvitto/").get_data(as_text=True)
    assert "Ni har ett patientkontrakt." in page
    assert "Ni har inget patientkontrakt" not in page

    receipts.receipt_answer_save(
        patient=patient,
        side="care",
        question=4,
        answer="partly",
        comment=None,
        by_user=nurse.user,
    )
    assert not receipts.receipt_contract(patient_id=patient.id).established
    page = patient_client.get("/kvitto/").get_data(as_text=True)
    assert "Ni har ett patientkontrakt." not in page
    assert "Inget patientkontrakt" not in page and "inget patientkontrakt" not in page


def test_changed_agreement_asks_the_patient_to_answer_again(patient_client, patient, nurse):
    answer_all(patient, "patient", patient.user)
    assert not receipts.receipt_contract(patient_id=patient.id).answer_again
    make_agreed(patient, nurse)
    again = "Överenskommelsen har ändrats. Stämmer svaren fortfarande?"
    assert again in patient_client.get("/").get_data(as_text=True)
    assert again in patient_client.get("/kvitto/").get_data(as_text=True)
    for number in range(1, 8):
        post_step(patient_client, STEP.format(n=number))
    assert again not in patient_client.get("/").get_data(as_text=True)


# --- the overview ----------------------------------------------------------------------


def test_overview_is_one_query_whatever_the_counts(patient, nurse):
    make_agreed(patient, nurse)
    for _round in range(3):
        answer_all(patient, "patient", patient.user, "ynpynpy")
        answer_all(patient, "care", nurse.user)
    assert patient.id  # loaded before counting, as a view's patient is
    agreement = agreements.for_overview(patient)  # Min plan has it already
    with count_queries() as statements:
        result = receipts.for_overview(patient, agreement)
    assert len(statements) == 1
    assert (result.patient_yes, result.care_yes, result.established) == (3, 7, False)


def test_overview_on_the_home_and_the_staff_page(patient_client, nurse_client, patient, nurse):
    home = patient_client.get("/").get_data(as_text=True)
    # Nothing agreed yet: she is told the questions come later, not asked them.
    assert "Mitt kvitto" in home and "Svara på de sju frågorna" not in home
    assert "när du och din vårdkontakt har kommit överens om en plan" in home
    page = patient_client.get("/kvitto/").get_data(as_text=True)
    assert "Du får frågorna när du och din vårdkontakt har gjort en överenskommelse." in page
    assert "Svara på frågorna" not in page and "Fråga 1" not in page
    make_agreed(patient, nurse)
    home = patient_client.get("/").get_data(as_text=True)
    assert "Svara på de sju frågorna" in home
    assert "Svara på frågorna" in patient_client.get("/kvitto/").get_data(as_text=True)
    staff_path = f"/vard/patienter/{patient.id}"
    nurse_client.get(staff_path)  # the nurse looks once
    answer_all(patient, "patient", patient.user, "ynnnnnn")
    page = nurse_client.get(staff_path).get_data(as_text=True)
    receipt_part = page[page.index('id="receipt-heading"') :]
    assert "Nytt sedan du tittade senast" in receipt_part
    assert "Patienten har svarat ja på 1 av 7, vården på 0 av 7." in receipt_part
    page = nurse_client.get(staff_path).get_data(as_text=True)  # a reload keeps it
    assert "Nytt sedan du tittade senast" in page[page.index('id="receipt-heading"') :]
    mark_seen(nurse_client, patient.id)
    page = nurse_client.get(staff_path).get_data(as_text=True)
    assert "Nytt sedan du tittade senast" not in page[page.index('id="receipt-heading"') :]


# --- the unit --------------------------------------------------------------------------


def test_unit_view_counts_per_care_contact_without_patient_names(
    nurse_client, patient, nurse, physician, unit
):
    second = people.patient_create(
        created_by=nurse, name="Bertil Ek", phone="070-222 33 44", personal_number=None
    )
    third = people.patient_create(
        created_by=physician, name="Cecilia Holm", phone="070-333 44 55", personal_number=None
    )
    for someone in (patient, second):
        answer_all(someone, "patient", someone.user)
        answer_all(someone, "care", nurse.user)
    make_agreed(patient, nurse)  # only Astrid also has an agreed agreement
    answer_all(third, "patient", third.user)
    assert unit.id
    with count_queries() as statements:
        counts = receipts.receipt_unit_counts(care_unit_id=unit.id)
    assert len(statements) == 3
    assert [(c.name, c.established, c.total) for c in counts] == [
        ("Ali Hassan", 0, 1),
        ("Karin Lind", 1, 2),
    ]
    response = nurse_client.get("/kvitto/enhet")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Karin Lind" in page and "1 av 2" in page and "0 av 1" in page
    for name in ("Astrid Berg", "Bertil Ek", "Cecilia Holm"):
        assert name not in page


def test_unit_view_queries_do_not_grow_with_patients(unit, nurse, patient):
    assert unit.id
    with count_queries() as few:
        receipts.receipt_unit_counts(care_unit_id=unit.id)
    for number in range(3):
        extra = people.patient_create(
            created_by=nurse,
            name=f"Patient {number}",
            phone="070-000 00 00",
            personal_number=None,
        )
        answer_all(extra, "patient", extra.user)
    db.session.commit()  # the test's own writes are not the counted queries
    assert unit.id
    with count_queries() as many:
        receipts.receipt_unit_counts(care_unit_id=unit.id)
    assert len(few) == len(many)
