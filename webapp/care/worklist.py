"""The care contact's worklist: her patients, each with what needs her and the next contact,
the ones she must act on first.

The lines come from the kinds in `webapp.care.needs` (one query each, however many
patients); the next contacts are one more query. So the list costs the same few queries
for three patients as for three hundred.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from webapp.care import needs as kinds
from webapp.care.needs import Need, Urgency, when_words
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.followups.models import FollowUp, FollowUpStatus
from webapp.people.models import Patient

NOTHING_WAITS = len(Urgency)  # sorts after every urgency
NO_CONTACT = datetime.max


@dataclass(frozen=True)
class WorklistRow:
    patient: Patient
    needs: list[Need]  # the most urgent first
    next_contact: FollowUp | None

    @property
    def acts(self) -> bool:
        return any(need.acts for need in self.needs)

    @property
    def next_contact_when(self) -> str:
        return when_words(self.next_contact.starts_at) if self.next_contact else ""

    def sort_key(self) -> tuple[int, datetime, str]:
        urgency = min((need.urgency for need in self.needs), default=NOTHING_WAITS)
        when = self.next_contact.starts_at.replace(tzinfo=None) if self.next_contact else None
        return (urgency, when or NO_CONTACT, self.patient.name)


def next_contacts(patient_ids: Sequence[int]) -> dict[int, FollowUp]:
    """Each patient's first planned contact from now on (one query)."""
    first = (
        select(FollowUp.patient_id, func.min(FollowUp.starts_at).label("starts_at"))
        .where(
            FollowUp.patient_id.in_(patient_ids),
            FollowUp.status == FollowUpStatus.PLANNED,
            FollowUp.starts_at >= now_utc(),
        )
        .group_by(FollowUp.patient_id)
        .subquery()
    )
    rows = db.session.scalars(
        select(FollowUp)
        .join(
            first,
            and_(
                FollowUp.patient_id == first.c.patient_id, FollowUp.starts_at == first.c.starts_at
            ),
        )
        .where(FollowUp.status == FollowUpStatus.PLANNED)
        .order_by(FollowUp.id)
    )
    found: dict[int, FollowUp] = {}
    for follow_up in rows:
        found.setdefault(follow_up.patient_id, follow_up)
    return found


def worklist_build(patients: Sequence[Patient]) -> list[WorklistRow]:
    """The patients with their needs, sorted: what needs action first, then by next contact."""
    ids = [patient.id for patient in patients]
    if not ids:
        return []
    answers = [kind(ids) for kind in kinds.NEEDS_KINDS]
    upcoming = next_contacts(ids)
    rows = [
        WorklistRow(
            patient=patient,
            # sorted() is stable: equally urgent lines keep the order of NEEDS_KINDS.
            needs=sorted(
                (answer[patient.id] for answer in answers if patient.id in answer),
                key=lambda need: need.urgency,
            ),
            next_contact=upcoming.get(patient.id),
        )
        for patient in patients
    ]
    return sorted(rows, key=WorklistRow.sort_key)
