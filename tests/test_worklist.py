"""The care contact's worklist ("Mina patienter"): beside each of her patients what needs
her, what needs action first; the unit's list one link away; nobody else's patients."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import committed, csrf_token, mark_seen, register_with_invitation
from webapp.agreement import services as agreements
from webapp.audit import AccessLogEntry, Read
from webapp.auth.models import Invitation
from webapp.care import needs
from webapp.care.needs import Need, Urgency
from webapp.db import now_utc
from webapp.demo import agreement_agreed_by_both
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.followups.details import FollowUpInput, local_zone
from webapp.people import services as people
from webapp.people.models import Patient, StaffMember
from webapp.receipt import services as receipt

WORKLIST = "/vard/"


def book(patient: Patient, nurse: StaffMember, days_ahead: int, *, time: str = "10:00") -> int:
    day = (now_utc().astimezone(local_zone()) + timedelta(days=days_ahead)).date()
    return followups.follow_up_book(
        patient=patient,
        details=FollowUpInput(
            date=day.isoformat(),
            time=time,
            duration_minutes="30",
            kind="phone",
            with_whom=nurse.user.name,
            place="",
            purpose="Hur går det?",
            preparation="",
        ),
        actor=nurse.user,
    ).id


def new_patient(nurse: StaffMember, name: str, phone: str = "070-222 33 44") -> Patient:
    return committed(
        people.patient_create(created_by=nurse, name=name, phone=phone, personal_number=None)
    )


ROW = re.compile(r'<li class="card worklist-row.*?<p class="worklist-next">.*?</p>', re.S)


def worklist(client, path: str = WORKLIST) -> list[str]:
    """Each patient's card on the list as the nurse reads it, in the order shown."""
    html = client.get(path).get_data(as_text=True)
    return [" ".join(re.sub(r"<[^>]+>", " ", card).split()) for card in ROW.findall(html)]


def card_of(client, name: str) -> str:
    (card,) = [card for card in worklist(client) if card.startswith(name)]
    return card


def test_what_needs_her_comes_beside_the_name_and_goes_when_handled(
    app, patient, nurse, nurse_client
):
    # A new patient waits for the first contact she was promised, until one is booked.
    assert card_of(nurse_client, "Astrid Berg").startswith(
        "Astrid Berg Ny patient: väntar på första kontakten, utlovad senast "
    )

    follow_up_id = book(patient, nurse, 3)
    followups.follow_up_cannot_come(patient=patient, follow_up_id=follow_up_id, reason="Bortrest")
    receipt.receipt_answer_save(
        patient=patient, side="patient", question=2, answer="no", comment="", by_user=patient.user
    )
    receipt.receipt_answer_save(
        patient=patient,
        side="patient",
        question=5,
        answer="partly",
        comment="",
        by_user=patient.user,
    )
    draft = agreements.agreement_draft_start(patient=patient, by_user=nurse.user)
    agreements.agreement_draft_save(
        patient=patient,
        version_id=draft.id,
        expected_lock=draft.lock_version,
        items=[agreements.ItemInput(kind="goal", text="Orka gå till affären.")],
        texts={},
        by_user=nurse.user,
    )
    db.session.commit()
    card = card_of(nurse_client, "Astrid Berg")
    assert "Kan inte komma " in card
    assert "Förslag till överenskommelse som du inte har godkänt" in card
    assert "Mitt kvitto: Nej på 1 fråga, Delvis på 1 fråga" in card
    assert "Nästa kontakt: " in card
    # What she must act on comes before what is only worth a talk.
    assert card.index("Kan inte komma") < card.index("Mitt kvitto")

    # She answers: moves the contact, agrees to her proposal; the patient changes her answer.
    followups.follow_up_cancel(
        patient=patient, follow_up_id=follow_up_id, reason="Vi hörs i telefon.", actor=nurse.user
    )
    draft = agreements.agreement_draft_find(patient=patient)
    agreements.agreement_consent(
        patient=patient,
        version_id=draft.id,
        expected_lock=draft.lock_version,
        as_patient=False,
        by_user=nurse.user,
    )
    receipt.receipt_answer_save(
        patient=patient, side="patient", question=2, answer="yes", comment="", by_user=patient.user
    )
    db.session.commit()
    card = card_of(nurse_client, "Astrid Berg")
    assert "Kan inte komma" not in card and "Nej på" not in card
    assert "Förslaget väntar på att patienten godkänner det" in card
    assert "Mitt kvitto: Delvis på 1 fråga" in card
    assert "Ingen planerad kontakt" in card

    draft = agreements.agreement_draft_find(patient=patient)
    agreements.agreement_consent(
        patient=patient,
        version_id=draft.id,
        expected_lock=draft.lock_version,
        as_patient=True,
        by_user=patient.user,
    )
    db.session.commit()
    assert "Förslag" not in card_of(nurse_client, "Astrid Berg")


def test_a_proposal_the_patient_agreed_to_waits_for_her(app, patient, nurse, nurse_client):
    agreement_agreed_by_both(
        patient=patient,
        care=nurse.user,
        items=[agreements.ItemInput(kind="goal", text="Orka gå till affären.")],
        consent_sides=(True,),
    )
    db.session.commit()
    assert "Patienten har godkänt förslaget. Nu väntar det på dig." in card_of(
        nurse_client, "Astrid Berg"
    )


def test_her_patients_wish_to_talk_and_to_be_called_reach_the_list_first(
    app, patient, patient_client, nurse, nurse_client
):
    from tests.test_agreement import make_draft
    from tests.test_agreement_proposal import post_talk
    from tests.test_receipt import STEP, make_agreed, post_call, post_step

    make_agreed(patient, nurse)
    book(patient, nurse, 5)
    calm = new_patient(nurse, "Bertil Calm")
    book(calm, nurse, 1)  # a nearer contact, but nothing to act on
    assert worklist(nurse_client)[0].startswith("Bertil Calm")

    post_step(patient_client, STEP.format(n=3), "no", "Jag hittar inte numret.")
    assert post_call(patient_client, 3, "yes").status_code == 303
    post_talk(patient_client, make_draft(patient, nurse))
    db.session.commit()

    first = worklist(nurse_client)[0]
    assert first.startswith("Astrid Berg")  # what she must act on comes first
    assert "Vill prata om förslaget först" in first
    assert "Mitt kvitto: vill att du ringer om 1 fråga, Nej på 1 fråga" in first


def test_who_needs_action_comes_first_then_the_nearest_contact(app, patient, nurse, nurse_client):
    book(patient, nurse, 30)
    later = new_patient(nurse, "Bo Ahl")
    book(later, nurse, 9)
    sooner = new_patient(nurse, "Cilla Dahl")
    book(sooner, nurse, 2)
    doubts = new_patient(nurse, "Dan Eng")
    book(doubts, nurse, 1)
    receipt.receipt_answer_save(
        patient=doubts, side="patient", question=1, answer="no", comment="", by_user=doubts.user
    )
    cannot = new_patient(nurse, "Ebba Falk")
    followups.follow_up_cannot_come(
        patient=cannot, follow_up_id=book(cannot, nurse, 20), reason="Sjuk"
    )
    db.session.commit()
    # Astrid (nothing waits, the latest contact) last; Ebba (cannot come) first, Dan next.
    names = [
        card.split(" Kan ")[0].split(" Mitt ")[0].split(" Nästa ")[0].split(" Ingen ")[0]
        for card in worklist(nurse_client)
    ]
    assert names == ["Ebba Falk", "Dan Eng", "Cilla Dahl", "Bo Ahl", "Astrid Berg"]
    html = nurse_client.get(WORKLIST).get_data(as_text=True)
    assert "2 patienter behöver dig nu." not in html and "1 patient behöver dig nu." in html


def test_her_list_is_her_patients_and_the_unit_one_link_away(
    app, patient, nurse, physician, other_unit_nurse
):
    followups.follow_up_cannot_come(
        patient=patient, follow_up_id=book(patient, nurse, 3), reason="Sjuk"
    )
    db.session.commit()
    colleague = app.test_client()
    register_with_invitation(colleague, physician.user)
    mine = colleague.get(f"{WORKLIST}?visa=mina").get_data(as_text=True)
    assert "Astrid Berg" not in mine and "Du är inte fast vårdkontakt för någon patient." in mine
    unit = colleague.get(f"{WORKLIST}?visa=alla").get_data(as_text=True)
    assert "Astrid Berg" in unit and "Kan inte komma" not in unit  # names, not their plans

    stranger = app.test_client()
    register_with_invitation(stranger, other_unit_nurse.user)
    for path in (WORKLIST, f"{WORKLIST}?visa=alla"):
        html = stranger.get(path).get_data(as_text=True)
        assert "Astrid Berg" not in html and "Kan inte komma" not in html, path


def reads_of(patient: Patient) -> list[str]:
    return list(
        db.session.scalars(
            select(AccessLogEntry.action)
            .where(AccessLogEntry.patient_id == patient.id)
            .order_by(AccessLogEntry.id)
        )
    )


def test_her_list_is_one_read_per_patient_in_their_logglista(app, patient, nurse, nurse_client):
    other = new_patient(nurse, "Bo Ahl")
    before = reads_of(patient), reads_of(other)
    nurse_client.get(WORKLIST)
    assert reads_of(patient) == [*before[0], Read.WORKLIST]
    assert reads_of(other) == [*before[1], Read.WORKLIST]
    nurse_client.get(f"{WORKLIST}?visa=alla")  # names only: nobody's plan was read
    assert reads_of(patient) == [*before[0], Read.WORKLIST]


# --- "Nytt sedan du tittade senast" stays until "Markera som sett" --------------------------


def test_news_stay_over_a_reload_until_she_marks_them_seen(
    app, patient, nurse, physician, nurse_client
):
    other = new_patient(nurse, "Bo Ahl")
    page = f"/vard/patienter/{patient.id}"
    first = nurse_client.get(page).get_data(as_text=True)  # her first look sets the line
    assert "Markera som sett" not in first
    nurse_client.get(f"/vard/patienter/{other.id}")
    for who in (patient, other):
        followups.follow_up_cannot_come(
            patient=who, follow_up_id=book(who, nurse, 3), reason="Bortrest"
        )
    db.session.commit()

    for _look in range(2):  # a reload does not put the news away
        html = nurse_client.get(page).get_data(as_text=True)
        assert "Nytt sedan du tittade senast" in html and "Markera som sett" in html
    # Without the form's token nothing moves.
    assert nurse_client.post(f"{page}/sett").status_code == 400
    assert "Nytt sedan du tittade senast" in nurse_client.get(page).get_data(as_text=True)

    mark_seen(nurse_client, patient.id)
    html = nurse_client.get(page).get_data(as_text=True)
    assert "Markerat som sett." in html
    assert "Nytt sedan du tittade senast" not in html and "Markera som sett" not in html
    assert "Kan inte komma" in html  # still there to act on, just no longer new
    # Per patient: Bo's news are still news.
    assert "Nytt sedan du tittade senast" in nurse_client.get(
        f"/vard/patienter/{other.id}"
    ).get_data(as_text=True)

    # Per staff member, and only the care contact has a line: the physician has none to move.
    colleague = app.test_client()
    register_with_invitation(colleague, physician.user)
    assert "Markera som sett" not in colleague.get(page).get_data(as_text=True)
    token = csrf_token(colleague, page)
    assert colleague.post(f"{page}/sett", data={"csrf_token": token}).status_code == 404


def test_a_sign_in_link_never_used_shows_until_the_patient_signs_in(
    app, patient, nurse, nurse_client
):
    page = f"/vard/patienter/{patient.id}"
    token = csrf_token(nurse_client, page)
    nurse_client.post(f"{page}/inbjudan", data={"csrf_token": token})
    assert "Har inte använt sin inloggningslänk. Den går ut " in card_of(
        nurse_client, "Astrid Berg"
    )

    invitation = db.session.scalar(select(Invitation).where(Invitation.user_id == patient.user_id))
    invitation.expires_at = now_utc() - timedelta(minutes=1)
    db.session.commit()
    card = card_of(nurse_client, "Astrid Berg")
    assert "Inloggningslänken gick ut utan att användas" in card
    assert "1 patient behöver dig nu." in nurse_client.get(WORKLIST).get_data(as_text=True)

    register_with_invitation(app.test_client(), patient.user)  # a new link, used at once
    assert "inloggningslänk" not in card_of(nurse_client, "Astrid Berg").lower()


def test_another_area_adds_a_kind_of_need_with_one_function(
    app, patient, nurse, nurse_client, monkeypatch
):
    """How the agreement's "vill prata" request joins the list: one function, one entry."""
    other = new_patient(nurse, "Bo Ahl")
    book(other, nurse, 2)
    book(patient, nurse, 1)  # Astrid's contact is sooner, but Bo wants to talk

    def wants_to_talk(patient_ids):
        return {
            patient_id: Need(
                Urgency.ACT, "Vill prata om förslaget", f"/vard/patienter/{patient_id}"
            )
            for patient_id in patient_ids
            if patient_id == other.id
        }

    monkeypatch.setattr(needs, "NEEDS_KINDS", (*needs.NEEDS_KINDS, wants_to_talk))
    cards = worklist(nurse_client)
    assert cards[0].startswith("Bo Ahl Vill prata om förslaget")
    assert cards[1].startswith("Astrid Berg Nästa kontakt")


def test_a_value_over_the_limit_comes_above_a_patient_who_cannot_come(
    app, patient, nurse, nurse_client
):
    """Who needs her most comes first: a patient getting worse before "kan inte komma",
    which comes before a new patient's first contact only when that is not promised."""
    from tests.test_selfcare_updates import flagged_update, own_update
    from webapp.selfcare.models import UpdateFeeling

    cannot = new_patient(nurse, "Anna Ahl")  # before Astrid by name
    followups.follow_up_cannot_come(
        patient=cannot, follow_up_id=book(cannot, nurse, 1), reason="Sjuk"
    )
    book(patient, nurse, 10)
    flagged_update(patient, value=80.0)
    own_update(patient, UpdateFeeling.WORSE, "andfådd, svullna fötter")
    waiting = new_patient(nurse, "Bo Berg")  # nothing booked yet
    db.session.commit()

    cards = worklist(nurse_client)
    assert [card.split(" ")[0] for card in cards] == ["Astrid", "Bo", "Anna"]
    assert "Utanför gränsen: " in cards[0]
    assert "Sämre: andfådd, svullna fötter" in cards[0]
    assert "Ny patient: väntar på första kontakten" in cards[1]
    assert cards[2].startswith("Anna Ahl Kan inte komma")
    book(waiting, nurse, 4)  # a first contact booked: her line goes
    db.session.commit()
    assert "Ny patient" not in card_of(nurse_client, "Bo Berg")
