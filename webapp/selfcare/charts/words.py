"""How a goal's values read: "72,4 kg", "4 av 5", "135/85 mmHg", its target ("Mål: minst
5000 steg") and its agreed limits ("Upp mer än 2 kg på 3 dagar"), for the chart, its
description, its legend and its data table."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from webapp.selfcare.charts.logged import Logged
from webapp.selfcare.measures import SCALE_RANGES, UNITS, Measure, format_number
from webapp.selfcare.models import GoalLimit, LimitKind, SelfCareGoal


def decimals_of(goal: SelfCareGoal) -> int:
    unit = UNITS.get(goal.unit)
    return unit.decimals if unit is not None and goal.measure == Measure.NUMBER else 0


def unit_words(goal: SelfCareGoal) -> str:
    if goal.measure == Measure.BLOOD_PRESSURE:
        return "mmHg"
    unit = UNITS.get(goal.unit)
    return str(unit.words) if unit is not None and goal.measure == Measure.NUMBER else ""


class ChartWords:
    """How a goal's values, days and times read, worked out once per page: each of Babel's
    look-ups costs tens of microseconds, and a three-month table has hundreds of cells."""

    def __init__(self, goal: SelfCareGoal) -> None:
        self.measure = goal.measure
        self.decimals = decimals_of(goal)
        scale = SCALE_RANGES.get(Measure(goal.measure))
        self.scale_top = scale[1] if scale is not None else None
        # Without arguments gettext gives the translated pattern, filled in per value below.
        self.of_scale: str = _("%(value)s av %(top)s")
        self.unit = unit_words(goal)
        self.done: str = _("Gjort")
        self.not_done: str = _("Inte gjort")
        locale = get_locale()
        language = str(locale or "sv")
        self.clock_separator = "." if language.startswith("sv") else ":"
        self.weekdays = locale.days["format"]["abbreviated"] if locale else {}
        self.months = locale.months["format"]["abbreviated"] if locale else {}
        self._days: dict[date, str] = {}

    def number(self, value: float) -> str:
        """A value with its unit: "72,4 kg", "4 av 5", "135 mmHg"."""
        text = format_number(value, self.decimals)
        if self.scale_top is not None:
            return self.of_scale % {"value": text, "top": self.scale_top}
        # A plain space: at 200 % text on a 320 px phone "72,4" and "kg" may need two lines.
        return f"{text} {self.unit}" if self.unit else text

    def value(self, row: Logged) -> str:
        """What was logged, as the data table reads it."""
        if self.measure == Measure.DONE:
            return self.done if row.done else self.not_done
        if self.measure == Measure.BLOOD_PRESSURE:
            upper = format_number(row.value or 0, 0)
            lower = format_number(row.value2 or 0, 0)
            return f"{upper}/{lower} mmHg"
        return self.number(row.value or 0)

    def day(self, day: date) -> str:
        """ "mån 3 mars", "tis 4 nov.": Babel's "EEE d MMM" from its names, once per day."""
        words = self._days.get(day)
        if words is None:
            weekday = self.weekdays.get(day.weekday(), "")
            words = self._days[day] = f"{weekday} {day.day} {self.months.get(day.month, '')}"
        return words

    def time(self, at: datetime) -> str:
        return f"{at.hour:02d}{self.clock_separator}{at.minute:02d}"


def target_words(goal: SelfCareGoal, words: ChartWords) -> str:
    """ "Mål: 70–75 kg", "Mål: minst 5000 steg", "Mål: högst 3 av 10"; "" without a target."""
    low, high = goal.target_min, goal.target_max
    if goal.measure == Measure.DONE or (low is None and high is None):
        return ""
    if low is not None and high is not None:
        return str(
            _(
                "Mål: %(low)s–%(high)s",
                low=format_number(low, decimals_of(goal)),
                high=words.number(high),
            )
        )
    if low is not None:
        return str(_("Mål: minst %(value)s", value=words.number(low)))
    assert high is not None
    return str(_("Mål: högst %(value)s", value=words.number(high)))


def limit_words(goal: SelfCareGoal, limit: GoalLimit, words: ChartWords) -> str:
    """An agreed limit in words: "Under 60 kg", "Upp mer än 2 kg på 3 dagar"."""
    value = words.number(limit.value)
    if goal.measure == Measure.BLOOD_PRESSURE:
        which = _("Övre värdet") if limit.value_index == 1 else _("Undre värdet")
        if limit.kind == LimitKind.BELOW:
            return str(_("%(which)s under %(value)s", which=which, value=value))
        if limit.kind == LimitKind.ABOVE:
            return str(_("%(which)s över %(value)s", which=which, value=value))
    if limit.kind == LimitKind.BELOW:
        return str(_("Under %(value)s", value=value))
    if limit.kind == LimitKind.ABOVE:
        return str(_("Över %(value)s", value=value))
    days = limit.window_days or 1
    if limit.kind == LimitKind.RISE:
        return str(
            ngettext(
                "Upp mer än %(value)s på %(num)d dag",
                "Upp mer än %(value)s på %(num)d dagar",
                days,
                value=value,
            )
        )
    return str(
        ngettext(
            "Ned mer än %(value)s på %(num)d dag",
            "Ned mer än %(value)s på %(num)d dagar",
            days,
            value=value,
        )
    )
