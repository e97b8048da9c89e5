"""Egenvård: the patient's self-care goals, what is logged against them, and the updates that
reach the care contact.

Two kinds of goal are kept apart in data and on screen:
- an *assessed measure* (egenvårdsbedömning): licensed staff assessed that the patient (or a
  named relative) can do it; it records who assessed it, when, when it is to be reviewed and
  who performs it, as the Swedish self-care law (SFS 2022:1250) asks;
- the patient's *own goal* for their wellbeing, set alone or agreed with the care contact.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import now_utc
from webapp.db import PlanRow
from webapp.extensions import Model
from webapp.people.models import StaffMember, User

TITLE_MAX = 120
NOTE_MAX = 500
ADVICE_MAX = 500
UPDATE_TEXT_MAX = 1000
ANSWER_MAX = 1000
PERFORMER_MAX = 120


class GoalKind(StrEnum):
    ASSESSED = "assessed"  # egenvårdsbedömning by licensed staff
    OWN = "own"  # the patient's own goal


GOAL_KIND_WORDS = {
    GoalKind.ASSESSED: _l("Egenvård som vården har bedömt"),
    GoalKind.OWN: _l("Mitt eget mål"),
}


class Frequency(StrEnum):
    DAILY = "daily"  # once a day
    TIMES_A_DAY = "times_a_day"  # `times_per_day` times every day (home exercises: 3)
    WEEKDAYS = "weekdays"  # on the chosen `weekdays`
    TIMES_A_WEEK = "times_a_week"  # `times_per_week` times in a week, any days


class LimitKind(StrEnum):
    """A limit agreed with care: crossing it makes a flagged update."""

    BELOW = "below"  # a value below `value`
    ABOVE = "above"  # a value above `value`
    RISE = "rise"  # up more than `value` within `window_days` (weight +2 kg in 3 days)
    FALL = "fall"  # down more than `value` within `window_days`


class GoalStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class SelfCareGoal(PlanRow, Model):
    __tablename__ = "self_care_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # GoalKind
    title: Mapped[str] = mapped_column(String(TITLE_MAX))  # in the patient's words
    template: Mapped[str] = mapped_column(String(32), default="")  # what it was started from
    measure: Mapped[str] = mapped_column(String(20))  # measures.Measure
    unit: Mapped[str] = mapped_column(String(16), default="")  # measures.UNITS code
    # The target, when there is one: a value to reach at least (steps) or stay at most (pain).
    target_min: Mapped[float | None] = mapped_column(Float)
    target_max: Mapped[float | None] = mapped_column(Float)
    frequency: Mapped[str] = mapped_column(String(16), default=Frequency.DAILY)
    times_per_day: Mapped[int] = mapped_column(default=1)
    weekdays: Mapped[str] = mapped_column(String(20), default="")  # "0,2,4": Mon, Wed, Fri
    times_per_week: Mapped[int] = mapped_column(default=0)
    # Reminder times in the patient's zone, "08:00,14:00,20:00"; empty: no reminders.
    reminder_times: Mapped[str] = mapped_column(String(120), default="")
    # Agreed with care: the staff member who agreed it. None: the patient set it alone.
    agreed_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    agreement_item_id: Mapped[int | None] = mapped_column(ForeignKey("agreement_item.id"))
    what_matters_id: Mapped[int | None] = mapped_column(ForeignKey("what_matters_statement.id"))
    # An assessed measure (egenvårdsbedömning): who assessed, when, when to review, who does it.
    assessed_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    assessed_on: Mapped[date | None] = mapped_column()
    review_on: Mapped[date | None] = mapped_column()
    performer_name: Mapped[str] = mapped_column(String(PERFORMER_MAX), default="")  # "": patient
    status: Mapped[str] = mapped_column(String(16), default=GoalStatus.ACTIVE)
    archived_at: Mapped[datetime | None] = mapped_column()
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)
    lock_version: Mapped[int] = mapped_column(default=1)

    limits: Mapped[list[GoalLimit]] = relationship(
        back_populates="goal", order_by="GoalLimit.id", cascade="all, delete-orphan"
    )
    agreed_by: Mapped[StaffMember | None] = relationship(foreign_keys=[agreed_by_staff_id])
    assessed_by: Mapped[StaffMember | None] = relationship(foreign_keys=[assessed_by_staff_id])

    @property
    def is_active(self) -> bool:
        return self.status == GoalStatus.ACTIVE

    @property
    def has_reminders(self) -> bool:
        return bool(self.reminder_times)


class GoalLimit(PlanRow, Model):
    """A limit agreed with care, and what the patient was told to do when it is crossed.

    The advice is care's own words ("Ring din kontakt i dag"); the app never writes advice."""

    __tablename__ = "goal_limit"
    __plan_parent__ = ("goal_id", "SelfCareGoal")

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("self_care_goal.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # LimitKind
    value: Mapped[float] = mapped_column(Float)
    # For a blood pressure: which of the two values the limit reads (1 upper, 2 lower).
    value_index: Mapped[int] = mapped_column(default=1)
    window_days: Mapped[int | None] = mapped_column()  # RISE/FALL only
    advice: Mapped[str] = mapped_column(String(ADVICE_MAX))

    goal: Mapped[SelfCareGoal] = relationship(back_populates="limits")


class CheckIn(PlanRow, Model):
    """One thing logged against a goal. `client_uuid` is made on the phone, so a check-in sent
    again after a lost answer (offline, a weak network) is recognised and never stored twice.

    Edits and deletions keep the row and say who made them, so the history stays true."""

    __tablename__ = "check_in"
    # A goal's history by time: the chart, the week's count and the limits' windows. The
    # window of a change limit is read from the index alone: a goal's check-ins lie among
    # everyone else's in the table, so reading their rows would fetch a page for nearly
    # every check-in in the window, on every check-in logged.
    __table_args__ = (
        Index(
            "ix_check_in_goal_id_taken_at_values",
            "goal_id",
            "taken_at",
            "deleted_at",
            "value",
            "value2",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("self_care_goal.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    taken_at: Mapped[datetime] = mapped_column()  # when it was done or measured
    done: Mapped[bool | None] = mapped_column()  # Measure.DONE
    value: Mapped[float | None] = mapped_column(Float)  # a number, a scale, the upper pressure
    value2: Mapped[float | None] = mapped_column(Float)  # the lower blood pressure
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    outside_limits: Mapped[bool] = mapped_column(default=False, server_default=false())
    logged_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    edited_at: Mapped[datetime | None] = mapped_column()
    edited_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    deleted_at: Mapped[datetime | None] = mapped_column()
    deleted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    goal: Mapped[SelfCareGoal] = relationship()
    logged_by: Mapped[User] = relationship(foreign_keys=[logged_by_user_id])


class UpdateFeeling(StrEnum):
    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


FEELING_WORDS = {
    UpdateFeeling.BETTER: _l("Bättre"),
    UpdateFeeling.SAME: _l("Som förut"),
    UpdateFeeling.WORSE: _l("Sämre"),
}


class PatientUpdate(PlanRow, Model):
    """What the patient tells the care contact between visits. A check-in outside agreed
    limits makes one by itself (`flagged`, with the limit's words and advice)."""

    __tablename__ = "patient_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    feeling: Mapped[str | None] = mapped_column(String(8))  # UpdateFeeling; None when flagged
    text: Mapped[str] = mapped_column(String(UPDATE_TEXT_MAX), default="")
    flagged: Mapped[bool] = mapped_column(default=False, server_default=false(), index=True)
    flag_reason: Mapped[str] = mapped_column(Text, default="")  # which limit, in words
    advice: Mapped[str] = mapped_column(String(ADVICE_MAX), default="")  # what was agreed
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("self_care_goal.id"))
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_in.id"))
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)
    seen_at: Mapped[datetime | None] = mapped_column()
    seen_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    answer: Mapped[str] = mapped_column(String(ANSWER_MAX), default="")
    answered_at: Mapped[datetime | None] = mapped_column()
    answered_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    # When the patient read the answer: until then "Att göra nu" says that care answered.
    answer_read_at: Mapped[datetime | None] = mapped_column()

    goal: Mapped[SelfCareGoal | None] = relationship()
    seen_by: Mapped[StaffMember | None] = relationship(foreign_keys=[seen_by_staff_id])
    answered_by: Mapped[StaffMember | None] = relationship(foreign_keys=[answered_by_staff_id])
