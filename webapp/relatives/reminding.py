"""Reminders to a relative who may get the patient's reminders (`Scope.REMINDERS`).

The areas that send reminders (follow-ups, self-care) ask here whom else to remind and how:
each relative's own devices get the patient's reminders, with words that name neither the
patient nor anything about her health, and a tap that opens her page as the relative acting
for her. When a grant starts, changes, ends or runs out, the relative's queue is written
again, so the reminders for that patient stop with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import time, timedelta
from urllib.parse import quote

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.followups.details import local_zone
from webapp.notify import outbox
from webapp.notify.message import Message
from webapp.notify.schedule import wall_clock
from webapp.people.models import Patient, User
from webapp.relatives.acting import holds_today
from webapp.relatives.models import ProxyGrant, Scope


def _holding() -> ColumnElement[bool]:
    return and_(holds_today(), ProxyGrant.accepted_at.is_not(None))


def reminded_for(user: User) -> list[ProxyGrant]:
    """The grants by which this account gets someone's reminders, with the patient loaded."""
    grants = db.session.scalars(
        select(ProxyGrant)
        .options(joinedload(ProxyGrant.patient).joinedload(Patient.user))
        .where(ProxyGrant.relative_user_id == user.id, _holding())
        .order_by(ProxyGrant.id)
    )
    return [grant for grant in grants if grant.has(Scope.REMINDERS)]


def reminded_of(patient: Patient) -> list[User]:
    """The relatives' accounts that get this patient's reminders."""
    grants = db.session.scalars(
        select(ProxyGrant)
        .options(joinedload(ProxyGrant.relative))
        .where(ProxyGrant.patient_id == patient.id, _holding())
        .order_by(ProxyGrant.id)
    )
    return [grant.relative for grant in grants if grant.has(Scope.REMINDERS) and grant.relative]


def for_relative(message: Message, grant: ProxyGrant) -> Message:
    """The patient's reminder as her relative gets it: nothing on the lock screen names her
    or her health, and a tap opens her page with the relative acting for her."""
    return Message(
        title=_("Påminnelse från Nära"),
        body=_("Du har en påminnelse om någon du hjälper."),
        path=f"/narstaende/hjalper/{grant.id}/oppna?till={quote(message.path, safe='/')}",
        tag=f"r{grant.id}-{message.tag}",
        topic=f"r{grant.id}{message.topic}"[:32],
    )


def as_relative(
    user: User, source: str, reminders_of: Callable[[Patient], list[outbox.Wanted]]
) -> list[outbox.Wanted]:
    """The reminders `source` wants for each patient whose reminders this person gets, as a
    relative gets them; none after the grant's last day (an end date ends it by itself)."""
    wanted = []
    for grant in reminded_for(user):
        last = (
            wall_clock(grant.ends_on + timedelta(days=1), time(0), local_zone())
            if grant.ends_on is not None
            else None
        )
        for own in reminders_of(grant.patient):
            if last is not None and own.due_at >= last:
                continue
            wanted.append(
                replace(
                    own,
                    key=f"{source}:r{grant.id}:{own.key.removeprefix(source + ':')}",
                    expires_at=min(own.expires_at, last) if last is not None else own.expires_at,
                    message=for_relative(own.message, grant),
                )
            )
    return wanted


def refresh_relative(user: User | None) -> None:
    """Write the relative's queued reminders again (all areas), after a grant changed."""
    if user is not None:
        outbox.reminders_refresh([user])
