"""In a real browser: a patient tells her story and lets the unit use it; the unit's leader
reads "Så säger våra patienter" and the story without her name, marks it discussed; the
patient takes it back and it is gone. Every page axe-clean, and the figures fit 320 px with
double text."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import app_work, create_care_team, create_patient
from webapp.extensions import db
from webapp.people import services as people
from webapp.people.models import Patient, StaffMember
from webapp.receipt import services as receipts


def _leader(live_server, team) -> int:
    with app_work(live_server.app):
        nurse = db.session.get(StaffMember, team.nurse_staff_id)
        assert nurse is not None
        leader = people.staff_create(
            unit=nurse.care_unit, name="Vera Chef", title="Verksamhetschef", is_quality_lead=True
        )
        return leader.user_id


def _answers(live_server, team, count: int) -> None:
    with app_work(live_server.app):
        nurse = db.session.get(StaffMember, team.nurse_staff_id)
        assert nurse is not None
        for n in range(count):
            patient = people.patient_create(
                created_by=nurse, name=f"Patient {n}", phone="070-000 00 00", personal_number=None
            )
            for question in range(1, 8):
                for side, by in (("patient", patient.user), ("care", nurse.user)):
                    receipts.receipt_answer_save(
                        patient=patient,
                        side=side,
                        question=question,
                        answer="yes" if n % 4 else "partly",
                        comment=None,
                        by_user=by,
                    )


def test_a_story_from_the_patient_to_the_units_follow_up_and_back(
    page, new_page, live_server, sign_in_as, axe_check
):
    from tests.browser.test_layout_browser import DOUBLE_TEXT, NARROW, assert_fits

    team = create_care_team(live_server)
    astrid = create_patient(live_server, team, name="Astrid Berg")
    _answers(live_server, team, 12)
    leader_user_id = _leader(live_server, team)

    # The patient tells, and lets the unit use it without her name.
    sign_in_as(page, live_server, astrid.user_id)
    page.goto(f"{live_server.url}/berattelser/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Berätta hur det är för dig")
    axe_check(page)
    page.get_by_label("Din berättelse").fill(
        "Jag, Astrid Berg, blir alltid uppringd samma dag. Mitt nummer är 070-111 22 33."
    )
    page.get_by_label("Min fasta vårdkontakt, och min vårdenhet", exact=False).check()
    page.get_by_role("button", name="Skicka berättelsen").click()
    expect(page.get_by_text("Tack för att du berättar.", exact=False)).to_be_visible()
    axe_check(page)

    # The leader: the figures, then the story without her name or number.
    leader = new_page()
    sign_in_as(leader, live_server, leader_user_id)
    leader.goto(f"{live_server.url}/")
    expect(leader.get_by_role("heading", level=1)).to_have_text("Så säger våra patienter")
    expect(leader.get_by_role("img", name="Etablerade patientkontrakt per månad")).to_be_visible()
    expect(leader.get_by_role("link", name="Ladda ner som CSV")).to_be_visible()
    expect(leader.get_by_role("button", name="Skriv ut")).to_be_visible()  # shown by its script
    axe_check(leader)
    leader.set_viewport_size(NARROW)
    leader.evaluate(DOUBLE_TEXT)
    assert_fits(leader)
    leader.get_by_role("link", name="1 berättelse att använda").click()
    expect(leader.get_by_role("heading", level=1)).to_have_text("Berättelser att använda")
    story = leader.locator(".story-text")
    expect(story).to_have_text(
        "Jag, [namn], blir alltid uppringd samma dag. Mitt nummer är [telefonnummer]."
    )
    axe_check(leader)
    leader.get_by_role("button", name="Markera som diskuterad").click()
    expect(leader.get_by_text("Att använda: 1. Diskuterade: 1.")).to_be_visible()

    # She takes it back: it is gone from the unit's view.
    page.get_by_role("button", name="Ta tillbaka: bara min vårdkontakt får läsa den").click()
    expect(
        page.get_by_text("Enheten kan inte längre läsa berättelsen.", exact=False)
    ).to_be_visible()
    leader.reload()
    expect(leader.get_by_text("Inga berättelser att använda ännu.")).to_be_visible()
    expect(leader.get_by_text("Att använda: 0. Diskuterade: 0.")).to_be_visible()


def test_who_needs_a_contract_is_axe_clean(page, live_server, sign_in_as, axe_check):
    team = create_care_team(live_server)
    create_patient(live_server, team, name="Elsa Nyström")
    sign_in_as(page, live_server, team.nurse_user_id)
    page.goto(f"{live_server.url}/enhet/behover-kontrakt")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vem behöver ett patientkontrakt?")
    expect(page.get_by_role("link", name="Elsa Nyström")).to_be_visible()
    expect(page.get_by_role("link", name="Ingen överenskommelse: 1")).to_be_visible()
    axe_check(page)
    with app_work(live_server.app):
        assert db.session.query(Patient).count() >= 1
