"""What Överenskommen tid asks the reminder machinery (webapp/notify) to send: a reminder of
each planned follow-up to the patient, and, to a care contact who asked for it, a push when a
patient answers "Jag kan inte komma". The services call these in their own transaction."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from webapp.clock import now_utc
from webapp.extensions import db
from webapp.followups.models import FollowUp, FollowUpKind, FollowUpStatus
from webapp.notify import outbox
from webapp.notify.message import Message, when_words
from webapp.notify.models import ReminderKind
from webapp.notify.schedule import Timing, follow_up_times
from webapp.people.models import Patient, User
from webapp.relatives import reminding

SOURCE = "fu"
# A "cannot come" alert that has waited a day is old news.
ALERT_USEFUL_FOR = timedelta(days=1)


def _what(follow_up: FollowUp) -> str:
    """The kind of contact, in words that are safe on a lock screen."""
    words: dict[FollowUpKind, str] = {
        FollowUpKind.VISIT: _("Du har en tid hos vården"),
        FollowUpKind.PHONE: _("Du har ett telefonsamtal med vården"),
        FollowUpKind.VIDEO: _("Du har ett videosamtal med vården"),
        FollowUpKind.LAB: _("Du har en tid för provtagning"),
        FollowUpKind.HOME_VISIT: _("Du får ett hembesök av vården"),
    }
    try:
        return words[FollowUpKind(follow_up.kind)]
    except ValueError:
        return str(_("Du har en planerad kontakt med vården"))


def _planned_ahead(patient: Patient) -> list[FollowUp]:
    return list(
        db.session.scalars(
            select(FollowUp).where(
                FollowUp.patient_id == patient.id,
                FollowUp.status == FollowUpStatus.PLANNED,
                FollowUp.starts_at > now_utc(),
            )
        )
    )


@outbox.reminder_source(SOURCE)
def follow_up_reminders(user: User, timing: Timing) -> list[outbox.Wanted]:
    """The patient's reminders of every follow-up still ahead, and those of each patient
    whose reminders this person gets as a relative."""
    wanted = _reminders_of(user.patient, timing) if user.patient is not None else []
    return wanted + reminding.as_relative(
        user, SOURCE, lambda patient: _reminders_of(patient, timing)
    )


def _reminders_of(patient: Patient, timing: Timing) -> list[outbox.Wanted]:
    wanted = []
    for follow_up in _planned_ahead(patient):
        for occurrence in follow_up_times(follow_up.starts_at, timing, now_utc()):
            when = when_words(follow_up.starts_at, occurrence.due_at, timing.zone)
            wanted.append(
                outbox.Wanted(
                    key=f"{SOURCE}:{follow_up.id}:{occurrence.rule}",
                    kind=ReminderKind.FOLLOW_UP,
                    due_at=occurrence.due_at,
                    expires_at=follow_up.starts_at,
                    follow_up_id=follow_up.id,
                    message=Message(
                        title=_("Påminnelse från Nära"),
                        body=f"{_what(follow_up)} {when}.",
                        path=f"/uppfoljning/#kontakt-{follow_up.id}",
                        tag=f"kontakt-{follow_up.id}",
                        topic=f"fu{follow_up.id}-{occurrence.rule}",
                    ),
                )
            )
    return wanted


def follow_up_reminders_refresh(patient: Patient) -> None:
    """After a follow-up of this patient was booked, moved or cancelled."""
    outbox.reminders_refresh([patient.user, *reminding.reminded_of(patient)], SOURCE)


def cannot_come_alert(patient: Patient, follow_up: FollowUp) -> None:
    """Tell the care contact, if they asked to be told. The lock screen names no patient."""
    contact = patient.care_contact
    if contact is None or contact.deactivated_at is not None:
        return
    if not outbox.settings_of(contact.user).cannot_come_alerts:
        return
    now = now_utc()
    with outbox.speaking_to(contact.user):
        alert = outbox.Wanted(
            key=f"cc:{follow_up.id}",
            kind=ReminderKind.CANNOT_COME,
            due_at=now,
            expires_at=now + ALERT_USEFUL_FOR,
            follow_up_id=follow_up.id,
            urgency="high",
            message=Message(
                title=_("Nära"),
                body=_("Ett nytt svar från en patient"),
                path=f"/vard/patienter/{patient.id}",
                tag=f"svar-{follow_up.id}",
                topic=f"cc{follow_up.id}",
            ),
        )
    outbox.alert_now(contact.user, alert)
