"""One-time invitations and the security events a user is shown afterwards."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now_utc
from webapp.db import CreatedAtMixin
from webapp.extensions import Model
from webapp.people.models import User


class InvitationPurpose(StrEnum):
    ONBOARDING = "onboarding"  # first passkey for a new patient or staff member
    RECOVERY = "recovery"  # lost phone: issued by the care contact
    NEW_DEVICE = "new_device"  # issued by the user from a signed-in device


class Invitation(CreatedAtMixin, Model):
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
    SIGNED_IN_BY_RECOVERY = "signed_in_by_recovery"


class SecurityEvent(CreatedAtMixin, Model):
    """Something that changed how an account signs in, shown to its owner."""

    __tablename__ = "security_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(200), default="")
    acknowledged_at: Mapped[datetime | None]


class UserSession(Model):
    """A signed-in session, kept on the server so that signing out really ends it.

    The browser's cookie holds only a random token; this row holds its SHA-256. Signing out
    ends the row, so a copy of the cookie taken earlier opens nothing afterwards.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The passkey this session was signed in with (None: signed in by an invitation link).
    passkey_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    last_seen_at: Mapped[datetime] = mapped_column(default=now_utc)
    # The absolute end, whatever the activity; the idle limit comes on top.
    expires_at: Mapped[datetime]
    # When the user last proved with their passkey that it is them (user verification).
    verified_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # A secret to show once on the next page (a fresh invitation link), kept here and not in
    # the cookie, which the browser can read.
    stash: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()
