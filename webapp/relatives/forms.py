"""The forms of närstående: shape and friendly errors only; the rules are the services'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import AppForm, SelectChoice, strip
from webapp.relatives.models import Scope

SCOPE_WORDS = {
    Scope.VIEW_PLAN: _l("Se min plan"),
    Scope.SELF_CARE: _l("Logga min egenvård och skicka uppdateringar åt mig"),
    Scope.REMINDERS: _l("Få mina påminnelser"),
    Scope.WHAT_MATTERS: _l("Skriva i \u201dVad är viktigt för dig?\u201d åt mig"),
}

BAD_DATE = _l("Skriv datumet som år-månad-dag, till exempel 2027-03-31.")


class TakeInvitationForm(AppForm):
    """The relative's "Ja": the one-time token rides in the form, not in the address."""

    token = HiddenField()


class ScopesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _scopes() -> ScopesField:
    return ScopesField(
        _l("Det här får personen göra"),
        choices=[SelectChoice(scope.value, label) for scope, label in SCOPE_WORDS.items()],
        validate_choice=False,  # the service says what is wrong, in its own words
    )


class ScopeForm(AppForm):
    scopes = _scopes()
    ends_on = DateField(
        _l("Sista dag (valfritt)"),
        validators=[Optional()],
        description=_l("Lämna tomt om åtkomsten ska gälla tills du avslutar den."),
    )

    def validate(self, extra_validators: object = None) -> bool:
        valid: bool = super().validate(extra_validators)
        for field in self:
            if isinstance(field, DateField) and field.errors:
                field.errors = [BAD_DATE]
        return valid


class InviteForm(ScopeForm):
    relative_name = StringField(
        _l("Namn"), filters=[strip], description=_l("Till exempel Eva eller Eva Berg.")
    )
    relation = StringField(
        _l("Vem är personen för dig?"),
        filters=[strip],
        description=_l("Till exempel dotter, make eller granne."),
    )


class RecordedConsentForm(InviteForm):
    consent_given_on = DateField(
        _l("Dag då patienten gav sitt samtycke"), validators=[InputRequired(BAD_DATE)]
    )
    ends_on = DateField(
        _l("Sista dag"),
        validators=[InputRequired(BAD_DATE)],
        description=_l("Högst tolv månader från samtycket."),
    )
