"""Mitt kvitto as a conversation: the patient is asked, not judged ("Stämmer det här för
dig?"); after a Delvis or Nej she can ask to be called; the care side sees question by question
what needs a talk; and a changed agreement asks again only the questions it touches."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import count_queries, csrf_token
from tests.test_receipt import CALL, STAFF_PAGE, STEP, answer_all, make_agreed, post_call, post_step
from webapp.extensions import db
from webapp.people import services as people
from webapp.receipt import services as receipts
from webapp.receipt.models import ReceiptAnswer


def test_min_plan_asks_the_patient_instead_of_judging_her(patient_client, patient, nurse):
    answer_all(patient, "patient", patient.user, "ynyyyyy")
    home = patient_client.get("/").get_data(as_text=True)
    card = home[home.index('id="receipt-heading"') :]
    assert "Stämmer det här för dig?" in card
    assert "Du har svarat på 7 av 7 frågor om din vård." in card
    assert "patientkontrakt" not in card.split("</section>")[0]


def test_after_partly_she_is_offered_a_call_and_care_sees_it(
    patient_client, nurse_client, patient, nurse
):
    response = post_step(patient_client, STEP.format(n=3), "partly", "Svårt att komma fram.")
    assert response.headers["Location"].endswith(CALL.format(n=3))
    offer = patient_client.get(CALL.format(n=3)).get_data(as_text=True)
    assert "Vill du att din vårdkontakt ringer dig om det här?" in offer
    assert "Du svarade: Delvis." in offer

    response = post_call(patient_client, 3, "yes")
    assert response.headers["Location"].endswith(STEP.format(n=4))  # and on to the next one
    assert receipts.attention_by_patient([patient.id])[patient.id].call_wanted == (3,)
    mine = patient_client.get("/kvitto/").get_data(as_text=True)
    assert "Du har bett din vårdkontakt att ringa dig om det här." in mine

    staff = nurse_client.get(STAFF_PAGE.format(id=patient.id)).get_data(as_text=True)
    talk = staff[staff.index('id="talk-heading"') :].split("</section>")[0]
    assert 'href="#fraga-3">Fråga 3</a>' in talk and "Patienten vill att du ringer." in talk
    assert "Patienten vill att du ringer om det här." in staff
    card = nurse_client.get(f"/vard/patienter/{patient.id}").get_data(as_text=True)
    assert "Patienten vill att du ringer om 1 fråga." in card


def test_asking_twice_writes_once_and_a_new_answer_starts_without_it(patient_client, patient):
    post_step(patient_client, STEP.format(n=2), "no")
    post_call(patient_client, 2, "yes")
    first = db.session.scalar(select(ReceiptAnswer.call_wanted_at))
    post_call(patient_client, 2, "yes")
    db.session.expire_all()
    assert db.session.scalar(select(ReceiptAnswer.call_wanted_at)) == first
    post_step(patient_client, STEP.format(n=2), "yes")
    assert receipts.attention_by_patient([patient.id]) == {}


def test_no_thanks_records_nothing(patient_client, patient):
    post_step(patient_client, STEP.format(n=7), "no")
    response = post_call(patient_client, 7, "no")
    assert response.headers["Location"].endswith("/kvitto/")
    assert receipts.attention_by_patient([patient.id])[patient.id].call_wanted == ()


def test_a_call_is_offered_only_after_partly_or_no(patient_client, patient):
    response = post_step(patient_client, STEP.format(n=1), "yes")
    assert response.headers["Location"].endswith(STEP.format(n=2))
    refused = post_call(patient_client, 1, "yes")
    assert refused.status_code == 400
    assert "Du har svarat Ja på den frågan." in refused.get_data(as_text=True)
    assert db.session.scalar(select(ReceiptAnswer.call_wanted_at)) is None
    assert patient_client.get(CALL.format(n=9)).status_code == 404


def test_call_needs_csrf_and_is_the_patients_own(patient_client, nurse_client, patient):
    post_step(patient_client, STEP.format(n=1), "no")
    assert patient_client.post(CALL.format(n=1), data={"call": "yes"}).status_code == 400
    token = csrf_token(nurse_client, STAFF_PAGE.format(id=patient.id))
    staff = nurse_client.post(CALL.format(n=1), data={"call": "yes", "csrf_token": token})
    assert staff.status_code == 404
    assert db.session.scalar(select(ReceiptAnswer.call_wanted_at)) is None


def test_care_sees_question_by_question_where_the_answers_differ(nurse_client, patient, nurse):
    answer_all(patient, "patient", patient.user, "yyyyynp")
    answer_all(patient, "care", nurse.user, "yyyyyyp")
    page = nurse_client.get(STAFF_PAGE.format(id=patient.id)).get_data(as_text=True)
    talk = page[page.index('id="talk-heading"') :].split("</section>")[0]
    assert "Fråga 6</a>:" in talk and "Patienten svarade nej, vården ja." in talk
    assert "Fråga 7" not in talk  # both said Delvis: the same answer, no call asked


def test_a_changed_agreement_asks_again_only_the_questions_it_touches(
    patient_client, patient, nurse
):
    answer_all(patient, "patient", patient.user)
    make_agreed(patient, nurse)
    assert receipts.receipt_contract(patient_id=patient.id).ask_again == (1, 2)
    page = patient_client.get("/kvitto/").get_data(as_text=True)
    assert "Det gäller fråga 1 och 2." in page
    assert 'href="/kvitto/fraga/1?igen=1"' in page

    step = patient_client.get(STEP.format(n=1) + "?igen=1").get_data(as_text=True)
    assert "Stämmer det här fortfarande?" in step
    response = post_step(patient_client, STEP.format(n=1) + "?igen=1")
    assert response.headers["Location"].endswith(STEP.format(n=2) + "?igen=1")
    response = post_step(patient_client, STEP.format(n=2) + "?igen=1", "partly")
    assert response.headers["Location"].endswith(CALL.format(n=2) + "?igen=1")
    response = post_call(patient_client, 2, "no", query="?igen=1")
    assert response.headers["Location"].endswith("/kvitto/")  # 3 to 7 still stand
    assert receipts.receipt_contract(patient_id=patient.id).ask_again == ()


def test_worklist_attention_for_many_patients_is_one_query(patient, nurse):
    answer_all(patient, "patient", patient.user, "ynpyyyy")
    others = [
        people.patient_create(
            created_by=nurse, name=f"Patient {n}", phone="0701234567", personal_number=None
        )
        for n in range(3)
    ]
    answer_all(others[0], "patient", others[0].user)  # all yes: nothing needs her
    ids = [patient.id, *(o.id for o in others)]
    db.session.commit()
    with count_queries() as statements:
        found = receipts.attention_by_patient(ids)
    assert len(statements) == 1
    assert list(found) == [patient.id]
    assert (found[patient.id].no, found[patient.id].partly) == ((2,), (3,))


def test_after_the_call_the_care_contact_says_so_and_it_is_in_the_log(
    patient_client, nurse_client, patient
):
    from webapp.audit import AccessLogEntry, Change

    post_step(patient_client, STEP.format(n=4), "no")
    post_call(patient_client, 4, "yes")
    path = f"/kvitto/patient/{patient.id}/fraga/4/ringt"
    token = csrf_token(nurse_client, STAFF_PAGE.format(id=patient.id))
    assert nurse_client.post(path, data={"csrf_token": token}).status_code == 303
    assert receipts.attention_by_patient([patient.id])[patient.id].call_wanted == ()
    assert receipts.attention_by_patient([patient.id])[patient.id].no == (4,)  # still a Nej

    nurse_client.post(path, data={"csrf_token": token})  # nothing left to mark
    logged = db.session.scalars(
        select(AccessLogEntry.action)
        .where(AccessLogEntry.action == Change.RECEIPT_CALL_DONE)
        .order_by(AccessLogEntry.id)
    ).all()
    assert len(logged) == 1
    bad = nurse_client.post(f"/kvitto/patient/{patient.id}/fraga/8/ringt", data={})
    assert bad.status_code == 400
