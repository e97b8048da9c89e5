"""In a real browser on a phone-sized page: the patient answers the seven questions of
"Mitt kvitto" with the keyboard only (radio groups), and sees how their answers compare with
the care side's. axe-core is run on every page visited."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import app_work
from webapp.agreement import services as agreements
from webapp.demo import agreement_agreed_by_both
from webapp.extensions import db
from webapp.people import services as people
from webapp.people.models import Patient
from webapp.receipt import services as receipts


def make_people(app, unit_name="Vårdcentralen Kvittot", nurse_name="Kerstin Dahl"):
    """A patient whose care contact has answered yes to all seven and an agreed agreement."""
    with app_work(app):
        unit = people.care_unit_get_or_create(name=unit_name, phone="010-200 00 00")
        nurse = people.staff_create(unit=unit, name=nurse_name, title="Sjuksköterska")
        patient = people.patient_create(
            created_by=nurse, name="Gösta Lund", phone="070-444 55 66", personal_number=None
        )
        for number in range(1, 8):
            receipts.receipt_answer_save(
                patient=patient,
                side="care",
                question=number,
                answer="yes",
                comment=None,
                by_user=nurse.user,
            )
        agreement_agreed_by_both(
            patient=patient,
            care=nurse.user,
            items=[agreements.ItemInput(kind="action", text="Gå en promenad varje dag.")],
        )
        return patient.id


def answer_with_keyboard(page, *, partly: bool, comment: str = "") -> None:
    """Choose with the keyboard in the radio group, then Tab on and press Enter on Nästa."""
    page.get_by_role("radio", name="Ja").focus()
    page.keyboard.press("ArrowDown" if partly else "Space")
    page.keyboard.press("Tab")  # to the comment
    expect(page.get_by_label("Vill du skriva något mer? (frivilligt)")).to_be_focused()
    if comment:
        page.keyboard.type(comment)
    page.keyboard.press("Tab")  # to Nästa, the first button
    page.keyboard.press("Enter")


def test_patient_answers_the_seven_questions_with_the_keyboard(
    page, live_server, sign_in_as, axe_check
):
    patient_id = make_people(live_server.app)
    with app_work(live_server.app):
        patient = db.session.get(Patient, patient_id)
        sign_in_as(page, live_server, patient)

    expect(page.get_by_role("heading", name="Mitt kvitto")).to_be_visible()
    page.get_by_role("link", name="Svara på de sju frågorna").click()
    expect(page.get_by_role("heading", level=1, name="Mitt kvitto")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Svara på frågorna").click()

    for number in range(1, 8):
        expect(page.get_by_text(f"Fråga {number} av 7")).to_be_visible()
        group = page.get_by_role("group", name=receipts.question_text("patient", number))
        expect(group).to_be_visible()
        axe_check(page)
        answer_with_keyboard(
            page,
            partly=number == 5,
            comment="Jag vet inte riktigt vad som händer sen." if number == 5 else "",
        )
        if number == 5:  # after a Delvis she is offered a call, and takes it by keyboard
            offer = page.get_by_role("group", name="Vill du att din vårdkontakt ringer dig")
            expect(offer).to_be_visible()
            axe_check(page)
            for _ in range(30):
                page.keyboard.press("Tab")
                if page.evaluate("document.activeElement.textContent.trim()") == "Ja, ring mig":
                    break
            expect(page.get_by_role("button", name="Ja, ring mig")).to_be_focused()
            page.keyboard.press("Enter")

    expect(page.get_by_text("Tack! Svaren är sparade.")).to_be_visible()
    expect(page.get_by_text("Ni svarar lika.")).to_have_count(6)
    expect(page.get_by_text("Ni svarar olika.", exact=False)).to_have_count(1)
    expect(page.get_by_text("Jag vet inte riktigt vad som händer sen.")).to_be_visible()
    expect(page.get_by_role("heading", name="Stämmer det här för dig?")).to_be_visible()
    expect(
        page.get_by_text("Du har bett din vårdkontakt att ringa dig om det här.")
    ).to_be_visible()
    expect(page.get_by_text("Ni har inget patientkontrakt ännu.")).to_have_count(0)
    axe_check(page)

    # Going back to question 5 and changing the answer makes the contract.
    page.goto(f"{live_server.url}/kvitto/fraga/5")
    expect(page.get_by_role("radio", name="Delvis")).to_be_checked()
    page.get_by_role("radio", name="Delvis").focus()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_role("radio", name="Ja")).to_be_checked()
    page.get_by_role("button", name="Nästa").press("Enter")
    expect(page.get_by_text("Fråga 6 av 7")).to_be_visible()
    page.get_by_role("link", name="Avbryt och se kvittot").click()
    expect(page.get_by_text("Ni har ett patientkontrakt.")).to_be_visible()
    expect(page.get_by_text("Ni svarar lika.")).to_have_count(7)
    axe_check(page)


def test_a_wrong_answer_is_explained_on_the_page(page, live_server, sign_in_as, axe_check):
    with app_work(live_server.app):
        unit = people.care_unit_get_or_create(name="Vårdcentralen Kvittot")
        nurse = people.staff_create(unit=unit, name="Lena Sjö", title="Sjuksköterska")
        patient = people.patient_create(
            created_by=nurse, name="Greta Å", phone="070-555 66 77", personal_number=None
        )
        user_id = patient.user_id
    sign_in_as(page, live_server, user_id)
    page.goto(f"{live_server.url}/kvitto/fraga/1")
    page.get_by_label("Vill du skriva något mer? (frivilligt)").fill("Det beror på dagen.")
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_text("Välj ett svar: Ja, Delvis eller Nej.").first).to_be_visible()
    expect(page.get_by_label("Vill du skriva något mer? (frivilligt)")).to_have_value(
        "Det beror på dagen."
    )
    axe_check(page)


def test_care_contact_answers_and_the_unit_sees_counts(page, live_server, sign_in_as, axe_check):
    patient_id = make_people(live_server.app, "Kvittots egen enhet", "Maja Ström")
    with app_work(live_server.app):
        nurse = db.session.get(Patient, patient_id).care_contact
        sign_in_as(page, live_server, nurse)

    page.goto(f"{live_server.url}/kvitto/patient/{patient_id}")
    expect(page.get_by_role("heading", level=1, name="Kvitto för Gösta Lund")).to_be_visible()
    expect(page.get_by_text("Patienten har svarat ja på 0 av 7 frågor.")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Ändra vårdens svar").click()
    expect(page.get_by_role("group", name=receipts.question_text("care", 1))).to_be_visible()
    axe_check(page)
    page.get_by_role("radio", name="Delvis").check()
    page.get_by_role("button", name="Nästa").click()
    expect(page.get_by_text("Fråga 2 av 7")).to_be_visible()

    page.goto(f"{live_server.url}/vard/")
    page.get_by_role("link", name="Patientkontrakt på enheten (antal)").click()
    expect(page.get_by_role("row", name="Maja Ström")).to_contain_text("0 av 1")
    expect(page.get_by_text("Gösta Lund")).to_have_count(0)
    axe_check(page)
