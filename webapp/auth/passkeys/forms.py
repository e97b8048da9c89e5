from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from webapp.forms import AppForm, strip


class RenamePasskeyForm(AppForm):
    name = StringField(
        _l("Namn på nyckeln"),
        validators=[
            DataRequired(_l("Skriv ett namn, till exempel ”Min telefon”.")),
            Length(max=60, message=_l("Namnet får vara högst 60 tecken.")),
        ],
        filters=[strip],
    )
