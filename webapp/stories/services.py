"""Telling a story, letting the unit use it or taking that back, and the unit's view of the
stories it may use: their words without names, the month, and whether it has discussed them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import joinedload

from webapp.clock import now_utc
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User
from webapp.relatives.models import ProxyGrant
from webapp.stories.anonymise import anonymise
from webapp.stories.models import STORY_MAX, Story

EMPTY_MESSAGE = _l("Skriv din berättelse först.")
LONG_MESSAGE = _l(
    "Berättelsen får vara högst %(max)d tecken. Korta den lite, eller dela upp den i två.",
    max=STORY_MAX,
)


class StoryError(UserFacingError):
    """The story could not be saved as it is; the message says what to change."""


def _unit_copy(text: str, *, patient: Patient, teller: User) -> str:
    names = [patient.name, teller.name]
    if teller.id != patient.user_id:
        # A relative who told it for her: also the name she gave them ("Eva"), which may not
        # be the name of their account.
        names += db.session.scalars(
            select(ProxyGrant.relative_name).where(
                ProxyGrant.patient_id == patient.id, ProxyGrant.relative_user_id == teller.id
            )
        )
    return anonymise(
        text,
        names=names,
        personal_numbers=[patient.personal_number or ""],
        phones=[patient.phone],
    )


def story_tell(*, patient: Patient, teller: User, text: str, unit_may_use: bool) -> Story:
    text = (text or "").strip()
    if not text:
        raise StoryError(EMPTY_MESSAGE, field="text")
    if len(text) > STORY_MAX:
        raise StoryError(LONG_MESSAGE, field="text")
    now = now_utc()
    story = Story(
        patient_id=patient.id,
        told_by_user_id=teller.id,
        text=text,
        unit_text=_unit_copy(text, patient=patient, teller=teller) if unit_may_use else None,
        unit_allowed_at=now if unit_may_use else None,
        created_at=now,
    )
    db.session.add(story)
    db.session.flush()
    return story


def stories_of(*, patient_id: int, told_by_user_id: int | None = None) -> list[Story]:
    """Her stories, newest first, each with who told it; `told_by_user_id`: only those that
    person told (a relative sees only their own, never hers)."""
    query = (
        select(Story)
        .where(Story.patient_id == patient_id)
        .options(joinedload(Story.told_by))
        .order_by(Story.id.desc())
    )
    if told_by_user_id is not None:
        query = query.where(Story.told_by_user_id == told_by_user_id)
    return list(db.session.scalars(query))


def _own(patient: Patient, story_id: int) -> Story | None:
    story = db.session.get(Story, story_id)
    return story if story is not None and story.patient_id == patient.id else None


def story_unit_withdraw(*, patient: Patient, story_id: int) -> Story | None:
    """The unit may no longer use it: its copy is emptied at once. The story when that
    changed something; None for a story not hers or not shared."""
    story = _own(patient, story_id)
    if story is None or story.unit_text is None:
        return None
    story.unit_text = None
    story.unit_withdrawn_at = now_utc()
    story.discussed_at = None
    story.discussed_by_staff_id = None
    db.session.flush()
    return story


def story_unit_allow(*, patient: Patient, story_id: int, by_user: User) -> Story | None:
    """She lets the unit use a story after all (again after a withdrawal)."""
    story = _own(patient, story_id)
    if story is None or story.unit_text is not None:
        return None
    teller = db.session.get(User, story.told_by_user_id) or by_user
    story.unit_text = _unit_copy(story.text, patient=patient, teller=teller)
    story.unit_allowed_at = now_utc()
    story.unit_withdrawn_at = None
    db.session.flush()
    return story


# --- the unit's view: no patient, no name, a month --------------------------------------


@dataclass(frozen=True)
class UnitStory:
    id: int
    month: datetime
    text: str
    discussed: bool


@dataclass(frozen=True)
class StoryCounts:
    usable: int
    discussed: int


def _usable_at(care_unit_id: int) -> list[ColumnElement[bool]]:
    return [
        Story.unit_text.is_not(None),
        Story.patient_id.in_(select(Patient.id).where(Patient.care_unit_id == care_unit_id)),
    ]


def unit_stories(*, care_unit_id: int) -> list[UnitStory]:
    """The stories the unit may use, newest first, as the unit may see them (one query)."""
    rows = db.session.execute(
        select(Story.id, Story.created_at, Story.unit_text, Story.discussed_at)
        .where(*_usable_at(care_unit_id))
        .order_by(Story.id.desc())
    )
    return [
        UnitStory(id=story_id, month=created_at, text=text or "", discussed=discussed is not None)
        for story_id, created_at, text, discussed in rows
    ]


def unit_counts(*, care_unit_id: int) -> StoryCounts:
    usable, discussed = db.session.execute(
        select(func.count(), func.count(Story.discussed_at)).where(*_usable_at(care_unit_id))
    ).one()
    return StoryCounts(usable=usable, discussed=discussed)


def story_discussed(*, care_unit_id: int, story_id: int, by_staff: StaffMember) -> bool | None:
    """Marks a usable story of the unit discussed: True when new, False when it already was,
    None when the unit may not use such a story (withdrawn, another unit's, none)."""
    story = db.session.scalar(select(Story).where(Story.id == story_id, *_usable_at(care_unit_id)))
    if story is None:
        return None
    if story.discussed_at is not None:
        return False
    story.discussed_at = now_utc()
    story.discussed_by_staff_id = by_staff.id
    db.session.flush()
    return True
