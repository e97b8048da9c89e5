"""The agreement (överenskommelse): versions that both sides consent to, and their items."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now_utc
from webapp.db import CreatedAtMixin, PlanRow
from webapp.extensions import Model


class VersionStatus(StrEnum):
    DRAFT = "draft"
    AGREED = "agreed"
    SUPERSEDED = "superseded"


class ItemKind(StrEnum):
    GOAL = "goal"
    ACTION = "action"


class Responsible(StrEnum):
    PATIENT = "patient"
    RELATIVE = "relative"
    CARE_CONTACT = "care_contact"
    OTHER_CARE = "other_care"


TEXT_MAX = 500
NAME_MAX = 120
WORSE_TEXT_MAX = 2000

KIND_WORDS = {ItemKind.GOAL: _l("Mål"), ItemKind.ACTION: _l("Åtgärd")}

# Who does it, as the patient reads it ("Du") and as staff read it ("Patienten").
RESPONSIBLE_WORDS_PATIENT: dict[str, LazyString] = {
    Responsible.PATIENT: _l("Du"),
    Responsible.RELATIVE: _l("Närstående"),
    Responsible.CARE_CONTACT: _l("Din vårdkontakt"),
    Responsible.OTHER_CARE: _l("Annan vård"),
}
RESPONSIBLE_WORDS_STAFF: dict[str, LazyString] = {
    Responsible.PATIENT: _l("Patienten"),
    Responsible.RELATIVE: _l("Närstående"),
    Responsible.CARE_CONTACT: _l("Fast vårdkontakt"),
    Responsible.OTHER_CARE: _l("Annan del av vården"),
}

# The three parts of "När jag blir sämre", in the order the patient reads them.
WORSE_TEXTS = {
    "self_care_text": _l("Det här gör jag själv för att må bra"),
    "warning_signs_text": _l("Tecken att vara uppmärksam på"),
    "when_worse_text": _l("Det här gör jag om tecknen kommer"),
}


class Agreement(PlanRow, CreatedAtMixin, Model):
    """One per patient: the versions hang under it."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), unique=True)

    versions: Mapped[list[AgreementVersion]] = relationship(
        back_populates="agreement", order_by="AgreementVersion.number"
    )


class AgreementVersion(PlanRow, CreatedAtMixin, Model):
    __plan_parent__ = ("agreement_id", "Agreement")
    """A draft is edited until both sides consent; then it is agreed, and the one before it
    is superseded. `lock_version` grows with every edit of the content (not with consents),
    so a form can tell whether what it shows is still what is saved."""

    __tablename__ = "agreement_version"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    number: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=VersionStatus.DRAFT)
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)
    lock_version: Mapped[int] = mapped_column(default=1)
    patient_consent_at: Mapped[datetime | None] = mapped_column()
    patient_consent_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    care_consent_at: Mapped[datetime | None] = mapped_column()
    care_consent_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    agreed_at: Mapped[datetime | None] = mapped_column()
    # "Jag vill prata om det först": the patient's answer to this draft when it is not yet a
    # yes. It belongs to the draft as she read it, so an edit of the draft clears it with the
    # consents (she is asked again about what changed), and a yes from her ends it.
    patient_talk_wanted_at: Mapped[datetime | None] = mapped_column()
    self_care_text: Mapped[str] = mapped_column(Text, default="")
    warning_signs_text: Mapped[str] = mapped_column(Text, default="")
    when_worse_text: Mapped[str] = mapped_column(Text, default="")

    agreement: Mapped[Agreement] = relationship(back_populates="versions")
    items: Mapped[list[AgreementItem]] = relationship(
        back_populates="version",
        order_by="AgreementItem.position",
        cascade="all, delete-orphan",
    )

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def goals(self) -> list[AgreementItem]:
        return [item for item in self.items if item.kind == ItemKind.GOAL]

    @property
    def actions(self) -> list[AgreementItem]:
        return [item for item in self.items if item.kind == ItemKind.ACTION]


class AgreementItem(PlanRow, Model):
    __plan_parent__ = ("version_id", "AgreementVersion")
    """A goal in the patient's words, or an action with who is responsible for it."""

    __tablename__ = "agreement_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_version.id"), index=True)
    position: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(TEXT_MAX))
    responsible: Mapped[str] = mapped_column(String(16), default=Responsible.PATIENT)
    responsible_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    # Referenced by table name: the what-matters model lives in its own area.
    what_matters_id: Mapped[int | None] = mapped_column(ForeignKey("what_matters_statement.id"))

    version: Mapped[AgreementVersion] = relationship(back_populates="items")

    def responsible_label(self, for_staff: bool = False) -> str:
        """Who does it, in words: "Du", "Närstående: Eva", "Hemtjänsten"."""
        words = RESPONSIBLE_WORDS_STAFF if for_staff else RESPONSIBLE_WORDS_PATIENT
        base = str(words.get(self.responsible, ""))
        if not self.responsible_name:
            return base
        if self.responsible == Responsible.OTHER_CARE:
            return self.responsible_name
        return f"{base}: {self.responsible_name}"
