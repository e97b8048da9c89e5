"""One-time invitations and the security events a user is shown afterwards."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import CreatedAtMixin
from webapp.extensions import db
from webapp.people.models import User


class InvitationPurpose(StrEnum):
    ONBOARDING = "onboarding"  # first passkey for a new patient or staff member
    RECOVERY = "recovery"  # lost phone: issued by the care contact
    NEW_DEVICE = "new_device"  # issued by the user from a signed-in device


class Invitation(CreatedAtMixin, db.Model):
    """A one-time link that lets its holder register a passkey for one account.

    Only the SHA-256 of the token is stored: a copy of the database cannot be used to sign in.
    """

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class SecurityEventKind(StrEnum):
    PASSKEY_ADDED = "passkey_added"
    PASSKEY_ADDED_BY_RECOVERY = "passkey_added_by_recovery"
    PASSKEY_REMOVED = "passkey_removed"
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"


class SecurityEvent(CreatedAtMixin, db.Model):
    """Something that changed how an account signs in, shown to its owner."""

    __tablename__ = "security_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(200), default="")
    acknowledged_at: Mapped[datetime | None]
