"""What a goal logs, in which unit, and which values are physically plausible.

One table serves every part of self-care: the check-in form's keypad and scale buttons, the
validation that refuses "weight 900 kg", the chart's axis and the words a value is read in.
Bounds are generous on purpose: they catch a slip of the thumb, not an unusual patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Measure(StrEnum):
    """How a check-in is logged."""

    DONE = "done"  # one tap: done / not done
    NUMBER = "number"  # a number with a unit (kg, steps, minutes ...)
    SCALE_1_5 = "scale_1_5"  # a row of five big buttons (mood)
    SCALE_0_10 = "scale_0_10"  # eleven buttons (pain, breathlessness)
    BLOOD_PRESSURE = "blood_pressure"  # two numbers, upper/lower, in mmHg


MEASURE_WORDS = {
    Measure.DONE: _l("Gjort eller inte gjort"),
    Measure.NUMBER: _l("Ett tal"),
    Measure.SCALE_1_5: _l("En skala från 1 till 5"),
    Measure.SCALE_0_10: _l("En skala från 0 till 10"),
    Measure.BLOOD_PRESSURE: _l("Blodtryck (övre och undre värde)"),
}

SCALE_RANGES = {Measure.SCALE_1_5: (1, 5), Measure.SCALE_0_10: (0, 10)}


@dataclass(frozen=True)
class Unit:
    code: str  # stored on the goal
    words: object  # lazy: shown after a number ("kg")
    low: Decimal  # the lowest plausible value
    high: Decimal  # the highest plausible value
    decimals: int  # how many decimals a value keeps (weight 72.4; steps 5000)


UNITS: dict[str, Unit] = {
    unit.code: unit
    for unit in (
        Unit("kg", _l("kg"), Decimal("20"), Decimal("350"), 1),
        Unit("steps", _l("steg"), Decimal("0"), Decimal("100000"), 0),
        Unit("minutes", _l("minuter"), Decimal("0"), Decimal("1440"), 0),
        Unit("times", _l("gånger"), Decimal("0"), Decimal("1000"), 0),
        Unit("mmol_l", _l("mmol/l"), Decimal("1"), Decimal("40"), 1),
        Unit("pulse", _l("slag per minut"), Decimal("25"), Decimal("250"), 0),
        Unit("celsius", _l("grader"), Decimal("32"), Decimal("43"), 1),
        Unit("km", _l("km"), Decimal("0"), Decimal("200"), 1),
        Unit("litres", _l("liter"), Decimal("0"), Decimal("10"), 1),
        Unit("saturation", _l("procent syremättnad"), Decimal("50"), Decimal("100"), 0),
    )
}

# Blood pressure: the upper (systolic) and lower (diastolic) value, in mmHg.
BLOOD_PRESSURE_UPPER = (Decimal("60"), Decimal("300"))
BLOOD_PRESSURE_LOWER = (Decimal("30"), Decimal("200"))


class NotANumber(ValueError):
    """What was typed does not read as a number."""


def parse_number(text: str) -> Decimal:
    """A number as a Swede types it: "72,4", "72.4", " 5 000 ". Raises NotANumber."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not cleaned or cleaned.count(".") > 1 or not cleaned.replace(".", "").isdigit():
        raise NotANumber(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - isdigit() guards it
        raise NotANumber(text) from error


def format_number(value: float | Decimal, decimals: int) -> str:
    """A value as the patient reads it: a decimal comma, no trailing ",0"."""
    rounded = round(Decimal(str(value)), decimals)
    text = f"{rounded:.{decimals}f}" if decimals else f"{int(rounded)}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
