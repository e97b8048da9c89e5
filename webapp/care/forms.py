"""Forms a care contact fills in: shape and friendly messages only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from webapp.forms import PHONE, AppForm, optional_id, strip
from webapp.people.phone_hours import day_ranges_from_text, day_text


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
RANGES_HINT = _l("Till exempel 8–10 och 13–15. Tomt: stängt.")
DAY_NAMES = (
    _l("måndag"),
    _l("tisdag"),
    _l("onsdag"),
    _l("torsdag"),
    _l("fredag"),
    _l("lördag"),
    _l("söndag"),
)


def _day_field(weekday: int) -> StringField:
    return StringField(
        DAY_LABELS[weekday],
        description=RANGES_HINT if weekday == 0 else "",
        validators=[Length(max=120, message=_l("Högst 120 tecken."))],
        filters=[strip],
    )


def _days_in_words(weekdays: list[int]) -> str:
    names = [str(DAY_NAMES[weekday]) for weekday in weekdays]
    text = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " " + _("och") + " " + names[-1]
    return text[:1].upper() + text[1:]


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

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        """Each day's hours as typed ("8-10 och 13-15"). Days that cannot be read are told
        in one message that names them, at the first of them; what was typed is kept."""
        valid = super().validate(extra_validators)
        unreadable = [
            weekday
            for weekday, field in enumerate(self.day_fields())
            if not field.errors and day_ranges_from_text(field.data or "") is None
        ]
        if unreadable:
            self.day_fields()[unreadable[0]].errors = [
                *self.day_fields()[unreadable[0]].errors,
                _(
                    "%(days)s: skriv tiden som 8–10, den tidigare tiden först. Flera tider "
                    "skriver du som 8–10 och 13–15.",
                    days=_days_in_words(unreadable),
                ),
            ]
            return False
        return valid

    def fill(self, *, phone: str, times: list[list[int]] | None, note: str) -> None:
        self.phone.data = phone
        self.note.data = note
        for weekday, field in enumerate(self.day_fields()):
            field.data = day_text(times or [], weekday)

    def times(self) -> list[list[int]]:
        found = []
        for weekday, field in enumerate(self.day_fields()):
            for start, end in day_ranges_from_text(field.data or "") or []:
                found.append([weekday, start, end])
        return sorted(found)


class UnitForm(PhoneHoursForm):
    address = StringField(
        _l("Besöksadress"),
        description=_l("Gata, postnummer och ort, till exempel Storgatan 1, 123 45 Nära."),
        validators=[Optional(), Length(max=200, message=_l("Högst 200 tecken."))],
        filters=[strip],
    )


class HandoverForm(AppForm):
    """Ending a colleague's access: who takes over their patients, and what they are told."""

    care_contact_id = SelectField(
        _l("Ny fast vårdkontakt för deras patienter"), coerce=optional_id, validate_choice=False
    )
    physician_id = SelectField(
        _l("Ny fast läkarkontakt för deras patienter"), coerce=optional_id, validate_choice=False
    )
    message = TextAreaField(
        _l("Meddelande till patienterna"),
        description=_l("Patienterna ser det i Min plan, med namnet på den nya. Högst 500 tecken."),
        validators=[Length(max=500, message=_l("Meddelandet får vara högst 500 tecken."))],
        filters=[strip],
    )

    def validate_message(self, field: Field) -> None:
        chosen = self.care_contact_id.data is not None or self.physician_id.data is not None
        if chosen and not field.data:
            raise ValidationError(_l("Skriv ett kort meddelande till patienterna om varför."))
