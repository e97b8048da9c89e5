"""Whom a relative acts for in this request: the patient they chose, by a grant that holds.

The choice is kept in the session cookie; it is only a choice. The grant itself is read
from the database once per request, so a grant the patient ended (or that ran out) is
refused on the relative's very next request, on every worker. The door (webapp/access.py)
and the relations (webapp/people/relations.py) read it from here; nothing here decides what
the relative may do.
"""

from __future__ import annotations

from datetime import date

from flask import g, has_request_context, session
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import joinedload

from webapp.clock import now_utc
from webapp.extensions import db
from webapp.followups.details import local_zone
from webapp.people.models import Patient
from webapp.relatives.models import ProxyGrant

ACTING_FOR = "acting_for"
# This request's answer, kept in flask.g (one query per request at most).
_ACTING = "nara_acting_grant"
_ACTING_ENDED = "nara_acting_ended"


def today_local() -> date:
    """Today in the patient's zone: a grant holds through its last day."""
    return now_utc().astimezone(local_zone()).date()


def holds_today() -> ColumnElement[bool]:
    """A grant that holds today: not ended, and not past its last day."""
    return and_(
        ProxyGrant.ended_at.is_(None),
        or_(ProxyGrant.ends_on.is_(None), ProxyGrant.ends_on >= today_local()),
    )


def grant_holds(grant: ProxyGrant) -> bool:
    """`holds_today()` for a grant in hand."""
    return grant.ended_at is None and (grant.ends_on is None or grant.ends_on >= today_local())


def grant_active_for(user_id: int, patient_id: int) -> ProxyGrant | None:
    """The grant by which this account may act for this patient today, with the patient and
    her name loaded: her id, her plan's version, her name at the top of every page."""
    return db.session.scalar(
        select(ProxyGrant)
        .options(joinedload(ProxyGrant.patient).joinedload(Patient.user))
        .where(
            ProxyGrant.relative_user_id == user_id,
            ProxyGrant.patient_id == patient_id,
            holds_today(),
        )
        .limit(1)
    )


def acting_grant() -> ProxyGrant | None:
    """The grant by which the signed-in person acts for a patient in this request, if any."""
    if not has_request_context():
        return None
    if _ACTING in g:
        found: ProxyGrant | None = g.get(_ACTING)
        return found
    grant = None
    patient_id = session.get(ACTING_FOR)
    if patient_id is not None and getattr(current_user, "is_authenticated", False):
        grant = grant_active_for(current_user.id, int(patient_id))
        if grant is None:
            session.pop(ACTING_FOR, None)
            g.setdefault(_ACTING_ENDED, int(patient_id))
    setattr(g, _ACTING, grant)
    return grant


def acting_ended() -> int | None:
    """The patient whose grant ended since this person's last request, if one did."""
    acting_grant()
    ended: int | None = g.get(_ACTING_ENDED)
    return ended


def acting_start(patient_id: int) -> None:
    session[ACTING_FOR] = patient_id
    g.pop(_ACTING, None)


def acting_by(grant: ProxyGrant) -> None:
    """Act for the patient of a grant that holds, just read by the caller (with her name):
    this request does not read it again."""
    session[ACTING_FOR] = grant.patient_id
    setattr(g, _ACTING, grant)


def acting_stop() -> None:
    session.pop(ACTING_FOR, None)
    g.pop(_ACTING, None)
