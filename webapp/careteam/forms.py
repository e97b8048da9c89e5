"""Forms of the care team: shape and friendly messages only (the rules live in services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp

from webapp.careteam.models import KIND_WORDS, CarePartKind
from webapp.careteam.services import MESSAGE_MAX
from webapp.forms import PHONE, AppForm, SelectChoice, optional_id, strip


class ContactsForm(AppForm):
    care_contact_id = SelectField(_l("Fast vårdkontakt"), coerce=optional_id, validate_choice=False)
    physician_id = SelectField(_l("Fast läkarkontakt"), coerce=optional_id, validate_choice=False)
    message = TextAreaField(
        _l("Meddelande till patienten"),
        description=_l(
            "Skriv kort varför kontakten ändras. Patienten ser det i Min plan. Högst 500 tecken."
        ),
        validators=[
            DataRequired(_l("Skriv ett kort meddelande till patienten om varför.")),
            Length(max=MESSAGE_MAX, message=_l("Meddelandet får vara högst 500 tecken.")),
        ],
        filters=[strip],
    )


class CarePartForm(AppForm):
    organisation = StringField(
        _l("Verksamhet"),
        description=_l("Till exempel Hemtjänsten i Solna."),
        validators=[
            DataRequired(_l("Skriv namnet på verksamheten.")),
            Length(max=120, message=_l("Högst 120 tecken.")),
        ],
        filters=[strip],
    )
    kind = SelectField(
        _l("Sorts vård"),
        choices=[SelectChoice(kind.value, KIND_WORDS[kind]) for kind in CarePartKind],
        validators=[AnyOf(list(CarePartKind), _l("Välj vilken sorts vård det är."))],
        validate_choice=False,
    )
    role_text = TextAreaField(
        _l("Vad de gör för patienten"),
        description=_l("Till exempel Hjälper till med mat och medicin varje morgon."),
        validators=[
            DataRequired(_l("Skriv kort vad de gör för patienten.")),
            Length(max=200, message=_l("Högst 200 tecken.")),
        ],
        filters=[strip],
    )
    contact_name = StringField(
        _l("Kontaktperson (frivilligt)"),
        validators=[Optional(), Length(max=120, message=_l("Högst 120 tecken."))],
        filters=[strip],
    )
    phone = StringField(_l("Telefon (frivilligt)"), validators=[Optional(), PHONE], filters=[strip])
    phone_hours = StringField(
        _l("Telefontider (frivilligt)"),
        validators=[Optional(), Length(max=120, message=_l("Högst 120 tecken."))],
        filters=[strip],
    )

    def values(self) -> dict[str, str | None]:
        names = ("organisation", "kind", "role_text", "contact_name", "phone", "phone_hours")
        return {name: getattr(self, name).data for name in names}


class AcknowledgeForm(AppForm):
    """The "Jag har läst" button: carries the newest notice the patient was shown."""

    up_to = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
