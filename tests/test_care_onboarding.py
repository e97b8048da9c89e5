"""A care contact creates a patient and hands over a one-time link; an admin onboards staff."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token, register_with_invitation
from webapp.auth.models import Invitation
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User
from webapp.people.personnummer import check_digit

NEW_PATIENT = "/vard/patienter/ny"
VALID_NUMBER = "19" + "520101123" + check_digit("520101123")
WRONG_NUMBER = VALID_NUMBER[:8] + "-" + VALID_NUMBER[8:11] + str((int(VALID_NUMBER[11]) + 1) % 10)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def post_patient(client, **fields):
    data = {
        "name": "Bo Ny",
        "phone": "070-222 33 44",
        "personal_number": "",
        "physician_id": "None",
        "csrf_token": csrf_token(client, NEW_PATIENT),
    }
    data.update(fields)
    return client.post(NEW_PATIENT, data=data)


def test_staff_creates_a_patient_and_becomes_care_contact(nurse_client, nurse, physician):
    response = post_patient(
        nurse_client,
        personal_number=VALID_NUMBER[:8] + "-" + VALID_NUMBER[8:],
        physician_id=str(physician.id),
    )
    assert response.status_code == 303
    created = db.session.scalar(select(Patient).join(Patient.user).where(User.name == "Bo Ny"))
    assert created.personal_number == VALID_NUMBER
    assert created.care_contact_id == nurse.id
    assert created.physician_id == physician.id
    assert created.care_unit_id == nurse.care_unit_id
    assert response.headers["Location"].endswith(f"/vard/patienter/{created.id}/inbjudan")


def test_personal_number_is_optional(nurse_client):
    assert post_patient(nurse_client).status_code == 303
    assert count(Patient) == 1


def test_invalid_personal_number_keeps_what_was_typed(nurse_client):
    response = post_patient(nurse_client, name="Bo Kvar", personal_number=WRONG_NUMBER)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Personnumret stämmer inte" in html
    assert 'value="Bo Kvar"' in html and f'value="{WRONG_NUMBER}"' in html
    assert 'value="070-222 33 44"' in html
    assert 'aria-invalid="true"' in html
    assert count(Patient) == 0 and count(User) == 1


def test_duplicate_personal_number_is_refused(nurse_client, patient):
    response = post_patient(nurse_client, personal_number=patient.personal_number)
    assert response.status_code == 400
    assert "Det finns redan en patient med det personnumret" in response.get_data(as_text=True)
    assert count(Patient) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "N" * 121}, "högst 120 tecken"),
        ({"name": "   "}, "Skriv namnet"),
        ({"phone": ""}, "Skriv mobilnumret"),
        ({"phone": "ring mig"}, "Skriv telefonnumret med siffror"),
        ({"personal_number": "1" * 40}, "Personnumret är för långt"),
        ({"physician_id": "999"}, "Välj en läkare på din vårdenhet"),
        ({"physician_id": "inte ett tal"}, "Välj en läkare på din vårdenhet"),
    ],
)
def test_invalid_patient_fields_get_a_swedish_message(nurse_client, fields, message):
    response = post_patient(nurse_client, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(Patient) == 0


def test_physician_from_another_unit_is_refused(nurse_client, other_unit_nurse):
    response = post_patient(nurse_client, physician_id=str(other_unit_nurse.id))
    assert response.status_code == 400
    # The message sits by the field it is about.
    assert re.search(r'id="physician_id-error-1">Välj en läkare', response.get_data(as_text=True))
    assert count(Patient) == 0


def test_invitation_is_shown_once_with_link_and_qr(nurse_client):
    response = post_patient(nurse_client)
    page = nurse_client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html and "<script" not in html.split("<main")[1]
    link = re.search(r'href="(http://localhost/inbjudan/[^"]+)"', html).group(1)
    token = link.rsplit("/", 1)[1]
    assert token not in str(
        db.session.scalars(select(Invitation.token_hash).order_by(Invitation.id)).all()
    )
    again = nurse_client.get(response.headers["Location"])
    assert again.status_code == 303
    followed = nurse_client.get(again.headers["Location"])
    assert "visas bara en gång" in followed.get_data(as_text=True)
    assert token not in followed.get_data(as_text=True)


def test_patient_opens_the_link_and_is_signed_in(app, nurse_client):
    created = post_patient(nurse_client)
    html = nurse_client.get(created.headers["Location"]).get_data(as_text=True)
    path = re.search(r'href="http://localhost(/inbjudan/[^"]+)"', html).group(1)
    phone = app.test_client()
    assert "Välkommen, Bo Ny" in phone.get(path).get_data(as_text=True)


def test_care_contact_issues_a_new_link(nurse_client, patient):
    csrf = csrf_token(nurse_client, f"/vard/patienter/{patient.id}")
    response = nurse_client.post(
        f"/vard/patienter/{patient.id}/inbjudan", data={"csrf_token": csrf}
    )
    assert response.status_code == 303
    assert "<svg" in nurse_client.get(response.headers["Location"]).get_data(as_text=True)


def test_unit_admin_invites_staff(nurse_client, nurse):
    csrf = csrf_token(nurse_client, "/vard/personal/ny")
    response = nurse_client.post(
        "/vard/personal/ny",
        data={
            "csrf_token": csrf,
            "name": "Sara Ny",
            "title": "Undersköterska",
            "phone": "",
            "phone_hours": "",
            "is_physician": "y",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Länk till Sara Ny" in html and "<svg" in html
    member = db.session.scalar(
        select(StaffMember).join(StaffMember.user).where(User.name == "Sara Ny")
    )
    assert member.care_unit_id == nurse.care_unit_id
    assert member.is_physician and not member.is_unit_admin


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Skriv namnet"),
        ({"title": ""}, "Skriv yrke eller roll"),
        ({"title": "T" * 81}, "Högst 80 tecken"),
        ({"phone": "abc"}, "Skriv telefonnumret"),
    ],
)
def test_invalid_staff_fields_keep_what_was_typed(nurse_client, fields, message):
    data = {"name": "Sara Ny", "title": "Undersköterska", "phone": "", "phone_hours": "Tider"}
    data.update(fields)
    data["csrf_token"] = csrf_token(nurse_client, "/vard/personal/ny")
    response = nurse_client.post("/vard/personal/ny", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'value="Tider"' in html
    assert count(StaffMember) == 1


def test_staff_who_is_not_admin_cannot_invite_staff(app, physician):
    client = app.test_client()
    register_with_invitation(client, physician.user)
    assert client.get("/vard/personal/ny").status_code == 404
    assert client.post("/vard/personal/ny", data={"name": "X", "title": "Y"}).status_code in (
        400,
        404,
    )
    assert count(StaffMember) == 1


@pytest.mark.parametrize("path", ["/vard/", NEW_PATIENT, "/vard/personal/ny"])
def test_patient_cannot_reach_care_pages(patient_client, patient, path):
    assert patient_client.get(path).status_code == 404
    assert patient_client.get(f"/vard/patienter/{patient.id}").status_code == 404


def test_new_staff_member_signs_in_and_lands_on_the_unit_list(app, nurse, patient):
    from webapp.people import services as people

    member = people.staff_create(unit=nurse.care_unit, name="Sara Ny", title="Undersköterska")
    client = app.test_client()
    register_with_invitation(client, member.user)
    response = client.get("/", follow_redirects=True)
    assert "Astrid Berg" in response.get_data(as_text=True)
