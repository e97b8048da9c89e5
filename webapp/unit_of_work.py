"""One unit of work per request.

Services add and flush; nothing in a request commits but this module. A request that ends
well (a status below 400) commits once, so the access log's change rows commit with the
change they describe and the plan's version is bumped in the same commit (see
`webapp.plan.version`). A request that ends in an error (a refused form, a conflict, a
404, a crash) rolls everything back: a failure leaves nothing half-done. The request's
read rows in the access log are written either way, except after a 404, which showed nothing
(see `webapp.audit`).

A request that wrote nothing (most page views) is not committed at all: its transaction only
read, and closing the session ends it. Whether
anything was written is noted as it happens (a flush, or an INSERT/UPDATE/DELETE executed
through the session), and a session still holding unflushed changes is committed as before.

`atomic()` is for the rare step that must be committed before the request goes on: using up
a WebAuthn challenge before its response is verified, so it can never be replayed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from werkzeug.wrappers import Response

from webapp import audit
from webapp.extensions import db
from webapp.plan.changed import PENDING


@contextmanager
def atomic() -> Iterator[None]:
    """Commit what the block did (and anything before it) now, or roll all of it back."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


WROTE = "nara_wrote"  # in Session.info: this transaction has written something


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _flush_context: Any) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_write(state: ORMExecuteState) -> None:
    if not state.is_select:  # an INSERT, UPDATE or DELETE, or text we cannot tell: a write
        state.session.info[WROTE] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_over(session: Session) -> None:
    session.info.pop(WROTE, None)


def _has_writes(session: Session) -> bool:
    # A service that says its statement changes a plan (`plan_changed`) has written, or is
    # about to, even on the connection, where the ORM does not see it.
    info = session.info
    return bool(
        info.get(WROTE) or info.get(PENDING) or session.new or session.dirty or session.deleted
    )


def _finish(response: Response) -> Response:
    if response.status_code == 404:
        audit.reads_forget()
    reads = audit.reads_take()
    if not reads and not _work_began():
        return response  # a request that never touched the database (a health check)
    session = db.session()
    if response.status_code < 400:
        if not reads and not _has_writes(session):
            # Only read: nothing to commit. Closing ends the read transaction now, whatever
            # the request's app context does next (a test may keep one open around it).
            session.close()
            return response
        try:
            audit.reads_add(session, reads)
            session.commit()
            return response
        except Exception:
            session.rollback()
            audit.reads_add(session, reads)
            session.commit()
            raise
    session.rollback()
    # The look happened even if the work did not: its read rows stand on their own.
    audit.reads_add(session, reads)
    session.commit()
    return response


def _work_began() -> bool:
    return bool(db.session.registry.has() and db.session().in_transaction())


def init_app(app: Flask) -> None:
    # Registered before the other after_request hooks, so it runs last (Flask runs them in
    # reverse): the response is final by then.
    app.after_request(_finish)
