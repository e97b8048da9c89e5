"""The forms of updates: the patient's "Hur går det?" and the care side's read and answer.

Shape only: the rules and their messages are the service's (webapp.selfcare.updates.services), so a
form and a test of the service say the same thing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField

from webapp.forms import AppForm, SelectChoice, strip
from webapp.selfcare.models import FEELING_WORDS, UpdateFeeling


class UpdateForm(AppForm):
    feeling = RadioField(
        _l("Hur går det jämfört med förut?"),
        choices=[SelectChoice(value.value, FEELING_WORDS[value]) for value in UpdateFeeling],
        validate_choice=False,  # the service says what is wrong, in its own words
    )
    text = TextAreaField(
        _l("Vill du berätta mer? (frivilligt)"),
        description=_l("Till exempel vad som har hänt eller vad du undrar över."),
        filters=[strip],
    )


SEEN = "seen"
ANSWER = "answer"


class CareUpdateForm(AppForm):
    """Both forms of an opened update: "Markera som läst" and "Svara" (`do` says which)."""

    do = HiddenField()
    answer = TextAreaField(
        _l("Ditt svar till patienten"),
        description=_l("Kort. Patienten läser det under sin uppdatering i Nära."),
        filters=[strip],
    )
