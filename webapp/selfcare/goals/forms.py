"""Forms of self-care goals: shape and labels only; the rules live in validation.py and services.py.

Plain text fields, so what was typed comes back as it was, even when it is wrong.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import AppForm, HiddenNumberField, SelectChoice, optional_id, strip
from webapp.selfcare.goals.catalogue import GoalTemplate
from webapp.selfcare.goals.validation import (
    LIMITS_MAX,
    PERFORMER_PATIENT,
    PERFORMER_RELATIVE,
    GoalError,
    GoalInput,
    LimitInput,
)
from webapp.selfcare.measures import MEASURE_WORDS, UNITS
from webapp.selfcare.models import GOAL_KIND_WORDS, Frequency, GoalLimit, LimitKind, SelfCareGoal

FREQUENCY_WORDS = {
    Frequency.DAILY: _l("En gång om dagen"),
    Frequency.TIMES_A_DAY: _l("Flera gånger om dagen"),
    Frequency.WEEKDAYS: _l("Vissa veckodagar"),
    Frequency.TIMES_A_WEEK: _l("Ett antal gånger i veckan"),
}
WEEKDAY_WORDS = (
    _l("måndag"),
    _l("tisdag"),
    _l("onsdag"),
    _l("torsdag"),
    _l("fredag"),
    _l("lördag"),
    _l("söndag"),
)
LIMIT_WORDS = {
    LimitKind.ABOVE: _l("Över ett värde"),
    LimitKind.BELOW: _l("Under ett värde"),
    LimitKind.RISE: _l("Ökar mer än ett värde på några dagar"),
    LimitKind.FALL: _l("Minskar mer än ett värde på några dagar"),
}


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}".replace(".", ",")


class LimitForm(Form):
    """One limit agreed with care (a row of the care contact's form; empty: none)."""

    kind = SelectField(
        _l("Gräns"),
        choices=[
            SelectChoice("", _l("Ingen gräns")),
            *(SelectChoice(k.value, w) for k, w in LIMIT_WORDS.items()),
        ],
        validate_choice=False,
    )
    value = StringField(
        _l("Värde"), description=_l("För ökar/minskar: hur mycket."), filters=[strip]
    )
    value_index = SelectField(
        _l("Vid blodtryck: vilket värde"),
        choices=[SelectChoice("1", _l("Övre värdet")), SelectChoice("2", _l("Undre värdet"))],
        validate_choice=False,
    )
    window_days = StringField(
        _l("På hur många dagar"),
        description=_l("Bara för ökar/minskar, 1 till 30."),
        filters=[strip],
    )
    advice = TextAreaField(
        _l("Det här gör patienten då"),
        description=_l("Era egna ord. Patienten ser dem när gränsen passeras."),
        filters=[strip],
    )

    def limit_input(self) -> LimitInput:
        return LimitInput(
            kind=self.kind.data or "",
            value=self.value.data or "",
            value_index=self.value_index.data or "1",
            window_days=self.window_days.data or "",
            advice=self.advice.data or "",
        )


class OwnGoalForm(AppForm):
    """The patient's own goal: what, how it is logged, how often, and reminders."""

    title = StringField(
        _l("Mitt mål"),
        description=_l("Med dina egna ord, till exempel: Gå en promenad varje dag."),
        filters=[strip],
    )
    measure = RadioField(
        _l("Vad skriver du in?"),
        choices=[SelectChoice(m.value, w) for m, w in MEASURE_WORDS.items()],
        validate_choice=False,
    )
    unit = SelectField(
        _l("Enhet, om du skriver in ett tal"),
        choices=[
            SelectChoice("", _l("Välj enhet")),
            *(SelectChoice(u.code, u.words) for u in UNITS.values()),
        ],
        validate_choice=False,
    )
    target_min = StringField(_l("Mål: minst (frivilligt)"), filters=[strip])
    target_max = StringField(_l("Mål: högst (frivilligt)"), filters=[strip])
    frequency = RadioField(
        _l("Hur ofta?"),
        choices=[SelectChoice(f.value, w) for f, w in FREQUENCY_WORDS.items()],
        default=Frequency.DAILY.value,
        validate_choice=False,
    )
    times_per_day = StringField(_l("Hur många gånger om dagen?"), default="1", filters=[strip])
    weekdays = SelectMultipleField(
        _l("Vilka veckodagar?"),
        choices=[SelectChoice(str(n), w) for n, w in enumerate(WEEKDAY_WORDS)],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,
    )
    times_per_week = StringField(_l("Hur många gånger i veckan?"), filters=[strip])
    reminder_times = StringField(
        _l("Påminnelser (frivilligt)"),
        description=_l("Klockslag, flera med komma emellan, till exempel 08:00, 14:00."),
        filters=[strip],
    )
    lock_version = HiddenNumberField()

    def details(self, **care: Any) -> GoalInput:
        return GoalInput(
            title=self.title.data or "",
            measure=self.measure.data or "",
            unit=self.unit.data or "",
            target_min=self.target_min.data or "",
            target_max=self.target_max.data or "",
            frequency=self.frequency.data or "",
            times_per_day=self.times_per_day.data or "",
            weekdays=tuple(str(day) for day in self.weekdays.data or ()),
            times_per_week=self.times_per_week.data or "",
            reminder_times=self.reminder_times.data or "",
            **care,
        )

    def fill(self, goal: SelfCareGoal) -> None:
        """Show a saved goal as the form would have sent it."""
        self.title.data = goal.title
        self.measure.data = goal.measure
        self.unit.data = goal.unit
        self.target_min.data = _number_text(goal.target_min)
        self.target_max.data = _number_text(goal.target_max)
        self.frequency.data = goal.frequency
        self.times_per_day.data = str(goal.times_per_day)
        self.weekdays.data = [d for d in goal.weekdays.split(",") if d]
        self.times_per_week.data = str(goal.times_per_week or "")
        self.reminder_times.data = goal.reminder_times.replace(",", ", ")
        self.lock_version.data = goal.lock_version


class CareGoalForm(OwnGoalForm):
    """The care contact's: an assessed measure or an agreed own goal, with limits."""

    title = StringField(
        _l("Målet med patientens egna ord"),
        description=_l("Till exempel: Väga mig varje morgon."),
        filters=[strip],
    )
    measure = RadioField(
        _l("Vad skriver patienten in?"),
        choices=[SelectChoice(m.value, w) for m, w in MEASURE_WORDS.items()],
        validate_choice=False,
    )
    unit = SelectField(
        _l("Enhet, för ett tal"),
        choices=[
            SelectChoice("", _l("Välj enhet")),
            *(SelectChoice(u.code, u.words) for u in UNITS.values()),
        ],
        validate_choice=False,
    )
    kind = RadioField(
        _l("Sorts egenvård"),
        choices=[SelectChoice(k.value, w) for k, w in GOAL_KIND_WORDS.items()],
        validate_choice=False,
    )
    assessed_on = StringField(
        _l("Bedömd den"), description=_l("Till exempel 2027-03-29."), filters=[strip]
    )
    review_on = StringField(
        _l("Bedömningen följs upp senast"),
        description=_l("Till exempel 2027-09-29."),
        filters=[strip],
    )
    performer = RadioField(
        _l("Vem utför egenvården?"),
        choices=[
            SelectChoice(PERFORMER_PATIENT, _l("Patienten själv")),
            SelectChoice(PERFORMER_RELATIVE, _l("En närstående")),
        ],
        default=PERFORMER_PATIENT,
        validate_choice=False,
    )
    performer_name = StringField(
        _l("Den närståendes namn"), description=_l("Till exempel: Eva (dotter)."), filters=[strip]
    )
    agreement_item_id = SelectField(
        _l("Hör ihop med i överenskommelsen (frivilligt)"),
        coerce=optional_id,
        validate_choice=False,
    )
    what_matters_id = SelectField(
        _l("Hör ihop med det som är viktigt för patienten (frivilligt)"),
        coerce=optional_id,
        validate_choice=False,
    )
    limits = FieldList(FormField(LimitForm), min_entries=LIMITS_MAX, max_entries=LIMITS_MAX)
    template = HiddenField()

    def set_choices(self, items: list[tuple[int, str]], statements: list[tuple[int, str]]) -> None:
        none = SelectChoice("", _l("Inget"))
        self.agreement_item_id.choices = [none, *(SelectChoice(str(i), t) for i, t in items)]
        self.what_matters_id.choices = [none, *(SelectChoice(str(i), t) for i, t in statements)]

    def care_details(self) -> GoalInput:
        return self.details(
            limits=tuple(entry.form.limit_input() for entry in self.limits.entries),
            template=self.template.data or "",
            kind=self.kind.data or "",
            assessed_on=self.assessed_on.data or "",
            review_on=self.review_on.data or "",
            performer=self.performer.data or "",
            performer_name=self.performer_name.data or "",
            agreement_item_id=self.agreement_item_id.data,
            what_matters_id=self.what_matters_id.data,
        )

    def fill(self, goal: SelfCareGoal) -> None:
        super().fill(goal)
        self.kind.data = goal.kind
        self.assessed_on.data = goal.assessed_on.isoformat() if goal.assessed_on else ""
        self.review_on.data = goal.review_on.isoformat() if goal.review_on else ""
        self.performer.data = PERFORMER_RELATIVE if goal.performer_name else PERFORMER_PATIENT
        self.performer_name.data = goal.performer_name
        self.agreement_item_id.data = goal.agreement_item_id
        self.what_matters_id.data = goal.what_matters_id
        self.template.data = goal.template
        self._fill_limits(list(goal.limits))

    def _fill_limits(self, limits: list[GoalLimit]) -> None:
        for entry, limit in zip(self.limits.entries, limits, strict=False):
            entry.form.kind.data = limit.kind
            entry.form.value.data = _number_text(limit.value)
            entry.form.value_index.data = str(limit.value_index)
            entry.form.window_days.data = str(limit.window_days or "")
            entry.form.advice.data = limit.advice

    def start_from(self, template: GoalTemplate) -> None:
        """A ready-made goal, to adapt with the patient."""
        self.template.data = template.code
        self.title.data = str(template.title)
        self.kind.data = template.kind
        self.measure.data = template.measure
        self.unit.data = template.unit
        self.target_min.data = template.target_min
        self.target_max.data = template.target_max
        self.frequency.data = template.frequency
        self.times_per_day.data = str(template.times_per_day)
        self.reminder_times.data = template.reminder_times.replace(",", ", ")
        for entry, limit in zip(self.limits.entries, template.limits, strict=False):
            entry.form.kind.data = limit.kind
            entry.form.value.data = limit.value
            entry.form.value_index.data = str(limit.value_index)
            entry.form.window_days.data = str(limit.window_days or "")
            entry.form.advice.data = str(limit.advice)


class ArchiveForm(AppForm):
    """ "Avsluta målet": the button, and the lock of the goal as shown."""

    lock_version = HiddenNumberField()


def goal_error_show(form: OwnGoalForm, error: GoalError) -> None:
    """Put each message at its field; a limit row's at its own field (`limits-0-value`)."""
    messages = error.errors or {error.field or "title": error.message}
    for name, message in messages.items():
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "limits" and isinstance(form, CareGoalForm):
            entries = form.limits.entries
            index = int(parts[1]) if parts[1].isdigit() else 0
            target = entries[min(index, len(entries) - 1)].form[parts[2]]
        else:
            target = form[name] if name in form else form.title
        target.errors = [*target.errors, message]


def error_list(form: OwnGoalForm) -> list[tuple[str, Any]]:
    """Every message on the form as (field id, message), a limit row's fields included, for
    the summary at the top of the page."""
    found: list[tuple[str, Any]] = []
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                for sub in entry.form:
                    found.extend((sub.id, message) for message in sub.errors)
        elif isinstance(field.errors, list | tuple):
            found.extend((field.id, message) for message in field.errors)
    return found
