"""The care contact's inbox of patients' updates, across the patients she may see.

"Mina patienter" (those she is fixed care contact or physician for) by default, the unit's
one link away, as on the worklist. Unread updates come first, flagged ones (a check-in outside
an agreed limit) before the rest, then the newest; below them the ones read lately. A row
says no more than the worklist does: the name and a short line (flagged, or how it goes, and
when), never what the patient wrote. One query for the updates, however many patients and
updates there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import joinedload

from webapp.clock import now_utc
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember
from webapp.relatives.services import labels_for
from webapp.selfcare.models import FEELING_WORDS, PatientUpdate, UpdateFeeling

# Read updates stay in the inbox this long: what was handled lately, not an archive.
READ_KEPT = timedelta(days=14)
# However many updates wait, the page lists at most this many (the rest say how many more).
INBOX_MAX = 200


def is_mine(patient: Patient, staff: StaffMember) -> bool:
    """A patient whose updates are hers to answer: she is their fixed contact."""
    return staff.id in (patient.care_contact_id, patient.physician_id)


@dataclass(frozen=True)
class InboxRow:
    update: PatientUpdate
    patient: Patient
    sent_by: str = ""  # a relative who sent it for the patient ("Eva (dotter)"), else ""

    @property
    def unseen(self) -> bool:
        return self.update.seen_at is None

    @property
    def line(self) -> str:
        """What kind of update, in a few words that name no health detail beyond the kind."""
        update = self.update
        if update.flagged:
            words: str = _("Utanför en överenskommen gräns")
            return words
        try:
            feeling = str(FEELING_WORDS[UpdateFeeling(update.feeling or "")])
        except ValueError:
            feeling = ""
        return str(_("Mår: %(feeling)s", feeling=feeling.lower())) if feeling else ""

    @property
    def when(self) -> str:
        """ "lör 28 november kl. 10.15", as the worklist says it (webapp.care.needs, which
        imports this area's models, so this module cannot import it back)."""
        moment = self.update.created_at
        words: str = _(
            "%(date)s kl. %(time)s",
            date=format_datetime(moment, "EEE d MMMM"),
            time=format_datetime(moment, "HH.mm"),
        )
        return words

    def sort_key(self) -> tuple[bool, bool, float]:
        created: datetime = self.update.created_at
        return (not self.unseen, not (self.unseen and self.update.flagged), -created.timestamp())


@dataclass(frozen=True)
class Inbox:
    unseen: list[InboxRow]  # flagged first, then the newest
    seen: list[InboxRow]  # read lately, newest first
    more: bool  # more than INBOX_MAX: the oldest are not listed

    @property
    def patients(self) -> list[Patient]:
        """Each patient listed, once: whose updates this page showed a line of."""
        found: dict[int, Patient] = {}
        for row in (*self.unseen, *self.seen):
            found.setdefault(row.patient.id, row.patient)
        return list(found.values())


def inbox_build(patients: Sequence[Patient]) -> Inbox:
    """The updates of these patients: every unread one, and those read in the last
    `READ_KEPT`. One query (who read each one comes with it)."""
    by_id = {patient.id: patient for patient in patients}
    if not by_id:
        return Inbox(unseen=[], seen=[], more=False)
    rows = list(
        db.session.scalars(
            select(PatientUpdate)
            .where(
                PatientUpdate.patient_id.in_(by_id),
                or_(
                    PatientUpdate.seen_at.is_(None),
                    PatientUpdate.seen_at >= now_utc() - READ_KEPT,
                ),
            )
            .options(joinedload(PatientUpdate.seen_by).joinedload(StaffMember.user))
            # Unread first, flagged first among them, newest first: the page's own order, so
            # that the limit drops the oldest read ones, never an unread flagged one.
            .order_by(
                PatientUpdate.seen_at.is_not(None),
                case((and_(PatientUpdate.seen_at.is_(None), PatientUpdate.flagged), 0), else_=1),
                PatientUpdate.created_at.desc(),
                PatientUpdate.id.desc(),
            )
            .limit(INBOX_MAX + 1)
        )
    )
    more, rows = len(rows) > INBOX_MAX, rows[:INBOX_MAX]
    # An update a relative sent for the patient says so: one query, only when there is one.
    senders = labels_for(
        (row.patient_id, row.created_by_user_id)
        for row in rows
        if row.created_by_user_id != by_id[row.patient_id].user_id
    )
    listed = sorted(
        (
            InboxRow(
                update=row,
                patient=by_id[row.patient_id],
                sent_by=senders.get((row.patient_id, row.created_by_user_id), ""),
            )
            for row in rows
        ),
        key=InboxRow.sort_key,
    )
    return Inbox(
        unseen=[row for row in listed if row.unseen],
        seen=[row for row in listed if not row.unseen],
        more=more,
    )
