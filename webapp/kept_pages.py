"""Pages kept whole in memory, and the one value in them that must not be kept: the CSRF token.

A page that is the same on every look until something changes ("Min plan", a chart) is
rendered once and kept (`webapp/plan/cache.py`, `webapp/selfcare/charts/views.py`). Its
forms' CSRF tokens belong to one session, so the page is kept with a placeholder in their
place, and each look puts in its own session's token on the way out.

Each keeper has its own `KeptPages` in each worker (`kept_pages_of`), with its own size and
age limit.

What else a page holds that belongs to the one look is for its keeper to leave out of what
is kept: a message waiting for the next page (`message_waiting`), a notice. The signed-in
person's offline key is in the page too, so a whole page is kept per person.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from datetime import datetime

from flask import current_app, session
from flask_wtf.csrf import generate_csrf

from webapp.clock import now_utc

# Unguessable, so no text a user writes can contain it.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"


def for_keeping(html: str) -> str:
    """A page just rendered, with this session's CSRF token (wherever a form or the page's
    header put it) replaced by the placeholder."""
    return html.replace(generate_csrf(), CSRF_PLACEHOLDER)


def to_send(html: str) -> str:
    """A kept page or part, with this session's token in place of the placeholder."""
    return html.replace(CSRF_PLACEHOLDER, generate_csrf()) if CSRF_PLACEHOLDER in html else html


def message_waiting() -> bool:
    """Whether a flash() message waits for the next page: that page is drawn for this look."""
    return "_flashes" in session


class KeptPages:
    """Kept HTML: a least-recently-used map with an age limit, safe across threads.

    An entry is forgotten after `max_age` seconds, and at its `valid_until` on the app's
    clock when it has one (a moment the page's words change without any write: a phone line
    opening, midnight).
    """

    def __init__(self, max_entries: int, max_age: float) -> None:
        # key -> (stored at, on the monotonic clock; valid until, on the app's clock; html)
        self._entries: OrderedDict[tuple[object, ...], tuple[float, datetime | None, str]] = (
            OrderedDict()
        )
        self._max_entries = max_entries
        self._max_age = max_age
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> str | None:
        found = self.entry(key)
        return None if found is None else found[2]

    def entry(self, key: tuple[object, ...]) -> tuple[float, datetime | None, str] | None:
        """(stored at, valid until, html) of a live entry."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            stored, valid_until, _html = found
            expired = valid_until is not None and now_utc() >= valid_until
            if expired or time.monotonic() - stored > self._max_age:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found

    def put(
        self,
        key: tuple[object, ...],
        html: str,
        valid_until: datetime | None = None,
        *,
        stored_at: float | None = None,
    ) -> None:
        """`stored_at`: for HTML made from another entry, that entry's age, so that it ages
        out no later than what it shows."""
        with self._lock:
            self._entries[key] = (
                time.monotonic() if stored_at is None else stored_at,
                valid_until,
                html,
            )
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def kept_pages_of(name: str, *, max_entries: int, max_age: float) -> KeptPages:
    """This worker's kept pages of one keeper (made on first use)."""
    kept = current_app.extensions.get(name)
    if kept is None:
        kept = current_app.extensions.setdefault(name, KeptPages(max_entries, max_age))
    assert isinstance(kept, KeptPages)
    return kept
