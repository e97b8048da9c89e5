"""The form for one question of Mitt kvitto: yes / partly / no and an optional comment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from webapp.forms import AppForm, SelectChoice, strip
from webapp.receipt.models import COMMENT_MAX, Answer
from webapp.receipt.services import ANSWER_MESSAGE, ANSWER_WORDS, COMMENT_MESSAGE


class AnswerForm(AppForm):
    # Choices are checked by AnyOf, so the message is ours and in Swedish.
    answer = RadioField(
        _l("Ditt svar"),
        choices=[SelectChoice(value.value, ANSWER_WORDS[value]) for value in Answer],
        validate_choice=False,
        validators=[
            InputRequired(message=ANSWER_MESSAGE),
            AnyOf([value.value for value in Answer], message=ANSWER_MESSAGE),
        ],
    )
    comment = TextAreaField(
        _l("Vill du skriva något mer? (frivilligt)"),
        filters=[strip],
        validators=[Optional(), Length(max=COMMENT_MAX, message=COMMENT_MESSAGE)],
    )
