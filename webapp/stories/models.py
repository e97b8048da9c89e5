"""A story as told, and the copy the unit may use while the patient lets it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import CreatedAtMixin, OffPlan
from webapp.extensions import Model
from webapp.people.models import User

STORY_MAX = 2000


class Story(OffPlan, CreatedAtMixin, Model):
    __off_plan__ = "the patient's words to her care contact and unit, not a part of her plan"
    """`text` is as told: only the patient, her fixed care contact and a relative who told it
    for her read it. `unit_text` is the copy without her name, personnummer and phone numbers
    (and the teller's name), there only while she lets the unit use it: withdrawing empties
    it, so the unit's view cannot show it again."""

    __tablename__ = "story"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    told_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text)
    unit_text: Mapped[str | None] = mapped_column(Text)
    unit_allowed_at: Mapped[datetime | None] = mapped_column()
    unit_withdrawn_at: Mapped[datetime | None] = mapped_column()
    discussed_at: Mapped[datetime | None] = mapped_column()
    discussed_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    # The patient herself, or a relative who told it for her by a grant.
    told_by: Mapped[User] = relationship()

    @property
    def unit_may_use(self) -> bool:
        return self.unit_text is not None
