"""Forms of the agreement: shape and friendly messages (the rules live in services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp, ValidationError

from webapp.agreement.models import (
    KIND_WORDS,
    NAME_MAX,
    RESPONSIBLE_WORDS_STAFF,
    TEXT_MAX,
    WORSE_TEXT_MAX,
    WORSE_TEXTS,
    ItemKind,
    Responsible,
)
from webapp.agreement.services import ItemInput
from webapp.forms import AppForm, HiddenNumberField, SelectChoice, optional_id, strip

KIND_CHOICES = [SelectChoice(kind.value, KIND_WORDS[kind]) for kind in ItemKind]
RESPONSIBLE_CHOICES = [SelectChoice(who.value, RESPONSIBLE_WORDS_STAFF[who]) for who in Responsible]
ITEMS_MAX = 60
TEXT_TOO_LONG = _l("Texten får vara högst 500 tecken.")
NAME_TOO_LONG = _l("Namnet får vara högst 120 tecken.")


def _kind_field() -> SelectField:
    return SelectField(
        _l("Mål eller åtgärd"),
        choices=KIND_CHOICES,
        validators=[AnyOf(list(ItemKind), _l("Välj om det är ett mål eller en åtgärd."))],
        validate_choice=False,
    )


def _responsible_field() -> SelectField:
    return SelectField(
        _l("Vem gör det? (för åtgärder)"),
        choices=RESPONSIBLE_CHOICES,
        validators=[AnyOf(list(Responsible), _l("Välj vem som gör det."))],
        validate_choice=False,
    )


def _responsible_name_field() -> StringField:
    return StringField(
        _l("Namn (frivilligt)"),
        description=_l("Till exempel Hemtjänsten, eller dottern Eva."),
        validators=[Optional(), Length(max=NAME_MAX, message=NAME_TOO_LONG)],
        filters=[strip],
    )


def _what_matters_field() -> SelectField:
    return SelectField(
        _l("Hör ihop med det här som är viktigt (frivilligt)"),
        coerce=optional_id,
        validate_choice=False,
    )


class ItemForm(Form):
    """One goal or action already in the draft."""

    kind = _kind_field()
    text = TextAreaField(
        _l("Text"),
        validators=[Length(max=TEXT_MAX, message=TEXT_TOO_LONG)],
        filters=[strip],
    )
    responsible = _responsible_field()
    responsible_name = _responsible_name_field()
    what_matters_id = _what_matters_field()
    remove = BooleanField(_l("Ta bort den här raden"))

    def validate_text(self, field: TextAreaField) -> None:
        if not self.remove.data and not field.data:
            raise ValidationError(_l("Skriv målet eller åtgärden, eller kryssa i Ta bort."))


class DraftForm(AppForm):
    """The whole draft in one form, so a save replaces it whole or not at all."""

    version_id = HiddenNumberField()
    lock_version = HiddenNumberField()
    items = FieldList(FormField(ItemForm), max_entries=ITEMS_MAX)
    new_kind = _kind_field()
    new_text = TextAreaField(
        _l("Nytt mål eller ny åtgärd"),
        description=_l("Målen skrivs med patientens egna ord."),
        validators=[Length(max=TEXT_MAX, message=TEXT_TOO_LONG)],
        filters=[strip],
    )
    new_responsible = _responsible_field()
    new_responsible_name = _responsible_name_field()
    new_what_matters_id = _what_matters_field()
    self_care_text = TextAreaField(
        WORSE_TEXTS["self_care_text"],
        validators=[Length(max=WORSE_TEXT_MAX, message=_l("Högst 2000 tecken."))],
        filters=[strip],
    )
    warning_signs_text = TextAreaField(
        WORSE_TEXTS["warning_signs_text"],
        validators=[Length(max=WORSE_TEXT_MAX, message=_l("Högst 2000 tecken."))],
        filters=[strip],
    )
    when_worse_text = TextAreaField(
        WORSE_TEXTS["when_worse_text"],
        description=_l("Vem ringer patienten, och när? Med patientens egna ord."),
        validators=[Length(max=WORSE_TEXT_MAX, message=_l("Högst 2000 tecken."))],
        filters=[strip],
    )
    add = StringField()  # the name of the "Lägg till" button: present when it was pressed

    def validate_new_text(self, field: TextAreaField) -> None:
        if self.add.data and not field.data:
            raise ValidationError(_l("Skriv målet eller åtgärden."))

    def set_what_matters_choices(self, choices: list[tuple[int, str]]) -> None:
        options = [SelectChoice("", _l("Inget valt"))] + [
            SelectChoice(str(id_), text) for id_, text in choices
        ]
        self.new_what_matters_id.choices = options
        for row in self.items:
            row.form.what_matters_id.choices = options

    def item_inputs(self) -> list[ItemInput]:
        inputs = [
            ItemInput(
                kind=row.form.kind.data,
                text=row.form.text.data or "",
                responsible=row.form.responsible.data,
                responsible_name=row.form.responsible_name.data or "",
                what_matters_id=row.form.what_matters_id.data,
                source=row.name,
            )
            for row in self.items
            if not row.form.remove.data
        ]
        if self.new_text.data:
            inputs.append(
                ItemInput(
                    kind=self.new_kind.data,
                    text=self.new_text.data,
                    responsible=self.new_responsible.data,
                    responsible_name=self.new_responsible_name.data or "",
                    what_matters_id=self.new_what_matters_id.data,
                    source="new",
                )
            )
        return inputs

    def field_named(self, name: str) -> Field:
        """The field a service error points at: "items-2-text", "new-text" or a text's name."""
        parts = name.split("-", 2)
        if name.startswith("new-"):
            name = "new_" + name[4:]
        elif len(parts) == 3 and parts[0] == "items" and parts[1].isdigit():
            return self.items.entries[int(parts[1])].form[parts[2]]
        field: Field = getattr(self, name)
        return field

    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in WORSE_TEXTS}


class ConsentForm(AppForm):
    """ "Jag är med på det här": says which version, and which copy of it, was read."""

    version_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    lock_version = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
