"""WebAuthn credentials and the single-use challenges of the ceremonies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import CreatedAtMixin
from webapp.extensions import Model
from webapp.people.models import User


class Credential(CreatedAtMixin, Model):
    """A passkey: the public half of a key pair that lives on the user's device."""

    __tablename__ = "passkey_credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1024), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(default=0)
    transports: Mapped[str] = mapped_column(String(120), default="")
    backed_up: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(String(60))
    last_used_at: Mapped[datetime | None]
    # How it came: "onboarding", "recovery" or "new_device" (an invitation link), or
    # "signed_in" (added on a device already signed in). Shown for as long as it exists;
    # renaming the passkey does not change it.
    added_via: Mapped[str] = mapped_column(String(16), default="signed_in")
    # Who made the link it was added with, when that was someone else (staff).
    link_issued_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    link_issued_by: Mapped[User | None] = relationship(foreign_keys=[link_issued_by_user_id])


class WebAuthnChallenge(Model):
    """A challenge handed to the browser. The session holds only its id; verifying deletes it."""

    __tablename__ = "webauthn_challenge"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    challenge: Mapped[bytes] = mapped_column(LargeBinary(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    expires_at: Mapped[datetime]
