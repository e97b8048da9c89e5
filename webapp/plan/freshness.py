"""Knowing that a patient's plan changed, so "Min plan" can be served from memory.

Every transaction that writes a row of the plan (what matters, the agreement, follow-ups,
Mitt kvitto, the care team, the patient row itself) bumps `Patient.plan_version` in the same
commit. The cache of rendered plans (`webapp.plan.fragments`) keys on that number, so a
change made through any gunicorn worker is seen by every worker on its next request.

ORM writes are noticed by themselves (the flush events below). A service that writes with a
bulk `update()` or `delete()` statement, which the ORM does not track, calls
`webapp.changes.plan_changed(patient_id)` itself; a bulk write to a plan table in a
transaction that names no patient is refused, so a forgotten call fails loudly in tests.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from webapp.agreement.models import Agreement, AgreementItem, AgreementVersion
from webapp.careteam.models import CarePart, ContactChange
from webapp.changes import BULK_WRITE, PENDING
from webapp.followups.models import FollowUp
from webapp.people.models import Patient
from webapp.receipt.models import ReceiptAnswer
from webapp.whatmatters.models import WhatMattersRevision, WhatMattersStatement

# Rows that carry their patient's id themselves.
_WITH_PATIENT_ID = (
    WhatMattersStatement,
    Agreement,
    FollowUp,
    ReceiptAnswer,
    CarePart,
    ContactChange,
)


def _patient_ids_of(session: Session, objects: list[Any]) -> set[int]:
    ids: set[int] = set()
    version_ids: set[int] = set()
    agreement_ids: set[int] = set()
    for obj in objects:
        if isinstance(obj, Patient):
            ids.add(obj.id)
        elif isinstance(obj, _WITH_PATIENT_ID):
            ids.add(obj.patient_id)
        elif isinstance(obj, AgreementVersion):
            agreement_ids.add(obj.agreement_id)
        elif isinstance(obj, AgreementItem):
            version_ids.add(obj.version_id)
    connection = session.connection()
    if version_ids:
        agreement_ids.update(
            connection.scalars(
                select(AgreementVersion.agreement_id).where(AgreementVersion.id.in_(version_ids))
            )
        )
    if agreement_ids:
        ids.update(
            connection.scalars(select(Agreement.patient_id).where(Agreement.id.in_(agreement_ids)))
        )
    ids.discard(None)  # type: ignore[arg-type]
    return ids


@event.listens_for(Session, "after_flush")
def _note_plan_rows(session: Session, _flush_context: Any) -> None:
    touched = [*session.new, *session.dirty, *session.deleted]
    if touched:
        ids = _patient_ids_of(session, touched)
        if ids:
            session.info.setdefault(PENDING, set()).update(ids)


_PLAN_TABLES = frozenset(
    model.__table__.name
    for model in (*_WITH_PATIENT_ID, AgreementVersion, AgreementItem, WhatMattersRevision)
)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_writes(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None and table.name in _PLAN_TABLES:
            state.session.info[BULK_WRITE] = True


@event.listens_for(Session, "before_commit")
def _bump_plan_versions(session: Session) -> None:
    session.flush()  # so the flush above has seen everything this commit will write
    ids = session.info.pop(PENDING, None)
    if session.info.pop(BULK_WRITE, False) and not ids:
        raise RuntimeError("a bulk write to a plan table must call plan_changed(patient_id)")
    if ids:
        session.connection().execute(
            update(Patient.__table__)
            .where(Patient.__table__.c.id.in_(sorted(ids)))
            .values(plan_version=Patient.__table__.c.plan_version + 1)
        )


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(BULK_WRITE, None)
