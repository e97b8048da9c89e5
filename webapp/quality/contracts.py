"""Who needs a contract: the unit's patients by what their contract is missing, with counts,
so the care contacts can work the list (Region Jönköping's "checklist" use of the contract).

Kept apart from the care contact's worklist (webapp/care/worklist.py), which sorts her own
patients by what is urgent today; this list is about the contract's parts. Each kind is one
query over the patients listed, through the area's own service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l

from webapp.agreement import services as agreements
from webapp.followups import services as followups
from webapp.people.models import Patient
from webapp.receipt import services as receipts


class Missing(StrEnum):
    CARE_CONTACT = "vardkontakt"
    AGREEMENT = "overenskommelse"
    NOT_AGREED = "godkannande"
    NEXT_CONTACT = "nasta-kontakt"
    RECEIPT_NO = "nej-i-kvittot"


MISSING_WORDS = {
    Missing.CARE_CONTACT: _l("Ingen fast vårdkontakt"),
    Missing.AGREEMENT: _l("Ingen överenskommelse"),
    Missing.NOT_AGREED: _l("Överenskommelsen är inte godkänd av båda"),
    Missing.NEXT_CONTACT: _l("Ingen nästa kontakt bokad"),
    Missing.RECEIPT_NO: _l("Nej i Mitt kvitto"),
}


@dataclass(frozen=True)
class NeedsRow:
    patient: Patient
    missing: tuple[Missing, ...]


@dataclass(frozen=True)
class ContractNeeds:
    rows: list[NeedsRow]  # every patient missing something, by name
    counts: dict[Missing, int]

    def of_kind(self, kind: Missing | None) -> list[NeedsRow]:
        return [row for row in self.rows if kind is None or kind in row.missing]


def contract_needs(patients: Sequence[Patient], *, care_unit_id: int) -> ContractNeeds:
    """What each of these patients (all at the unit) is missing. Four queries however many:
    the agreed agreements, the proposals, the planned contacts, the current receipts."""
    ids = [patient.id for patient in patients]
    agreed = agreements.agreed_patient_ids(care_unit_id=care_unit_id) if ids else set()
    proposals = agreements.proposals_by_patient(ids) if ids else {}
    planned = followups.patients_with_planned_contact(ids)
    doubts = receipts.attention_by_patient(ids)
    rows = []
    counts = dict.fromkeys(Missing, 0)
    for patient in patients:
        missing = []
        contact = patient.care_contact
        if contact is None or contact.deactivated_at is not None or contact.is_quality_lead:
            missing.append(Missing.CARE_CONTACT)
        if patient.id not in agreed:
            missing.append(Missing.NOT_AGREED if patient.id in proposals else Missing.AGREEMENT)
        if patient.id not in planned:
            missing.append(Missing.NEXT_CONTACT)
        if patient.id in doubts and doubts[patient.id].no:
            missing.append(Missing.RECEIPT_NO)
        for kind in missing:
            counts[kind] += 1
        if missing:
            rows.append(NeedsRow(patient, tuple(missing)))
    return ContractNeeds(rows=rows, counts=counts)
