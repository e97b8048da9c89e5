"""Soft hyphens in long words, so that at 200 % text on a 320 px phone a long Swedish word
("Sjukvårdsrådgivningen", "överenskommelsen", "Distriktssköterska") breaks with a hyphen
where it must, at its own size, instead of being split anywhere or shrunk.

CSS `hyphens: auto` needs a dictionary in the browser, which many phones' browsers lack for
Swedish; a soft hyphen (U+00AD) works in every browser and is invisible unless the line
breaks there. The templates' own strings get them as they are translated (`i18n.py`); text
from the database that a page shows large (a title, care's advice) goes through the `shy`
filter. Text someone typed into a form is never changed: only what is shown.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyphen  # type: ignore[import-untyped]
from flask import Flask
from flask_babel import get_translations
from markupsafe import Markup

from webapp.i18n import current_locale

SOFT_HYPHEN = "\u00ad"
# Words shorter than this fit a 320 px line at 200 % text; longer ones get break points.
LONG_WORD = 10
# Where the dictionary breaks a compound badly ("interne-tanslutning"), the right places.
OWN_BREAKS = {
    "internetanslutning": "in-ter-net-an-slut-ning",
    "distriktssköterska": "di-strikts-skö-ter-ska",
    "sjuksköterska": "sjuk-skö-ter-ska",
}
_DICTIONARIES = {"sv": "sv", "en": "en_GB"}
# Left alone: markup, a %(name)s placeholder or an entity, else a run of letters.
_TOKENS = re.compile(r"(<[^>]*>|%\([^)]*\)[a-z]|&[#\w]+;)|([^\W\d_]{" + str(LONG_WORD) + ",})")


@lru_cache(maxsize=4)
def _dictionary(language: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=_DICTIONARIES.get(language, "sv"), left=3, right=3)


def _word(word: str, language: str) -> str:
    own = OWN_BREAKS.get(word.lower())
    if own is not None:
        marked, at = [], 0
        for part in own.split("-"):
            marked.append(word[at : at + len(part)])
            at += len(part)
        return SOFT_HYPHEN.join(marked)
    return str(_dictionary(language).inserted(word, hyphen=SOFT_HYPHEN))


@lru_cache(maxsize=8192)
def soft_hyphens(text: str, language: str = "sv") -> str:
    """`text` with soft hyphens at the break points of its long words (not inside markup,
    placeholders or entities). Kept per text: a page's strings are the same each time."""
    if len(text) < LONG_WORD:
        return text
    return _TOKENS.sub(
        lambda match: match.group(1) or _word(match.group(2), language),
        text,
    )


def shy(value: object, language: str = "sv") -> Markup | str:
    """The Jinja filter: soft hyphens in shown text; Markup stays Markup (already escaped,
    so only the text between its tags is touched)."""
    if isinstance(value, Markup):
        # Only U+00AD is put in, between letters of text that was already safe markup.
        return Markup(soft_hyphens(str(value), language))  # noqa: S704
    return soft_hyphens("" if value is None else str(value), language)


def init_app(app: Flask) -> None:
    """The templates' _() and ngettext() as Flask-Babel installs them (after its init_app),
    with soft hyphens in the long words of what they return: our own words break with a
    hyphen at large text, and the values put into a string are left as they are. And the
    `shy` filter for text from the database."""

    def marked(text: str) -> str:
        return soft_hyphens(text, current_locale())

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: marked(get_translations().ugettext(s)),
        ngettext=lambda s, p, n: marked(get_translations().ungettext(s, p, n)),
        newstyle=True,
        pgettext=lambda c, s: marked(get_translations().upgettext(c, s)),
        npgettext=lambda c, s, p, n: marked(get_translations().unpgettext(c, s, p, n)),
    )
    app.jinja_env.filters["shy"] = lambda value: shy(value, current_locale())
    # A page's <title> names it in the tab, history and bookmarks, where nothing wraps: no
    # soft hyphens there.
    app.jinja_env.filters["unshy"] = lambda value: value.replace(SOFT_HYPHEN, "")
