"""Saying that a transaction changes a patient's plan, for writes the ORM cannot see.

The ORM's own inserts, updates and deletes of plan rows are noticed by
`webapp.plan.version`. An `insert()`/`update()`/`delete()` statement is not, so the service
that runs one calls `plan_changed(patient_id)` before it commits. This module imports nothing of
the areas, so every area's services may use it.
"""

from __future__ import annotations

from webapp.extensions import db

PENDING = "plan_changed_patient_ids"
BULK_WRITE = "plan_bulk_write"


def plan_changed(patient_id: int) -> None:
    db.session().info.setdefault(PENDING, set()).add(patient_id)
