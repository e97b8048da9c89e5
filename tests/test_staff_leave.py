"""A colleague leaves: the administrator is asked first, sees whose fixed contact they are and
chooses who takes over. Until someone does, a patient never sees the departed person's
number: her plan says they have left and gives the unit's number, and the worklist names her.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.conftest import committed, csrf_token, register_with_invitation
from webapp.careteam.models import ContactChange
from webapp.extensions import db
from webapp.people import services as people
from webapp.people.models import CareUnit, Patient, StaffMember

LEAVER_PHONE = "010-999 88 77"
UNIT_PHONE = "010-100 20 30"


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def leaving_nurse(unit: CareUnit) -> StaffMember:
    return committed(
        people.staff_create(
            unit=unit,
            name="Per Slutar",
            title="Sjuksköterska",
            phone=LEAVER_PHONE,
            phone_hours="Alla dagar 0–24",
        )
    )


def patient_of(member: StaffMember, name: str) -> Patient:
    return committed(
        people.patient_create(
            created_by=member, name=name, phone="070-333 44 55", personal_number=None
        )
    )


def with_unit_phone(unit: CareUnit) -> None:
    people.phone_hours_set(holder=unit, phone=UNIT_PHONE, times=None, note="Vardagar 8–16")
    db.session.commit()


def end_access(client, member: StaffMember, **choices: str):
    page = f"/vard/personal/{member.id}/avsluta"
    token = csrf_token(client, page)
    return client.post(page, data={"csrf_token": token, **choices}, follow_redirects=True)


def test_ending_access_asks_first_and_lists_whose_contact_they_are(
    app, unit, nurse, nurse_client, physician
):
    leaver = leaving_nurse(unit)
    patient_of(leaver, "Greta Holm")
    patient_of(leaver, "Olle Ek")
    staff_page = text_of(nurse_client.get("/vard/personal").get_data(as_text=True))
    assert "Avsluta åtkomst för Per Slutar" in staff_page

    # The button on the staff list only asks: nothing has ended yet.
    page = nurse_client.get(f"/vard/personal/{leaver.id}/avsluta")
    assert page.status_code == 200
    asked = text_of(page.get_data(as_text=True))
    assert "Avsluta åtkomst för Per Slutar?" in asked
    assert "Fast vårdkontakt för Greta Holm Olle Ek" in asked
    assert "Vem tar över?" in asked
    assert "Karin Lind, Distriktssköterska" in asked  # a colleague to choose
    db.session.expire_all()
    assert db.session.get(StaffMember, leaver.id).deactivated_at is None


def test_who_takes_over_gets_the_patients_and_the_patient_is_told(
    app, unit, nurse, nurse_client, physician
):
    leaver = leaving_nurse(unit)
    greta = patient_of(leaver, "Greta Holm")
    done = end_access(
        nurse_client,
        leaver,
        care_contact_id=str(nurse.id),
        message="Per har slutat. Karin tar över.",
    )
    told = text_of(done.get_data(as_text=True))
    assert "Per Slutar kan inte längre logga in." in told
    assert "1 patient har fått en ny kontakt." in told
    db.session.expire_all()
    assert db.session.get(Patient, greta.id).care_contact_id == nurse.id
    (change,) = db.session.scalars(
        select(ContactChange).where(ContactChange.patient_id == greta.id)
    ).all()
    assert change.message == "Per har slutat. Karin tar över."

    own = app.test_client()
    register_with_invitation(own, greta.user)
    plan = text_of(own.get("/").get_data(as_text=True))
    assert "Karin Lind" in plan and LEAVER_PHONE not in plan


def test_a_patient_nobody_takes_over_yet_sees_the_units_number_never_the_leavers(
    app, unit, nurse, nurse_client, physician
):
    with_unit_phone(unit)
    leaver = leaving_nurse(unit)
    greta = patient_of(leaver, "Greta Holm")
    own = app.test_client()
    register_with_invitation(own, greta.user)
    assert LEAVER_PHONE in text_of(own.get("/").get_data(as_text=True))  # before: his own

    end_access(nurse_client, leaver, care_contact_id="", message="")
    db.session.expire_all()
    assert db.session.get(StaffMember, leaver.id).deactivated_at is not None

    for page in ("/", "/overenskommelse/nar-jag-blir-samre", "/egenvard/uppdatering"):
        response = own.get(page)
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        assert LEAVER_PHONE not in text_of(html), page
        assert "tel:" + LEAVER_PHONE.replace(" ", "").replace("-", "") not in html, page
    plan = text_of(own.get("/").get_data(as_text=True))
    assert "Per Slutar har slutat på Vårdcentralen Test. Tills du får en ny, ring vårdenheten." in (
        plan
    )
    assert f"Ring {UNIT_PHONE}" in plan

    # The worklist names her for whoever can choose someone new.
    worklist = text_of(nurse_client.get("/vard/").get_data(as_text=True))
    assert "Behöver en ny fast vårdkontakt" in worklist
    assert "Greta Holm : Per Slutar har slutat" in worklist
    # Nobody who has left can be chosen again, and the choice asks rather than guesses.
    page = nurse_client.get(f"/vardteam/patient/{greta.id}/kontakter")
    assert page.status_code == 200
    contacts = page.get_data(as_text=True)
    assert f'value="{leaver.id}"' not in contacts
    assert re.search(r'<option selected value="">Välj ny fast vårdkontakt</option>', contacts)


def test_a_physician_who_leaves_shows_on_the_care_contacts_list(
    app, unit, nurse, nurse_client, patient, physician
):
    admin_page = nurse_client.get(f"/vard/personal/{physician.id}/avsluta")
    assert "Fast läkarkontakt för Astrid Berg" in text_of(admin_page.get_data(as_text=True))
    end_access(nurse_client, physician, physician_id="", message="")
    card = text_of(nurse_client.get("/vard/").get_data(as_text=True))
    assert "Fast läkarkontakt Ali Hassan har slutat. Välj en ny." in card


def test_choosing_someone_needs_a_word_to_the_patients_and_nothing_ends_without_it(
    app, unit, nurse, nurse_client
):
    leaver = leaving_nurse(unit)
    patient_of(leaver, "Greta Holm")
    refused = end_access(nurse_client, leaver, care_contact_id=str(nurse.id), message="")
    assert refused.status_code == 400
    assert "Skriv ett kort meddelande till patienterna om varför." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(StaffMember, leaver.id).deactivated_at is None


def test_an_administrator_cannot_end_their_own_access_here(app, nurse, nurse_client):
    response = nurse_client.get(f"/vard/personal/{nurse.id}/avsluta", follow_redirects=True)
    assert "Du kan inte avsluta din egen åtkomst" in response.get_data(as_text=True)
