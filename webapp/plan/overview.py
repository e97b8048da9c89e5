""" "Min plan": one screen that gathers every part of the patient contract.

Each area contributes `for_overview(patient)`, which must run a fixed, small number of queries
whatever the counts, so the page's query count stays flat (tests/test_overview_queries.py).
The same overview serves the patient's home and the care contact's view of the patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from webapp.agreement import services as agreement
from webapp.careteam import services as careteam
from webapp.followups import services as followups
from webapp.followups.first_contact import waiting_for_first_contact
from webapp.people.models import Patient
from webapp.receipt import services as receipt
from webapp.relatives import overview as relatives
from webapp.selfcare import overview as selfcare
from webapp.selfcare.updates.services import answers_unread
from webapp.whatmatters import services as whatmatters


@dataclass(frozen=True)
class Overview:
    patient: Patient
    what_matters: Any
    agreement: Any
    follow_ups: Any
    receipt: Any
    care_team: Any
    self_care: Any
    relatives: Any
    answers: Any = ()  # updates care answered that the patient has not read yet
    # The last day of the first contact a new patient was promised, until one is booked.
    first_contact_by: date | None = None

    @property
    def first_time(self) -> bool:
        """A new patient: nothing agreed or proposed, nothing written of what matters. Her
        plan is made from here, so she is shown where to start instead of empty parts."""
        return not self.what_matters.active and self.agreement.shown is None


def overview_build(patient: Patient, *, own: bool = False) -> Overview:
    """`own`: the patient's own plan, which also says when care has answered her."""
    agreed = agreement.for_overview(patient)
    follow_ups = followups.for_overview(patient)
    # Only the patient's own plan says it, and only one with nothing ahead can be waiting for
    # its first contact: then one more query.
    waiting = follow_ups.upcoming or follow_ups.unseen_changes or not own
    first_contact_by = None if waiting else waiting_for_first_contact([patient.id]).get(patient.id)
    return Overview(
        patient=patient,
        what_matters=whatmatters.for_overview(patient),
        agreement=agreed,
        follow_ups=follow_ups,
        receipt=receipt.for_overview(patient, agreed),
        care_team=careteam.for_overview(patient),
        self_care=selfcare.for_overview(patient),
        relatives=relatives.for_overview(patient, agreed.agreed),
        answers=answers_unread(patient) if own else (),
        first_contact_by=first_contact_by,
    )
