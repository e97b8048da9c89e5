"""Everything of one patient's plan that leaves Nära, read once: what the FHIR Bundle and the
readable copy are both made from. The other areas are read through their services; the
check-ins, which can be thousands, as plain rows in one query.

A part added later (relatives and their grants) is one more field here and one more function
in `fhir.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from webapp.agreement import services as agreements
from webapp.agreement.models import AgreementVersion
from webapp.careteam.models import CarePart
from webapp.careteam.services import care_parts_active
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.followups import services as followups
from webapp.followups.models import FollowUp
from webapp.people.models import Patient, StaffMember, User
from webapp.receipt.models import ReceiptAnswer
from webapp.receipt.services import receipt_current
from webapp.selfcare.models import CheckIn as CheckInModel
from webapp.selfcare.models import PatientUpdate, SelfCareGoal
from webapp.whatmatters.models import WhatMattersStatement
from webapp.whatmatters.services import whatmatters_list


@dataclass(frozen=True)
class CheckInRow:
    """One check-in as plain values (no ORM object: two years of them must stay cheap)."""

    id: int
    goal_id: int
    taken_at: datetime
    done: bool | None
    value: float | None
    value2: float | None
    note: str
    outside_limits: bool
    logged_by_user_id: int
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None


@dataclass(frozen=True)
class PatientRecord:
    patient: Patient  # with her unit and fixed contacts loaded (the door's load)
    made_at: datetime
    what_matters: list[WhatMattersStatement]  # active in her order, then archived ones
    versions: list[AgreementVersion]  # oldest first, with items
    care_parts: list[CarePart]
    follow_ups: list[FollowUp]  # in time order, moved and cancelled ones included
    receipt: dict[tuple[str, int], ReceiptAnswer]  # the current answer per side and question
    goals: list[SelfCareGoal]  # active and removed ones, with limits and their staff
    check_ins: list[CheckInRow]  # by goal, then time
    updates: list[PatientUpdate]  # oldest first, with who read and answered them
    users: dict[int, User]  # everyone named by a user id above, with their staff row


def self_care_goals(patient_id: int) -> list[SelfCareGoal]:
    return list(
        db.session.scalars(
            select(SelfCareGoal)
            .where(SelfCareGoal.patient_id == patient_id)
            .options(
                selectinload(SelfCareGoal.limits),
                joinedload(SelfCareGoal.agreed_by).joinedload(StaffMember.user),
                joinedload(SelfCareGoal.assessed_by).joinedload(StaffMember.user),
            )
            .order_by(SelfCareGoal.id)
        ).unique()
    )


def _check_ins(patient_id: int) -> list[CheckInRow]:
    c = CheckInModel
    rows = db.session.execute(
        select(
            c.id,
            c.goal_id,
            c.taken_at,
            c.done,
            c.value,
            c.value2,
            c.note,
            c.outside_limits,
            c.logged_by_user_id,
            c.created_at,
            c.edited_at,
            c.deleted_at,
        )
        .where(c.patient_id == patient_id)
        .order_by(c.goal_id, c.taken_at, c.id)
    )
    return [CheckInRow(**row._mapping) for row in rows]


def _updates(patient_id: int) -> list[PatientUpdate]:
    return list(
        db.session.scalars(
            select(PatientUpdate)
            .where(PatientUpdate.patient_id == patient_id)
            .options(
                joinedload(PatientUpdate.seen_by).joinedload(StaffMember.user),
                joinedload(PatientUpdate.answered_by).joinedload(StaffMember.user),
            )
            .order_by(PatientUpdate.created_at, PatientUpdate.id)
        )
    )


def users_by_id(ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    found = db.session.scalars(
        select(User)
        .where(User.id.in_(ids))
        .options(joinedload(User.staff).joinedload(StaffMember.care_unit))
    )
    return {user.id: user for user in found}


def _user_ids(
    versions: list[AgreementVersion],
    what_matters: list[WhatMattersStatement],
    receipt: dict[tuple[str, int], ReceiptAnswer],
    check_ins: list[CheckInRow],
    updates: list[PatientUpdate],
    follow_ups: list[FollowUp],
) -> set[int]:
    ids: set[int] = set()
    for version in versions:
        ids.update(
            user_id
            for user_id in (
                version.created_by_user_id,
                version.patient_consent_by_user_id,
                version.care_consent_by_user_id,
            )
            if user_id is not None
        )
    ids.update(statement.created_by_user_id for statement in what_matters)
    ids.update(answer.answered_by_user_id for answer in receipt.values())
    ids.update(row.logged_by_user_id for row in check_ins)
    ids.update(update.created_by_user_id for update in updates)
    ids.update(follow_up.created_by_user_id for follow_up in follow_ups)
    return ids


def record_of(patient: Patient) -> PatientRecord:
    """The whole plan of `patient`, in a fixed number of queries whatever its size."""
    listed = whatmatters_list(patient=patient)
    what_matters = [*listed.active, *reversed(listed.archived)]
    versions = sorted(agreements.agreement_versions(patient=patient), key=lambda v: v.number)
    planned = followups.follow_ups_list(patient=patient)
    follow_ups = sorted([*planned.upcoming, *planned.past], key=lambda f: (f.starts_at, f.id))
    receipt = receipt_current(patient_id=patient.id)
    check_ins = _check_ins(patient.id)
    updates = _updates(patient.id)
    ids = _user_ids(versions, what_matters, receipt, check_ins, updates, follow_ups)
    ids.add(patient.user_id)
    return PatientRecord(
        patient=patient,
        made_at=now_utc(),
        what_matters=what_matters,
        versions=versions,
        care_parts=care_parts_active(patient),
        follow_ups=follow_ups,
        receipt=receipt,
        goals=self_care_goals(patient.id),
        check_ins=check_ins,
        updates=updates,
        users=users_by_id(ids),
    )
