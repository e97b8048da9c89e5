"""The English catalogue is complete, up to date with the code, and really used on the pages."""

from __future__ import annotations

import re
import shlex
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "webapp/translations/en/LC_MESSAGES/messages.po"

# %(name)s, %(num)d, %s ... (but not a literal "%%").
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def english_catalog():
    with PO.open("rb") as fh:
        return read_po(fh, locale="en")


def forms(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


def test_every_message_is_translated_and_not_fuzzy():
    catalog = english_catalog()
    untranslated = [m.id for m in catalog if m.id and not all(forms(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert len(catalog) > 100  # the real catalogue, not an empty file
    assert untranslated == []
    assert fuzzy == []  # Babel ignores fuzzy entries: the page would be in Swedish


def test_placeholders_and_plural_forms_are_kept():
    catalog = english_catalog()
    assert catalog.num_plurals == 2
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        expected = set().union(*(placeholders(i) for i in forms(message.id)))
        translations = forms(message.string)
        if message.pluralizable and len(translations) != 2:
            wrong.append((message.id, translations))
        wrong += [(message.id, t) for t in translations if placeholders(t) != expected]
    assert wrong == []


def makefile_extract_args(output: Path) -> list[str]:
    """The `pybabel extract` command of `make messages`, writing to `output` instead."""
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(line for line in recipe.splitlines() if "pybabel extract" in line)
    args = shlex.split(line.split("pybabel", 1)[1])
    args[args.index("-o") + 1] = str(output)
    return args


def test_catalogue_has_every_message_in_the_code(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", *makefile_extract_args(pot)])
    with pot.open("rb") as fh:
        in_code = {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(fh) if m.id}
    catalog = english_catalog()
    missing = sorted(
        f"{msgid!r} ({m.locations[0][0]})" for msgid, m in in_code.items() if msgid not in catalog
    )
    # Some messages from the folders Babel skips by default (templates/_macros) must be there.
    assert "Något behöver rättas" in in_code
    assert missing == [], "run `make messages` and translate the new messages"


class VisibleText(HTMLParser):
    """The text a reader sees: no script or style, and not the "På svenska" language button."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip or tag in ("script", "style") or (tag != "html" and ("lang", "sv") in attrs):
            if tag not in ("br", "img", "input", "meta", "link"):
                self.skip.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip and self.skip[-1] == tag:
            self.skip.pop()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


# The people and the unit in the fixtures have Swedish names and titles; they are data.
FIXTURE_DATA = (
    "Vårdcentralen Test",
    "Distriktssköterska",
    "Allmänläkare",
    "Vardagar 8–10",
    "Vardagar 8–16",
    "Karin Lind",
    "Ali Hassan",
    "Astrid Berg",
)
SWEDISH_UI_WORDS = (
    "Min plan",
    "Logga ut",
    "Nycklar",
    "Vem ringer",
    "Ring",
    "Överenskommelse",
    "överenskommelse",
    "Mitt kvitto",
    "vårdkontakt",
    "läkarkontakt",
    "Nästa kontakt",
    "Ändra",
    "viktigt",
)
SWEDISH_SMALL_WORDS = {
    "och",
    "är",
    "inte",
    "ännu",
    "din",
    "dina",
    "du",
    "för",
    "med",
    "till",
    "har",
    "på",
    "av",
    "som",
    "det",
    "att",
    "ingen",
    "inga",
    "vad",
    "vem",
}


def english_page_text(client, path: str) -> str:
    token = csrf_token(client, path)
    client.post("/sprak", data={"csrf_token": token, "lang": "en", "next": path})
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    for data in FIXTURE_DATA:
        text = text.replace(data, "")
    return text


def assert_no_swedish(text: str) -> None:
    assert [w for w in SWEDISH_UI_WORDS if re.search(rf"\b{w}\b", text)] == [], text
    assert sorted({w.lower() for w in re.findall(r"\w+", text)} & SWEDISH_SMALL_WORDS) == [], text


def test_patient_home_in_english(patient_client):
    text = english_page_text(patient_client, "/")
    for words in (
        "My plan",
        "Sign out",
        "My fixed care contact",
        "My named doctor",
        "What matters to me",
        "Our agreement",
        "My receipt",
        "call 112",
    ):
        assert words in text
    assert_no_swedish(text)


def test_care_patient_page_in_english(nurse_client, patient):
    text = english_page_text(nurse_client, f"/vard/patienter/{patient.id}")
    for words in (
        "Patients",
        "Sign out",
        "Fixed care contact",
        "Named doctor",
        "What matters to the patient",
        "My receipt",
        "Sign-in link",
    ):
        assert words in text
    assert_no_swedish(text)


@pytest.mark.parametrize("path", ["/logga-in"])
def test_signed_out_pages_in_english(client, path):
    text = english_page_text(client, path)
    assert "Sign in with passkey" in text
    assert_no_swedish(text)
