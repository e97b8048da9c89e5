"""Forms a care contact fills in: shape and friendly messages only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from webapp.forms import PHONE, AppForm, optional_id, strip
from webapp.people.phone_hours import day_text, range_from_text


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
    is_quality_lead = BooleanField(
        _l("Verksamhetschef eller kvalitetsansvarig: ser enhetens siffror, inga patienter")
    )


DAY_LABELS = (
    _l("Måndag"),
    _l("Tisdag"),
    _l("Onsdag"),
    _l("Torsdag"),
    _l("Fredag"),
    _l("Lördag"),
    _l("Söndag"),
)
RANGES_HINT = _l("Till exempel 08:00–10:00. Flera tider skiljs med komma. Tomt: stängt.")


def _ranges(_form: AppForm, field: Field) -> None:
    for part in (field.data or "").split(","):
        if part.strip() and range_from_text(part) is None:
            raise ValidationError(
                _l(
                    "Skriv tiden som 08:00–10:00, med den tidigare tiden först. "
                    "Flera tider skiljs med komma."
                )
            )


def _day_field(weekday: int) -> StringField:
    return StringField(
        DAY_LABELS[weekday],
        description=RANGES_HINT if weekday == 0 else "",
        validators=[Length(max=120, message=_l("Högst 120 tecken.")), _ranges],
        filters=[strip],
    )


class PhoneHoursForm(AppForm):
    """A phone number and when it is answered, one field per weekday: the card then knows
    when the line is open."""

    phone = StringField(_l("Telefon"), validators=[Optional(), PHONE], filters=[strip])
    day_0, day_1, day_2, day_3 = _day_field(0), _day_field(1), _day_field(2), _day_field(3)
    day_4, day_5, day_6 = _day_field(4), _day_field(5), _day_field(6)
    note = StringField(
        _l("Annat om telefontiden (frivilligt)"),
        description=_l("Till exempel: Stängt i juli. Visas som du skriver det."),
        validators=[Optional(), Length(max=120, message=_l("Högst 120 tecken."))],
        filters=[strip],
    )

    def day_fields(self) -> list[Field]:
        return [self[f"day_{weekday}"] for weekday in range(7)]

    def fill(self, *, phone: str, times: list[list[int]] | None, note: str) -> None:
        self.phone.data = phone
        self.note.data = note
        for weekday, field in enumerate(self.day_fields()):
            field.data = day_text(times or [], weekday)

    def times(self) -> list[list[int]]:
        found = []
        for weekday, field in enumerate(self.day_fields()):
            for part in (field.data or "").split(","):
                span = range_from_text(part) if part.strip() else None
                if span:
                    found.append([weekday, *span])
        return sorted(found)


class UnitForm(PhoneHoursForm):
    address = StringField(
        _l("Besöksadress"),
        description=_l("Gata, postnummer och ort, till exempel Storgatan 1, 123 45 Nära."),
        validators=[Optional(), Length(max=200, message=_l("Högst 200 tecken."))],
        filters=[strip],
    )
