"""The patient's own "Min plan", rendered once and kept in memory until the plan changes.

The patient opens "Min plan" far more often than anyone changes it, and rendering the five
parts is most of the page's cost. Each worker keeps the rendered HTML keyed by the patient,
the plan's version (bumped in the same commit as any change, see `freshness`) and the
language. Entries also age out after `MAX_AGE`, because "what happens next" moves with the
clock even when nothing is written.

The HTML holds no session-specific value: a form in it carries a placeholder that is
replaced with this session's CSRF token on the way out.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict

from flask import current_app, render_template
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from webapp.access import Action, load_patient
from webapp.i18n import current_locale
from webapp.people.models import Patient
from webapp.plan.next_step import next_step_words
from webapp.plan.overview import overview_build
from webapp.plan.todo import todo_items

MAX_AGE = 60.0  # seconds; the next follow-up may have started meanwhile
MAX_ENTRIES = 2000
# Unguessable, so no text a user writes can contain it.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"


class _Store:
    """A small least-recently-used map with an age limit, safe across threads."""

    def __init__(self, max_entries: int) -> None:
        self._entries: OrderedDict[tuple[object, ...], tuple[float, str]] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> str | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if time.monotonic() - found[0] > MAX_AGE:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: tuple[object, ...], html: str) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), html)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _store() -> _Store:
    store: _Store = current_app.extensions.setdefault("plan_fragments", _Store(MAX_ENTRIES))
    return store


def store_clear() -> None:
    """Forget every kept plan in this worker (tests; an operator's reload does the same)."""
    _store().clear()


def own_plan_html(patient: Patient) -> Markup:
    """The patient's contacts and the five parts of their plan, for their home page."""
    # The directory version covers the staff and unit details the plan shows.
    key = (patient.id, patient.plan_version, current_user.directory_version, current_locale())
    store = _store()
    html = store.get(key)
    if html is None:
        # The door again, now loading the contacts with the record (one query; no log
        # entry, since the patient reads their own plan).
        patient = load_patient(current_user, patient.id, Action.VIEW_PLAN)
        overview = overview_build(patient)
        upcoming = overview.follow_ups.next
        html = render_template(
            "plan/_own_plan.html",
            overview=overview,
            todo=todo_items(overview),
            first_time=overview.first_time,
            next_step=next_step_words(upcoming, patient) if upcoming else "",
            patient=patient,
            viewer_is_staff=False,
            csrf_token=lambda: CSRF_PLACEHOLDER,
        )
        store.put(key, html)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, generate_csrf())
    return Markup(html)  # noqa: S704 - rendered by our own autoescaping templates
