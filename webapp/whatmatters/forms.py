"""Forms of "Vad är viktigt för dig?": shape and friendly messages (the rules live in services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, ValidationError

from webapp.forms import AppForm, HiddenNumberField, strip
from webapp.whatmatters.models import TEXT_MAX
from webapp.whatmatters.services import EMPTY_MESSAGE, too_long_message


def _not_too_long(_form: AppForm, field: TextAreaField) -> None:
    if field.data and len(field.data) > TEXT_MAX:
        raise ValidationError(too_long_message(len(field.data)))


def _text_field(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        description=_l("Skriv en sak i taget, med dina egna ord. Högst 300 tecken."),
        validators=[DataRequired(message=EMPTY_MESSAGE), _not_too_long],
        filters=[strip],
    )


class StatementForm(AppForm):
    text = _text_field(_l("Skriv en sak som är viktig för dig"))


class EditForm(AppForm):
    text = _text_field(_l("Ändra texten"))
    # Which copy of the statement the form was made from; a save on an old copy is refused.
    lock_version = HiddenNumberField()


class MoveForm(AppForm):
    direction = StringField(validators=[AnyOf(["up", "down", "first"])])
