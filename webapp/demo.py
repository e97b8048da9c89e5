"""A lived-in plan for the demo patient, made through the same services the pages use.

`flask demo load` calls this so that `make run` shows the product with something in it:
what matters to Astrid, an agreement both sides said yes to, two follow-ups and the home
care service as a second part of care. Nothing is added twice.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from webapp.agreement import services as agreement
from webapp.agreement.models import AgreementVersion, ItemKind, Responsible
from webapp.careteam import services as careteam
from webapp.careteam.models import CarePartKind
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.followups.details import FollowUpInput, local_zone
from webapp.followups.models import FollowUpCaller, FollowUpKind
from webapp.people.models import Patient, StaffMember, User
from webapp.whatmatters import services as whatmatters
from webapp.whatmatters.models import WhatMattersStatement

WHAT_MATTERS = (
    "Att kunna gå till affären själv.",
    "Att träffa barnbarnen på söndagarna.",
    "Att slippa åka in akut till sjukhuset.",
)


def demo_plan_load(*, patient: Patient, nurse: StaffMember) -> bool:
    """Give the patient a plan unless they already have one. True when something was added."""
    already = db.session.scalar(
        select(func.count())
        .select_from(WhatMattersStatement)
        .where(WhatMattersStatement.patient_id == patient.id)
    )
    if already:
        return False
    statements = [
        whatmatters.whatmatters_add(patient=patient, text=text, actor=patient.user)
        for text in WHAT_MATTERS
    ]
    _agreement(patient, nurse, statements)
    _follow_ups(patient, nurse)
    careteam.care_part_add(
        patient=patient,
        actor=nurse.user,
        organisation="Hemtjänsten Solberga",
        kind=CarePartKind.MUNICIPAL_HOME_CARE,
        role_text="Hjälper till med dusch och inköp två gånger i veckan.",
        contact_name="Sara Nyström",
        phone="08-555 123 00",
        phone_hours="Alla dagar 7–21",
    )
    return True


def agreement_agreed_by_both(
    *,
    patient: Patient,
    care: User,
    items: list[agreement.ItemInput],
    texts: dict[str, str] | None = None,
    consent_sides: tuple[bool, ...] = (True, False),
) -> AgreementVersion:
    """A new version drafted by `care` and consented on both sides (or only those in
    `consent_sides`: True is the patient), as the two would do on their own phones."""
    draft = agreement.agreement_draft_start(patient=patient, by_user=care)
    draft = agreement.agreement_draft_save(
        patient=patient,
        version_id=draft.id,
        expected_lock=draft.lock_version,
        items=items,
        texts=texts or {},
        by_user=care,
    )
    for as_patient in consent_sides:
        draft = agreement.agreement_consent(
            patient=patient,
            version_id=draft.id,
            expected_lock=draft.lock_version,
            as_patient=as_patient,
            by_user=patient.user if as_patient else care,
        )
    return draft


def _agreement(
    patient: Patient, nurse: StaffMember, statements: list[WhatMattersStatement]
) -> None:
    walk, family, hospital = (statement.id for statement in statements)
    items = [
        agreement.ItemInput(
            kind=ItemKind.GOAL, text="Orka gå till affären och hem igen.", what_matters_id=walk
        ),
        agreement.ItemInput(
            kind=ItemKind.ACTION,
            text="Promenera en kvart varje dag.",
            responsible=Responsible.PATIENT,
            what_matters_id=walk,
        ),
        agreement.ItemInput(
            kind=ItemKind.ACTION,
            text="Följa med på promenaden på söndagar.",
            responsible=Responsible.RELATIVE,
            responsible_name="Dottern Eva",
            what_matters_id=family,
        ),
        agreement.ItemInput(
            kind=ItemKind.ACTION,
            text="Ringa och fråga hur det går varannan vecka.",
            responsible=Responsible.CARE_CONTACT,
            what_matters_id=hospital,
        ),
    ]
    texts = {
        "self_care_text": "Jag väger mig varje morgon och tar vattendrivande som ordinerat.",
        "warning_signs_text": "Jag går upp mer än två kilo på tre dagar, eller blir andfådd.",
        "when_worse_text": "Jag ringer Karin på vårdcentralen. Kvällar och helger ringer jag 1177.",
    }
    agreement_agreed_by_both(patient=patient, care=nurse.user, items=items, texts=texts)


def _follow_ups(patient: Patient, nurse: StaffMember) -> None:
    zone = local_zone()
    today = now_utc().astimezone(zone).date()
    bookings = (
        (timedelta(days=9), "09:30", FollowUpKind.PHONE, "Hur går promenaderna?", ""),
        (
            timedelta(days=30),
            "10:00",
            FollowUpKind.VISIT,
            "Uppföljning av hjärtsviktsbehandlingen.",
            "Ta med vågens anteckningar och dina mediciner.",
        ),
    )
    for ahead, clock, kind, purpose, preparation in bookings:
        followups.follow_up_book(
            patient=patient,
            details=FollowUpInput(
                date=(today + ahead).isoformat(),
                time=clock,
                duration_minutes="30",
                kind=kind,
                caller=FollowUpCaller.CARE if kind == FollowUpKind.PHONE else "",
                with_whom=nurse.user.name,
                place="Vårdcentralen Nära, Storgatan 1" if kind == FollowUpKind.VISIT else "",
                purpose=purpose,
                preparation=preparation,
            ),
            actor=nurse.user,
        )
