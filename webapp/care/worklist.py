"""The care contact's worklist: her patients, each with what needs her and the next contact,
ordered by who needs her most.

First the patients getting worse (a value outside agreed limits, an update saying "Sämre"),
said in the patient's own words; then a new patient still waiting for the first contact
that was promised, or one whose fixed physician has left; then what she has to do ("kan
inte komma", proposals, Mitt kvitto); then what is only good to know.

The lines come from the kinds in `webapp.care.needs` and the worklist's own kinds below (one
query each, however many patients); the next contacts are one more query. So the list costs
the same few queries for three patients as for three hundred.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from webapp.care import needs as kinds
from webapp.care.needs import Need, Urgency, when_words
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.followups.details import local_zone
from webapp.followups.first_contact import first_contact_by
from webapp.followups.models import FollowUp, FollowUpStatus
from webapp.people.models import Patient, StaffMember, User
from webapp.selfcare.updates import services as selfcare_updates

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


# The patient's words beside a name: enough to know what it is about, not a whole letter.
WORDS_SHOWN = 120


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= WORDS_SHOWN else text[: WORDS_SHOWN - 1].rstrip() + "…"


def patient_updates(patient_ids: Sequence[int]) -> dict[int, list[Need]]:
    """Updates from the patient that nobody of care has handled (read) yet, in her words.

    A value outside an agreed limit and an update saying "Sämre" are each a line of their
    own ("Sämre: andfådd, svullna fötter"), so an alert handled before her own words came
    leaves them on the list until they are handled too. Other updates ("Bättre", "Som
    förut") are counted. One query."""
    needs: dict[int, list[Need]] = {}
    for patient_id, unseen in selfcare_updates.unseen_by_patient(patient_ids).items():
        lines = needs.setdefault(patient_id, [])

        def href(update_id: int, patient_id: int = patient_id) -> str:
            return url_for("selfcare.care_update", patient_id=patient_id, update_id=update_id)

        if limit := [update for update in unseen if update.flagged]:
            text = _("Utanför gränsen: %(what)s", what=_shortened(limit[0].words))
            if len(limit) > 1:
                text += " " + _("(%(num)d gånger)", num=len(limit))
            lines.append(Need(Urgency.URGENT, text, href(limit[0].id)))
        if worse := [update for update in unseen if update.worse and not update.flagged]:
            words = worse[0].words  # the newest
            text = (
                _("Sämre: %(words)s", words=_shortened(words))
                if words.strip()
                else _("Sämre (inga egna ord)")
            )
            if len(worse) > 1:
                text += " " + _("(%(num)d uppdateringar)", num=len(worse))
            lines.append(Need(Urgency.URGENT, text, href(worse[0].id)))
        if other := [update for update in unseen if not (update.flagged or update.worse)]:
            text = ngettext(
                "%(num)d ny uppdatering från patienten",
                "%(num)d nya uppdateringar från patienten",
                len(other),
            )
            lines.append(Need(Urgency.TALK, text, href(other[0].id)))
    return needs


def promises_open(patient_ids: Sequence[int]) -> dict[int, list[Need]]:
    """What a patient was promised and does not have yet (one query): a new patient's first
    contact (nothing booked yet; the line leads to booking it), and a fixed physician, when
    hers has left (her plan shows the unit's number until someone new is chosen)."""
    physician = aliased(StaffMember)
    doctor = aliased(User)
    rows = db.session.execute(
        select(
            Patient.id,
            Patient.created_at,
            ~exists().where(FollowUp.patient_id == Patient.id),
            doctor.name,
        )
        .outerjoin(
            physician,
            and_(physician.id == Patient.physician_id, physician.deactivated_at.is_not(None)),
        )
        .outerjoin(doctor, doctor.id == physician.user_id)
        .where(Patient.id.in_(patient_ids))
    )
    today = now_utc().astimezone(local_zone()).date()
    needs: dict[int, list[Need]] = {}
    for patient_id, created_at, nothing_booked, physician_gone in rows:
        lines = []
        if nothing_booked:
            promised = first_contact_by(created_at)
            when = format_date(promised, "EEE d MMMM")
            text = (
                _("Ny patient: väntar på första kontakten, utlovad senast %(when)s", when=when)
                if promised >= today
                else _("Ny patient: första kontakten skulle ha bokats senast %(when)s", when=when)
            )
            href = url_for("followups.staff_index", patient_id=patient_id)
            lines.append(Need(Urgency.FIRST_CONTACT, text, href))
        if physician_gone:
            text = _("Fast läkarkontakt %(name)s har slutat. Välj en ny.", name=physician_gone)
            href = url_for("careteam.contacts", patient_id=patient_id)
            lines.append(Need(Urgency.FIRST_CONTACT, text, href))
        if lines:
            needs[patient_id] = lines
    return needs


# The worklist's own kinds: each may give a patient several lines.
WORKLIST_KINDS = (patient_updates, promises_open)


def worklist_build(patients: Sequence[Patient]) -> list[WorklistRow]:
    """The patients with their needs, sorted by who needs her most, then by next contact."""
    ids = [patient.id for patient in patients]
    if not ids:
        return []
    answers = [kind(ids) for kind in kinds.NEEDS_KINDS]
    more = [kind(ids) for kind in WORKLIST_KINDS]
    upcoming = next_contacts(ids)
    rows = [
        WorklistRow(
            patient=patient,
            # sorted() is stable: equally urgent lines keep the order of the kinds.
            needs=sorted(
                [
                    *(answer[patient.id] for answer in answers if patient.id in answer),
                    *(need for answer in more for need in answer.get(patient.id, [])),
                ],
                key=lambda need: need.urgency,
            ),
            next_contact=upcoming.get(patient.id),
        )
        for patient in patients
    ]
    return sorted(rows, key=WorklistRow.sort_key)


def without_active_contact(patients: Sequence[Patient]) -> list[Patient]:
    """The unit's patients whose fixed care contact has left (or who have none): nobody has
    them on "Mina patienter", so the list names them for whoever can choose a new one."""
    return [
        patient
        for patient in patients
        if patient.care_contact is None or patient.care_contact.deactivated_at is not None
    ]
