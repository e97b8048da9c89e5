"""gettext, typed (Flask-Babel's returns Any), for the export's modules."""

from __future__ import annotations

from flask_babel import gettext


def _(message: str, /, **values: object) -> str:
    return str(gettext(message, **values))
