"""Updates from the same moment are one thread: the update a check-in over a limit makes by
itself and the patient's own "Sämre" minutes later are one matter for care, answered once.

A thread is a run of one patient's updates each sent within `THREAD_GAP` of the one before.
Marking one read marks the thread read, answering one answers every update of it not yet
answered, so the patient never sees "Inte läst ännu" on a message care has handled; her list
shows each thread as one card.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from webapp.extensions import db
from webapp.selfcare.models import PatientUpdate

THREAD_GAP = timedelta(hours=2)
# How far from an update its thread is looked for (a thread longer than this is unheard of).
_AROUND = timedelta(days=1)


@dataclass(frozen=True)
class Answer:
    name: str  # who answered ("" when their account is gone)
    text: str
    at: datetime


@dataclass(frozen=True)
class UpdateThread:
    updates: list[PatientUpdate]  # oldest first

    @property
    def newest(self) -> PatientUpdate:
        return self.updates[-1]

    @property
    def flagged(self) -> bool:
        return any(update.flagged for update in self.updates)

    @property
    def unseen(self) -> list[PatientUpdate]:
        return [update for update in self.updates if update.seen_at is None]

    @property
    def first_seen(self) -> PatientUpdate | None:
        """The update whose reading the patient is told of: the first read, when all are."""
        if self.unseen:
            return None
        return min(self.updates, key=lambda update: (update.seen_at, update.id))

    @property
    def answers(self) -> list[Answer]:
        """Each answer once (answering a thread writes it on each of its updates)."""
        found: dict[tuple[datetime, str], Answer] = {}
        for update in self.updates:
            if update.answered_at is None:
                continue
            name = update.answered_by.name if update.answered_by else ""
            found.setdefault(
                (update.answered_at, update.answer),
                Answer(name=name, text=update.answer, at=update.answered_at),
            )
        return sorted(found.values(), key=lambda answer: answer.at)


def threads_of(updates: Iterable[PatientUpdate]) -> list[UpdateThread]:
    """One patient's updates as threads, the newest thread first."""
    runs: list[list[PatientUpdate]] = []
    for update in sorted(updates, key=lambda u: (u.created_at, u.id)):
        if runs and update.created_at - runs[-1][-1].created_at <= THREAD_GAP:
            runs[-1].append(update)
        else:
            runs.append([update])
    return [UpdateThread(run) for run in reversed(runs)]


def thread_around(update: PatientUpdate) -> list[PatientUpdate]:
    """The updates of `update`'s thread, itself included, oldest first: one query."""
    nearby = db.session.scalars(
        select(PatientUpdate).where(
            PatientUpdate.patient_id == update.patient_id,
            PatientUpdate.created_at >= update.created_at - _AROUND,
            PatientUpdate.created_at <= update.created_at + _AROUND,
        )
    )
    for thread in threads_of(nearby):
        if update in thread.updates:
            return thread.updates
    return [update]
