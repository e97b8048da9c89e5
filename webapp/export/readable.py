""" "Min plan – hela": the same content as the FHIR Bundle, prepared for a page the patient
reads and prints in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date

from webapp.export.fhir_relatives import scope_words
from webapp.export.fhir_selfcare import limit_words
from webapp.export.record import CheckInRow, PatientRecord
from webapp.export.words import _
from webapp.followups.details import local_zone
from webapp.people.personnummer import display as personnummer_display
from webapp.receipt.models import QUESTION_COUNT, Answer, ReceiptAnswer, Side
from webapp.receipt.services import ANSWER_WORDS, question_text
from webapp.relatives.acting import grant_holds
from webapp.selfcare.measures import SCALE_RANGES, UNITS, Measure, format_number
from webapp.selfcare.models import SelfCareGoal


@dataclass(frozen=True)
class QuestionLine:
    number: int
    text: str
    mine: ReceiptAnswer | None
    care: ReceiptAnswer | None


@dataclass(frozen=True)
class CheckInLine:
    row: CheckInRow
    day: str  # "7 dec. 2026" in the patient's zone
    clock: str  # "07:40"
    words: str
    by: str


@dataclass(frozen=True)
class GoalPart:
    goal: SelfCareGoal
    limits: list[tuple[str, str]]  # the limit in words, care's advice
    check_ins: list[CheckInLine]  # the latest first, removed ones left out


@dataclass(frozen=True)
class RelativeLine:
    label: str  # as she named them: "Eva (dotter)"
    may: list[str]  # what she let them do, in words
    holds: bool
    ends_on: date | None


@dataclass(frozen=True)
class ReadableCopy:
    record: PatientRecord
    personal_number: str
    questions: list[QuestionLine]
    goals: list[GoalPart]
    relatives: list[RelativeLine]

    def answer_words(self, answer: ReceiptAnswer | None) -> str:
        if answer is None:
            return _("Inte besvarad")
        return str(ANSWER_WORDS[Answer(answer.answer)])


def reading(goal: SelfCareGoal, row: CheckInRow) -> str:
    """What was logged, in words: "Gjort", "72,4 kg", "3 av 5", "135/85 mmHg"."""
    if goal.measure == Measure.DONE:
        return _("Gjort") if row.done else _("Inte gjort")
    if row.value is None:
        return ""
    if goal.measure in SCALE_RANGES:
        high = SCALE_RANGES[Measure(goal.measure)][1]
        return _("%(value)s av %(high)d", value=format_number(row.value, 0), high=high)
    if goal.measure == Measure.BLOOD_PRESSURE:
        return f"{format_number(row.value, 0)}/{format_number(row.value2 or 0, 0)} mmHg"
    unit = UNITS.get(goal.unit)
    number = format_number(row.value, unit.decimals if unit else 2)
    return f"{number} {unit.words}" if unit else number


def readable_of(record: PatientRecord) -> ReadableCopy:
    patient_user = record.patient.user_id

    def by(user_id: int) -> str:
        if user_id == patient_user:
            return _("Du")
        user = record.users.get(user_id)
        return user.name if user else ""

    zone = local_zone()
    day_words: dict[date, str] = {}  # Babel once per day, not per check-in: two years are long

    def line(goal: SelfCareGoal, row: CheckInRow) -> CheckInLine:
        local = row.taken_at.astimezone(zone)
        day = local.date()
        if day not in day_words:
            day_words[day] = str(format_date(day, "d MMM yyyy"))
        return CheckInLine(
            row, day_words[day], f"{local:%H:%M}", reading(goal, row), by(row.logged_by_user_id)
        )

    by_goal: dict[int, list[CheckInRow]] = {}
    for row in record.check_ins:
        if row.deleted_at is None:
            by_goal.setdefault(row.goal_id, []).append(row)
    goals = []
    for goal in record.goals:
        lines = [line(goal, row) for row in reversed(by_goal.get(goal.id, []))]
        limits = [(limit_words(goal, limit), limit.advice) for limit in goal.limits]
        goals.append(GoalPart(goal=goal, limits=limits, check_ins=lines))
    questions = [
        QuestionLine(
            number=n,
            text=question_text(Side.PATIENT, n),
            mine=record.receipt.get((Side.PATIENT, n)),
            care=record.receipt.get((Side.CARE, n)),
        )
        for n in range(1, QUESTION_COUNT + 1)
    ]
    number = record.patient.personal_number
    return ReadableCopy(
        record=record,
        personal_number=personnummer_display(number) if number else "",
        questions=questions,
        goals=goals,
        relatives=[
            RelativeLine(
                label=grant.label,
                may=[scope_words(scope) for scope in grant.scopes],
                holds=grant_holds(grant),
                ends_on=grant.ends_on,
            )
            for grant in record.grants
        ],
    )
