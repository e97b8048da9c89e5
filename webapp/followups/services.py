"""The rules of Överenskommen tid: reading follow-ups, and booking, cancelling, moving and
"Jag kan inte komma".

What the care contact typed is checked and converted in details.py; the private calendar
link is in feed.py. The caller has already asked the access policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import joinedload

from webapp import audit
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.followups.details import FollowUpError, FollowUpInput, checked_text, checked_values
from webapp.followups.models import KINDS_WITH_ADDRESS, REASON_MAX, FollowUp, FollowUpStatus
from webapp.followups.reminders import cannot_come_alert, follow_up_reminders_refresh
from webapp.people.models import Patient, User
from webapp.plan.changed import plan_changed


class FollowUpNotFound(FollowUpError):
    def __init__(self) -> None:
        super().__init__(_l("Det finns ingen sådan planerad kontakt."))


# --- reading ---------------------------------------------------------------------------


def follow_up_find(*, patient: Patient, follow_up_id: int) -> FollowUp:
    found = db.session.scalar(
        select(FollowUp)
        .where(FollowUp.id == follow_up_id, FollowUp.patient_id == patient.id)
        .options(joinedload(FollowUp.moved_to))
    )
    if found is None:
        raise FollowUpNotFound()
    return found


def _all_of(patient: Patient) -> list[FollowUp]:
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(FollowUp.patient_id == patient.id)
            .options(joinedload(FollowUp.moved_to))
            .order_by(FollowUp.starts_at, FollowUp.id)
        )
    )


@dataclass(frozen=True)
class FollowUpList:
    upcoming: list[FollowUp]  # not yet over, in time order: the next one first
    past: list[FollowUp]  # over, the latest first ("Tidigare")


def follow_ups_list(*, patient: Patient) -> FollowUpList:
    """Every follow-up of the patient, cancelled and moved ones included: one query."""
    now = now_utc()
    found = _all_of(patient)
    return FollowUpList(
        upcoming=[f for f in found if f.ends_at > now],
        past=[f for f in reversed(found) if f.ends_at <= now],
    )


@dataclass(frozen=True)
class FollowUpOverview:
    upcoming: list[FollowUp]  # in time order, cancelled and moved ones included
    # Moved or cancelled by care and not yet seen by the patient, whenever their old time was.
    unseen_changes: list[FollowUp] = field(default_factory=list)

    @property
    def planned(self) -> list[FollowUp]:
        return [f for f in self.upcoming if f.is_planned]

    @property
    def next(self) -> FollowUp | None:
        return self.planned[0] if self.planned else None

    @property
    def planned_count(self) -> int:
        return len(self.planned)

    @property
    def changed(self) -> list[FollowUp]:
        """Cancelled and moved follow-ups whose time has not yet come: they stay visible."""
        return [f for f in self.upcoming if not f.is_planned]

    @property
    def cannot_come(self) -> list[FollowUp]:
        """Planned follow-ups the patient has said they cannot come to."""
        return [f for f in self.planned if f.cannot_come_at is not None]


def for_overview(patient: Patient) -> FollowUpOverview:
    """What "Min plan" shows: the follow-ups not yet over, in time order, and the changes
    care made that the patient has not seen (a move is news even when the old time has
    passed). One query, however many there are (moved ones point at their new follow-up)."""
    now = now_utc()
    found = list(
        db.session.scalars(
            select(FollowUp)
            .where(
                FollowUp.patient_id == patient.id,
                or_(
                    FollowUp.starts_at > now - timedelta(days=1),
                    and_(
                        FollowUp.status != FollowUpStatus.PLANNED,
                        FollowUp.seen_by_patient_at.is_(None),
                    ),
                ),
            )
            .options(joinedload(FollowUp.moved_to))
            .order_by(FollowUp.starts_at, FollowUp.id)
        )
    )
    return FollowUpOverview(
        upcoming=[f for f in found if f.ends_at > now],
        unseen_changes=[f for f in found if not f.is_planned and f.seen_by_patient_at is None],
    )


def follow_up_changes_mark_seen(*, patient: Patient, up_to_id: int) -> None:
    """The patient tapped "Jag har sett det": the moves and cancellations shown are done.
    Only those up to the newest one shown, so a change made meanwhile still waits."""
    plan_changed(patient.id)
    db.session.execute(
        update(FollowUp)
        .where(
            FollowUp.patient_id == patient.id,
            FollowUp.status != FollowUpStatus.PLANNED,
            FollowUp.seen_by_patient_at.is_(None),
            FollowUp.id <= up_to_id,
        )
        .values(seen_by_patient_at=now_utc())
    )


# --- changing --------------------------------------------------------------------------


def _at_the_unit_unless_said(patient: Patient, details: FollowUpInput) -> FollowUpInput:
    """A visit or lab test booked without a place is at the patient's unit, when the unit's
    address is known: it is written into the booking, so the place stays what it was booked
    as (in the calendar file too) if the unit moves. Without a known address the place must
    be typed (checked_values says so)."""
    unit = patient.care_unit
    if details.place.strip() or details.kind not in KINDS_WITH_ADDRESS or not unit.address:
        return details
    return replace(details, place=f"{unit.name}, {unit.address}")


def follow_up_book(*, patient: Patient, details: FollowUpInput, actor: User) -> FollowUp:
    """Book a follow-up; nothing is saved if any part is wrong."""
    values = checked_values(_at_the_unit_unless_said(patient, details))
    now = now_utc()
    follow_up = FollowUp(
        patient_id=patient.id, created_by_user_id=actor.id, created_at=now, updated_at=now, **values
    )
    db.session.add(follow_up)
    db.session.flush()
    audit.change_record(actor=actor, patient=patient, change=audit.Change.FOLLOW_UP_BOOKED)
    follow_up_reminders_refresh(patient)
    return follow_up


def _changeable(patient: Patient, follow_up_id: int) -> FollowUp:
    follow_up = follow_up_find(patient=patient, follow_up_id=follow_up_id)
    if follow_up.is_cancelled:
        raise FollowUpError(_l("Den här kontakten är redan avbokad."))
    if follow_up.is_moved:
        raise FollowUpError(_l("Den här kontakten är redan flyttad."))
    return follow_up


def follow_up_cancel(*, patient: Patient, follow_up_id: int, reason: str, actor: User) -> FollowUp:
    """Cancel with a reason; the follow-up stays visible as cancelled."""
    follow_up = _changeable(patient, follow_up_id)
    follow_up.cancel_reason = checked_text(
        reason, "reason", REASON_MAX, required=_l("Skriv varför kontakten avbokas.")
    )
    follow_up.status = FollowUpStatus.CANCELLED
    follow_up.updated_at = now_utc()
    follow_up.lock_version += 1
    audit.change_record(actor=actor, patient=patient, change=audit.Change.FOLLOW_UP_CANCELLED)
    follow_up_reminders_refresh(patient)  # its reminders are withdrawn
    return follow_up


def follow_up_move(
    *, patient: Patient, follow_up_id: int, details: FollowUpInput, actor: User
) -> FollowUp:
    """Book the new time; the old follow-up stays visible as "Flyttad till ..."."""
    old = _changeable(patient, follow_up_id)
    values = checked_values(_at_the_unit_unless_said(patient, details))
    now = now_utc()
    new = FollowUp(
        patient_id=patient.id, created_by_user_id=actor.id, created_at=now, updated_at=now, **values
    )
    db.session.add(new)
    db.session.flush()
    old.status = FollowUpStatus.MOVED
    old.moved_to_id = new.id
    old.updated_at = now
    old.lock_version += 1
    audit.change_record(actor=actor, patient=patient, change=audit.Change.FOLLOW_UP_MOVED)
    follow_up_reminders_refresh(patient)  # the old time's reminders go, the new time's come
    return new


def follow_up_cannot_come(*, patient: Patient, follow_up_id: int, reason: str) -> FollowUp:
    """The patient says they cannot come; the reason reaches the care contact."""
    follow_up = _changeable(patient, follow_up_id)
    if follow_up.starts_at <= now_utc():
        raise FollowUpError(_l("Den här tiden har redan varit."))
    follow_up.cannot_come_reason = checked_text(
        reason,
        "reason",
        REASON_MAX,
        required=_l("Skriv varför du inte kan komma. Då kan din vårdkontakt hitta en ny tid."),
    )
    follow_up.cannot_come_at = now_utc()
    follow_up.updated_at = follow_up.cannot_come_at
    cannot_come_alert(patient, follow_up)
    return follow_up


def cannot_come_unanswered(patient_ids: Sequence[int]) -> dict[int, list[tuple[int, datetime]]]:
    """Each patient's "kan inte komma" answers that care has not answered yet (the contact is
    still planned: moving or cancelling it is the answer), as (follow-up id, start), soonest
    first. One query, however many patients."""
    rows = db.session.execute(
        select(FollowUp.patient_id, FollowUp.id, FollowUp.starts_at)
        .where(
            FollowUp.patient_id.in_(patient_ids),
            FollowUp.status == FollowUpStatus.PLANNED,
            FollowUp.cannot_come_at.is_not(None),
        )
        .order_by(FollowUp.starts_at)
    )
    found: dict[int, list[tuple[int, datetime]]] = {}
    for patient_id, follow_up_id, starts_at in rows:
        found.setdefault(patient_id, []).append((follow_up_id, starts_at))
    return found


def patients_with_planned_contact(patient_ids: Iterable[int]) -> set[int]:
    """Of these patients, those with a planned contact from now on (one query)."""
    ids = list(patient_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(FollowUp.patient_id)
            .where(
                FollowUp.patient_id.in_(ids),
                FollowUp.status == FollowUpStatus.PLANNED,
                FollowUp.starts_at >= now_utc(),
            )
            .distinct()
        )
    )
