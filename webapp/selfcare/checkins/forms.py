"""The check-in form: its shape only; what a value may be is decided in services.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField

from webapp.forms import NUL, AppForm, strip
from webapp.selfcare.models import NOTE_MAX


@dataclass(frozen=True)
class CheckInSent:
    """What a check-in form sent, as text, stripped where the form strips it."""

    client_uuid: str
    done: str  # the pressed button's value: "yes" or "no" (done / not done)
    value: str
    value2: str
    note: str
    day: str
    time: str

    @property
    def done_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.done)

    @classmethod
    def read(cls, sent: Mapping[str, str]) -> CheckInSent | None:
        """Read straight from the request, as the form reads it, without making the form:
        most check-ins are saved at once, and making the eight-field form was a tenth of
        the request. None when a field holds a NUL character: the form refuses that with
        its own message (webapp/forms.py)."""
        # `in` first: a Werkzeug MultiDict says a field was not sent by raising and catching
        # an HTTP exception, and most check-ins leave out four of the seven fields.
        texts = {
            field.name: (sent[field.name] if field.name in sent else "") or ""
            for field in fields(cls)
        }
        if any(NUL in text for text in texts.values()):
            return None
        return cls(**{name: strip_text(name, text) for name, text in texts.items()})


def strip_text(name: str, text: str) -> str:
    return text if name in ("client_uuid", "done") else text.strip()


class CheckInForm(AppForm):
    # Made by static/js/checkin.js on the phone (or by the server when the page is drawn),
    # so the same check-in sent twice is saved once.
    client_uuid = HiddenField()
    # Done / not done: the pressed button's value ("yes" or "no").
    done = StringField()
    value = StringField(_l("Värde"), filters=[strip])
    value2 = StringField(_l("Undre värdet"), filters=[strip])
    note = TextAreaField(
        _l("Anteckning (om du vill)"),
        description=_l("Högst %(max)d tecken.", max=NOTE_MAX),
        filters=[strip],
    )
    day = StringField(_l("Dag"), filters=[strip])
    time = StringField(_l("Tid"), filters=[strip])

    def sent(self) -> CheckInSent:
        return CheckInSent(
            **{field.name: self[field.name].data or "" for field in fields(CheckInSent)}
        )
