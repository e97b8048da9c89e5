"""Check-ins: what the patient logs against a goal, also made offline and sent later.

Each check-in carries a UUID made on the phone (or by the server for a form without
JavaScript), so a send retried after a lost answer is recognised and never stored twice. The
patient edits and deletes their own check-ins; a deletion keeps the row, and both say who did
it, so the history stays true.

The caller has already asked the access policy: `goal` is one of `patient`'s goals (see
`goal_find`, and `goal_rules_find` for the rules a new check-in is checked against), and
`actor` is who does it (the patient, later a relative on their behalf).
Services flush; the request commits.

A new check-in is written through the session with one statement that also recognises a
retried send (`INSERT … ON CONFLICT (client_uuid) DO NOTHING RETURNING id`): it is the
request a patient makes many times a day, so it is kept to a few light queries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from webapp.clock import now_utc
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import Patient, User
from webapp.plan.changed import plan_changed
from webapp.relatives.services import labels_for
from webapp.selfcare import reminders
from webapp.selfcare.checkins import limits
from webapp.selfcare.checkins.rules import GoalRules, goal_rules, goal_rules_at
from webapp.selfcare.measures import (
    BLOOD_PRESSURE_LOWER,
    BLOOD_PRESSURE_UPPER,
    SCALE_RANGES,
    UNITS,
    Measure,
    NotANumber,
    format_number,
    parse_number,
)
from webapp.selfcare.models import NOTE_MAX, CheckIn, PatientUpdate, SelfCareGoal
from webapp.selfcare.schedule import local_zone


def _(text: str, **values: Any) -> str:
    """gettext, typed: Flask-Babel's returns Any."""
    return str(gettext(text, **values))


# A phone's clock may run a little ahead of the server's: a check-in "from the future" within
# this is taken as made now-ish, not refused.
CLOCK_SKEW = timedelta(minutes=5)
# How far back a forgotten check-in may be logged. Further back it would no longer say how
# things are going: the agreed limits' windows (a few days) and the week's count are about
# now, and care reads a flag as news. A month covers a phone that was offline on a trip.
BACK_DAYS_MAX = 30
# A number with no unit the app knows (a goal from a newer version): still a number a
# person could type, never an overflow.
ANY_NUMBER = (Decimal("0"), Decimal("1000000"))
HISTORY_PAGE = 50


class CheckInError(UserFacingError):
    """A rule said no; nothing was saved."""


class CheckInNotFound(CheckInError):
    """No such goal or check-in for this patient (the view answers 404)."""

    def __init__(self) -> None:
        super().__init__(str(_l("Det finns inte.")))


class GoalArchived(CheckInError):
    """The goal was taken away (by the patient or care) before the check-in arrived."""

    def __init__(self) -> None:
        super().__init__(
            str(
                _l(
                    "Målet är borttaget, så det här sparades inte. "
                    "Det går inte att logga mer för det."
                )
            )
        )


class UuidTaken(CheckInError):
    """The UUID belongs to another goal's or another patient's check-in."""

    def __init__(self) -> None:
        super().__init__(
            str(_l("Den här incheckningen kunde inte sparas. Ladda om sidan och försök igen.")),
            field="client_uuid",
        )


@dataclass(frozen=True)
class Reading:
    """What is logged, as typed: one of done, a number, a scale value, two pressures."""

    done: bool | None = None
    value: str | float | int | None = None
    value2: str | float | int | None = None


@dataclass
class Logged:
    check_in_id: int
    created: bool  # False: this UUID was saved before (a retried send)
    flagged: PatientUpdate | None = None  # the update a crossed limit made


# --- finding ---------------------------------------------------------------------------


def goal_find(*, patient: Patient, goal_id: int) -> SelfCareGoal:
    """One of the patient's goals with its limits (archived too), or CheckInNotFound."""
    goal = (
        db.session.scalars(
            select(SelfCareGoal)
            .where(SelfCareGoal.id == goal_id, SelfCareGoal.patient_id == patient.id)
            .options(joinedload(SelfCareGoal.limits))
        )
        .unique()
        .one_or_none()
    )
    if goal is None:
        raise CheckInNotFound()
    return goal


def goal_rules_find(*, patient_id: int, goal_id: int) -> GoalRules:
    """What a check-in to one of the patient's goals (archived too) is checked against, or
    CheckInNotFound."""
    found = goal_rules(patient_id=patient_id, goal_ids=[goal_id]).get(goal_id)
    if found is None:
        raise CheckInNotFound()
    return found


def check_in_find(*, goal: SelfCareGoal, check_in_id: int) -> CheckIn:
    found = db.session.scalar(
        select(CheckIn).where(CheckIn.id == check_in_id, CheckIn.goal_id == goal.id)
    )
    if found is None:
        raise CheckInNotFound()
    return found


def check_in_last(*, goal: SelfCareGoal) -> CheckIn | None:
    """The goal's latest check-in that is not deleted."""
    return db.session.scalar(
        select(CheckIn)
        .where(CheckIn.goal_id == goal.id, CheckIn.deleted_at.is_(None))
        .order_by(CheckIn.taken_at.desc(), CheckIn.id.desc())
        .limit(1)
    )


def check_in_saved(*, goal: SelfCareGoal, check_in_id: int) -> tuple[CheckIn, PatientUpdate | None]:
    """A check-in just saved, with the flagged update it made (if a limit was crossed)."""
    row = db.session.execute(
        select(CheckIn, PatientUpdate)
        .outerjoin(
            PatientUpdate,
            (PatientUpdate.check_in_id == CheckIn.id) & PatientUpdate.flagged.is_(True),
        )
        .where(CheckIn.id == check_in_id, CheckIn.goal_id == goal.id)
        .order_by(PatientUpdate.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise CheckInNotFound()
    return row[0], row[1]


# --- the rules -------------------------------------------------------------------------


def uuid_check(text: object) -> str:
    """A client's UUID in its one canonical spelling, or CheckInError."""
    try:
        return str(uuid.UUID(str(text or "").strip()))
    except ValueError as error:
        raise CheckInError(
            _("Incheckningen saknar sitt id. Ladda om sidan och försök igen."),
            field="client_uuid",
        ) from error


def _number(
    text: object, bounds: tuple[Decimal, Decimal], unit_words: object, decimals: int, field: str
) -> Decimal:
    typed = "" if text is None else str(text)
    if isinstance(text, bool):
        typed = "x"
    if not typed.strip():
        raise CheckInError(_("Skriv ett värde först, till exempel 72,4."), field=field)
    try:
        number = parse_number(typed)
    except NotANumber as error:
        raise CheckInError(
            _("Skriv bara siffror, och ett kommatecken om det behövs, till exempel 72,4."),
            field=field,
        ) from error
    low, high = bounds
    if not low <= number <= high:
        raise CheckInError(
            _(
                "%(value)s %(unit)s kan inte stämma. Skriv ett värde mellan %(low)s och "
                "%(high)s %(unit)s.",
                value=typed.strip()[:12],
                unit=unit_words,
                low=format_number(low, decimals),
                high=format_number(high, decimals),
            ).replace("  ", " "),
            field=field,
        )
    if decimals == 0 and number != number.to_integral_value():
        raise CheckInError(_("Skriv ett helt tal, utan decimaler."), field=field)
    return round(number, decimals)


def reading_check(
    goal: GoalRules, reading: Reading
) -> tuple[bool | None, float | None, float | None]:
    """(done, value, value2) to store, or CheckInError saying what is wrong and where."""
    measure = goal.measure
    if measure == Measure.DONE:
        if reading.done is None:
            raise CheckInError(_("Tryck på Gjort eller Inte gjort."), field="done")
        return reading.done, None, None
    if measure in SCALE_RANGES:
        low, high = SCALE_RANGES[Measure(measure)]
        message = _("Välj ett värde från %(low)d till %(high)d.", low=low, high=high)
        try:
            number = parse_number("" if reading.value is None else str(reading.value))
        except NotANumber as error:
            raise CheckInError(message, field="value") from error
        if number != number.to_integral_value() or not low <= number <= high:
            raise CheckInError(message, field="value")
        return None, float(number), None
    if measure == Measure.BLOOD_PRESSURE:
        errors: dict[str, str] = {}
        values: list[Decimal] = []
        for name, text, bounds in (
            ("value", reading.value, BLOOD_PRESSURE_UPPER),
            ("value2", reading.value2, BLOOD_PRESSURE_LOWER),
        ):
            try:
                values.append(_number(text, bounds, "mmHg", 0, name))
            except CheckInError as error:
                errors[name] = str(error.message)
        if not errors and values[0] <= values[1]:
            errors["value"] = _(
                "Det övre värdet ska vara högre än det undre. Titta på mätaren igen."
            )
        if errors:
            first = next(iter(errors.values()))
            raise CheckInError(first, field=next(iter(errors)), errors=errors)
        return None, float(values[0]), float(values[1])
    unit = UNITS.get(goal.unit)
    bounds = (unit.low, unit.high) if unit else ANY_NUMBER
    number = _number(
        reading.value,
        bounds,
        unit.words if unit else "",  # translated only if a message needs it
        unit.decimals if unit else 2,
        "value",
    )
    return None, float(number), None


def taken_at_check(moment: datetime | None) -> datetime:
    """When it was done: now if not given; refused in the future or too long ago."""
    now = now_utc()
    if moment is None:
        return now
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    if moment > now + CLOCK_SKEW:
        raise CheckInError(
            _("Den tiden har inte varit än. Välj en tid som redan har varit."), field="day"
        )
    if moment < now - timedelta(days=BACK_DAYS_MAX):
        raise CheckInError(
            _("Du kan logga högst %(days)d dagar bakåt i tiden.", days=BACK_DAYS_MAX),
            field="day",
        )
    return moment


def taken_at_from(day: str, clock: str) -> datetime | None:
    """The moment from the form's "Jag glömde" fields, in the patient's zone; None: now."""
    day, clock = (day or "").strip(), (clock or "").strip()
    if not day and not clock:
        return None
    try:
        when_day = date.fromisoformat(day) if day else now_utc().astimezone(local_zone()).date()
    except ValueError as error:
        raise CheckInError(_("Välj en dag, till exempel 2026-05-03."), field="day") from error
    if not clock:
        raise CheckInError(_("Skriv också vilken tid, till exempel 08:30."), field="time")
    try:
        when_time = time.fromisoformat(clock)
    except ValueError as error:
        raise CheckInError(
            _("Skriv tiden som timmar och minuter, till exempel 08:30."), field="time"
        ) from error
    return datetime.combine(
        when_day, when_time.replace(second=0, microsecond=0, tzinfo=None)
    ).replace(tzinfo=local_zone())


def note_check(note: object) -> str:
    # NUL cannot be stored (PostgreSQL); it comes only with text pasted from some programs.
    text = str(note or "").replace("\x00", "").strip()
    if len(text) > NOTE_MAX:
        raise CheckInError(
            _(
                "Anteckningen får vara högst %(max)d tecken. Nu är den %(length)d tecken.",
                max=NOTE_MAX,
                length=len(text),
            ),
            field="note",
        )
    return text


def _active(goal: GoalRules | SelfCareGoal) -> None:
    if not goal.is_active:
        raise GoalArchived()


# --- writing ---------------------------------------------------------------------------


def _uuid_owner(client_uuid: str) -> tuple[int, int, int] | None:
    """(id, goal, patient) of the check-in saved under this UUID, if one was."""
    row = db.session.execute(
        select(CheckIn.id, CheckIn.goal_id, CheckIn.patient_id).where(
            CheckIn.client_uuid == client_uuid
        )
    ).first()
    return (row.id, row.goal_id, row.patient_id) if row is not None else None


def _saved_before(goal: GoalRules, client_uuid: str) -> Logged | None:
    """A retried send: the check-in this UUID was saved as (maybe edited since on another
    screen) stays as saved, and the phone is told so. The UUID of another goal's or another
    patient's check-in is refused: a UUID names one check-in."""
    owner = _uuid_owner(client_uuid)
    if owner is None:
        return None
    check_in_id, goal_id, patient_id = owner
    if goal_id != goal.id or patient_id != goal.patient_id:
        raise UuidTaken()
    return Logged(check_in_id=check_in_id, created=False)


@cache
def _insert_new(dialect: str) -> Insert:
    """INSERT … ON CONFLICT (client_uuid) DO NOTHING RETURNING id: no id back means the UUID
    was saved before, also by another request at this very moment, and nothing was written."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = CheckIn.__table__
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=[table.c.client_uuid])
        .returning(table.c.id)
    )


def check_in_record(
    *,
    goal: GoalRules,
    actor: User,
    client_uuid: object,
    taken_at: datetime | None,
    reading: Reading,
    note: object = "",
) -> Logged:
    """Save one check-in, or find it saved before under the same UUID (a retried send).

    The same UUID on another goal or another patient's check-in is refused (UuidTaken): a
    UUID names one check-in. Everything is checked before anything is written, and a retried
    send is "saved before" even when it would not pass the checks today (the goal archived
    since, the day now too far back)."""
    canonical = uuid_check(client_uuid)
    try:
        _active(goal)
        moment = taken_at_check(taken_at)
        done, value, value2 = reading_check(goal, reading)
        text = note_check(note)
    except CheckInError:
        saved = _saved_before(goal, canonical)
        if saved is None:
            raise
        return saved
    # The limits are read before the row is written, so it is written once, already marked.
    breaches = limits.limits_crossed(goal=goal, taken_at=moment, values=(value, value2))
    # A statement the ORM's flush does not see, so it says itself that today's self-care
    # changes (a retried send that writes nothing costs one plan drawn anew).
    plan_changed(goal.patient_id)
    check_in_id = db.session.scalar(
        _insert_new(db.session.get_bind().dialect.name),
        {
            "client_uuid": canonical,
            "goal_id": goal.id,
            "patient_id": goal.patient_id,
            "taken_at": moment,
            "done": done,
            "value": value,
            "value2": value2,
            "note": text,
            "outside_limits": bool(breaches),
            "logged_by_user_id": actor.id,
        },
    )
    if check_in_id is None:
        saved = _saved_before(goal, canonical)
        if saved is None:  # the other request that saved it rolled back: nothing is saved
            raise UuidTaken()
        return saved
    flagged = limits.limits_flag(goal=goal, check_in_id=check_in_id, breaches=breaches, actor=actor)
    _reminders_follow(goal.patient_id, has_reminders=goal.has_reminders)
    return Logged(check_in_id=check_in_id, created=True, flagged=flagged)


def check_in_log(
    *,
    patient_id: int,
    goal_id: int,
    actor: User,
    client_uuid: object,
    taken_at: datetime | None,
    reading: Reading,
    note: object = "",
) -> Logged:
    """`check_in_record` for one of the patient's goals (CheckInNotFound if it is not hers),
    the phone's one check-in at a time: the goal's rules and its change limits' windows
    before the check-in are read in one query."""
    try:
        moment: datetime | None = taken_at_check(taken_at)
    except CheckInError:
        moment = None  # refused below, in check_in_record's order of checks
    if moment is None:
        rules = goal_rules_find(patient_id=patient_id, goal_id=goal_id)
    else:
        found = goal_rules_at(patient_id=patient_id, goal_id=goal_id, window_at=moment)
        if found is None:
            raise CheckInNotFound()
        rules = found
    return check_in_record(
        goal=rules,
        actor=actor,
        client_uuid=client_uuid,
        taken_at=moment or taken_at,
        reading=reading,
        note=note,
    )


def _reminders_follow(patient_id: int, *, has_reminders: bool) -> None:
    """A goal with reminder times: what is done today decides whether today's remaining
    reminders still go out (all done: no more nagging today; one removed: they come back)."""
    if not has_reminders:
        return
    patient = db.session.get(Patient, patient_id)
    if patient is not None:
        reminders.self_care_reminders_refresh(patient)


def may_change(*, patient: Patient, actor: User, check_in: CheckIn) -> bool:
    """The patient changes any of their own check-ins; someone else (later a relative) only
    the ones they logged themselves."""
    return check_in.deleted_at is None and (
        actor.id == patient.user_id or actor.id == check_in.logged_by_user_id
    )


def _changeable(patient: Patient, goal: SelfCareGoal, actor: User, check_in_id: int) -> CheckIn:
    check_in = check_in_find(goal=goal, check_in_id=check_in_id)
    if not may_change(patient=patient, actor=actor, check_in=check_in):
        raise CheckInNotFound()
    _active(goal)
    return check_in


def check_in_edit(
    *,
    patient: Patient,
    goal: SelfCareGoal,
    actor: User,
    check_in_id: int,
    taken_at: datetime | None,
    reading: Reading,
    note: object = "",
) -> Logged:
    """Change a check-in (the time, what was logged, the note); who and when is kept."""
    check_in = _changeable(patient, goal, actor, check_in_id)
    rules = GoalRules.of(goal)
    moment = taken_at_check(taken_at) if taken_at is not None else check_in.taken_at
    done, value, value2 = reading_check(rules, reading)
    text = note_check(note)
    same = (check_in.taken_at, check_in.done, check_in.value, check_in.value2, check_in.note)
    if same == (moment, done, value, value2, text):
        return Logged(check_in_id=check_in.id, created=False)
    check_in.taken_at, check_in.done, check_in.value, check_in.value2 = moment, done, value, value2
    check_in.note = text
    check_in.edited_at = now_utc()
    check_in.edited_by_user_id = actor.id
    db.session.flush()
    flagged = limits.limits_apply(goal=rules, check_in=check_in, actor=actor)
    _reminders_follow(goal.patient_id, has_reminders=rules.has_reminders)
    return Logged(check_in_id=check_in.id, created=False, flagged=flagged)


def check_in_delete(
    *, patient: Patient, goal: SelfCareGoal, actor: User, check_in_id: int
) -> CheckIn:
    """Take a check-in away: it no longer counts, but the history says it was there."""
    check_in = _changeable(patient, goal, actor, check_in_id)
    check_in.deleted_at = now_utc()
    check_in.deleted_by_user_id = actor.id
    db.session.flush()
    _reminders_follow(goal.patient_id, has_reminders=goal.has_reminders)
    return check_in


# --- reading ---------------------------------------------------------------------------


def reading_words(goal: SelfCareGoal, check_in: CheckIn) -> str:
    """What was logged, as the patient reads it: "Gjort", "72,4 kg", "3 av 5", "135/85 mmHg"."""
    if goal.measure == Measure.DONE:
        return _("Gjort") if check_in.done else _("Inte gjort")
    if check_in.value is None:
        return ""
    if goal.measure in SCALE_RANGES:
        high = SCALE_RANGES[Measure(goal.measure)][1]
        return _("%(value)s av %(high)d", value=format_number(check_in.value, 0), high=high)
    if goal.measure == Measure.BLOOD_PRESSURE:
        upper = format_number(check_in.value, 0)
        lower = format_number(check_in.value2 or 0, 0)
        return f"{upper}/{lower} mmHg"
    unit = UNITS.get(goal.unit)
    number = format_number(check_in.value, unit.decimals if unit else 2)
    return f"{number} {unit.words}" if unit else number


def typed_values(goal: SelfCareGoal, check_in: CheckIn) -> dict[str, str]:
    """What the form shows for a check-in being changed: values as the patient types them."""
    values: dict[str, str] = {}
    unit = UNITS.get(goal.unit)
    decimals = (unit.decimals if unit else 2) if goal.measure == Measure.NUMBER else 0
    if check_in.value is not None:
        values["value"] = format_number(check_in.value, decimals)
    if check_in.value2 is not None:
        values["value2"] = format_number(check_in.value2, 0)
    return values


def when_words(moment: datetime) -> str:
    """ "3 maj kl. 08:10" in the patient's zone (Babel's zone is the app's)."""
    return _(
        "%(date)s kl. %(time)s",
        date=format_datetime(moment, "d MMMM"),
        time=format_datetime(moment, "HH:mm"),
    )


@dataclass(frozen=True)
class HistoryLine:
    check_in: CheckIn
    words: str
    logged_by: str
    edited_by: str | None
    deleted_by: str | None
    changeable: bool


@dataclass(frozen=True)
class History:
    lines: list[HistoryLine]
    page: int
    more: bool


def check_in_history(
    *, patient: Patient, goal: SelfCareGoal, actor: User, page: int = 1
) -> History:
    """The goal's check-ins, newest first, deleted ones too, with who logged, edited and
    deleted each: two queries whatever their number (the rows, then the people)."""
    page = max(page, 1)
    rows = list(
        db.session.scalars(
            select(CheckIn)
            .where(CheckIn.goal_id == goal.id)
            .order_by(CheckIn.taken_at.desc(), CheckIn.id.desc())
            .offset((page - 1) * HISTORY_PAGE)
            .limit(HISTORY_PAGE + 1)
        )
    )
    more, rows = len(rows) > HISTORY_PAGE, rows[:HISTORY_PAGE]
    ids = {
        user_id
        for row in rows
        for user_id in (row.logged_by_user_id, row.edited_by_user_id, row.deleted_by_user_id)
        if user_id is not None
    }
    names: dict[int, str] = {}
    if ids:
        for user_id, name in db.session.execute(select(User.id, User.name).where(User.id.in_(ids))):
            names[user_id] = name
        # A relative who logged for her is named as she named them: "Eva (dotter)".
        helpers = labels_for((patient.id, user_id) for user_id in ids if user_id != patient.user_id)
        names.update({user_id: label for (_patient, user_id), label in helpers.items()})

    def who(user_id: int | None) -> str | None:
        if user_id is None:
            return None
        return _("dig") if user_id == actor.id else names.get(user_id, "")

    lines = [
        HistoryLine(
            check_in=row,
            words=reading_words(goal, row),
            logged_by=who(row.logged_by_user_id) or "",
            edited_by=who(row.edited_by_user_id),
            deleted_by=who(row.deleted_by_user_id),
            changeable=goal.is_active and may_change(patient=patient, actor=actor, check_in=row),
        )
        for row in rows
    ]
    return History(lines=lines, page=page, more=more)
