"""The rules of "Vad är viktigt för dig?": short statements in the patient's own words, in the
patient's order, archived rather than deleted, and every change kept in the history.

The caller has already asked the access policy; `actor` is who does it (the patient, or later a
relative on their behalf) and is recorded on every change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from webapp.clock import now_utc
from webapp.db import rowcount
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import Patient, User
from webapp.plan.changed import plan_changed
from webapp.whatmatters.models import (
    TEXT_MAX,
    RevisionKind,
    WhatMattersRevision,
    WhatMattersStatement,
)

ACTIVE_MAX = 20  # a short list stays readable on a phone and in "Min plan"

EMPTY_MESSAGE = _l("Skriv något först. Några ord räcker.")
CONFLICT_MESSAGE = _l(
    "Någon annan ändrade det här under tiden. Ingenting av ditt är sparat än. "
    "Läs det som är sparat nu. Din text finns kvar nedan: spara igen om du vill använda den."
)


class WhatMattersError(UserFacingError):
    """A rule said no; nothing was changed."""


class WhatMattersNotFound(WhatMattersError):
    """No such statement for this patient (the view answers 404)."""

    def __init__(self) -> None:
        super().__init__(str(_l("Det finns inte.")))


class WhatMattersConflict(WhatMattersError):
    """The statement changed since the form was opened; `statement` is what is saved now."""

    def __init__(self, statement: WhatMattersStatement) -> None:
        super().__init__(str(CONFLICT_MESSAGE))
        self.statement = statement


# Ways a statement can move: a place up, a place down, or first in the list.
MOVES = ("up", "down", "first")


def too_long_message(length: int) -> str:
    return str(
        _l(
            "Texten får vara högst %(max)d tecken. Nu är den %(length)d tecken. Korta den lite.",
            max=TEXT_MAX,
            length=length,
        )
    )


def text_check(text: str) -> str:
    """The cleaned text, or a WhatMattersError that says what is wrong with it."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise WhatMattersError(str(EMPTY_MESSAGE))
    if len(cleaned) > TEXT_MAX:
        raise WhatMattersError(too_long_message(len(cleaned)))
    return cleaned


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WhatMattersList:
    active: list[WhatMattersStatement]  # in the patient's order, most important first
    archived: list[WhatMattersStatement]  # most recently archived first

    def rank_of(self, statement_id: int) -> int | None:
        """The place (1 = first) of an active statement."""
        for rank, statement in enumerate(self.active, start=1):
            if statement.id == statement_id:
                return rank
        return None

    def moved_since(self, moment: datetime | None) -> bool:
        return moment is not None and any(
            s.moved_at is not None and s.moved_at > moment for s in self.active
        )

    def archived_since(self, moment: datetime | None) -> list[WhatMattersStatement]:
        if moment is None:
            return []
        return [s for s in self.archived if s.archived_at and s.archived_at > moment]


def whatmatters_list(*, patient: Patient) -> WhatMattersList:
    """Every statement of the patient, active in order and archived apart: one query."""
    statement = (
        select(WhatMattersStatement)
        .where(WhatMattersStatement.patient_id == patient.id)
        .options(joinedload(WhatMattersStatement.created_by))
        .order_by(WhatMattersStatement.position, WhatMattersStatement.id)
    )
    found = list(db.session.scalars(statement))
    archived = sorted(
        (s for s in found if s.archived_at is not None),
        key=lambda s: (s.archived_at, s.id),
        reverse=True,
    )
    return WhatMattersList(active=[s for s in found if s.archived_at is None], archived=archived)


def for_overview(patient: Patient) -> WhatMattersList:
    """What "Min plan" shows: the active statements in order, with what the "new since you
    last looked" marks need (created, changed, moved, archived times). One query."""
    return whatmatters_list(patient=patient)


def whatmatters_history(*, patient: Patient, limit: int = 500) -> list[WhatMattersRevision]:
    """Every kept change, newest first, with who made it: one query."""
    statement = (
        select(WhatMattersRevision)
        .join(WhatMattersRevision.statement)
        .where(WhatMattersStatement.patient_id == patient.id)
        .options(joinedload(WhatMattersRevision.changed_by).joinedload(User.staff))
        .order_by(WhatMattersRevision.changed_at.desc(), WhatMattersRevision.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(statement))


def statement_of_patient(statement_id: int, *, patient_id: int) -> int | None:
    """The statement's id if the patient wrote it (kept or taken off her list), else None."""
    return db.session.scalar(
        select(WhatMattersStatement.id).where(
            WhatMattersStatement.id == statement_id,
            WhatMattersStatement.patient_id == patient_id,
        )
    )


def whatmatters_find(*, patient: Patient, statement_id: int) -> WhatMattersStatement:
    found = db.session.scalar(
        select(WhatMattersStatement).where(
            WhatMattersStatement.id == statement_id,
            WhatMattersStatement.patient_id == patient.id,
        )
    )
    if found is None:
        raise WhatMattersNotFound()
    return found


# --- changing --------------------------------------------------------------------------


def _revise(
    statement: WhatMattersStatement,
    kind: RevisionKind,
    actor: User,
    at: datetime,
    position: int | None = None,
) -> None:
    db.session.add(
        WhatMattersRevision(
            statement_id=statement.id,
            kind=kind,
            text=statement.text,
            position=position,
            changed_by_user_id=actor.id,
            changed_at=at,
        )
    )


def _active(patient: Patient) -> list[WhatMattersStatement]:
    statement = (
        select(WhatMattersStatement)
        .where(
            WhatMattersStatement.patient_id == patient.id,
            WhatMattersStatement.archived_at.is_(None),
        )
        .order_by(WhatMattersStatement.position, WhatMattersStatement.id)
    )
    return list(db.session.scalars(statement))


def _place_last(patient: Patient) -> int:
    active = _active(patient)
    if len(active) >= ACTIVE_MAX:
        raise WhatMattersError(
            str(
                _l(
                    "Listan har redan %(max)d saker. Ta bort något från listan först, så blir "
                    "det plats.",
                    max=ACTIVE_MAX,
                )
            )
        )
    return (active[-1].position + 1) if active else 1


def whatmatters_add(*, patient: Patient, text: str, actor: User) -> WhatMattersStatement:
    """Add a statement last in the list; who wrote it is recorded."""
    cleaned = text_check(text)
    now = now_utc()
    statement = WhatMattersStatement(
        patient_id=patient.id,
        text=cleaned,
        position=_place_last(patient),
        created_by_user_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(statement)
    db.session.flush()
    _revise(statement, RevisionKind.CREATED, actor, now)
    db.session.flush()
    return statement


def whatmatters_edit(
    *, patient: Patient, statement_id: int, text: str, expected_version: int, actor: User
) -> WhatMattersStatement:
    """Change the text, unless it changed since the form was read (then nothing is saved)."""
    statement = whatmatters_find(patient=patient, statement_id=statement_id)
    cleaned = text_check(text)
    if statement.lock_version != expected_version:
        raise WhatMattersConflict(statement)
    if statement.is_archived:
        raise WhatMattersError(str(_l("Det här är borttaget från listan. Ta tillbaka det först.")))
    if cleaned == statement.text:
        return statement
    now = now_utc()
    # Compare and set in one statement: of two saves made at the same moment, only one wins.
    result = db.session.execute(
        update(WhatMattersStatement)
        .where(
            WhatMattersStatement.id == statement.id,
            WhatMattersStatement.lock_version == expected_version,
        )
        .values(text=cleaned, lock_version=expected_version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:  # someone else saved first: show what is saved now
        db.session.expire_all()
        raise WhatMattersConflict(whatmatters_find(patient=patient, statement_id=statement_id))
    plan_changed(patient.id)
    db.session.refresh(statement)
    _revise(statement, RevisionKind.EDITED, actor, now)
    db.session.flush()
    return statement


def whatmatters_move(*, patient: Patient, statement_id: int, direction: str, actor: User) -> int:
    """Move a statement one place up or down, or first; returns its new place (1 = most
    important)."""
    if direction not in MOVES:
        raise WhatMattersError(str(_l("Välj upp eller ner.")))
    active = _active(patient)
    index = next((i for i, s in enumerate(active) if s.id == statement_id), None)
    if index is None:
        whatmatters_find(patient=patient, statement_id=statement_id)  # 404 if not the patient's
        raise WhatMattersError(
            str(_l("Det här är borttaget från listan och har ingen plats i den."))
        )
    target = {"first": 0, "up": index - 1, "down": index + 1}[direction]
    if target < 0 or (direction == "first" and index == 0):
        raise WhatMattersError(str(_l("Det ligger redan först.")))
    if target >= len(active):
        raise WhatMattersError(str(_l("Det ligger redan sist.")))
    active.insert(target, active.pop(index))
    now = now_utc()
    # Number the whole list afresh: gaps and ties left by earlier changes disappear.
    for rank, item in enumerate(active, start=1):
        item.position = rank
    moved = active[target]
    moved.moved_at = now
    _revise(moved, RevisionKind.REORDERED, actor, now, position=target + 1)
    db.session.flush()
    return target + 1


def whatmatters_archive(
    *, patient: Patient, statement_id: int, actor: User
) -> WhatMattersStatement:
    """Take a statement off the list ("Ta bort från listan"); it stays under "Borttaget från
    listan", where she can take it back, in the history, and where the agreement refers to it
    (marked as taken off). Stored as archived: nothing is deleted."""
    statement = whatmatters_find(patient=patient, statement_id=statement_id)
    if statement.is_archived:
        raise WhatMattersError(str(_l("Det här är redan borttaget från listan.")))
    now = now_utc()
    statement.archived_at = now
    statement.updated_at = now
    statement.lock_version += 1
    _revise(statement, RevisionKind.ARCHIVED, actor, now)
    db.session.flush()
    return statement


def whatmatters_restore(
    *, patient: Patient, statement_id: int, actor: User
) -> WhatMattersStatement:
    """Put a statement taken off the list back, last in it."""
    statement = whatmatters_find(patient=patient, statement_id=statement_id)
    if not statement.is_archived:
        raise WhatMattersError(str(_l("Det här finns redan i listan.")))
    now = now_utc()
    statement.position = _place_last(patient)
    statement.archived_at = None
    statement.updated_at = now
    statement.lock_version += 1
    _revise(statement, RevisionKind.RESTORED, actor, now)
    db.session.flush()
    return statement
