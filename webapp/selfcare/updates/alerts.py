"""What a flagged update asks the reminder machinery (webapp/notify) to send: a push to each
of the patient's fixed contacts (care contact, physician) who asked for one on their
reminder settings. Queued in the caller's transaction, with the update itself, so a rolled
back check-in queues nothing (transactional outbox)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _

from webapp.clock import now_utc
from webapp.notify import outbox
from webapp.notify.message import Message
from webapp.notify.models import ReminderKind
from webapp.people.models import Patient, StaffMember
from webapp.selfcare.models import PatientUpdate

# The key's prefix: never one of outbox's sources, whose refresh withdraws their own prefix.
KEY_PREFIX = "upd"
INBOX_PATH = "/egenvard/inkorg"
# A flagged update that waited a day for its push is better found in the inbox itself.
ALERT_USEFUL_FOR = timedelta(days=1)


def _recipients(patient: Patient) -> list[StaffMember]:
    """The patient's fixed contacts still in service, each once."""
    found: dict[int, StaffMember] = {}
    for contact in (patient.care_contact, patient.physician):
        if contact is not None and contact.deactivated_at is None:
            found.setdefault(contact.id, contact)
    return list(found.values())


def flagged_update_alert(patient: Patient, update: PatientUpdate) -> None:
    """Push "an update needs to be seen" to the contacts who asked for it. The lock screen
    shows no name and no health detail; a tap opens the inbox, behind sign-in."""
    now = now_utc()
    for contact in _recipients(patient):
        if not outbox.settings_of(contact.user).flagged_update_alerts:
            continue
        with outbox.speaking_to(contact.user):
            alert = outbox.Wanted(
                key=f"{KEY_PREFIX}:{update.id}",
                kind=ReminderKind.FLAGGED_UPDATE,
                due_at=now,
                expires_at=now + ALERT_USEFUL_FOR,
                urgency="high",
                message=Message(
                    title=_("Nära"),
                    body=_("En patient har skickat en uppdatering som behöver ses"),
                    path=INBOX_PATH,
                    tag=f"uppdatering-{update.id}",
                    topic=f"upd{update.id}",
                ),
            )
        outbox.alert_now(contact.user, alert)
