"""Plain words for someone who has never used an app: the first time a page uses one of the
contract's own words, one line says what it means, once, right under the heading that uses
it; care's pages, whose readers know the words, are spared them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.conftest import mark_seen
from tests.selfcare_rows import goal_make
from tests.test_agreement import make_agreed
from webapp.selfcare.models import GoalKind

EXPLAINED = {
    "overenskommelse": "Överenskommelsen är det du och vården har bestämt tillsammans",
    "kvitto": "Mitt kvitto är sju frågor om din vård.",
    "egenvard": "Egenvård är det du gör själv hemma för att må bra",
    "egenvardsbedomning": "Det kallas egenvårdsbedömning.",
    "incheckning": "En incheckning är det du skriver in",
    "logglista": "Logglistan visar vem som har tittat i din plan",
    "kalenderlank": "En kalenderlänk gör att dina tider syns i kalendern i din telefon.",
}
PAGES = {
    "/": ("overenskommelse", "kvitto", "egenvard"),
    "/overenskommelse/": ("overenskommelse",),
    "/kvitto/": ("kvitto",),
    "/egenvard/": ("egenvard", "egenvardsbedomning"),
    "/uppfoljning/kalenderlank": ("kalenderlank",),
    "/logglista": ("logglista",),
}


@pytest.fixture
def lived_in(patient, nurse):
    make_agreed(patient, nurse)
    goal_make(patient)
    goal_make(
        patient,
        kind=GoalKind.ASSESSED,
        title="Ta blodtrycket",
        assessed_by_staff_id=nurse.id,
        assessed_on=date.today(),
        review_on=date.today() + timedelta(days=90),
    )
    return patient


@pytest.mark.parametrize("path", PAGES)
def test_each_word_is_explained_once_where_the_page_first_uses_it(patient_client, lived_in, path):
    page = patient_client.get(path)
    assert page.status_code == 200, path
    html = page.get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    for word, line in EXPLAINED.items():
        expected = 1 if word in PAGES[path] else 0
        assert main.count(line) == expected, (path, word)
    for word in PAGES[path]:
        # Right under the heading that first uses the word: nothing else between them.
        assert re.search(rf'</h[12]>\s*<p class="explain explain-{word}">', main), (path, word)


def test_the_check_ins_kept_offline_explain_the_word(patient_client, lived_in):
    # The queue of check-ins kept in the phone sits on a goal's own check-in page.
    html = patient_client.get("/egenvard/").get_data(as_text=True)
    link = re.search(r'href="(/egenvard/\d+/logga)"', html)
    assert link, "Min egenvård links to a goal's check-in page"
    page = patient_client.get(link.group(1)).get_data(as_text=True)
    assert page.count(EXPLAINED["incheckning"]) == 1


def test_cares_pages_keep_to_their_own_words(nurse_client, lived_in):
    mark_seen(nurse_client, lived_in.id)
    for path in (f"/vard/patienter/{lived_in.id}", f"/overenskommelse/patient/{lived_in.id}"):
        page = nurse_client.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert "Vår överenskommelse" in html or "Överenskommelse med" in html, path
        assert not any(line in html for line in EXPLAINED.values()), path
