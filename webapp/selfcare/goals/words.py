"""A goal in words, as the patient and the care contact read it on every page that shows it:
how often ("3 gånger om dagen"), the target ("Mål: minst 3 000 steg"), a limit ("Över 180 i
övre värdet"), who performs an assessed measure. Registered as template globals by the views.
"""

from __future__ import annotations

from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l

from webapp.selfcare.measures import SCALE_RANGES, UNITS, Measure, format_number
from webapp.selfcare.models import Frequency, GoalKind, GoalLimit, LimitKind, SelfCareGoal
from webapp.selfcare.overview import GoalToday
from webapp.selfcare.schedule import weekdays_of


def _(text: str, **values: object) -> str:
    """gettext, typed: flask_babel's is not."""
    return str(gettext(text, **values))


WEEKDAYS_SHORT = (
    _l("mån"),
    _l("tis"),
    _l("ons"),
    _l("tors"),
    _l("fre"),
    _l("lör"),
    _l("sön"),
)


def _value(goal: SelfCareGoal, value: float, value_index: int = 1) -> str:
    if goal.measure == Measure.BLOOD_PRESSURE:
        which = _("övre") if value_index == 1 else _("undre")
        return _("%(value)s mmHg (%(which)s värdet)", value=format_number(value, 0), which=which)
    unit = UNITS.get(goal.unit)
    if goal.measure == Measure.NUMBER and unit is not None:
        return f"{format_number(value, unit.decimals)} {unit.words}"
    return format_number(value, 1)


def frequency_words(goal: SelfCareGoal) -> str:
    if goal.frequency == Frequency.TIMES_A_DAY:
        return _("%(n)d gånger om dagen", n=goal.times_per_day)
    if goal.frequency == Frequency.WEEKDAYS:
        days = ", ".join(str(WEEKDAYS_SHORT[d]) for d in sorted(weekdays_of(goal)))
        return _("Dessa dagar: %(days)s", days=days)
    if goal.frequency == Frequency.TIMES_A_WEEK:
        return _("%(n)d gånger i veckan", n=goal.times_per_week)
    return _("En gång om dagen")


def measure_words(goal: SelfCareGoal) -> str:
    if goal.measure == Measure.NUMBER and goal.unit in UNITS:
        return _("Ett tal i %(unit)s", unit=UNITS[goal.unit].words)
    if goal.measure in SCALE_RANGES:
        low, high = SCALE_RANGES[Measure(goal.measure)]
        return _("En skala från %(low)d till %(high)d", low=low, high=high)
    if goal.measure == Measure.BLOOD_PRESSURE:
        return _("Blodtryck, övre och undre värde")
    return _("Gjort eller inte gjort")


def target_words(goal: SelfCareGoal) -> str:
    low, high = goal.target_min, goal.target_max
    if low is not None and high is not None:
        return _("Mål: mellan %(low)s och %(high)s", low=_value(goal, low), high=_value(goal, high))
    if low is not None:
        return _("Mål: minst %(value)s", value=_value(goal, low))
    if high is not None:
        return _("Mål: högst %(value)s", value=_value(goal, high))
    return ""


def limit_words(goal: SelfCareGoal, limit: GoalLimit) -> str:
    value = _value(goal, limit.value, limit.value_index)
    if limit.kind == LimitKind.ABOVE:
        return _("Över %(value)s", value=value)
    if limit.kind == LimitKind.BELOW:
        return _("Under %(value)s", value=value)
    days = limit.window_days or 1
    if limit.kind == LimitKind.RISE:
        return _("Ökar mer än %(value)s på %(days)d dagar", value=value, days=days)
    return _("Minskar mer än %(value)s på %(days)d dagar", value=value, days=days)


def reminder_words(goal: SelfCareGoal) -> str:
    if not goal.reminder_times:
        return ""
    return _("Påminnelse kl. %(times)s", times=goal.reminder_times.replace(",", ", "))


def performer_words(goal: SelfCareGoal, for_staff: bool) -> str:
    """Who does it: the patient ("Du" / "Patienten") or the named relative."""
    if goal.performer_name:
        return _("Närstående: %(name)s", name=goal.performer_name)
    return _("Patienten") if for_staff else _("Du")


def assessed_words(goal: SelfCareGoal) -> str:
    """ "Bedömd av Karin Lind 3 mars 2027. Följs upp senast 3 september 2027." """
    if goal.kind != GoalKind.ASSESSED:
        return ""
    who = goal.assessed_by.name if goal.assessed_by else _("vården")
    words = _("Bedömd av %(who)s", who=who)
    if goal.assessed_on:
        words = _(
            "%(words)s den %(day)s", words=words, day=format_date(goal.assessed_on, "d MMMM yyyy")
        )
    if goal.review_on:
        review = _("Följs upp senast %(day)s", day=format_date(goal.review_on, "d MMMM yyyy"))
        words = f"{words}. {review}"
    return f"{words}."


TEMPLATE_GLOBALS: dict[str, object] = {
    "goal_frequency_words": frequency_words,
    "goal_measure_words": measure_words,
    "goal_target_words": target_words,
    "goal_limit_words": limit_words,
    "goal_reminder_words": reminder_words,
    "goal_performer_words": performer_words,
    "goal_assessed_words": assessed_words,
}


def today_words(goal_today: GoalToday) -> str:
    """What today holds for one goal, as the patient reads it beside the title."""
    if goal_today.weekly:
        return _(
            "%(done)d av %(asked)d gånger den här veckan",
            done=goal_today.week_done,
            asked=goal_today.week_asked,
        )
    if not goal_today.asked:
        return _("Inget i dag")
    if goal_today.complete:
        return _("Gjort i dag")
    if goal_today.asked == 1:
        return _("Inte gjort i dag ännu")
    return _(
        "%(done)d av %(asked)d gjort i dag",
        done=goal_today.done,
        asked=goal_today.asked,
    )


TEMPLATE_GLOBALS["goal_today_words"] = today_words
