"""Närstående: the access a patient gives a relative, and the ledger of every such decision.

A `ProxyGrant` is one relative's access to one patient: what they may do (`scopes`), until
when (`ends_on`), and how it began (the patient's own invitation, or consent the patient gave
in person that her care contact recorded). Until the relative has taken the invitation, the
grant has no account; after, `relative_user_id` is theirs, never the patient's.

A `GrantEvent` is one row of the consent ledger ("Vem får se och göra vad"): every grant,
change, end and recorded consent, with who and when. Rows are only ever inserted.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now_utc
from webapp.db import OffPlan, PlanRow
from webapp.extensions import Model
from webapp.people.models import Patient, StaffMember, User


class Scope(StrEnum):
    """What a patient may let a relative do, each a plain choice on the form."""

    VIEW_PLAN = "view_plan"  # se min plan
    SELF_CARE = "self_care"  # logga min egenvård och skicka uppdateringar åt mig
    REMINDERS = "reminders"  # få mina påminnelser
    WHAT_MATTERS = "what_matters"  # skriva i "Vad är viktigt för dig?" åt mig


class GrantEnd(StrEnum):
    BY_PATIENT = "by_patient"
    STEPPED_DOWN = "stepped_down"  # the relative ended it


class EventKind(StrEnum):
    INVITED = "invited"  # the patient invited a relative with these scopes
    CONSENT_RECORDED = "consent_recorded"  # the care contact recorded her consent in person
    ACCEPTED = "accepted"  # the relative took the invitation with their own account
    CHANGED = "changed"  # the patient changed what the relative may do, or until when
    ENDED = "ended"  # the patient ended it
    STEPPED_DOWN = "stepped_down"  # the relative ended it


def relative_label(name: str, relation: str) -> str:
    """How the patient named them: "Eva (dotter)"."""
    return f"{name} ({relation})"


class ProxyGrant(PlanRow, Model):
    """One relative's access to one patient (shown on her plan, so a plan row)."""

    __tablename__ = "proxy_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    relative_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # As the patient wrote them: "Eva", "dotter".
    relative_name: Mapped[str] = mapped_column(String(120))
    relation: Mapped[str] = mapped_column(String(40))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    ends_on: Mapped[date | None]  # the last day the grant holds, in the patient's zone
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # Consent the patient gave in person, recorded by her care contact.
    consent_recorded_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    consent_given_on: Mapped[date | None]
    # The one-time invitation: only the SHA-256 of the token is kept.
    invite_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invite_expires_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_how: Mapped[str | None] = mapped_column(String(16))

    patient: Mapped[Patient] = relationship()
    relative: Mapped[User | None] = relationship(foreign_keys=[relative_user_id])
    consent_recorded_by: Mapped[StaffMember | None] = relationship()

    @property
    def label(self) -> str:
        return relative_label(self.relative_name, self.relation)

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes


class GrantEvent(OffPlan, Model):
    """A row of the consent ledger. Never edited, never deleted."""

    __tablename__ = "proxy_grant_event"
    __off_plan__ = "the patient's ledger of consent, on its own page"

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("proxy_grant.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=now_utc)
    kind: Mapped[str] = mapped_column(String(24))
    by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    ends_on: Mapped[date | None]

    grant: Mapped[ProxyGrant] = relationship()
    by: Mapped[User] = relationship()
