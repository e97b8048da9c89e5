"""What the care contact or the patient typed for a goal, checked and converted.

The goal forms send text; this module turns it into the values a goal is saved with, or says
in plain Swedish what is wrong with each field, all at once (`GoalError.errors`, keyed by
the form's field names; a limit row's fields are `limits-<n>-<name>`). It lives apart from
services.py so the rules of who may change what are not buried under numbers and clocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from webapp.agreement import services as agreements
from webapp.clock import now_utc
from webapp.errors import UserFacingError
from webapp.people.models import Patient
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
from webapp.selfcare.models import (
    ADVICE_MAX,
    PERFORMER_MAX,
    TITLE_MAX,
    Frequency,
    GoalKind,
    LimitKind,
)
from webapp.selfcare.schedule import local_day
from webapp.whatmatters import services as whatmatters

TIMES_PER_DAY_MAX = 10
TIMES_PER_WEEK_MAX = 14
WINDOW_DAYS_MAX = 30
REMINDER_TIMES_MAX = 10
LIMITS_MAX = 2
REVIEW_YEARS_MAX = 3
PERFORMER_PATIENT = "patient"
PERFORMER_RELATIVE = "relative"


class GoalError(UserFacingError):
    """A rule said no; nothing was changed."""


@dataclass(frozen=True)
class LimitInput:
    kind: str = ""  # "" leaves the row empty: no limit
    value: str = ""
    value_index: str = "1"
    window_days: str = ""
    advice: str = ""


@dataclass(frozen=True)
class GoalInput:
    """A goal as typed. The fields after `template` are the care contact's only."""

    title: str = ""
    measure: str = ""
    unit: str = ""
    target_min: str = ""
    target_max: str = ""
    frequency: str = Frequency.DAILY
    times_per_day: str = "1"
    weekdays: tuple[str, ...] = ()
    times_per_week: str = ""
    reminder_times: str = ""
    limits: tuple[LimitInput, ...] = ()
    template: str = ""
    kind: str = GoalKind.OWN
    assessed_on: str = ""
    review_on: str = ""
    performer: str = PERFORMER_PATIENT
    performer_name: str = ""
    agreement_item_id: int | None = None
    what_matters_id: int | None = None


@dataclass
class CheckedGoal:
    values: dict[str, Any]  # columns of SelfCareGoal
    limits: list[dict[str, Any]] = field(default_factory=list)  # columns of GoalLimit


def _bounds(measure: str, unit: str, value_index: int = 1) -> tuple[Decimal, Decimal] | None:
    if measure == Measure.NUMBER and unit in UNITS:
        return UNITS[unit].low, UNITS[unit].high
    if measure in SCALE_RANGES:
        low, high = SCALE_RANGES[Measure(measure)]
        return Decimal(low), Decimal(high)
    if measure == Measure.BLOOD_PRESSURE:
        return BLOOD_PRESSURE_UPPER if value_index == 1 else BLOOD_PRESSURE_LOWER
    return None


def _words(value: Decimal) -> str:
    return format_number(value, 1)


class _Checker:
    """Collects every field's message, so the form says all that is wrong at once."""

    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def fail(self, name: str, message: Any) -> None:
        self.errors.setdefault(name, message)

    def number(self, name: str, text: str) -> Decimal | None:
        if not text.strip():
            return None
        try:
            return parse_number(text)
        except NotANumber:
            self.fail(name, _l("Skriv ett tal, till exempel 72,5."))
            return None

    def whole(self, name: str, text: str, low: int, high: int, message: Any) -> int | None:
        cleaned = text.strip()
        if not re.fullmatch(r"\d{1,3}", cleaned) or not low <= int(cleaned) <= high:
            self.fail(name, message)
            return None
        return int(cleaned)

    def in_bounds(self, name: str, value: Decimal, bounds: tuple[Decimal, Decimal]) -> bool:
        low, high = bounds
        if low <= value <= high:
            return True
        self.fail(
            name,
            _l(
                "Det värdet går inte att mäta. Skriv ett värde mellan %(low)s och %(high)s.",
                low=_words(low),
                high=_words(high),
            ),
        )
        return False

    def text(self, name: str, text: str, limit: int, required: Any = None) -> str:
        cleaned = text.strip()
        if required is not None and not cleaned:
            self.fail(name, required)
        elif len(cleaned) > limit:
            self.fail(
                name,
                _l(
                    "Texten får vara högst %(max)d tecken. Nu är den %(length)d tecken.",
                    max=limit,
                    length=len(cleaned),
                ),
            )
        return cleaned

    def day(self, name: str, text: str, required: Any) -> date | None:
        cleaned = text.strip()
        if not cleaned:
            self.fail(name, required)
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
                raise ValueError(cleaned)
            return date.fromisoformat(cleaned)
        except ValueError:
            self.fail(name, _l("Skriv datumet som år-månad-dag, till exempel 2027-03-29."))
            return None


def reminder_times_checked(checker: _Checker, text: str) -> str:
    """ "8:00, 14.30 20:00" -> "08:00,14:30,20:00"; every time must be a real clock time."""
    parts = [part for part in re.split(r"[\s,;]+", text.strip()) if part]
    found: set[str] = set()
    for part in parts:
        match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", part)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            checker.fail(
                "reminder_times",
                _l(
                    "Skriv klockslag som 08:00, flera med komma emellan. "
                    "”%(part)s” går inte att läsa som ett klockslag.",
                    part=part[:20],
                ),
            )
            return ""
        found.add(f"{int(match[1]):02d}:{match[2]}")
    if len(found) > REMINDER_TIMES_MAX:
        checker.fail(
            "reminder_times",
            _l("Högst %(max)d påminnelser om dagen.", max=REMINDER_TIMES_MAX),
        )
        return ""
    return ",".join(sorted(found))


def _frequency(checker: _Checker, details: GoalInput) -> dict[str, Any]:
    try:
        frequency = Frequency(details.frequency)
    except ValueError:
        checker.fail("frequency", _l("Välj hur ofta."))
        return {}
    values: dict[str, Any] = {
        "frequency": frequency,
        "times_per_day": 1,
        "weekdays": "",
        "times_per_week": 0,
    }
    if frequency == Frequency.TIMES_A_DAY:
        values["times_per_day"] = checker.whole(
            "times_per_day",
            details.times_per_day,
            1,
            TIMES_PER_DAY_MAX,
            _l("Skriv hur många gånger om dagen, 1 till %(max)d.", max=TIMES_PER_DAY_MAX),
        )
    elif frequency == Frequency.WEEKDAYS:
        days = sorted({int(day) for day in details.weekdays if re.fullmatch(r"[0-6]", day)})
        if not days or len(days) != len(set(details.weekdays)):
            checker.fail("weekdays", _l("Välj minst en veckodag."))
        values["weekdays"] = ",".join(str(day) for day in days)
    elif frequency == Frequency.TIMES_A_WEEK:
        values["times_per_week"] = checker.whole(
            "times_per_week",
            details.times_per_week,
            1,
            TIMES_PER_WEEK_MAX,
            _l("Skriv hur många gånger i veckan, 1 till %(max)d.", max=TIMES_PER_WEEK_MAX),
        )
    return values


def _targets(
    checker: _Checker, details: GoalInput, measure: str, unit: str
) -> tuple[Decimal | None, Decimal | None]:
    low = checker.number("target_min", details.target_min)
    high = checker.number("target_max", details.target_max)
    if low is None and high is None:
        return None, None
    if measure in (Measure.DONE, Measure.BLOOD_PRESSURE):
        name = "target_min" if low is not None else "target_max"
        checker.fail(name, _l("Ett mål att nå går bara att skriva för ett tal eller en skala."))
        return None, None
    bounds = _bounds(measure, unit)
    if bounds is None:
        return None, None
    if low is not None and not checker.in_bounds("target_min", low, bounds):
        low = None
    if high is not None and not checker.in_bounds("target_max", high, bounds):
        high = None
    if low is not None and high is not None and low > high:
        checker.fail("target_max", _l("Det högsta får inte vara lägre än det lägsta."))
    return low, high


def _limit(
    checker: _Checker,
    index: int,
    row: LimitInput,
    measure: str,
    unit: str,
    targets: tuple[Decimal | None, Decimal | None],
) -> dict[str, Any] | None:
    prefix = f"limits-{index}-"
    try:
        kind = LimitKind(row.kind)
    except ValueError:
        checker.fail(prefix + "kind", _l("Välj vilken sorts gräns."))
        return None
    if measure == Measure.DONE:
        checker.fail(
            prefix + "kind", _l("Gjort eller inte gjort har inga gränser. Ta bort gränsen.")
        )
        return None
    value_index = 2 if measure == Measure.BLOOD_PRESSURE and row.value_index.strip() == "2" else 1
    advice = checker.text(
        prefix + "advice",
        row.advice,
        ADVICE_MAX,
        required=_l("Skriv vad patienten ska göra när gränsen passeras, med era egna ord."),
    )
    value = checker.number(prefix + "value", row.value)
    if value is None:
        if not row.value.strip():
            checker.fail(prefix + "value", _l("Skriv gränsens värde."))
        return None
    bounds = _bounds(measure, unit, value_index)
    window_days = None
    if kind in (LimitKind.RISE, LimitKind.FALL):
        window_days = checker.whole(
            prefix + "window_days",
            row.window_days,
            1,
            WINDOW_DAYS_MAX,
            _l("Skriv på hur många dagar, 1 till %(max)d.", max=WINDOW_DAYS_MAX),
        )
        span = bounds[1] - bounds[0] if bounds else None
        if value <= 0 or (span is not None and value > span):
            checker.fail(prefix + "value", _l("Skriv hur mycket värdet får ändras, mer än 0."))
            return None
    else:
        if bounds is not None and not checker.in_bounds(prefix + "value", value, bounds):
            return None
        low, high = targets if value_index == 1 else (None, None)
        floor = [t for t in (low, high) if t is not None]
        if kind == LimitKind.ABOVE and floor and value <= max(floor):
            checker.fail(
                prefix + "value",
                _l(
                    "En övre gräns måste ligga över målet (%(target)s). Höj gränsen eller "
                    "ändra målet.",
                    target=_words(max(floor)),
                ),
            )
            return None
        if kind == LimitKind.BELOW and floor and value >= min(floor):
            checker.fail(
                prefix + "value",
                _l(
                    "En undre gräns måste ligga under målets golv (%(target)s). Sänk gränsen "
                    "eller ändra målet.",
                    target=_words(min(floor)),
                ),
            )
            return None
    return {
        "kind": kind,
        "value": float(value),
        "value_index": value_index,
        "window_days": window_days,
        "advice": advice,
    }


def _limits(
    checker: _Checker,
    details: GoalInput,
    measure: str,
    unit: str,
    targets: tuple[Decimal | None, Decimal | None],
) -> list[dict[str, Any]]:
    rows = [(n, row) for n, row in enumerate(details.limits) if row.kind.strip()]
    if len(details.limits) > LIMITS_MAX:
        checker.fail("limits-0-kind", _l("Högst %(max)d gränser.", max=LIMITS_MAX))
        return []
    found = [_limit(checker, n, row, measure, unit, targets) for n, row in rows]
    limits = [limit for limit in found if limit is not None]
    # Below and above on the same value: "below" must be the lower of the two.
    for n, limit in zip((n for n, _ in rows), found, strict=True):
        if limit is None or limit["kind"] != LimitKind.BELOW:
            continue
        for other in limits:
            same_value = other["value_index"] == limit["value_index"]
            if other["kind"] == LimitKind.ABOVE and same_value and other["value"] <= limit["value"]:
                checker.fail(
                    f"limits-{n}-value",
                    _l("Den undre gränsen måste vara lägre än den övre."),
                )
    return limits


def _care_fields(checker: _Checker, details: GoalInput, patient: Patient) -> dict[str, Any]:
    try:
        kind = GoalKind(details.kind)
    except ValueError:
        checker.fail("kind", _l("Välj vilken sorts egenvård det är."))
        return {}
    values: dict[str, Any] = {
        "kind": kind,
        "assessed_on": None,
        "review_on": None,
        "performer_name": "",
        "agreement_item_id": _agreement_item(checker, details.agreement_item_id, patient),
        "what_matters_id": _what_matters(checker, details.what_matters_id, patient),
    }
    if kind != GoalKind.ASSESSED:
        return values
    assessed = checker.day("assessed_on", details.assessed_on, _l("Skriv när det bedömdes."))
    review = checker.day(
        "review_on", details.review_on, _l("Skriv när bedömningen ska följas upp.")
    )
    today = local_day(now_utc())  # the patient's day, not the server's
    if assessed is not None and assessed > today:
        checker.fail("assessed_on", _l("Bedömningen kan inte vara gjord i framtiden."))
    if assessed is not None and review is not None:
        if review <= assessed:
            checker.fail("review_on", _l("Uppföljningen måste komma efter bedömningen."))
        elif review > assessed + timedelta(days=366 * REVIEW_YEARS_MAX):
            checker.fail("review_on", _l("Följ upp inom tre år. Kontrollera året."))
    values["assessed_on"], values["review_on"] = assessed, review
    if details.performer == PERFORMER_RELATIVE:
        values["performer_name"] = checker.text(
            "performer_name",
            details.performer_name,
            PERFORMER_MAX,
            required=_l("Skriv namnet på den närstående som gör det."),
        )
    elif details.performer != PERFORMER_PATIENT:
        checker.fail("performer", _l("Välj vem som gör det."))
    return values


def _agreement_item(checker: _Checker, item_id: int | None, patient: Patient) -> int | None:
    if item_id is None:
        return None
    found = agreements.item_of_patient(item_id, patient_id=patient.id)
    if found is None:
        checker.fail("agreement_item_id", _l("Välj en punkt ur patientens egen överenskommelse."))
    return found


def _what_matters(checker: _Checker, statement_id: int | None, patient: Patient) -> int | None:
    if statement_id is None:
        return None
    found = whatmatters.statement_of_patient(statement_id, patient_id=patient.id)
    if found is None:
        checker.fail("what_matters_id", _l("Välj något som patienten själv har skrivit."))
    return found


def goal_checked(details: GoalInput, *, patient: Patient, by_care: bool) -> CheckedGoal:
    """The goal's values, or a GoalError naming every field that is wrong."""
    checker = _Checker()
    title = checker.text(
        "title", details.title, TITLE_MAX, required=_l("Skriv vad målet är, med egna ord.")
    )
    try:
        measure = Measure(details.measure)
    except ValueError:
        checker.fail("measure", _l("Välj vad som ska skrivas in."))
        measure = None
    unit = ""
    if measure == Measure.NUMBER:
        unit = details.unit if details.unit in UNITS else ""
        if not unit:
            checker.fail("unit", _l("Välj en enhet, till exempel kg eller steg."))
    values: dict[str, Any] = {"title": title, "measure": measure or "", "unit": unit}
    targets = _targets(checker, details, measure or "", unit) if measure else (None, None)
    values["target_min"] = float(targets[0]) if targets[0] is not None else None
    values["target_max"] = float(targets[1]) if targets[1] is not None else None
    values.update(_frequency(checker, details))
    values["reminder_times"] = reminder_times_checked(checker, details.reminder_times)
    values["template"] = details.template if len(details.template) <= 32 else ""
    limits: list[dict[str, Any]] = []
    if by_care:
        values.update(_care_fields(checker, details, patient))
        if measure:
            limits = _limits(checker, details, measure, unit, targets)
    else:
        values["kind"] = GoalKind.OWN
    if checker.errors:
        first = next(iter(checker.errors.values()))
        raise GoalError(first, errors=checker.errors)
    return CheckedGoal(values=values, limits=limits)
