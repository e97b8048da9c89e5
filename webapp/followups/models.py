"""Överenskommen tid: the follow-ups the care contact books with the patient, and the
patient's private calendar feed."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now_utc
from webapp.db import OffPlan, PlanRow
from webapp.extensions import Model
from webapp.people.models import User

WITH_WHOM_MAX = 120
PLACE_MAX = 200
PURPOSE_MAX = 500
PREPARATION_MAX = 1000
REASON_MAX = 500


class FollowUpKind(StrEnum):
    VISIT = "visit"
    PHONE = "phone"
    VIDEO = "video"
    LAB = "lab"
    HOME_VISIT = "home_visit"


KIND_WORDS = {
    FollowUpKind.VISIT: _l("Besök"),
    FollowUpKind.PHONE: _l("Telefonsamtal"),
    FollowUpKind.VIDEO: _l("Videosamtal"),
    FollowUpKind.LAB: _l("Provtagning"),
    FollowUpKind.HOME_VISIT: _l("Hembesök"),
}


class FollowUpCaller(StrEnum):
    """Who makes a phone call: care calls the patient, or the patient calls care."""

    CARE = "care"
    PATIENT = "patient"


CALLER_WORDS_STAFF = {
    FollowUpCaller.CARE: _l("Vården ringer patienten"),
    FollowUpCaller.PATIENT: _l("Patienten ringer vården"),
}

# Kinds where the patient goes somewhere: the booking needs the address.
KINDS_WITH_ADDRESS = frozenset({FollowUpKind.VISIT, FollowUpKind.LAB})


class FollowUpStatus(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"
    MOVED = "moved"


class FollowUp(PlanRow, Model):
    """One agreed contact. Cancelled and moved ones are kept and shown as such; a moved one
    points at the follow-up that replaced it. `cannot_come_at` is set when the patient says
    they cannot come (with a reason), so the care contact can see it is new."""

    __tablename__ = "follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column()
    duration_minutes: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))
    with_whom: Mapped[str] = mapped_column(String(WITH_WHOM_MAX), default="")
    place: Mapped[str] = mapped_column(String(PLACE_MAX), default="")
    purpose: Mapped[str] = mapped_column(String(PURPOSE_MAX))
    preparation: Mapped[str] = mapped_column(String(PREPARATION_MAX), default="")
    status: Mapped[str] = mapped_column(String(16), default=FollowUpStatus.PLANNED)
    moved_to_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up.id"))
    cancel_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)
    lock_version: Mapped[int] = mapped_column(default=1)
    cannot_come_at: Mapped[datetime | None] = mapped_column()
    cannot_come_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    # For a phone call: who calls whom (FollowUpCaller). None for other kinds, and for calls
    # booked before Nära asked.
    caller: Mapped[str | None] = mapped_column(String(16))
    # When the patient said she has seen that care moved or cancelled it ("Att göra nu").
    seen_by_patient_at: Mapped[datetime | None] = mapped_column()

    moved_to: Mapped[FollowUp | None] = relationship(remote_side=[id])
    created_by: Mapped[User] = relationship()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def kind_words(self) -> str:
        try:
            return str(KIND_WORDS[FollowUpKind(self.kind)])
        except ValueError:
            return self.kind

    @property
    def call_words(self) -> str:
        """Who calls whom, as the patient reads it ("Karin Lind ringer dig"); empty when it is
        not a phone call or nobody said."""
        if self.kind != FollowUpKind.PHONE or not self.caller:
            return ""
        if self.caller == FollowUpCaller.PATIENT:
            if self.with_whom:
                return str(_l("Du ringer %(name)s", name=self.with_whom))
            return str(_l("Du ringer din vårdkontakt"))
        if self.with_whom:
            return str(_l("%(name)s ringer dig", name=self.with_whom))
        return str(_l("Vården ringer dig"))

    @property
    def place_words(self) -> str:
        """Where, as the patient reads it: the address typed, or at home for a home visit."""
        if self.place:
            return self.place
        return str(_l("Hemma hos dig")) if self.kind == FollowUpKind.HOME_VISIT else ""

    @property
    def call_words_staff(self) -> str:
        """Who calls whom, for the care side: "Vården ringer patienten"; empty when it is not
        a phone call or nobody said."""
        if self.kind != FollowUpKind.PHONE or not self.caller:
            return ""
        return str(CALLER_WORDS_STAFF[FollowUpCaller(self.caller)])

    @property
    def is_planned(self) -> bool:
        return self.status == FollowUpStatus.PLANNED

    @property
    def is_cancelled(self) -> bool:
        return self.status == FollowUpStatus.CANCELLED

    @property
    def is_moved(self) -> bool:
        return self.status == FollowUpStatus.MOVED


class CalendarFeed(OffPlan, Model):
    __off_plan__ = "the secret of the patient's calendar link; the plan only links to its page"
    """The patient's private calendar link. Only the SHA-256 of its token is kept; a new
    link replaces the old one in the same row, and turning it off sets `revoked_at`.
    `include_details` is the patient's choice: the link goes to calendar services run by
    other companies, so by default it carries only what kind of contact and when."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    revoked_at: Mapped[datetime | None] = mapped_column()
    include_details: Mapped[bool] = mapped_column(default=False, server_default=false())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
