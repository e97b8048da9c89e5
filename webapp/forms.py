"""Form pieces shared by every area: one way to coerce, one way to say "this field is wrong"."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from babel import support
from flask import current_app, has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import Field, FieldList, FormField, HiddenField

# WTForms 3.3's choice of a select, re-exported for the forms and views: types-WTForms (3.2)
# does not know it yet, so it is untyped until the stubs catch up.
from wtforms.fields.choices import SelectChoice as SelectChoice  # type: ignore[attr-defined]
from wtforms.i18n import messages_path
from wtforms.validators import Regexp

from webapp.errors import UserFacingError

# What a view returns: a page, a redirect, or a page (or an error's JSON) with its status
# (400 for a refused form).
Page = str | Response | tuple[str | Response, int]

PHONE = Regexp(
    r"^\+?[0-9][0-9 \-]{5,19}$",
    message=_l("Skriv telefonnumret med siffror, till exempel 070-123 45 67."),
)

# PostgreSQL cannot store the NUL character in text, and no one means to type it: it comes
# with text pasted from some programs. Refused at the field, with what was typed kept.
NUL = "\x00"
UNSAVEABLE_CHARACTER = _l(
    "Texten innehöll ett osynligt tecken som inte går att spara. Vi har tagit bort det. "
    "Läs igenom texten och skicka igen."
)


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def optional_id(value: object) -> int | None:
    """A select's id: None for "none chosen", -1 for anything that is no id (the service then
    says what is wrong), never an exception."""
    if value in (None, "", "None"):
        return None
    text = str(value)
    return int(text) if re.fullmatch(r"\d{1,9}", text) else -1


def int_or_zero(value: object) -> int:
    """A hidden number (a version, a lock): 0 for anything that is no number."""
    text = str(value or "")
    return int(text) if re.fullmatch(r"\d{1,9}", text) else 0


class HiddenNumberField(HiddenField):
    """A hidden number (a version, a lock), read with int_or_zero: always an int."""

    # An int, which types-WTForms cannot know: it types every HiddenField's data as text.
    data: int  # type: ignore[assignment]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(filters=[int_or_zero], **kwargs)


def show_error(form: FlaskForm, error: UserFacingError, default: str) -> None:
    """Put a service's message(s) at the field(s) they are about, the form kept as typed."""
    messages: dict[str, Any] = error.errors or {error.field or default: error.message}
    for name, message in messages.items():
        field = form[name if name in form else default]
        field.errors = [*field.errors, message]


def _leaves(fields: Any) -> Iterator[Field]:
    """Every field of a form, the fields of nested forms and lists of forms included."""
    for field in fields:
        if isinstance(field, FormField):
            yield from _leaves(field.form)
        elif isinstance(field, FieldList):
            yield from _leaves(field.entries)
        else:
            yield field


def _has_nul(raw: Sequence[object] | None) -> bool:
    return any(isinstance(value, str) and NUL in value for value in raw or ())


@cache
def _wtforms_messages(locale: str) -> Any:
    """WTForms' own messages in one language, read from disk once per process."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _RequestsWtformsMessages:
    """WTForms' messages in the request's language, looked up when a message is made: most
    forms sent (a check-in, many times a day) are valid and never need one, and finding the
    request's language is a tenth of making the form."""

    def gettext(self, string: str) -> str:
        found: str = _wtforms_messages(str(get_locale())).gettext(string)
        return found

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found: str = _wtforms_messages(str(get_locale())).ngettext(singular, plural, n)
        return found


_REQUESTS_MESSAGES = _RequestsWtformsMessages()


class AppForm(FlaskForm):
    """The base of every form of the app (tests/test_fuzz_forms.py checks that they all
    derive from it): a field with a NUL character is refused with a plain message, and shows
    what was typed without that character, so sending again works."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> Any:
            # Flask-WTF reads WTForms' catalogue from disk again for every request that
            # makes a form: the same messages, kept here (`_wtforms_messages`).
            # Outside a request (a script, the shell) WTForms' English stands, as before.
            if not has_request_context() or not current_app.config.get("WTF_I18N_ENABLED", True):
                return None
            return _REQUESTS_MESSAGES

    def validate(self, extra_validators: Any = None) -> bool:
        for field in _leaves(self):
            if _has_nul(field.raw_data) and UNSAVEABLE_CHARACTER not in field.process_errors:
                if isinstance(field.data, str):
                    field.data = field.data.replace(NUL, "")
                # Field.validate starts its errors from process_errors: the message shows at
                # the field, and nested forms and the form's error summary see it too.
                field.process_errors = [*field.process_errors, UNSAVEABLE_CHARACTER]
        valid: bool = super().validate(extra_validators)  # FlaskForm is untyped
        return valid


class EmptyForm(AppForm):
    """A button that posts: it carries the CSRF token and nothing else."""
