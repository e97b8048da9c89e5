"""The access log (logglista): who opened or changed a patient's data, when, and in what role.

It is what Swedish law gives the patient to judge whether a look was justified, so it says
what really happened:
- a *read* row: the access door notes one per request in which someone other than the patient
  opened the patient's data (`read_noted`). It is written when the request ends, with the
  request's other work, or on its own if that work is rolled back: the look happened anyway.
  A request that ends in 404 (a child record of another patient, say) showed nothing and
  leaves no read row.
- a *change* row: a service writes one in the same transaction as a change that really
  happened (`change_record`), never for a form shown, refused or in conflict.

Rows are only ever inserted. Nothing in the app updates or deletes them; they are kept for at
least five years (the operator's retention job, not the app, may remove older rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, insert, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship
from sqlalchemy.orm.session import Session

from webapp.clock import now_utc
from webapp.db import OffPlan
from webapp.extensions import Model, db
from webapp.people.models import Patient, StaffMember, User
from webapp.people.relations import relation_of


class AccessLogEntry(OffPlan, Model):
    __tablename__ = "access_log_entry"
    __off_plan__ = "the patient's own check on us; never shown in Min plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=now_utc, index=True)
    actor_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    actor_role: Mapped[str] = mapped_column(String(32))
    actor_care_unit_id: Mapped[int | None] = mapped_column(ForeignKey("care_unit.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))

    actor: Mapped[User] = relationship()


class Read(StrEnum):
    """What a read row says was opened: the part of the data the request's area serves."""

    RECORD = "read_record"
    PLAN = "read_plan"
    WHAT_MATTERS = "read_what_matters"
    AGREEMENT = "read_agreement"
    FOLLOW_UPS = "read_follow_ups"
    RECEIPT = "read_receipt"
    CARE_TEAM = "read_care_team"
    WORKLIST = "read_worklist"  # the care contact's list: what waits, in one line
    SELF_CARE = "read_self_care"  # goals, check-ins and their pictures
    UPDATE = "read_update"  # one of the patient's updates to care
    JOURNAL_TEXT = "read_journal_text"  # an agreed version as text for the journal
    STORIES = "read_stories"  # "Berätta hur det är för dig", as told


PART_OF_AREA = {
    "care": Read.RECORD,
    "plan": Read.PLAN,
    "whatmatters": Read.WHAT_MATTERS,
    "agreement": Read.AGREEMENT,
    "followups": Read.FOLLOW_UPS,
    "receipt": Read.RECEIPT,
    "careteam": Read.CARE_TEAM,
    "selfcare": Read.SELF_CARE,
    "stories": Read.STORIES,
}

# A page that reads a narrower part than its area: said by its endpoint, ahead of the area.
PART_OF_ENDPOINT = {
    "selfcare.care_update": Read.UPDATE,
    "export.journal": Read.JOURNAL_TEXT,
}


class Change(StrEnum):
    PATIENT_CREATED = "created_patient"
    SIGN_IN_LINK_ISSUED = "issued_sign_in_link"
    AGREEMENT_DRAFTED = "drafted_agreement"
    AGREEMENT_CONSENTED_BY_CARE = "consented_as_care"
    AGREEMENT_TALK_WANTED = "wanted_to_talk_about_agreement"
    AGREEMENT_TALK_DONE = "talked_about_agreement"
    FOLLOW_UP_BOOKED = "booked_follow_up"
    FOLLOW_UP_MOVED = "moved_follow_up"
    FOLLOW_UP_CANCELLED = "cancelled_follow_up"
    RECEIPT_ANSWERED_BY_CARE = "answered_receipt_as_care"
    RECEIPT_CALL_WANTED = "asked_for_call_in_receipt"
    RECEIPT_CALL_DONE = "called_about_receipt"
    CONTACTS_ASSIGNED = "assigned_contacts"
    CARE_PARTS_EDITED = "edited_care_parts"
    REGISTERED_AT_OTHER_UNIT = "registered_at_other_unit"
    SELF_CARE_GOAL_SET = "set_self_care_goal"
    SELF_CARE_GOAL_CHANGED = "changed_self_care_goal"
    SELF_CARE_GOAL_ARCHIVED = "archived_self_care_goal"
    UPDATE_SEEN = "marked_update_seen"
    UPDATE_ANSWERED = "answered_update"
    RELATIVE_CONSENT = "recorded_relative_consent"  # consent given in person, for a relative


# How each row reads in the patient's own log. Values written by earlier versions of Nära
# keep their words, so old rows still read plainly.
ACTION_WORDS: dict[str, Any] = {
    Read.RECORD: _l("öppnade dina uppgifter"),
    Read.PLAN: _l("läste din plan"),
    Read.WHAT_MATTERS: _l("läste vad som är viktigt för dig"),
    Read.AGREEMENT: _l("läste överenskommelsen"),
    Read.FOLLOW_UPS: _l("läste dina planerade kontakter"),
    Read.RECEIPT: _l("läste Mitt kvitto"),
    Read.CARE_TEAM: _l("läste vilka som finns i ditt vårdteam"),
    Read.WORKLIST: _l("såg i sin patientlista vad som väntar i din plan"),
    Read.SELF_CARE: _l("läste din egenvård"),
    Read.UPDATE: _l("läste din uppdatering"),
    Read.JOURNAL_TEXT: _l("öppnade överenskommelsen som text till journalen"),
    Read.STORIES: _l("läste dina berättelser"),
    Change.PATIENT_CREATED: _l("lade till dig som patient i Nära"),
    Change.SIGN_IN_LINK_ISSUED: _l("skapade en länk som kan användas för att logga in som du"),
    Change.AGREEMENT_DRAFTED: _l("ändrade i förslaget till överenskommelse"),
    Change.AGREEMENT_CONSENTED_BY_CARE: _l("godkände överenskommelsen för vårdens del"),
    Change.AGREEMENT_TALK_WANTED: _l("svarade att du vill prata om förslaget först"),
    Change.AGREEMENT_TALK_DONE: _l("skrev att ni har pratat om förslaget till överenskommelse"),
    Change.FOLLOW_UP_BOOKED: _l("bokade en planerad kontakt"),
    Change.FOLLOW_UP_MOVED: _l("flyttade en planerad kontakt"),
    Change.FOLLOW_UP_CANCELLED: _l("avbokade en planerad kontakt"),
    Change.RECEIPT_ANSWERED_BY_CARE: _l("svarade på vårdens frågor i Mitt kvitto"),
    Change.RECEIPT_CALL_WANTED: _l("bad om att vårdkontakten ringer dig om ett svar i Mitt kvitto"),
    Change.RECEIPT_CALL_DONE: _l("skrev att ni har pratat om ett av dina svar i Mitt kvitto"),
    Change.CONTACTS_ASSIGNED: _l("ändrade din fasta vårdkontakt eller läkarkontakt"),
    Change.CARE_PARTS_EDITED: _l("ändrade vilka delar av vården som finns i din plan"),
    Change.SELF_CARE_GOAL_SET: _l("lade till ett mål för din egenvård"),
    Change.SELF_CARE_GOAL_CHANGED: _l("ändrade ett mål för din egenvård"),
    Change.SELF_CARE_GOAL_ARCHIVED: _l("tog bort ett mål för din egenvård"),
    Change.UPDATE_SEEN: _l("markerade din uppdatering som läst"),
    Change.UPDATE_ANSWERED: _l("svarade på din uppdatering"),
    Change.RELATIVE_CONSENT: _l(
        "antecknade att du har gett en närstående åtkomst till din plan (se Mina närstående)"
    ),
    Change.REGISTERED_AT_OTHER_UNIT: _l(
        "lade till en patient med ditt personnummer på en annan vårdenhet"
    ),
    # Earlier versions' values.
    "view_plan": _l("läste din plan"),
    "view_patient_record": _l("öppnade dina uppgifter"),
    "issue_invitation": _l("skapade en länk som kan användas för att logga in som du"),
    "draft_agreement": _l("ändrade i förslaget till överenskommelse"),
    "consent_as_care": _l("godkände överenskommelsen för vårdens del"),
    "book_follow_up": _l("bokade eller ändrade en planerad kontakt"),
    "answer_receipt_as_care": _l("svarade på vårdens frågor i Mitt kvitto"),
    "assign_contacts": _l("ändrade din fasta vårdkontakt eller läkarkontakt"),
    "edit_care_parts": _l("ändrade vilka delar av vården som finns i din plan"),
}

READ_ACTIONS = frozenset({*(part.value for part in Read), "view_plan", "view_patient_record"})

# A line of reads names the parts that were read, in the words of "Det som lästes: ...".
PART_WORDS: dict[str, Any] = {
    Read.RECORD: _l("dina uppgifter"),
    Read.PLAN: _l("Min plan"),
    Read.WHAT_MATTERS: _l("vad som är viktigt för dig"),
    Read.AGREEMENT: _l("överenskommelsen"),
    Read.FOLLOW_UPS: _l("dina planerade kontakter"),
    Read.RECEIPT: _l("Mitt kvitto"),
    Read.CARE_TEAM: _l("vilka som finns i ditt vårdteam"),
    Read.SELF_CARE: _l("din egenvård"),
    Read.UPDATE: _l("dina uppdateringar"),
    Read.STORIES: _l("dina berättelser"),
    "view_plan": _l("Min plan"),
    "view_patient_record": _l("dina uppgifter"),
}

ROLE_WORDS: dict[str, Any] = {
    "care_contact": _l("din fasta vårdkontakt"),
    "physician": _l("din fasta läkarkontakt"),
    "unit_admin": _l("administratör på din vårdenhet"),
    "unit_staff": _l("personal på din vårdenhet"),
    "other_unit": _l("personal på en annan vårdenhet"),
    "relative": _l("närstående som du har gett åtkomst"),
}

_PENDING_READS = "nara_pending_reads"


def _row(*, actor: User, patient_id: int, role: str, action: str) -> dict[str, Any]:
    unit_id = actor.staff.care_unit_id if actor.staff is not None else None
    return {
        "at": now_utc(),
        "actor_user_id": actor.id,
        "actor_role": str(role),
        "actor_care_unit_id": unit_id,
        "patient_id": patient_id,
        "action": str(action),
    }


def read_noted(*, actor: User, patient: Patient, role: str, part: str) -> None:
    """Note that this request opened the patient's data: one row per patient per request."""
    read_noted_id(actor=actor, patient_id=patient.id, role=role, part=part)


def read_noted_id(*, actor: User, patient_id: int, role: str, part: str) -> None:
    """`read_noted` for a request that has the patient's id only (a relative's check-in)."""
    if not has_request_context():
        return
    pending: dict[int, dict[str, Any]] = g.setdefault(_PENDING_READS, {})
    pending.setdefault(patient_id, _row(actor=actor, patient_id=patient_id, role=role, action=part))


def reads_forget() -> None:
    """The request showed nothing after all (it ends in 404): no read happened."""
    g.pop(_PENDING_READS, None)


def reads_take() -> list[dict[str, Any]]:
    """The read rows this request noted, taken so they are written once."""
    pending = g.pop(_PENDING_READS, None) if has_request_context() else None
    return list(pending.values()) if pending else []


def reads_add(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(AccessLogEntry), rows)


def change_record(*, actor: User | None, patient: Patient, change: Change) -> None:
    """A change that really happened, by someone other than the patient: in this transaction."""
    if actor is None or (actor.patient is not None and actor.patient.id == patient.id):
        return
    role = relation_of(actor, patient) or "other_unit"
    db.session.execute(
        insert(AccessLogEntry),
        [_row(actor=actor, patient_id=patient.id, role=role, action=change)],
    )


# --- the patient's logglista ------------------------------------------------------------


# The action of a LogLine that gathers one person's reads of one day, whatever they opened.
READS = "reads"


@dataclass(frozen=True)
class LogLine:
    """One line of the logglista: everything one person read on one day ("Karin Lind läste
    din plan 12 gånger"), or one change."""

    day: date
    first_at: datetime
    last_at: datetime
    actor: User
    role: str
    action: str  # READS, or the change's action
    count: int
    parts: tuple[str, ...] = ()  # for READS: the read actions, first read first

    @property
    def is_reads(self) -> bool:
        return self.action == READS

    @property
    def part_words(self) -> list[str]:
        return [str(PART_WORDS.get(part, ACTION_WORDS.get(part, part))) for part in self.parts]


@dataclass(frozen=True)
class LogPage:
    lines: list[LogLine]
    older_than: int | None  # the id to ask for the next, older page; None: this is the end


PAGE_ROWS = 500


def log_page(patient: Patient, *, before_id: int | None = None, zone: Any = None) -> LogPage:
    """A page of the patient's log, newest first: a person's reads of one day are one line
    (a colleague's many looks do not bury the rest), each change is a line of its own.

    Paging walks back through every row, so however many reads a colleague makes, no row can
    be pushed out of reach.
    """
    statement = (
        select(AccessLogEntry)
        .where(AccessLogEntry.patient_id == patient.id)
        .options(
            joinedload(AccessLogEntry.actor)
            .joinedload(User.staff)
            .joinedload(StaffMember.care_unit)
        )
        .order_by(AccessLogEntry.id.desc())
        .limit(PAGE_ROWS + 1)
    )
    if before_id is not None:
        statement = statement.where(AccessLogEntry.id < before_id)
    rows = list(db.session.scalars(statement))
    more = len(rows) > PAGE_ROWS
    rows = rows[:PAGE_ROWS]
    groups: dict[tuple[date, int, str, str | int], list[AccessLogEntry]] = {}
    for row in rows:
        local = row.at.astimezone(zone) if zone is not None else row.at
        kind: str | int = READS if row.action in READ_ACTIONS else row.id
        key = (local.date(), row.actor_user_id, row.actor_role, kind)
        groups.setdefault(key, []).append(row)
    lines = [
        LogLine(
            day=key[0],
            first_at=entries[-1].at,
            last_at=entries[0].at,
            actor=entries[0].actor,
            role=key[2],
            action=READS if key[3] == READS else entries[0].action,
            count=len(entries),
            parts=tuple(dict.fromkeys(entry.action for entry in reversed(entries)))
            if key[3] == READS
            else (),
        )
        for key, entries in groups.items()
    ]
    lines.sort(key=lambda line: line.last_at, reverse=True)
    return LogPage(lines=lines, older_than=rows[-1].id if more and rows else None)
