"""The check-in form: its shape only; what a value may be is decided in checkins.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField

from webapp.forms import AppForm, strip
from webapp.selfcare.models import NOTE_MAX


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

    def done_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.done.data or "")
