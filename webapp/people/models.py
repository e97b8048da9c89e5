"""Accounts, care units, staff members and patients."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_babel import get_locale
from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import CreatedAtMixin, DirectoryRow, OffPlan, PlanRow
from webapp.extensions import Model
from webapp.people.phone_hours import describe


class UserKind(StrEnum):
    PATIENT = "patient"
    STAFF = "staff"
    RELATIVE = "relative"


def _new_webauthn_handle() -> bytes:
    # The WebAuthn user handle: random, never the database id, so it reveals nothing.
    return secrets.token_bytes(32)


class User(DirectoryRow, UserMixin, CreatedAtMixin, Model):
    """Someone who signs in: a patient, a staff member or (later) a relative."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    webauthn_handle: Mapped[bytes] = mapped_column(
        LargeBinary(64), unique=True, default=_new_webauthn_handle
    )
    locale: Mapped[str | None] = mapped_column(String(5))

    patient: Mapped[Patient | None] = relationship(back_populates="user")
    staff: Mapped[StaffMember | None] = relationship(back_populates="user")

    @property
    def is_patient(self) -> bool:
        return self.kind == UserKind.PATIENT

    @property
    def is_staff(self) -> bool:
        return self.kind == UserKind.STAFF

    @property
    def patient_id(self) -> int | None:
        """The account's patient record's id (loaded with the signed-in account)."""
        return self.patient.id if self.patient is not None else None

    @property
    def plan_version(self) -> int | None:
        """The version of the account's patient's plan: what a kept "Min plan" is kept
        under."""
        return self.patient.plan_version if self.patient is not None else None


class CareUnit(DirectoryRow, CreatedAtMixin, Model):
    """A vårdenhet: staff belong to one, patients are listed at one."""

    __tablename__ = "care_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    phone: Mapped[str] = mapped_column(String(32), default="")
    # Free text, kept only where it could not be read as weekdays and times (phone_times).
    phone_hours: Mapped[str] = mapped_column(String(120), default="")
    # When the phone is answered: [weekday (0 = Monday), from minute, to minute], local time.
    phone_times: Mapped[list[list[int]] | None] = mapped_column(JSON)
    # Where a visit happens: street, postcode and town, as the patient needs it.
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")


class StaffMember(DirectoryRow, CreatedAtMixin, Model):
    __tablename__ = "staff_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    care_unit_id: Mapped[int] = mapped_column(ForeignKey("care_unit.id"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(32), default="")
    phone_hours: Mapped[str] = mapped_column(String(120), default="")
    phone_times: Mapped[list[list[int]] | None] = mapped_column(JSON)  # as CareUnit's
    is_physician: Mapped[bool] = mapped_column(default=False)
    is_unit_admin: Mapped[bool] = mapped_column(default=False)
    # Verksamhetschef or quality lead: sees the unit's figures, never a patient (access.py).
    is_quality_lead: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set when a unit administrator ends their access; the row stays, so logs still name them.
    deactivated_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="staff")
    care_unit: Mapped[CareUnit] = relationship()

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def has_left(self) -> bool:
        """Their access was ended: their own number is never shown to a patient again."""
        return self.deactivated_at is not None

    @property
    def _own_line(self) -> bool:
        return bool(self.phone) and not self.has_left

    @property
    def reachable_phone(self) -> str:
        """The number a patient should call: the person's own, else (and always once they
        have left) the unit's."""
        return self.phone if self._own_line else self.care_unit.phone

    @property
    def reachable_times(self) -> list[list[int]] | None:
        """When the number a patient should call is answered, as weekdays and times."""
        return self.phone_times if self._own_line else self.care_unit.phone_times

    @property
    def reachable_hours(self) -> str:
        """Those hours in words in the reader's language, with any note kept as typed."""
        text = self.phone_hours if self._own_line else self.care_unit.phone_hours
        times = self.reachable_times
        if not times:
            return text
        described = describe(times, str(get_locale() or "sv"))
        return f"{described}. {text}" if text else described


class Patient(PlanRow, CreatedAtMixin, Model):
    __tablename__ = "patient"
    __table_args__ = (UniqueConstraint("care_unit_id", "personal_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    care_unit_id: Mapped[int] = mapped_column(ForeignKey("care_unit.id"), index=True)
    phone: Mapped[str] = mapped_column(String(32))
    # Personnummer, 12 digits without the dash; optional, unique per unit when given. Not
    # unique across units: a "no" there would tell a stranger unit that the person is a
    # patient somewhere else.
    personal_number: Mapped[str | None] = mapped_column(String(12))
    care_contact_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"), index=True)
    physician_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    # Bumped by every change to the plan (webapp/plan/version.py); keys the page cache.
    plan_version: Mapped[int] = mapped_column(default=0, server_default="0")

    user: Mapped[User] = relationship(back_populates="patient")
    care_unit: Mapped[CareUnit] = relationship()
    care_contact: Mapped[StaffMember | None] = relationship(foreign_keys=[care_contact_id])
    physician: Mapped[StaffMember | None] = relationship(foreign_keys=[physician_id])

    @property
    def name(self) -> str:
        return self.user.name


class DirectoryVersion(OffPlan, Model):
    """One row: bumped by any write to staff or unit details shown on plans
    (`webapp.plan.version`), and read with the signed-in account."""

    __tablename__ = "directory_version"
    __off_plan__ = "a counter, no patient's data"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
