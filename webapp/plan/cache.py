"""The patient's own "Min plan", rendered once and kept in memory until the plan changes.

The patient opens "Min plan" far more often than anyone changes it, and rendering the five
parts is most of the page's cost. Each worker keeps the rendered HTML keyed by the patient,
the plan's version (bumped in the same commit as any change, see version.py) and the
language. Entries also age out after `MAX_AGE`, because "what happens next" moves with the
clock even when nothing is written.

Whether a contact's phone line is open now changes with the clock too, at known moments: an
entry is kept only until the first moment any line it shows opens or closes (`valid_until`,
read on the app's one clock), so "Telefontiden är stängd nu" is never served from a window
in which it was true. Today's self-care does the same: an entry is kept until midnight or the
next reminder time of a goal, whichever comes first.

For the usual look, with no notice or message on it, the whole page around the plan is kept
the same way (`own_plan_page`), so such a look renders nothing at all.

The HTML holds no session-specific value: a form in it carries a placeholder that is
replaced with this session's CSRF token on the way out (`webapp.kept_pages`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from flask import render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from webapp.access import Action, load_patient, viewer_key, viewer_may
from webapp.auth.signed_in import directory_version
from webapp.clock import now_utc
from webapp.followups.details import local_zone
from webapp.i18n import current_locale
from webapp.kept_pages import KeptPages, for_keeping, kept_pages_of, to_send
from webapp.people.models import Patient
from webapp.people.phone_hours import LineStatus, PhoneTimes, line_status, times_from_text
from webapp.plan.next_step import first_contact_words, next_step_words
from webapp.plan.overview import Overview, overview_build
from webapp.plan.todo import todo_items

# What the viewer must be allowed to act on an item of "Att göra nu" (a relative sees only
# what their grant lets them do).
TODO_ACTIONS = {
    "agreement": Action.CONSENT_AS_PATIENT,
    "follow-up": Action.ACKNOWLEDGE_NEWS,  # "Jag har sett det"
    "contact": Action.ACKNOWLEDGE_NEWS,
    "receipt": Action.ANSWER_RECEIPT_AS_PATIENT,
    "self-care": Action.LOG_SELF_CARE,
}

MAX_AGE = 60.0  # seconds; the next follow-up may have started meanwhile
MAX_ENTRIES = 2000


def _store() -> KeptPages:
    return kept_pages_of("own_plan", max_entries=MAX_ENTRIES, max_age=MAX_AGE)


def phone_lines(patient: Patient, overview: Overview) -> dict[str, LineStatus]:
    """Whether each line on the plan is open now, where its hours are known as weekdays and
    times: the fixed contacts' by role, and other parts of care ("part-<id>") whose typed
    hours read as such."""
    found: dict[str, PhoneTimes | None] = {
        role: person.reachable_times if person and person.reachable_phone else None
        for role, person in (
            ("care_contact", patient.care_contact),
            ("physician", patient.physician),
        )
    }
    for part in overview.care_team.parts:
        found[f"part-{part.id}"] = times_from_text(part.phone_hours) if part.phone else None
    now, zone = now_utc(), local_zone()
    return {key: line_status(times, now, zone) for key, times in found.items() if times}


def _plan_key(patient_id: int, plan_version: int) -> tuple[object, ...]:
    # The directory version covers the staff and unit details the plan shows. The viewer too:
    # a relative sees only what their grant allows, and never a page kept for the patient.
    return (patient_id, plan_version, directory_version(), current_locale(), viewer_key())


def _own_plan_entry(patient_id: int, plan_version: int) -> tuple[float, datetime | None, str]:
    """(stored at, valid until, html with the CSRF placeholder) of the patient's plan at
    this version."""
    key = _plan_key(patient_id, plan_version)
    store = _store()
    found = store.entry(key)
    if found is not None:
        return found
    # The door again, now loading the record with its contacts (one query; no log entry,
    # since the patient reads their own plan).
    patient = load_patient(current_user, patient_id, Action.VIEW_PLAN)
    overview = overview_build(patient, own=True)
    upcoming = overview.follow_ups.next
    lines = phone_lines(patient, overview)
    html = for_keeping(
        render_template(
            "plan/_own_plan.html",
            overview=overview,
            todo=[
                item
                for item in todo_items(overview)
                if viewer_may(TODO_ACTIONS.get(item.kind, Action.ACKNOWLEDGE_NEWS))
            ],
            first_time=overview.first_time,
            next_step=next_step_words(upcoming, patient) if upcoming else "",
            # The line leads to that contact, where "Jag kan inte komma" and the calendar are.
            next_step_url=url_for("followups.index", _anchor=f"kontakt-{upcoming.id}")
            if upcoming
            else "",
            first_contact=(
                first_contact_words(patient, overview.first_contact_by)
                if overview.first_contact_by
                else ""
            ),
            patient=patient,
            lines=lines,
            viewer_is_staff=False,
        )
    )
    changes = [line.changes_at for line in lines.values() if line.changes_at is not None]
    # Today's self-care changes with the clock too: at midnight, and when a reminder time
    # comes ("Att göra nu" gains what it asks).
    if overview.self_care.changes_at is not None:
        changes.append(overview.self_care.changes_at)
    entry = (time.monotonic(), min(changes, default=None), html)
    store.put(key, html, entry[1], stored_at=entry[0])
    return entry


def own_plan_html(patient_id: int, plan_version: int) -> Markup:
    """The patient's contacts and the five parts of their plan, for their home page."""
    return Markup(to_send(_own_plan_entry(patient_id, plan_version)[2]))  # noqa: S704


def own_plan_page(patient_id: int, plan_version: int, render_page: Callable[[Markup], str]) -> str:
    """The whole "Min plan" page, `render_page(plan)`, kept with the plan it shows.

    For the look a patient makes many times a day, with nothing else on the page (no notice,
    no message): the page around the plan is then the same on every look of this patient in
    this language (their offline key included), so it is kept too, under the plan's key and
    ageing out with it. The page's own CSRF tokens (header, language, sign-out) are put back
    as the placeholder before it is kept, so each device still gets its own.
    """
    key = (*_plan_key(patient_id, plan_version), "page")
    store = _store()
    page = store.get(key)
    if page is None:
        stored, valid_until, plan = _own_plan_entry(patient_id, plan_version)
        page = for_keeping(render_page(Markup(plan)))  # noqa: S704
        store.put(key, page, valid_until, stored_at=stored)
    return to_send(page)
