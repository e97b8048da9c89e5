"""What the printout for the fridge carries besides the agreement: the next planned contact
and every phone number of the plan, so the paper alone says whom to call and when we meet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from webapp.careteam.services import care_parts_active
from webapp.clock import now_utc
from webapp.followups import services as followups
from webapp.followups.models import FollowUp
from webapp.people.models import Patient


@dataclass(frozen=True)
class Number:
    """One line of the paper's list of numbers: who answers, the number, when."""

    who: str
    phone: str
    hours: str


@dataclass(frozen=True)
class Printout:
    printed_at: datetime  # paper ages: it says when it was printed
    next_contact: FollowUp | None
    # Beyond the fixed care contact, 1177 and 112 (the page's "Vem ringer jag?" has those).
    more_numbers: list[Number]


def printout_for(patient: Patient) -> Printout:
    """Two queries (the follow-ups ahead, the other parts of care); the fixed contacts and
    their units come loaded with the patient."""
    contact = patient.care_contact
    numbers: list[Number] = []
    physician = patient.physician
    # Without a number of their own (or once they have left), the unit's answers.
    if physician and physician.phone and not physician.has_left:
        numbers.append(Number(physician.name, physician.phone, physician.phone_hours))
    unit = patient.care_unit
    # A care contact without a number of their own is reached through the unit's, which the
    # paper then already shows under "Vem ringer jag?".
    if unit.phone and not (contact and contact.reachable_phone == unit.phone):
        numbers.append(Number(unit.name, unit.phone, unit.phone_hours))
    for part in care_parts_active(patient):
        if part.phone:
            who = (
                f"{part.organisation}, {part.contact_name}"
                if part.contact_name
                else part.organisation
            )
            numbers.append(Number(who, part.phone, part.phone_hours))
    return Printout(
        printed_at=now_utc(),
        next_contact=followups.for_overview(patient).next,
        more_numbers=numbers,
    )
