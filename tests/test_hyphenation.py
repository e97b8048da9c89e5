"""Soft hyphens in long words: our own words get break points, so that at 200 % text on a
320 px phone they break with a hyphen; placeholders, markup and what someone typed are left
as they are. (The other tests read pages without them: tests/conftest.py's ReadingClient.)"""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from markupsafe import Markup

from tests.conftest import register_with_invitation
from webapp.hyphenation import SOFT_HYPHEN, shy, soft_hyphens

SHY = SOFT_HYPHEN


def test_long_words_get_break_points_and_short_ones_none():
    marked = soft_hyphens("Ring Sjukvårdsrådgivningen om överenskommelsen")
    assert marked.replace(SHY, "") == "Ring Sjukvårdsrådgivningen om överenskommelsen"
    assert f"Sjuk{SHY}vårds{SHY}råd" in marked and f"över{SHY}ens" in marked
    assert soft_hyphens("Min plan") == "Min plan"
    # Where the dictionary would break a compound wrongly, our own break points.
    parts = ["in", "ter", "net", "an", "slut", "ning"]
    assert soft_hyphens("internetanslutning") == SHY.join(parts)


def test_placeholders_entities_and_markup_are_left_alone():
    text = '%(appointments)s <a href="/overenskommelsen">Överenskommelsen</a> &nbsp;'
    marked = soft_hyphens(text)
    assert marked.startswith('%(appointments)s <a href="/overenskommelsen">Över')
    assert marked.endswith("</a> &nbsp;") and SHY in marked
    assert isinstance(shy(Markup("<b>Distriktssköterska</b>")), Markup)
    assert shy(None) == ""


def test_pages_carry_them_in_our_words_but_not_in_what_was_typed(app, patient):
    raw = FlaskClient(app, app.response_class, use_cookies=True)  # sees the soft hyphens
    register_with_invitation(raw, patient.user)
    worse = raw.get("/overenskommelse/nar-jag-blir-samre").get_data(as_text=True)
    assert f"Sjuk{SHY}vårds{SHY}råd{SHY}giv{SHY}ning" in worse  # the footer and "Vem ringer jag?"
    # A refused form shows what was typed exactly as typed: no soft hyphen put in.
    typed = "Hemsjukvårdsorganisationen"
    token = re.search(r'name="csrf-token" content="([^"]+)"', worse)
    assert token
    refused = raw.post("/egenvard/uppdatering", data={"csrf_token": token[1], "text": typed})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert re.search(rf">\s*{typed}</textarea>", html), html[html.find("<textarea") :][:300]


def test_a_page_title_names_it_without_soft_hyphens(app, patient):
    """The tab, history and bookmarks show the title whole: no soft hyphen in it, while the
    same long word in the page's heading may break at one."""
    raw = FlaskClient(app, app.response_class, use_cookies=True)  # sees the soft hyphens
    register_with_invitation(raw, patient.user)
    html = raw.get("/overenskommelse/").get_data(as_text=True)
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("Överenskommelse")
    heading = html.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert SHY in heading
