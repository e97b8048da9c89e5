"""One unit of work per request: what a request wrote is committed when it ends well (below
400), however it was written, and nothing of it when it ends in an error."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from webapp.auth.models import SecurityEvent
from webapp.extensions import db


def events(user_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(SecurityEvent.user_id == user_id)) or 0


@pytest.mark.parametrize("on_connection", [False, True], ids=["session", "connection"])
@pytest.mark.parametrize("status, kept", [(200, 1), (303, 1), (400, 0), (409, 0), (500, 0)])
def test_a_statement_the_orm_does_not_track_commits_with_a_request_that_ends_well(
    app, client, patient, status, kept, on_connection
):
    @app.get("/probe-write")
    def probe_write():
        statement = insert(SecurityEvent).values(user_id=patient.user_id, kind="probe")
        (db.session.connection() if on_connection else db.session).execute(statement)
        return "written", status

    client.get("/probe-write")
    assert events(patient.user_id) == kept


def test_an_object_added_commits_with_a_request_that_ends_well(app, client, patient):
    @app.get("/probe-add")
    def probe_add():
        db.session.add(SecurityEvent(user_id=patient.user_id, kind="probe"))
        return "added"

    client.get("/probe-add")
    assert events(patient.user_id) == 1
