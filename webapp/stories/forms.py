"""The story form: the words, and who may read them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from webapp.forms import AppForm, SelectChoice, strip
from webapp.stories.models import STORY_MAX
from webapp.stories.services import EMPTY_MESSAGE, LONG_MESSAGE

CARE_CONTACT_ONLY = "care_contact"
UNIT_TOO = "unit"
WHO_MESSAGE = _l("Välj vem som får läsa berättelsen.")


class StoryForm(AppForm):
    text = TextAreaField(
        _l("Din berättelse"),
        description=_l(
            "Skriv inte namn, personnummer, telefonnummer eller annat som pekar ut dig eller "
            "någon annan. Ditt namn, ditt personnummer och ditt telefonnummer tar appen bort "
            "innan enheten läser."
        ),
        filters=[strip],
        validators=[
            DataRequired(message=EMPTY_MESSAGE),
            Length(max=STORY_MAX, message=LONG_MESSAGE),
        ],
    )
    who = RadioField(
        _l("Vem får läsa den?"),
        choices=[
            SelectChoice(CARE_CONTACT_ONLY, _l("Bara min fasta vårdkontakt")),
            SelectChoice(
                UNIT_TOO,
                _l(
                    "Min fasta vårdkontakt, och min vårdenhet får använda den utan mitt namn "
                    "i sitt arbete med att bli bättre"
                ),
            ),
        ],
        validate_choice=False,
        validators=[
            InputRequired(message=WHO_MESSAGE),
            AnyOf([CARE_CONTACT_ONLY, UNIT_TOO], message=WHO_MESSAGE),
        ],
    )
