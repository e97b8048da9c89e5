"""The patient's private calendar link: making, closing and reading it by its token.

This is database work on CalendarFeed (a secret token, stored only as a hash), so it is kept
apart from calendar.py, which only turns follow-ups into .ics text and touches no database.
The link carries the follow-ups' details only when the patient has chosen so.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select

from webapp.auth.services import hash_token
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.followups.details import FollowUpError
from webapp.followups.models import CalendarFeed, FollowUp
from webapp.people.models import Patient


def calendar_feed_active(*, patient: Patient) -> CalendarFeed | None:
    return db.session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.patient_id == patient.id, CalendarFeed.revoked_at.is_(None)
        )
    )


def calendar_feed_enable(*, patient: Patient) -> str:
    """Make a new private link and return its token (shown once). An older link stops working;
    the choice of details stays as the patient made it."""
    token = secrets.token_urlsafe(32)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.patient_id == patient.id))
    if feed is None:
        feed = CalendarFeed(patient_id=patient.id)
        db.session.add(feed)
    feed.token_hash = hash_token(token)
    feed.created_at = now_utc()
    feed.revoked_at = None
    db.session.flush()
    return token


def calendar_feed_disable(*, patient: Patient) -> None:
    feed = calendar_feed_active(patient=patient)
    if feed is not None:
        feed.revoked_at = now_utc()
        db.session.flush()


def calendar_feed_choose_details(*, patient: Patient, include: bool) -> CalendarFeed:
    """Whether the link carries with whom, where, what it is about, how to prepare and why a
    time was cancelled, or only what kind of contact and when."""
    feed = calendar_feed_active(patient=patient)
    if feed is None:
        raise FollowUpError(_l("Kalenderlänken är avstängd. Slå på den först."))
    feed.include_details = include
    db.session.flush()
    return feed


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    """The active link this token opens, or None."""
    if not token or len(token) > 128:
        return None
    return db.session.scalar(
        select(CalendarFeed).where(
            and_(CalendarFeed.token_hash == hash_token(token), CalendarFeed.revoked_at.is_(None))
        )
    )


def calendar_follow_ups(*, feed: CalendarFeed) -> list[FollowUp]:
    """What the feed serves: everything from the last half year on, cancelled ones included
    so calendars can remove them."""
    since = now_utc() - timedelta(days=183)
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(FollowUp.patient_id == feed.patient_id, FollowUp.starts_at >= since)
            .order_by(FollowUp.starts_at, FollowUp.id)
        )
    )
