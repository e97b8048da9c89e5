"""Pages kept whole in memory, and the one value in them that must not be kept: the CSRF token.

A page that is the same on every look until something changes ("Min plan", a chart) is
rendered once and kept (`webapp/plan/fragments.py`, `webapp/selfcare/chart_views.py`). Its
forms' CSRF tokens belong to one session, so the page is kept with a placeholder in their
place, and each look puts in its own session's token on the way out.

What else a page holds that belongs to the one look is for its keeper to leave out of what
is kept: a message waiting for the next page (`message_waiting`), a notice. The signed-in
person's offline key is in the page too, so a whole page is kept per person.
"""

from __future__ import annotations

import secrets

from flask import session
from flask_wtf.csrf import generate_csrf

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
