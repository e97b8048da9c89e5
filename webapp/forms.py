"""Form pieces shared by every area: one way to coerce, one way to say "this field is wrong"."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms.validators import Regexp

from webapp.errors import UserFacingError

# What a view returns: a page, a redirect, or a page with its status (400 for a refused form).
Page = str | Response | tuple[str, int]

PHONE = Regexp(
    r"^\+?[0-9][0-9 \-]{5,19}$",
    message=_l("Skriv telefonnumret med siffror, till exempel 070-123 45 67."),
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


def show_error(form: FlaskForm, error: UserFacingError, default: str) -> None:
    """Put a service's message(s) at the field(s) they are about, the form kept as typed."""
    messages: dict[str, Any] = error.errors or {error.field or default: error.message}
    for name, message in messages.items():
        field = form[name if name in form else default]
        field.errors = [*field.errors, message]


class EmptyForm(FlaskForm):
    """A button that posts: it carries the CSRF token and nothing else."""
