"""Who the patient turns to: changes of fixed contacts, and the other parts of care they meet."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now_utc
from webapp.db import CreatedAtMixin, PlanRow
from webapp.extensions import Model
from webapp.people.models import StaffMember


class ContactRole(StrEnum):
    CARE_CONTACT = "care_contact"
    PHYSICIAN = "physician"


class CarePartKind(StrEnum):
    PRIMARY_CARE = "primary_care"
    MUNICIPAL_HOME_CARE = "municipal_home_care"
    SPECIALIST = "specialist"
    OTHER = "other"


KIND_WORDS: dict[str, LazyString] = {
    CarePartKind.PRIMARY_CARE: _l("Vårdcentral"),
    CarePartKind.MUNICIPAL_HOME_CARE: _l("Kommunens hemtjänst eller hemsjukvård"),
    CarePartKind.SPECIALIST: _l("Specialistmottagning"),
    CarePartKind.OTHER: _l("Annan"),
}


class ContactChange(PlanRow, Model):
    """The unit gave the patient a new fixed contact; the patient is told who and why."""

    __tablename__ = "contact_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    old_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    new_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    # A short message from the unit to the patient: why the contact changed.
    message: Mapped[str] = mapped_column(String(500))
    changed_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(default=now_utc)
    seen_by_patient_at: Mapped[datetime | None] = mapped_column()

    old_staff: Mapped[StaffMember | None] = relationship(foreign_keys=[old_staff_id])
    new_staff: Mapped[StaffMember | None] = relationship(foreign_keys=[new_staff_id])

    @property
    def news_words(self) -> str:
        """What changed, as the patient is told it ("Du har fått en ny fast vårdkontakt: …")."""
        person = self.new_staff
        words: str
        if self.role == ContactRole.CARE_CONTACT:
            words = (
                _(
                    "Du har fått en ny fast vårdkontakt: %(name)s, %(title)s.",
                    name=person.name,
                    title=person.title,
                )
                if person
                else _("Du har ingen fast vårdkontakt längre.")
            )
        else:
            words = (
                _(
                    "Du har fått en ny fast läkarkontakt: %(name)s, %(title)s.",
                    name=person.name,
                    title=person.title,
                )
                if person
                else _("Du har ingen fast läkarkontakt längre.")
            )
        return words


class CarePart(PlanRow, CreatedAtMixin, Model):
    """Another part of care the patient meets (home care, a specialist clinic...), named."""

    __tablename__ = "care_part"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))
    # What they do for the patient, in plain words.
    role_text: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    phone_hours: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(default=0)
    # When it was added or last edited: the care contact's "new since you last looked".
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)
    archived_at: Mapped[datetime | None] = mapped_column()

    @property
    def kind_words(self) -> str:
        return str(KIND_WORDS.get(self.kind, ""))  # a StrEnum key matches its plain string
