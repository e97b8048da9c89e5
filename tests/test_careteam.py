"""Fast vårdkontakt, fast läkarkontakt and the other parts of care in "Min plan"."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import count_queries, csrf_token, mark_seen, register_with_invitation
from webapp.audit import AccessLogEntry, Change, Read
from webapp.careteam import services as team
from webapp.careteam.models import CarePart, ContactChange
from webapp.extensions import db
from webapp.people import services as people
from webapp.people.relations import Relation, relation_of, relations_of

PAGE = "/vardteam/patient/{id}/kontakter"
PARTS = "/vardteam/patient/{id}/delar"
WHY = "Karin går i pension. Eva tar över och känner till din plan."
HOME_CARE = {
    "organisation": "Hemtjänsten i Solna",
    "kind": "municipal_home_care",
    "role_text": "Hjälper dig med mat och medicin varje morgon.",
    "contact_name": "Maria Holm",
    "phone": "08-746 10 00",
    "phone_hours": "Dygnet runt",  # open whenever the test runs
}


@pytest.fixture
def eva(unit):
    return people.staff_create(unit=unit, name="Eva Ek", title="Sjuksköterska")


@pytest.fixture
def eva_client(app, eva):
    client = app.test_client()
    register_with_invitation(client, eva.user)
    return client


@pytest.fixture
def other_patient(nurse):
    return people.patient_create(
        created_by=nurse, name="Bengt Ek", phone="070-999 88 77", personal_number=None
    )


def post(client, path, data, page=None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page or path)})


def assign(client, patient, **data):
    return post(client, PAGE.format(id=patient.id), data)


def contact_changes():
    return db.session.scalar(select(func.count()).select_from(ContactChange))


def log_actions(patient):
    return [
        row.action
        for row in db.session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.patient_id == patient.id)
            .order_by(AccessLogEntry.id)
        )
    ]


# --- fixed care contact and physician ------------------------------------------------------


def test_unit_assigns_new_care_contact_with_message(nurse_client, patient, nurse, eva):
    page = nurse_client.get(PAGE.format(id=patient.id)).get_data(as_text=True)
    assert "Eva Ek, Sjuksköterska" in page and "Meddelande till patienten" in page

    response = assign(
        nurse_client,
        patient,
        care_contact_id=eva.id,
        physician_id=patient.physician_id,
        message=WHY,
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/vard/patienter/{patient.id}")
    db.session.expire_all()
    assert patient.care_contact_id == eva.id
    change = db.session.scalar(select(ContactChange))
    assert (change.role, change.old_staff_id, change.new_staff_id) == (
        "care_contact",
        nurse.id,
        eva.id,
    )
    assert change.message == WHY and change.changed_by_user_id == nurse.user_id
    assert change.seen_by_patient_at is None


def test_patient_is_told_who_and_why_until_they_have_read_it(
    app, patient_client, patient, nurse, eva
):
    team.contacts_assign(
        patient=patient,
        care_contact_id=eva.id,
        physician_id=patient.physician_id,
        message=WHY,
        changed_by=nurse.user,
    )
    notice = "Du har fått en ny fast vårdkontakt: Eva Ek, Sjuksköterska."
    for _ in range(2):  # still there on the next visit
        home = patient_client.get("/").get_data(as_text=True)
        assert notice in home
        assert f"Meddelande från vårdenheten: {WHY}" in home
        assert "Jag har läst" in home
    up_to = re.search(r'name="up_to" value="(\d+)"', home).group(1)

    response = post(patient_client, "/vardteam/jag-har-last", {"up_to": up_to}, page="/")

    assert response.status_code == 303
    home = patient_client.get("/").get_data(as_text=True)
    assert notice not in home and "Jag har läst" not in home
    assert "Eva Ek" in home  # the contact card on the home screen shows the new contact
    db.session.expire_all()
    assert db.session.scalar(select(ContactChange)).seen_by_patient_at is not None


def test_new_physician_notice_and_only_the_latest_change_per_role(
    patient_client, patient, nurse, eva, unit
):
    new_doctor = people.staff_create(
        unit=unit, name="Sara Berg", title="Geriatriker", is_physician=True
    )
    team.contacts_assign(
        patient=patient,
        care_contact_id=eva.id,
        physician_id=patient.physician_id,
        message="Först Eva.",
        changed_by=nurse.user,
    )
    team.contacts_assign(
        patient=patient,
        care_contact_id=nurse.id,
        physician_id=new_doctor.id,
        message="Karin är kvar ändå.",
        changed_by=nurse.user,
    )

    home = patient_client.get("/").get_data(as_text=True)

    assert "Du har fått en ny fast läkarkontakt: Sara Berg, Geriatriker." in home
    assert "Du har fått en ny fast vårdkontakt: Karin Lind, Distriktssköterska." in home
    assert "Först Eva." not in home  # an older, overtaken change is not news any more


def test_old_contact_loses_the_patient_from_mina_patienter(
    nurse_client, eva_client, patient, nurse, eva
):
    assert "Astrid Berg" in nurse_client.get("/vard/?visa=mina").get_data(as_text=True)
    assert "Astrid Berg" not in eva_client.get("/vard/?visa=mina").get_data(as_text=True)

    assign(
        nurse_client,
        patient,
        care_contact_id=eva.id,
        physician_id=patient.physician_id,
        message=WHY,
    )

    mine = nurse_client.get("/vard/?visa=mina").get_data(as_text=True)
    assert "Astrid Berg" not in mine
    assert "Du är inte fast vårdkontakt för någon patient." in mine
    assert "Astrid Berg" in nurse_client.get("/vard/").get_data(as_text=True)  # still at the unit
    assert "Astrid Berg" in eva_client.get("/vard/?visa=mina").get_data(as_text=True)
    db.session.expire_all()
    assert Relation.CARE_CONTACT not in relations_of(nurse.user, patient)
    assert relation_of(eva.user, patient) is Relation.CARE_CONTACT


@pytest.mark.parametrize(
    ("case", "message", "error"),
    [
        ("other_unit", WHY, "Välj en fast vårdkontakt som arbetar på patientens vårdenhet."),
        ("not_physician", WHY, "Välj en läkare på patientens vårdenhet som fast läkarkontakt."),
        ("unchanged", WHY, "Du har inte valt någon ny kontakt."),
        ("garbage", WHY, "Välj en fast vårdkontakt som arbetar på patientens vårdenhet."),
        ("eva", "   ", "Skriv ett kort meddelande till patienten om varför."),
        ("eva", "x" * 501, "Meddelandet får vara högst 500 tecken."),
    ],
    ids=["other-unit", "not-physician", "unchanged", "not-an-id", "empty", "too-long"],
)
def test_bad_contact_choice_is_refused_and_nothing_changes(
    nurse_client, patient, nurse, eva, other_unit_nurse, case, message, error
):
    care_contact, physician = {
        "other_unit": (other_unit_nurse.id, patient.physician_id),
        "not_physician": (nurse.id, eva.id),
        "unchanged": (nurse.id, patient.physician_id),
        "garbage": ("abc", patient.physician_id),
        "eva": (eva.id, patient.physician_id),
    }[case]
    before = (patient.care_contact_id, patient.physician_id)

    response = assign(
        nurse_client, patient, care_contact_id=care_contact, physician_id=physician, message=message
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error in html
    if message.strip():
        assert message in html  # what they typed is still there
    db.session.expire_all()
    assert (patient.care_contact_id, patient.physician_id) == before
    assert contact_changes() == 0


# --- other parts of care --------------------------------------------------------------------


def test_care_contact_adds_edits_and_archives_a_part_of_care(nurse_client, patient_client, patient):
    response = post(nurse_client, PARTS.format(id=patient.id), HOME_CARE)
    assert response.status_code == 303
    part = db.session.scalar(select(CarePart))
    assert "Hemtjänsten i Solna" in nurse_client.get(PARTS.format(id=patient.id)).get_data(
        as_text=True
    )
    home = patient_client.get("/").get_data(as_text=True)
    assert "Mina kontakter i vården" in home
    for text in (
        "Hemtjänsten i Solna",
        "Hjälper dig med mat och medicin varje morgon.",
        "Maria Holm",
        'href="tel:087461000"',
        "Dygnet runt",
    ):
        assert text in home

    edit = f"{PARTS.format(id=patient.id)}/{part.id}"
    assert "Maria Holm" in nurse_client.get(edit).get_data(as_text=True)
    response = post(nurse_client, edit, {**HOME_CARE, "contact_name": "Lena Sund"})
    assert response.status_code == 303
    home = patient_client.get("/").get_data(as_text=True)
    assert "Lena Sund" in home and "Maria Holm" not in home

    response = post(nurse_client, f"{edit}/ta-bort", {}, page=PARTS.format(id=patient.id))
    assert response.status_code == 303
    assert "Hemtjänsten i Solna är borttagen ur patientens plan." in nurse_client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert "Hemtjänsten i Solna" not in patient_client.get("/").get_data(as_text=True)
    parts_page = nurse_client.get(PARTS.format(id=patient.id)).get_data(as_text=True)
    assert "Inga andra delar av vården är inlagda ännu." in parts_page
    db.session.expire_all()
    assert part.archived_at is not None  # kept, only taken out of the plan
    assert nurse_client.get(edit).status_code == 404


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"organisation": ""}, "Skriv namnet på verksamheten."),
        ({"kind": "hospital"}, "Välj vilken sorts vård det är."),
        ({"role_text": "x" * 201}, "Högst 200 tecken."),
        ({"phone": "ring mig"}, "Skriv telefonnumret med siffror"),
    ],
    ids=["no-organisation", "unknown-kind", "role-too-long", "bad-phone"],
)
def test_bad_part_is_refused_and_nothing_changes(nurse_client, nurse, patient, change, error):
    existing = team.care_part_add(patient=patient, actor=nurse.user, **HOME_CARE)
    typed = {**HOME_CARE, "organisation": "Hjärtmottagningen", **change}
    paths = (PARTS.format(id=patient.id), f"{PARTS.format(id=patient.id)}/{existing.id}")

    for path in paths:  # adding and editing alike
        response = post(nurse_client, path, typed)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert error in html
        if typed["organisation"]:
            assert 'value="Hjärtmottagningen"' in html

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CarePart)) == 1
    assert existing.organisation == "Hemtjänsten i Solna"


# --- access ---------------------------------------------------------------------------------


def _patient_routes(patient, part):
    base = PARTS.format(id=patient.id)
    return [
        ("get", PAGE.format(id=patient.id)),
        ("post", PAGE.format(id=patient.id)),
        ("get", base),
        ("post", base),
        ("get", f"{base}/{part.id}"),
        ("post", f"{base}/{part.id}"),
        ("post", f"{base}/{part.id}/ta-bort"),
    ]


def test_strangers_get_404_and_change_nothing(
    app, patient, patient_client, other_unit_nurse, nurse, eva
):
    part = team.care_part_add(patient=patient, actor=nurse.user, **HOME_CARE)
    stranger = app.test_client()
    register_with_invitation(stranger, other_unit_nurse.user)
    data = {
        **HOME_CARE,
        "organisation": "Bytt",
        "care_contact_id": str(eva.id),
        "physician_id": str(patient.physician_id),
        "message": WHY,
    }
    for client in (stranger, patient_client):  # another unit's staff; a patient
        token = csrf_token(client, "/nycklar")
        for method, path in _patient_routes(patient, part):
            response = getattr(client, method)(path, data={**data, "csrf_token": token})
            assert response.status_code == 404, (method, path)
    db.session.expire_all()
    assert part.organisation == "Hemtjänsten i Solna" and part.archived_at is None
    assert patient.care_contact_id == nurse.id and contact_changes() == 0


def test_a_part_of_another_patient_is_not_found(nurse_client, nurse, patient, other_patient):
    part = team.care_part_add(patient=other_patient, actor=nurse.user, **HOME_CARE)
    wrong = f"{PARTS.format(id=patient.id)}/{part.id}"
    assert nurse_client.get(wrong).status_code == 404
    assert post(nurse_client, f"{wrong}/ta-bort", {}, page="/vard/").status_code == 404
    db.session.expire_all()
    assert part.archived_at is None


def test_only_the_patient_can_say_they_have_read_and_only_their_own(
    app, nurse_client, patient_client, patient, other_patient, nurse, eva
):
    mine = team.contacts_assign(
        patient=patient,
        care_contact_id=eva.id,
        physician_id=patient.physician_id,
        message=WHY,
        changed_by=nurse.user,
    )[0]
    theirs = team.contacts_assign(
        patient=other_patient,
        care_contact_id=eva.id,
        physician_id=None,
        message=WHY,
        changed_by=nurse.user,
    )[0]
    staff_try = post(nurse_client, "/vardteam/jag-har-last", {"up_to": theirs.id}, page="/vard/")
    assert staff_try.status_code == 404
    assert (
        post(patient_client, "/vardteam/jag-har-last", {"up_to": "x"}, page="/").status_code == 400
    )

    post(patient_client, "/vardteam/jag-har-last", {"up_to": theirs.id}, page="/")

    db.session.expire_all()
    assert mine.seen_by_patient_at is not None
    assert theirs.seen_by_patient_at is None


def test_staff_reads_and_changes_are_in_the_patients_log(nurse_client, patient, eva):
    nurse_client.get(PAGE.format(id=patient.id))
    nurse_client.get(PARTS.format(id=patient.id))
    post(nurse_client, PARTS.format(id=patient.id), HOME_CARE)
    assign(
        nurse_client,
        patient,
        care_contact_id=eva.id,
        physician_id=patient.physician_id,
        message=WHY,
    )

    actions = log_actions(patient)
    assert actions.count(Read.CARE_TEAM) >= 2
    assert actions.count(Change.CONTACTS_ASSIGNED) == 1
    assert actions.count(Change.CARE_PARTS_EDITED) == 1


# --- the overview ---------------------------------------------------------------------------


def test_care_contact_sees_what_is_new_since_last_look(nurse_client, nurse, patient):
    patient_page = f"/vard/patienter/{patient.id}"
    first = nurse_client.get(patient_page).get_data(as_text=True)
    assert "Ändra delar av vården" in first and "Byt fast vårdkontakt eller läkarkontakt" in first
    team.care_part_add(patient=patient, actor=nurse.user, **HOME_CARE)

    html = nurse_client.get(patient_page).get_data(as_text=True)

    assert "Hemtjänsten i Solna" in html and "Nytt sedan du tittade senast" in html
    mark_seen(nurse_client, patient.id)
    assert "Nytt sedan du tittade senast" not in nurse_client.get(patient_page).get_data(
        as_text=True
    )


def test_only_the_current_care_contact_gets_new_since_last_look(
    nurse_client, eva_client, patient, nurse, eva
):
    patient_page = f"/vard/patienter/{patient.id}"
    team.contacts_assign(
        patient=patient,
        care_contact_id=eva.id,
        physician_id=patient.physician_id,
        message=WHY,
        changed_by=nurse.user,
    )
    for client in (nurse_client, eva_client):
        client.get(patient_page)
    team.care_part_add(patient=patient, actor=nurse.user, **HOME_CARE)

    old_contact = nurse_client.get(patient_page).get_data(as_text=True)
    new_contact = eva_client.get(patient_page).get_data(as_text=True)

    assert "Hemtjänsten i Solna" in old_contact  # still staff at the unit: may read the plan
    assert "Nytt sedan du tittade senast" not in old_contact
    assert "Nytt sedan du tittade senast" in new_contact


def test_overview_query_count_is_flat(patient_client, patient, nurse, eva):
    def measure():
        db.session.commit()  # the test's own writes are not the page's queries
        db.session.expire_all()
        assert patient.name  # loaded before counting, as access.load_patient leaves it
        with count_queries() as during_service:
            overview = team.for_overview(patient)
        with count_queries() as during_page:
            patient_client.get("/")
        return overview, len(during_service), len(during_page)

    team.care_part_add(patient=patient, actor=nurse.user, **HOME_CARE)
    team.contacts_assign(
        patient=patient,
        care_contact_id=eva.id,
        physician_id=patient.physician_id,
        message=WHY,
        changed_by=nurse.user,
    )
    small, service_small, page_small = measure()
    for number in range(9):
        team.care_part_add(
            patient=patient, actor=nurse.user, **{**HOME_CARE, "organisation": f"Del {number}"}
        )
    team.contacts_assign(
        patient=patient,
        care_contact_id=nurse.id,
        physician_id=None,
        message=WHY,
        changed_by=nurse.user,
    )
    large, service_large, page_large = measure()

    assert (len(small.parts), len(large.parts)) == (1, 10)
    assert len(large.notices) == 2
    assert service_small == service_large <= 2
    assert page_small == page_large
