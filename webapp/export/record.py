"""Everything of one patient's plan that leaves Nära, read once through each area's services:
what the FHIR Bundle and the readable copy are both made from. The check-ins, which can be
thousands, come as plain rows.

A part of the plan is one field here and one function in `fhir.py`'s PARTS (relatives and
their grants came last that way)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from webapp.agreement import services as agreements
from webapp.agreement.models import AgreementVersion
from webapp.careteam.models import CarePart
from webapp.careteam.services import care_parts_active
from webapp.clock import now_utc
from webapp.followups import services as followups
from webapp.followups.models import FollowUp
from webapp.people.models import Patient, User
from webapp.people.services import users_by_id
from webapp.receipt.models import ReceiptAnswer
from webapp.receipt.services import receipt_current
from webapp.relatives.models import ProxyGrant
from webapp.relatives.services import grants_of_patient
from webapp.selfcare.checkins.rows import CheckInRow, check_in_rows_of
from webapp.selfcare.goals.services import goals_all_of
from webapp.selfcare.models import PatientUpdate, SelfCareGoal
from webapp.selfcare.updates.services import updates_all_of
from webapp.whatmatters.models import WhatMattersStatement
from webapp.whatmatters.services import whatmatters_list

__all__ = ["CheckInRow", "PatientRecord", "record_of"]


@dataclass(frozen=True)
class PatientRecord:
    patient: Patient  # with her unit and fixed contacts loaded (the door's load)
    made_at: datetime
    what_matters: list[WhatMattersStatement]  # active in her order, then removed ones
    versions: list[AgreementVersion]  # oldest first, with items
    care_parts: list[CarePart]
    follow_ups: list[FollowUp]  # in time order, moved and cancelled ones included
    receipt: dict[tuple[str, int], ReceiptAnswer]  # the current answer per side and question
    goals: list[SelfCareGoal]  # active and removed ones, with limits and their staff
    check_ins: list[CheckInRow]  # by goal, then time; removed ones too
    updates: list[PatientUpdate]  # oldest first, with who read and answered them
    users: dict[int, User]  # everyone named by a user id above, with their staff row
    grants: list[ProxyGrant]  # every relative she has given access, those that hold first


def _user_ids(
    versions: list[AgreementVersion],
    what_matters: list[WhatMattersStatement],
    receipt: dict[tuple[str, int], ReceiptAnswer],
    check_ins: list[CheckInRow],
    updates: list[PatientUpdate],
) -> set[int]:
    ids = {statement.created_by_user_id for statement in what_matters}
    for version in versions:
        ids.add(version.created_by_user_id)
        ids.update(
            user_id
            for user_id in (version.patient_consent_by_user_id, version.care_consent_by_user_id)
            if user_id is not None
        )
    ids.update(answer.answered_by_user_id for answer in receipt.values())
    ids.update(row.logged_by_user_id for row in check_ins)
    ids.update(update.created_by_user_id for update in updates)
    return ids


def record_of(patient: Patient) -> PatientRecord:
    """The whole plan of `patient`, in a fixed number of queries whatever its size."""
    listed = whatmatters_list(patient=patient)
    what_matters = [*listed.active, *reversed(listed.archived)]
    versions = sorted(agreements.agreement_versions(patient=patient), key=lambda v: v.number)
    planned = followups.follow_ups_list(patient=patient)
    follow_ups = sorted([*planned.upcoming, *planned.past], key=lambda f: (f.starts_at, f.id))
    receipt = receipt_current(patient_id=patient.id)
    check_ins = check_in_rows_of(patient_id=patient.id)
    updates = updates_all_of(patient_id=patient.id)
    ids = _user_ids(versions, what_matters, receipt, check_ins, updates) | {patient.user_id}
    return PatientRecord(
        patient=patient,
        made_at=now_utc(),
        what_matters=what_matters,
        versions=versions,
        care_parts=care_parts_active(patient),
        follow_ups=follow_ups,
        receipt=receipt,
        goals=goals_all_of(patient_id=patient.id),
        check_ins=check_ins,
        updates=updates,
        users=users_by_id(ids),
        grants=grants_of_patient(patient.id),
    )
