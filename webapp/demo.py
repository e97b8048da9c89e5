"""A lived-in plan for the demo patient, made through the same services the pages use.

`flask demo load` calls this so that `make run` shows the product with something in it:
what matters to Astrid, an agreement both sides said yes to, two follow-ups, the home
care service as a second part of care, and self-care with three weeks logged. Nothing is
added twice.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

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
from webapp.selfcare.goals import services as selfcare_goals
from webapp.selfcare.goals.validation import GoalInput, LimitInput
from webapp.selfcare.models import CheckIn
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
    _self_care(patient, nurse)
    return True


def _self_care(patient: Patient, nurse: StaffMember) -> None:
    """Weighing every morning and home exercises three times a day, assessed by the nurse,
    and Astrid's own goal of steps, with three weeks of check-ins (made directly: the check-in
    screens have their own demo in use)."""
    zone = local_zone()
    today = now_utc().astimezone(zone).date()
    weight = selfcare_goals.goal_create(
        patient=patient,
        details=GoalInput(
            title="Väga mig varje morgon",
            measure="number",
            unit="kg",
            reminder_times="08:00",
            template="vikt-hjartsvikt",
            kind="assessed",
            assessed_on=(today - timedelta(days=21)).isoformat(),
            review_on=(today + timedelta(days=160)).isoformat(),
            limits=(
                LimitInput(
                    kind="rise",
                    value="2",
                    window_days="3",
                    advice=(
                        "Ring Karin på vårdcentralen i dag. Om du har svårt att andas: ring 112."
                    ),
                ),
            ),
        ),
        actor=nurse.user,
    )
    exercises = selfcare_goals.goal_create(
        patient=patient,
        details=GoalInput(
            title="Göra mina knäövningar",
            measure="done",
            frequency="times_a_day",
            times_per_day="3",
            reminder_times="09:00, 13:00, 18:00",
            template="hemovningar",
            kind="assessed",
            assessed_on=(today - timedelta(days=21)).isoformat(),
            review_on=(today + timedelta(days=70)).isoformat(),
            performer="relative",
            performer_name="Dottern Eva",
        ),
        actor=nurse.user,
    )
    steps = selfcare_goals.goal_create(
        patient=patient,
        details=GoalInput(
            title="Gå minst 3 000 steg om dagen",
            measure="number",
            unit="steps",
            target_min="3000",
        ),
        actor=patient.user,
    )
    rows = []
    for back in range(21, 0, -1):
        day = today - timedelta(days=back)

        def at(hour: int, minute: int = 0, day: date = day) -> datetime:
            return datetime.combine(day, time(hour, minute), tzinfo=zone)

        rows.append((weight, at(7, 40), {"value": 71.0 + (back % 5) * 0.3}))
        for n, hour in enumerate((9, 13, 18)):
            if (back + n) % 4:  # now and then one is missed
                rows.append((exercises, at(hour, 15), {"done": True}))
        if back % 3:
            rows.append((steps, at(19), {"value": 2500 + (back * 397) % 2500}))
    rows.append((weight, datetime.combine(today, time(7, 40), tzinfo=zone), {"value": 71.6}))
    for goal, taken_at, values in rows:
        if taken_at > now_utc():
            continue
        db.session.add(
            CheckIn(
                client_uuid=str(uuid.uuid4()),
                goal_id=goal.id,
                patient_id=patient.id,
                taken_at=taken_at,
                logged_by_user_id=patient.user_id,
                **values,
            )
        )
    db.session.flush()


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
