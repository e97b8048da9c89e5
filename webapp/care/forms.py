"""Forms a care contact fills in: shape and friendly messages only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from webapp.forms import PHONE, AppForm, optional_id, strip


def _name_field(label: str) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(_l("Skriv namnet.")),
            Length(max=120, message=_l("Namnet får vara högst 120 tecken.")),
        ],
        filters=[strip],
    )


class PatientForm(AppForm):
    name = _name_field(_l("Patientens namn"))
    phone = StringField(
        _l("Mobilnummer"),
        validators=[DataRequired(_l("Skriv mobilnumret.")), PHONE],
        filters=[strip],
    )
    personal_number = StringField(
        _l("Personnummer (frivilligt)"),
        validators=[Optional(), Length(max=20, message=_l("Personnumret är för långt."))],
        filters=[strip],
        description=_l("ÅÅÅÅMMDD-NNNN"),
    )
    physician_id = SelectField(
        _l("Fast läkarkontakt (frivilligt)"), coerce=optional_id, validate_choice=False
    )


class StaffForm(AppForm):
    name = _name_field(_l("Namn"))
    title = StringField(
        _l("Yrke eller roll"),
        validators=[
            DataRequired(_l("Skriv yrke eller roll, till exempel Distriktssköterska.")),
            Length(max=80, message=_l("Högst 80 tecken.")),
        ],
        filters=[strip],
    )
    phone = StringField(_l("Telefon (frivilligt)"), validators=[Optional(), PHONE], filters=[strip])
    phone_hours = StringField(
        _l("Telefontider (frivilligt)"),
        validators=[Optional(), Length(max=120, message=_l("Högst 120 tecken."))],
        filters=[strip],
    )
    is_physician = BooleanField(_l("Läkare"))
    is_unit_admin = BooleanField(_l("Administratör för vårdenheten"))
