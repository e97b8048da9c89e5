"""Whom to call now: the fixed care contact while their phone line is open, else 1177.

"Vem ringer jag?" (templates/agreement/_whom_to_call.html) sits right after care's advice and
first on "Mår du sämre?", so its first button must be a number that answers now.
"""

from __future__ import annotations

import re

from flask import get_template_attribute
from flask.blueprints import BlueprintSetupState
from markupsafe import Markup, escape

from webapp.clock import now_utc
from webapp.followups.details import local_zone
from webapp.people.models import StaffMember
from webapp.people.phone_hours import LineStatus, line_status
from webapp.plan.blueprint import bp


def line_now(person: StaffMember | None) -> LineStatus | None:
    """Whether the person's number answers now; None when their hours are not known as
    weekdays and times (the page then offers the number with its hours in words)."""
    if person is None or not person.reachable_phone:
        return None
    times = person.reachable_times
    if not times:
        return None
    return line_status(times, now_utc(), local_zone())


@bp.record_once
def _in_templates(state: BlueprintSetupState) -> None:
    state.app.jinja_env.globals["line_now"] = line_now
    state.app.jinja_env.filters["call_links"] = call_links


_EMERGENCY_NUMBERS = re.compile(r"(?<![\d\w-])(112|1177)(?![\d\w-])")


def call_links(text: object) -> Markup:
    """Care's advice with 112 and 1177 tap-to-call wherever it names them ("om du har svårt
    att andas: ring 112"): the number in the advice is the quickest way to call it."""
    raw = text if isinstance(text, str) else str(text)
    parts: list[Markup] = []
    done = 0
    for match in _EMERGENCY_NUMBERS.finditer(raw):
        parts += [escape(raw[done : match.start()]), phone_link(match.group(1))]
        done = match.end()
    parts.append(escape(raw[done:]))
    return Markup("").join(parts)


def phone_link(number: str) -> Markup:
    """The tap-to-call link of templates/_macros/phone.html: the one macro every number
    Nära shows goes through."""
    link = get_template_attribute("_macros/phone.html", "phone_link")(number)
    assert isinstance(link, Markup)  # an autoescaped template's macro returns markup
    return link
