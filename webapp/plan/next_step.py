"""The next step of "Min plan" in one line: when, and who calls whom or where to go.

"Ons 9 december kl. 13:00 – Karin Lind ringer dig". A phone call says who calls whom when
the booking says so (a patient waiting by the phone for a call she was meant to make is the
commonest miss); a visit says where, from the booking or else the unit's address.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import format_date, format_datetime, ngettext
from flask_babel import gettext as _

from webapp.followups.models import FollowUp, FollowUpKind
from webapp.people.models import Patient


def where_words(follow_up: FollowUp, patient: Patient) -> str:
    """Where a visit or lab test happens: the booking's place, else the unit and its address."""
    if follow_up.kind not in (FollowUpKind.VISIT, FollowUpKind.LAB):
        return ""
    if follow_up.place:
        return follow_up.place
    unit = patient.care_unit
    return f"{unit.name}, {unit.address}" if unit.address else unit.name


def _first_upper(text: str) -> str:
    # Not str.capitalize(), which would make English "December" lower case.
    return text[:1].upper() + text[1:]


def next_step_words(follow_up: FollowUp, patient: Patient) -> str:
    when: str = _(
        "%(date)s kl. %(time)s",
        date=_first_upper(format_datetime(follow_up.starts_at, "EEE d MMMM")),
        time=format_datetime(follow_up.starts_at, "HH:mm"),
    )
    what = follow_up.call_words or follow_up.kind_words
    if follow_up.with_whom and not follow_up.call_words:
        what = _("%(kind)s med %(name)s", kind=what, name=follow_up.with_whom)
    where = where_words(follow_up, patient)
    if where:
        what = f"{what}, {where}"
    return f"{when} – {what}"


def first_contact_words(patient: Patient, by: date) -> str:
    """ "Karin Lind hör av sig inom 3 arbetsdagar, senast tors 10 december." A new patient
    keeps this promise in sight until the first contact is booked."""
    contact = patient.care_contact
    who = contact.name if contact and not contact.has_left else patient.care_unit.name
    days = int(current_app.config.get("FIRST_CONTACT_WORKING_DAYS") or 3)
    words: str = ngettext(
        "%(who)s hör av sig inom %(num)d arbetsdag, senast %(date)s.",
        "%(who)s hör av sig inom %(num)d arbetsdagar, senast %(date)s.",
        days,
        who=who,
        date=format_date(by, "EEEE d MMMM"),
    )
    return words
