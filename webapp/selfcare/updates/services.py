"""Updates to the care contact (patientuppdateringar): the patient's own, and those a
check-in outside agreed limits makes by itself; the care side marks them read and answers.

The patient sees what became of each one: read by whom and when, and the answer. A flagged
update also tells the care contacts who asked for it with a push that names no patient
(`alerts.py`), queued in the same transaction as the update.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp import audit
from webapp.clock import now_utc
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User
from webapp.selfcare.measures import SCALE_RANGES, UNITS, Measure, format_number
from webapp.selfcare.models import (
    ANSWER_MAX,
    UPDATE_TEXT_MAX,
    CheckIn,
    PatientUpdate,
    SelfCareGoal,
    UpdateFeeling,
)
from webapp.selfcare.updates.alerts import flagged_update_alert
from webapp.selfcare.updates.threads import thread_around

FEELING_MESSAGE = _l("Välj hur det går: Bättre, Som förut eller Sämre.")
ANSWER_MESSAGE = _l("Skriv ditt svar till patienten.")
ANSWERED_ALREADY = _l("Uppdateringen har redan ett svar. Vill du säga något mer, ring patienten.")
# The patient's list shows this many of the latest updates: a page, not an archive.
PATIENT_LIST_MAX = 50


class UpdateError(UserFacingError):
    """An update or an answer that cannot be saved as it is; nothing was saved."""


class UpdateNotFound(LookupError):
    """No such update of this patient: the view answers 404."""


def _too_long(field: str, length: int, limit: int) -> UpdateError:
    return UpdateError(
        _l(
            "Texten är för lång: %(length)d tecken. Korta den till högst %(limit)d.",
            length=length,
            limit=limit,
        ),
        field,
    )


def _feeling(value: object) -> UpdateFeeling | None:
    try:
        return UpdateFeeling(str(value)) if value else None
    except ValueError:
        return None


def update_send(
    *, patient: Patient, actor: User, feeling: UpdateFeeling | str | None, text: str = ""
) -> PatientUpdate:
    """The patient tells care how it goes: a feeling (required) and optional text. Every
    problem is told at once, and nothing is saved unless all is well."""
    errors: dict[str, object] = {}
    chosen = _feeling(feeling)
    if chosen is None:
        errors["feeling"] = FEELING_MESSAGE
    cleaned = (text or "").strip()
    if len(cleaned) > UPDATE_TEXT_MAX:
        errors["text"] = _too_long("text", len(cleaned), UPDATE_TEXT_MAX).message
    if errors:
        first = next(iter(errors))
        raise UpdateError(errors[first], field=first, errors=errors)
    update = PatientUpdate(
        patient_id=patient.id, feeling=chosen, text=cleaned, created_by_user_id=actor.id
    )
    db.session.add(update)
    db.session.flush()
    return update


def update_flagged(
    *, patient_id: int, goal_id: int, check_in_id: int, actor: User, reason: str, advice: str
) -> PatientUpdate:
    """A check-in crossed an agreed limit: an update made by itself, marked so, carrying the
    limit in words and the advice care agreed for it. The care contacts who asked for it get
    a push, queued in this same transaction."""
    update = PatientUpdate(
        patient_id=patient_id,
        flagged=True,
        flag_reason=reason,
        advice=advice,
        goal_id=goal_id,
        check_in_id=check_in_id,
        created_by_user_id=actor.id,
    )
    db.session.add(update)
    db.session.flush()
    patient = db.session.get(Patient, patient_id)
    if patient is not None:
        flagged_update_alert(patient, update)
    return update


# --- the care side ----------------------------------------------------------------------


def update_find(*, patient: Patient, update_id: int) -> PatientUpdate:
    """One of this patient's updates, with who read and answered it; UpdateNotFound for an
    id that is not theirs."""
    found = db.session.scalar(
        select(PatientUpdate)
        .where(PatientUpdate.id == update_id, PatientUpdate.patient_id == patient.id)
        .options(
            joinedload(PatientUpdate.goal),
            joinedload(PatientUpdate.seen_by).joinedload(StaffMember.user),
            joinedload(PatientUpdate.answered_by).joinedload(StaffMember.user),
        )
    )
    if found is None:
        raise UpdateNotFound(update_id)
    return found


def check_in_of(update: PatientUpdate) -> CheckIn | None:
    """The check-in a flagged update came from (kept even if the patient later deleted it)."""
    if update.check_in_id is None:
        return None
    return db.session.get(CheckIn, update.check_in_id)


def update_mark_seen(*, patient: Patient, update_id: int, staff: StaffMember) -> PatientUpdate:
    """The care side has read it, and so the rest of its thread. A second "seen" changes
    nothing and logs nothing: the patient is told who read it first."""
    update = update_find(patient=patient, update_id=update_id)
    unseen = [member for member in thread_around(update) if member.seen_at is None]
    if not unseen:
        return update
    now = now_utc()
    for member in unseen:  # the whole thread: one matter, read at once
        member.seen_at = now
        member.seen_by_staff_id = staff.id
    db.session.flush()
    audit.change_record(actor=staff.user, patient=patient, change=audit.Change.UPDATE_SEEN)
    return update


def update_answer(
    *, patient: Patient, update_id: int, staff: StaffMember, text: str
) -> PatientUpdate:
    """A short note the patient sees under their update. Answering is reading too: an
    unread update becomes read by the one who answers. It answers the update's whole thread
    (`threads.py`): every update of it not answered yet. The same answer sent twice (a
    double tap) is one answer; a different one after it is refused, nothing lost."""
    update = update_find(patient=patient, update_id=update_id)
    cleaned = (text or "").strip()
    if not cleaned:
        raise UpdateError(ANSWER_MESSAGE, "answer")
    if len(cleaned) > ANSWER_MAX:
        raise _too_long("answer", len(cleaned), ANSWER_MAX)
    if update.answered_at is not None:
        if update.answer == cleaned:
            return update
        raise UpdateError(ANSWERED_ALREADY, "answer")
    now = now_utc()
    for member in thread_around(update):  # the whole thread: one matter, one answer
        if member.answered_at is not None:
            continue
        member.answer = cleaned
        member.answered_at = now
        member.answered_by_staff_id = staff.id
        if member.seen_at is None:
            member.seen_at = now
            member.seen_by_staff_id = staff.id
    db.session.flush()
    audit.change_record(actor=staff.user, patient=patient, change=audit.Change.UPDATE_ANSWERED)
    return update


# --- the patient's list -----------------------------------------------------------------


@dataclass(frozen=True)
class PatientUpdates:
    updates: list[PatientUpdate]  # newest first
    more: bool  # older ones exist beyond the list


def updates_of(patient: Patient) -> PatientUpdates:
    """The patient's latest updates, newest first, with who read and answered them and the
    goal a flagged one came from: one query however many there are."""
    rows = list(
        db.session.scalars(
            select(PatientUpdate)
            .where(PatientUpdate.patient_id == patient.id)
            .options(
                joinedload(PatientUpdate.goal),
                joinedload(PatientUpdate.seen_by).joinedload(StaffMember.user),
                joinedload(PatientUpdate.answered_by).joinedload(StaffMember.user),
            )
            .order_by(PatientUpdate.created_at.desc(), PatientUpdate.id.desc())
            .limit(PATIENT_LIST_MAX + 1)
        )
    )
    return PatientUpdates(updates=rows[:PATIENT_LIST_MAX], more=len(rows) > PATIENT_LIST_MAX)


def updates_all_of(*, patient_id: int) -> list[PatientUpdate]:
    """Every update of the patient, oldest first, with who read and answered it: her own
    copy of the plan. One query."""
    return list(
        db.session.scalars(
            select(PatientUpdate)
            .where(PatientUpdate.patient_id == patient_id)
            .options(
                joinedload(PatientUpdate.seen_by).joinedload(StaffMember.user),
                joinedload(PatientUpdate.answered_by).joinedload(StaffMember.user),
            )
            .order_by(PatientUpdate.created_at, PatientUpdate.id)
        )
    )


def answers_unread(patient: Patient) -> list[PatientUpdate]:
    """Updates whose answer the patient has not read yet, newest first, with who answered:
    "Att göra nu" says so until she has. One query."""
    return list(
        db.session.scalars(
            select(PatientUpdate)
            .where(
                PatientUpdate.patient_id == patient.id,
                PatientUpdate.answered_at.is_not(None),
                PatientUpdate.answer_read_at.is_(None),
            )
            .options(joinedload(PatientUpdate.answered_by).joinedload(StaffMember.user))
            .order_by(PatientUpdate.answered_at.desc(), PatientUpdate.id.desc())
        )
    )


def answers_mark_read(shown: list[PatientUpdate]) -> None:
    """The patient has read the answers on her list: no longer news on Min plan."""
    now = now_utc()
    changed = False
    for update in shown:
        if update.answered_at is not None and update.answer_read_at is None:
            update.answer_read_at = now
            changed = True
    if changed:
        db.session.flush()


def check_in_words(goal: SelfCareGoal | None, check_in: CheckIn | None) -> str:
    """What was logged, as the patient would say it: "74,5 kg", "150/95 mmHg", "7 av 10"."""
    if goal is None or check_in is None:
        return ""
    if goal.measure == Measure.DONE:
        return str(_l("Gjort") if check_in.done else _l("Inte gjort"))
    if check_in.value is None:
        return ""
    if goal.measure == Measure.BLOOD_PRESSURE:
        lower = format_number(check_in.value2, 0) if check_in.value2 is not None else "?"
        return f"{format_number(check_in.value, 0)}/{lower} mmHg"
    if goal.measure in SCALE_RANGES:
        top = SCALE_RANGES[Measure(goal.measure)][1]
        return str(_l("%(value)s av %(top)d", value=format_number(check_in.value, 0), top=top))
    unit = UNITS.get(goal.unit)
    if unit is None:
        return format_number(check_in.value, 2)
    return f"{format_number(check_in.value, unit.decimals)} {unit.words}"


@dataclass(frozen=True)
class Unseen:
    """An update nobody of care has read yet, as the worklist says it: in the patient's
    words ("Sämre: andfådd") or the limit's ("Vikten har ökat mer än 2 kg på 3 dagar")."""

    id: int
    flagged: bool
    worse: bool  # the patient chose "Sämre"
    words: str  # her own text, or for a flagged update the limit it crossed


def unseen_by_patient(patient_ids: Sequence[int]) -> dict[int, list[Unseen]]:
    """Each patient's updates that nobody of care has read yet, the newest first. One query,
    however many patients."""
    rows = db.session.execute(
        select(
            PatientUpdate.patient_id,
            PatientUpdate.id,
            PatientUpdate.flagged,
            PatientUpdate.feeling,
            PatientUpdate.text,
            PatientUpdate.flag_reason,
        )
        .where(PatientUpdate.patient_id.in_(patient_ids), PatientUpdate.seen_at.is_(None))
        .order_by(PatientUpdate.created_at.desc(), PatientUpdate.id.desc())
    )
    found: dict[int, list[Unseen]] = {}
    for patient_id, update_id, flagged, feeling, text, reason in rows:
        found.setdefault(patient_id, []).append(
            Unseen(
                id=update_id,
                flagged=bool(flagged),
                worse=feeling == UpdateFeeling.WORSE,
                words=reason if flagged else text,
            )
        )
    return found
