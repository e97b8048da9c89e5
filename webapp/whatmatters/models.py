"""Vad är viktigt för dig? The patient's own statements, in their order, and their history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now_utc
from webapp.db import PlanRow
from webapp.extensions import Model
from webapp.people.models import User

TEXT_MAX = 300


class RevisionKind(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    REORDERED = "reordered"
    ARCHIVED = "archived"
    RESTORED = "restored"


# How each change reads in the history ("Astrid Berg skrev ...").
KIND_WORDS = {
    RevisionKind.CREATED: _l("skrev"),
    RevisionKind.EDITED: _l("ändrade texten till"),
    RevisionKind.REORDERED: _l("flyttade"),
    RevisionKind.ARCHIVED: _l("tog bort från listan"),
    RevisionKind.RESTORED: _l("tog tillbaka"),
}


class WhatMattersStatement(PlanRow, Model):
    """One thing that matters to the patient, in their own words.

    `updated_at` is when the text or the status (archived, restored) last changed; `moved_at`
    when its place in the order last changed. `lock_version` grows with every change of the
    text or status, so an edit made on an old copy of the form can be told apart and refused.
    `created_by_user_id` is who wrote it: the patient, or later a relative on their behalf.
    """

    __tablename__ = "what_matters_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    text: Mapped[str] = mapped_column(String(TEXT_MAX))
    position: Mapped[int] = mapped_column()
    archived_at: Mapped[datetime | None] = mapped_column()
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)
    moved_at: Mapped[datetime | None] = mapped_column()
    lock_version: Mapped[int] = mapped_column(default=1)

    created_by: Mapped[User] = relationship()

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class WhatMattersRevision(PlanRow, Model):
    __plan_parent__ = ("statement_id", "WhatMattersStatement")
    """One change to a statement, kept for the history. Rows are only ever inserted."""

    __tablename__ = "what_matters_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("what_matters_statement.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(TEXT_MAX))
    # For a move: the place (1 = most important) the statement moved to.
    position: Mapped[int | None] = mapped_column()
    changed_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)

    statement: Mapped[WhatMattersStatement] = relationship()
    changed_by: Mapped[User] = relationship()

    @property
    def kind_words(self) -> str:
        return str(KIND_WORDS.get(RevisionKind(self.kind), self.kind))
