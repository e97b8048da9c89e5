"""Berätta hur det är för dig: the patient tells, chooses who may read, and can take the
unit's use back; the unit sees the stories it may use without names and marks them
discussed; her care contact reads them (and the read is in her log); nobody else does."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token, register_with_invitation
from tests.relatives_helpers import post
from webapp.audit import AccessLogEntry, Read
from webapp.extensions import db
from webapp.people import services as people
from webapp.people.models import User, UserKind
from webapp.relatives import services as relatives
from webapp.stories.anonymise import anonymise
from webapp.stories.models import STORY_MAX, Story

STORY = (
    "Jag heter Astrid Berg och Astrids dotter ringer mig på 070-123 45 67. Mitt personnummer "
    "är 19490312-1236. Det bästa är att Karin alltid ringer tillbaka samma dag."
)


@pytest.fixture
def patient(nurse, physician):
    found = people.patient_create(
        created_by=nurse,
        name="Astrid Berg",
        phone="070-123 45 67",
        personal_number="19490312-1236",
    )
    db.session.commit()
    return found


@pytest.fixture
def leader(unit):
    member = people.staff_create(
        unit=unit, name="Vera Chef", title="Verksamhetschef", is_quality_lead=True
    )
    db.session.commit()
    return member


def signed_in(app, user):
    client = app.test_client()
    register_with_invitation(client, user)
    return client


def tell(client, text=STORY, who="unit"):
    data = {"csrf_token": csrf_token(client, "/berattelser/"), "text": text}
    if who:
        data["who"] = who
    return client.post("/berattelser/", data=data)


def story_count():
    return db.session.scalar(select(func.count()).select_from(Story))


def unit_page(client, unit_id):
    return client.get(f"/berattelser/enhet/{unit_id}").get_data(as_text=True)


def test_the_app_takes_out_the_name_personnummer_and_phone_it_knows():
    text = anonymise(
        STORY, names=["Astrid Berg"], personal_numbers=["194903121236"], phones=["0701234567"]
    )
    assert "Astrid" not in text and "Berg" not in text
    assert "070-123" not in text and "1236" not in text
    assert text.startswith("Jag heter [namn] och [namn] dotter ringer mig på [telefonnummer].")
    assert "[personnummer]" in text
    assert "Karin alltid ringer tillbaka" in text  # the app knows only the teller's names


def test_numbers_in_other_shapes_are_taken_out_too():
    text = anonymise(
        "Ring +46 70 123 45 67 eller 490312-1236, eller 08-555 123 45.",
        names=[],
        personal_numbers=["194903121236"],
        phones=["070-123 45 67"],
    )
    assert not any(digit in text for digit in "123456789"), text


def test_a_story_for_the_unit_is_there_without_her_name(app, patient, leader):
    own = signed_in(app, patient.user)
    assert tell(own).status_code == 303
    html = unit_page(signed_in(app, leader.user), leader.care_unit_id)
    assert "Karin alltid ringer tillbaka samma dag" in html
    assert "Astrid" not in html and "070-123" not in html and "19490312" not in html
    assert "Att använda: 1. Diskuterade: 0." in html
    # No finer date than the month, and no way to the patient.
    assert "/vard/patienter/" not in html and "/berattelser/patient/" not in html


def test_a_story_for_the_care_contact_only_is_not_the_units(app, patient, nurse, leader):
    own = signed_in(app, patient.user)
    tell(own, who="care_contact")
    assert "Inga berättelser att använda ännu." in unit_page(
        signed_in(app, leader.user), leader.care_unit_id
    )
    care = signed_in(app, nurse.user).get(f"/berattelser/patient/{patient.id}")
    assert care.status_code == 200
    assert "Jag heter Astrid Berg" in care.get_data(as_text=True)  # as told
    reads = db.session.scalars(
        select(AccessLogEntry.action).where(AccessLogEntry.patient_id == patient.id)
    ).all()
    assert Read.STORIES in reads


def test_withdrawn_it_is_gone_from_the_units_view_and_counts(app, patient, leader):
    own = signed_in(app, patient.user)
    tell(own)
    story = db.session.scalars(select(Story)).one()
    unit = signed_in(app, leader.user)
    token = csrf_token(unit, f"/berattelser/enhet/{leader.care_unit_id}")
    unit.post(
        f"/berattelser/enhet/{leader.care_unit_id}/{story.id}/diskuterad",
        data={"csrf_token": token},
    )
    assert "Att använda: 1. Diskuterade: 1." in unit_page(unit, leader.care_unit_id)
    response = own.post(
        f"/berattelser/{story.id}/dra-tillbaka",
        data={"csrf_token": csrf_token(own, "/berattelser/")},
    )
    assert response.status_code == 303
    html = unit_page(unit, leader.care_unit_id)
    assert "Karin alltid ringer" not in html
    assert "Att använda: 0. Diskuterade: 0." in html
    figures = unit.get(f"/enhet/{leader.care_unit_id}/kvalitet").get_data(as_text=True)
    assert "Berättelser som enheten får använda: 0. Diskuterade: 0." in figures
    # Nothing of the unit's copy is kept; the story stays hers and her care contact's.
    db.session.expire_all()
    kept = db.session.get(Story, story.id)
    assert kept.unit_text is None and kept.text == STORY
    # The unit cannot mark what it may no longer use.
    again = unit.post(
        f"/berattelser/enhet/{leader.care_unit_id}/{story.id}/diskuterad",
        data={"csrf_token": token},
    )
    assert again.status_code == 404
    # She may let the unit use it again.
    own.post(f"/berattelser/{story.id}/dela", data={"csrf_token": csrf_token(own, "/berattelser/")})
    assert "Karin alltid ringer" in unit_page(unit, leader.care_unit_id)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   \n  ", "Skriv din berättelse först."),
        ("x" * (STORY_MAX + 1), "Berättelsen får vara högst 2000 tecken."),
    ],
)
def test_an_empty_or_too_long_story_is_refused_and_kept(app, patient, text, message):
    own = signed_in(app, patient.user)
    response = tell(own, text=text)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    if text.strip():
        assert text in html
    assert story_count() == 0


def test_a_story_without_a_choice_of_reader_is_refused(app, patient):
    response = tell(signed_in(app, patient.user), who=None)
    assert response.status_code == 400
    assert "Välj vem som får läsa berättelsen." in response.get_data(as_text=True)
    assert story_count() == 0


def test_only_her_care_contact_reads_her_stories(app, patient, physician, unit, leader):
    tell(signed_in(app, patient.user), who="care_contact")
    colleague = people.staff_create(unit=unit, name="Lena Kollega", title="Undersköterska")
    db.session.commit()
    for member in (physician, colleague, leader):
        client = signed_in(app, member.user)
        assert client.get(f"/berattelser/patient/{patient.id}").status_code == 404


def test_another_units_leader_sees_nothing_and_cannot_mark(app, patient, leader, other_unit_nurse):
    tell(signed_in(app, patient.user))
    story = db.session.scalars(select(Story)).one()
    other = people.staff_create(
        unit=other_unit_nurse.care_unit, name="Otto Chef", title="Chef", is_quality_lead=True
    )
    db.session.commit()
    client = signed_in(app, other.user)
    assert client.get(f"/berattelser/enhet/{leader.care_unit_id}").status_code == 404
    assert "Karin alltid" not in unit_page(client, other.care_unit_id)
    token = csrf_token(client, f"/berattelser/enhet/{other.care_unit_id}")
    for unit_id in (leader.care_unit_id, other.care_unit_id):
        response = client.post(
            f"/berattelser/enhet/{unit_id}/{story.id}/diskuterad", data={"csrf_token": token}
        )
        assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Story, story.id).discussed_at is None


def test_another_patient_cannot_withdraw_or_share_her_story(app, patient, nurse, leader):
    tell(signed_in(app, patient.user))
    story = db.session.scalars(select(Story)).one()
    other = people.patient_create(
        created_by=nurse, name="Gunnar Ek", phone="070-444 55 66", personal_number=None
    )
    db.session.commit()
    client = signed_in(app, other.user)
    token = csrf_token(client, "/berattelser/")
    client.post(f"/berattelser/{story.id}/dra-tillbaka", data={"csrf_token": token})
    assert "Karin alltid ringer" in unit_page(signed_in(app, leader.user), leader.care_unit_id)
    assert "Karin alltid" not in client.get("/berattelser/").get_data(as_text=True)


# --- a relative acting for her by a grant ----------------------------------------------

RELATIVE_STORY = (
    "Jag är Eva Lund, Astrids dotter. Mamma blir lugn när Karin ringer, men väntan på "
    "provsvaren är lång."
)


def acting_relative(app, patient, scopes, *, name="Eva"):
    """Eva Lund, whom Astrid named "Eva", signed in and acting for her by a grant."""
    grant, token = relatives.grant_invite(
        patient=patient, by=patient.user, name=name, relation="dotter", scopes=scopes
    )
    user = User(kind=UserKind.RELATIVE, name="Eva Lund")
    db.session.add(user)
    db.session.flush()
    relatives.grant_accept(token=token, user=user)
    db.session.commit()
    client = signed_in(app, user)
    assert post(client, f"/narstaende/hjalper/{grant.id}").status_code == 303
    return client, grant


def test_a_relative_with_the_scope_tells_for_her_named_as_the_teller(app, patient, nurse):
    eva, _grant = acting_relative(app, patient, ["self_care"])
    home = eva.get("/").get_data(as_text=True)
    assert 'href="/berattelser/"' in home
    form = eva.get("/berattelser/").get_data(as_text=True)
    assert "Du berättar åt Astrid Berg." in form
    assert 'name="who"' not in form  # her unit's use is hers to give
    assert tell(eva, text=RELATIVE_STORY, who=None).status_code == 303
    story = db.session.scalars(select(Story)).one()
    assert story.patient_id == patient.id and story.told_by_user_id != patient.user_id
    assert story.unit_text is None  # for her care contact only
    assert "väntan på provsvaren" in eva.get("/berattelser/").get_data(as_text=True)

    own = signed_in(app, patient.user).get("/berattelser/").get_data(as_text=True)
    assert "väntan på provsvaren" in own and "Berättad av Eva Lund, närstående" in own
    care = signed_in(app, nurse.user).get(f"/berattelser/patient/{patient.id}")
    html = care.get_data(as_text=True)
    assert "väntan på provsvaren" in html and "Berättad av Eva Lund, närstående" in html


def test_a_relative_sees_only_what_they_told_and_cannot_share_with_the_unit(app, patient):
    tell(signed_in(app, patient.user), who="care_contact")
    hers = db.session.scalars(select(Story)).one()
    eva, _grant = acting_relative(app, patient, ["self_care"])
    assert "Karin alltid ringer" not in eva.get("/berattelser/").get_data(as_text=True)
    # Even asked for it, the relative's story stays with the care contact.
    assert tell(eva, text=RELATIVE_STORY, who="unit").status_code == 303
    for story_id in (hers.id, hers.id + 1):
        for action in ("dela", "dra-tillbaka"):
            assert post(eva, f"/berattelser/{story_id}/{action}", "/berattelser/").status_code == (
                404
            )
    db.session.expire_all()
    assert db.session.scalars(select(Story.unit_text)).all() == [None, None]


def test_the_units_copy_never_shows_the_relatives_name(app, patient, leader):
    # Astrid calls her Evy; her account says Eva Lund. Neither reaches the unit.
    eva, _grant = acting_relative(app, patient, ["self_care"], name="Evy")
    tell(eva, text=RELATIVE_STORY + " Hälsningar Evy.", who=None)
    story = db.session.scalars(select(Story)).one()
    own = signed_in(app, patient.user)
    response = post(own, f"/berattelser/{story.id}/dela", "/berattelser/")
    assert response.status_code == 303
    html = unit_page(signed_in(app, leader.user), leader.care_unit_id)
    assert "väntan på provsvaren" in html
    assert "Eva" not in html and "Lund" not in html and "Evy" not in html
    assert "Astrid" not in html and "Hälsningar [namn]." in html
    # And she can take it back at any time.
    post(own, f"/berattelser/{story.id}/dra-tillbaka", "/berattelser/")
    assert "väntan på provsvaren" not in unit_page(signed_in(app, leader.user), leader.care_unit_id)


def test_a_relative_without_the_scope_gets_404_and_no_link(app, patient):
    eva, _grant = acting_relative(app, patient, ["view_plan", "what_matters", "reminders"])
    home = eva.get("/").get_data(as_text=True)
    assert "/berattelser/" not in home
    assert eva.get("/berattelser/").status_code == 404
    response = eva.post(
        "/berattelser/",
        data={"csrf_token": csrf_token(eva, "/narstaende/hjalper"), "text": RELATIVE_STORY},
    )
    assert response.status_code == 404
    assert story_count() == 0


def test_an_ended_grant_gets_404(app, patient):
    eva, grant = acting_relative(app, patient, ["self_care"])
    token = csrf_token(eva, "/berattelser/")
    relatives.grant_end(patient=patient, by=patient.user, grant_id=grant.id)
    db.session.commit()
    assert eva.get("/berattelser/").status_code == 404
    response = eva.post("/berattelser/", data={"csrf_token": token, "text": RELATIVE_STORY})
    assert response.status_code == 404
    assert story_count() == 0
