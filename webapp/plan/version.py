"""Knowing that a patient's plan changed, so "Min plan" can be served from memory.

Every transaction that writes a row of a model marked `PlanRow` (see `webapp.db`) bumps its
patient's `Patient.plan_version` in the same commit, and every transaction that writes a
`DirectoryRow` (a staff member's or unit's name, phone, hours) bumps the one directory
version. The cache of rendered plans (`webapp.plan.cache`) keys on both numbers, so a
change made through any gunicorn worker is seen by every worker on its next request.

Nothing here names an area's models: they opt in with the mixin, and the listeners, the
guarded tables and the way from a row to its patient derive from it. A new area cannot
forget.

ORM writes are noticed by themselves (the flush event below). A service that writes with an
`insert()`, `update()` or `delete()` statement, which the ORM does not track, calls
`webapp.plan.changed.plan_changed(patient_id)` itself; such a write to a plan table in a
transaction that names no patient is refused, so a forgotten call fails loudly in tests.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

from sqlalchemy import Update, bindparam, event, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from webapp.db import DirectoryRow, PlanRow
from webapp.extensions import Model
from webapp.people.models import DirectoryVersion, Patient
from webapp.plan.changed import BULK_WRITE, PENDING

DIRECTORY_TOUCHED = "directory_touched"


def plan_models() -> list[type[Any]]:
    return [
        mapper.class_ for mapper in Model.registry.mappers if issubclass(mapper.class_, PlanRow)
    ]


@cache
def _by_name() -> dict[str, type[Any]]:
    return {model.__name__: model for model in plan_models()}


def patient_ids_of(session: Session, objects: list[Any]) -> set[int]:
    """The patients whose plans these rows belong to: directly, or up their parents."""
    ids: set[int] = set()
    # Parent ids to resolve, per parent model, walked up one level at a time.
    waiting: dict[type[Any], set[int]] = defaultdict(set)
    for obj in objects:
        if isinstance(obj, Patient):
            ids.add(obj.id)
        elif isinstance(obj, PlanRow):
            if obj.__plan_parent__ is None:
                ids.add(obj.patient_id)  # type: ignore[attr-defined]
            else:
                attribute, parent = obj.__plan_parent__
                waiting[_by_name()[parent]].add(getattr(obj, attribute))
    connection = session.connection()
    while waiting:
        model, parent_ids = waiting.popitem()
        parent_ids.discard(None)
        if not parent_ids:
            continue
        if model.__plan_parent__ is None:
            ids.update(connection.scalars(select(model.patient_id).where(model.id.in_(parent_ids))))
        else:
            attribute, grandparent = model.__plan_parent__
            column = getattr(model, attribute)
            waiting[_by_name()[grandparent]].update(
                connection.scalars(select(column).where(model.id.in_(parent_ids)))
            )
    ids.discard(None)
    return ids


@event.listens_for(Session, "after_flush")
def _note_plan_rows(session: Session, _flush_context: Any) -> None:
    touched = [*session.new, *session.dirty, *session.deleted]
    if not touched:
        return
    if any(
        obj in session.new or obj in session.deleted or session.is_modified(obj)
        for obj in touched
        if isinstance(obj, DirectoryRow)
    ):
        session.info[DIRECTORY_TOUCHED] = True
    plan_rows = [obj for obj in touched if isinstance(obj, PlanRow)]
    if plan_rows:
        ids = patient_ids_of(session, plan_rows)
        if ids:
            session.info.setdefault(PENDING, set()).update(ids)


@cache
def plan_tables() -> frozenset[str]:
    return frozenset(model.__table__.name for model in plan_models())


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_writes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None and table.name in plan_tables():
            state.session.info[BULK_WRITE] = True


# Built once: every commit that writes a plan runs one, and composing it cost more than
# running it. Most commits touch one patient's plan (a check-in, an edit): that one compares
# with a plain parameter, since SQLAlchemy renders an expanding IN anew on every execution.
@cache
def _plans_bump(*, one: bool) -> Update:
    table = Patient.__table__
    which = (
        table.c.id == bindparam("patient_id")
        if one
        else table.c.id.in_(bindparam("ids", expanding=True))
    )
    return update(table).where(which).values(plan_version=table.c.plan_version + 1)


@event.listens_for(Session, "before_commit")
def _bump_versions(session: Session) -> None:
    session.flush()  # so the flush above has seen everything this commit will write
    ids = session.info.pop(PENDING, None)
    if session.info.pop(BULK_WRITE, False) and not ids:
        raise RuntimeError("a bulk write to a plan table must call plan_changed(patient_id)")
    directory_touched = session.info.pop(DIRECTORY_TOUCHED, False)
    if not ids and not directory_touched:
        return  # nothing to bump: no connection is opened for it
    connection = session.connection()
    if ids:
        if len(ids) == 1:
            connection.execute(_plans_bump(one=True), {"patient_id": next(iter(ids))})
        else:
            connection.execute(_plans_bump(one=False), {"ids": sorted(ids)})
    if directory_touched:
        directory = DirectoryVersion.__table__
        bumped = connection.execute(
            update(directory).where(directory.c.id == 1).values(value=directory.c.value + 1)
        )
        if bumped.rowcount == 0:
            connection.execute(directory.insert().values(id=1, value=1))


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(BULK_WRITE, None)
    session.info.pop(DIRECTORY_TOUCHED, None)
