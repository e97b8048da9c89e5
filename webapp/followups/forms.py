"""Forms of Överenskommen tid: shape and labels only; the rules live in details and services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Regexp

from webapp.followups.details import FollowUpInput
from webapp.followups.models import KIND_WORDS, REASON_MAX, FollowUpCaller
from webapp.forms import AppForm, SelectChoice, strip


class FollowUpForm(AppForm):
    # Plain text fields: what was typed comes back as it was, even when it is wrong.
    date = StringField(_l("Datum"), description=_l("Till exempel 2027-03-29."), filters=[strip])
    time = StringField(
        _l("Börjar klockan"), description=_l("Svensk tid, till exempel 08:00."), filters=[strip]
    )
    end_time = StringField(
        _l("Slutar klockan"), description=_l("Samma dag, till exempel 08:30."), filters=[strip]
    )
    kind = SelectField(
        _l("Sorts kontakt"),
        choices=[SelectChoice(kind.value, words) for kind, words in KIND_WORDS.items()],
        validate_choice=False,
    )
    with_whom = StringField(_l("Med vem"), filters=[strip])
    place = StringField(
        _l("Var"),
        description=_l("Adress och mottagning. Behövs vid besök och provtagning."),
        filters=[strip],
    )
    caller = RadioField(
        _l("Vid telefonsamtal: vem ringer?"),
        choices=[
            SelectChoice(FollowUpCaller.CARE.value, _l("Vården ringer patienten")),
            SelectChoice(FollowUpCaller.PATIENT.value, _l("Patienten ringer vården")),
        ],
        default=FollowUpCaller.CARE.value,
        validate_choice=False,
    )
    purpose = TextAreaField(_l("Vad gäller det?"), filters=[strip])
    preparation = TextAreaField(
        _l("Så förbereder du dig (frivilligt)"),
        description=_l("Till exempel: ta med dina mediciner. Kom fastande."),
        filters=[strip],
    )

    def details(self) -> FollowUpInput:
        return FollowUpInput(
            date=self.date.data or "",
            time=self.time.data or "",
            end_time=self.end_time.data or "",
            kind=self.kind.data or "",
            with_whom=self.with_whom.data or "",
            place=self.place.data or "",
            purpose=self.purpose.data or "",
            preparation=self.preparation.data or "",
            caller=self.caller.data or "",
        )


class ReasonForm(AppForm):
    reason = TextAreaField(
        _l("Varför?"),
        description=_l("Högst %(max)d tecken.", max=REASON_MAX),
        filters=[strip],
    )


class CannotComeForm(ReasonForm):
    reason = TextAreaField(
        _l("Varför kan du inte komma?"),
        description=_l(
            "Din vårdkontakt läser det och hör av sig om en ny tid. Högst %(max)d tecken.",
            max=REASON_MAX,
        ),
        filters=[strip],
    )


class CancelForm(ReasonForm):
    reason = TextAreaField(
        _l("Varför avbokas kontakten?"),
        description=_l("Patienten ser det du skriver. Högst %(max)d tecken.", max=REASON_MAX),
        filters=[strip],
    )


FEED_BRIEF, FEED_DETAILS = "brief", "details"
FEED_CHOICE_MESSAGE = _l("Välj vad kalendern ska få veta.")


class FeedDetailsForm(AppForm):
    """What the private calendar link carries: the patient's choice, brief by default."""

    include = RadioField(
        _l("Vad ska kalendern få veta?"),
        choices=[
            SelectChoice(FEED_BRIEF, _l("Bara vilken sorts kontakt det är och när")),
            SelectChoice(
                FEED_DETAILS,
                _l(
                    "Också med vem, var, vad det gäller, hur jag förbereder mig och varför "
                    "en tid avbokades"
                ),
            ),
        ],
        validate_choice=False,
        validators=[
            InputRequired(message=FEED_CHOICE_MESSAGE),
            AnyOf([FEED_BRIEF, FEED_DETAILS], message=FEED_CHOICE_MESSAGE),
        ],
    )


class SeenForm(AppForm):
    """ "Jag har sett det" in Att göra nu: carries the newest change the patient was shown."""

    up_to = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
