"""Överenskommen tid: the follow-ups the care contact books with the patient, and the
patient's private calendar feed."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import gettext
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


class WhoCalls(StrEnum):
    """Who makes a phone call; NOT_SAID for bookings made before anyone asked."""

    NOT_SAID = ""
    CARE = "care"
    PATIENT = "patient"


WHO_CALLS_WORDS = {
    WhoCalls.NOT_SAID: _l("Inte bestämt"),
    WhoCalls.CARE: _l("Vården ringer patienten"),
    WhoCalls.PATIENT: _l("Patienten ringer vården"),
}


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
    # When the patient said she has seen that care moved or cancelled it ("Att göra nu").
    seen_by_patient_at: Mapped[datetime | None] = mapped_column()
    # Who makes a phone call: "care" calls the patient, "patient" calls care; "" not said.
    who_calls: Mapped[str] = mapped_column(String(16), default="", server_default="")

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
    def who_calls_words(self) -> str:
        """ "Karin Lind ringer dig" / "Du ringer mottagningen"; "" when the booking does not
        say (or it is not a phone call): a patient waiting by the phone for a call she was
        meant to make is the commonest miss."""
        if self.kind != FollowUpKind.PHONE or not self.who_calls:
            return ""
        if self.who_calls == WhoCalls.CARE:
            return str(gettext("%(name)s ringer dig", name=self.with_whom or gettext("Vården")))
        return str(gettext("Du ringer %(name)s", name=self.with_whom or gettext("mottagningen")))

    @property
    def who_calls_staff_words(self) -> str:
        """The same for the care side: "Vården ringer patienten"."""
        if self.kind != FollowUpKind.PHONE or not self.who_calls:
            return ""
        return str(WHO_CALLS_WORDS.get(WhoCalls(self.who_calls), ""))

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
