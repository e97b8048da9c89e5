"""Domain rules of the whatmatters area (to be built)."""

from __future__ import annotations

from webapp.people.models import Patient


def for_overview(patient: Patient) -> None:
    """What "Min plan" shows of this area: a fixed, small number of queries whatever the counts."""
    return None
