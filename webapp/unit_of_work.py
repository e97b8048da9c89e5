"""One unit of work per request.

Services add and flush; nothing in a request commits but this module. A request that ends
well (a status below 400) commits once, so the access log's change rows commit with the
change they describe and the plan's version is bumped in the same commit (see
`webapp.plan.version`). A request that ends in an error (a refused form, a conflict, a
404, a crash) rolls everything back: a failure leaves nothing half-done. The request's
read rows in the access log are written either way, except after a 404, which showed nothing
(see `webapp.audit`).

`atomic()` is for the rare step that must be committed before the request goes on: using up
a WebAuthn challenge before its response is verified, so it can never be replayed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.wrappers import Response

from webapp import audit
from webapp.extensions import db


@contextmanager
def atomic() -> Iterator[None]:
    """Commit what the block did (and anything before it) now, or roll all of it back."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def _finish(response: Response) -> Response:
    if response.status_code == 404:
        audit.reads_forget()
    reads = audit.reads_take()
    if not reads and not _work_began():
        return response  # a request that never touched the database (a health check)
    session = db.session()
    if response.status_code < 400:
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
