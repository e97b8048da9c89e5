"""A check-in as the chart reads it: the row its picture, its table and its words are made of."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple


class Logged(NamedTuple):
    """One check-in as the picture and its table show it (a tuple: made once per row)."""

    id: int
    at: datetime  # in the patient's zone
    day: date  # the patient's local day
    done: bool | None
    value: float | None
    value2: float | None
    note: str
    outside_limits: bool
    logged_by: str  # the name of whoever logged it for the patient; "" for the patient
