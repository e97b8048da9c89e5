"""Ready-made self-care for primary care, for the care contact to start from and adapt.

A template fills the goal form: the title in plain words, what is logged, how often, when
reminders come, and the limits commonest in primary care with advice as default text. The
care contact changes any of it with the patient; nothing here is advice the app gives by
itself: the advice is care's own text from the moment it is saved.

The codes are stable: they are in links (`?mall=vikt-hjartsvikt`) and saved on the goal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from webapp.selfcare.measures import Measure
from webapp.selfcare.models import Frequency, GoalKind, LimitKind

CALL_TODAY_OR_112 = _l("Ring din vårdkontakt i dag. Om du har svårt att andas: ring 112.")


@dataclass(frozen=True)
class LimitTemplate:
    kind: LimitKind
    value: str  # as the form shows it ("2", "180")
    advice: object  # lazy text: care's default words, edited before saving
    window_days: int | None = None
    value_index: int = 1


@dataclass(frozen=True)
class GoalTemplate:
    code: str
    name: object  # lazy: what the care contact picks from
    title: object  # lazy: the goal's title in the patient's words, to adapt
    kind: GoalKind
    measure: Measure
    unit: str = ""
    target_min: str = ""
    target_max: str = ""
    frequency: Frequency = Frequency.DAILY
    times_per_day: int = 1
    reminder_times: str = ""
    limits: tuple[LimitTemplate, ...] = field(default_factory=tuple)
    hint: object = ""  # lazy: one line on why one would choose it


TEMPLATES: dict[str, GoalTemplate] = {
    template.code: template
    for template in (
        GoalTemplate(
            code="vikt-hjartsvikt",
            name=_l("Vikt vid hjärtsvikt"),
            title=_l("Väga mig varje morgon"),
            kind=GoalKind.ASSESSED,
            measure=Measure.NUMBER,
            unit="kg",
            reminder_times="08:00",
            limits=(LimitTemplate(LimitKind.RISE, "2", CALL_TODAY_OR_112, window_days=3),),
            hint=_l("Varje morgon efter toalettbesöket, före frukost. Gräns: upp 2 kg på 3 dagar."),
        ),
        GoalTemplate(
            code="blodtryck",
            name=_l("Blodtryck"),
            title=_l("Mäta mitt blodtryck"),
            kind=GoalKind.ASSESSED,
            measure=Measure.BLOOD_PRESSURE,
            reminder_times="08:00",
            limits=(
                LimitTemplate(
                    LimitKind.ABOVE,
                    "180",
                    _l(
                        "Vila en kvart och mät igen. Är det fortfarande högt: ring din "
                        "vårdkontakt i dag eller 1177. Vid bröstsmärta, svårt att prata eller "
                        "svaghet i en arm: ring 112."
                    ),
                ),
                LimitTemplate(
                    LimitKind.ABOVE,
                    "110",
                    _l(
                        "Vila en kvart och mät igen. Är det fortfarande högt: ring din "
                        "vårdkontakt i dag eller 1177."
                    ),
                    value_index=2,
                ),
            ),
            hint=_l("Övre och undre värde i mmHg. Gränser: över 180 eller undre över 110."),
        ),
        GoalTemplate(
            code="blodsocker",
            name=_l("Blodsocker"),
            title=_l("Mäta mitt blodsocker"),
            kind=GoalKind.ASSESSED,
            measure=Measure.NUMBER,
            unit="mmol_l",
            reminder_times="08:00",
            limits=(
                LimitTemplate(
                    LimitKind.BELOW,
                    "4",
                    _l(
                        "Ät eller drick något sött nu, till exempel ett glas juice. Mät igen om "
                        "15 minuter. Blir du inte bättre: ring 112."
                    ),
                ),
                LimitTemplate(
                    LimitKind.ABOVE,
                    "15",
                    _l("Ring din vårdkontakt i dag. Kvällar och helger: ring 1177."),
                ),
            ),
            hint=_l("I mmol/l. Gränser: under 4 eller över 15."),
        ),
        GoalTemplate(
            code="steg",
            name=_l("Steg"),
            title=_l("Gå minst 3 000 steg om dagen"),
            kind=GoalKind.OWN,
            measure=Measure.NUMBER,
            unit="steps",
            target_min="3000",
            reminder_times="18:00",
            hint=_l("Ett mål att nå minst upp till, i steg per dag."),
        ),
        GoalTemplate(
            code="smarta",
            name=_l("Smärta"),
            title=_l("Hur ont har jag i dag?"),
            kind=GoalKind.OWN,
            measure=Measure.SCALE_0_10,
            target_max="3",
            limits=(
                LimitTemplate(
                    LimitKind.ABOVE,
                    "7",
                    _l("Ring din vårdkontakt i dag. Kvällar och helger: ring 1177."),
                ),
            ),
            hint=_l("En skala från 0 (inte ont alls) till 10 (värsta tänkbara)."),
        ),
        GoalTemplate(
            code="humor",
            name=_l("Humör"),
            title=_l("Hur mår jag i dag?"),
            kind=GoalKind.OWN,
            measure=Measure.SCALE_1_5,
            reminder_times="19:00",
            hint=_l("En skala från 1 (mycket dåligt) till 5 (mycket bra)."),
        ),
        GoalTemplate(
            code="hemovningar",
            name=_l("Hemövningar"),
            title=_l("Göra mina hemövningar"),
            kind=GoalKind.ASSESSED,
            measure=Measure.DONE,
            frequency=Frequency.TIMES_A_DAY,
            times_per_day=3,
            reminder_times="09:00,13:00,18:00",
            hint=_l("Gjort eller inte gjort, tre gånger om dagen."),
        ),
    )
}


def template_find(code: str | None) -> GoalTemplate | None:
    return TEMPLATES.get(code or "")
