"""The unit's copy of a story: the names, personnummer and phone numbers the app knows of
taken out, and anything shaped like a personnummer or a phone number too. The patient is
told to leave out other details; this is the net under that, not a promise."""

from __future__ import annotations

import re
from collections.abc import Iterable

NAME = "[namn]"
PERSONAL_NUMBER = "[personnummer]"
PHONE = "[telefonnummer]"

# 19490312-1234, 490312-1234, 194903121234, 490312+1234 ...
_PERSONAL_NUMBER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+\s]?\d{4}(?!\d)")
# 070-123 45 67, +46 70 123 45 67, 08-123 456 ...: 0 or +46, then at least six more digits.
_PHONE = re.compile(r"(?<![\d+])(?:\+\s?46|0)(?:[\s-]?\(?\d\)?){6,11}(?!\d)")


def _digits_pattern(digits: str) -> str:
    return r"[\s-]?".join(re.escape(digit) for digit in digits)


def _known_number(number: str) -> re.Pattern[str] | None:
    digits = re.sub(r"\D", "", number)
    if len(digits) < 6:
        return None
    forms = {digits}
    if digits.startswith("0"):
        forms.add("46" + digits[1:])
    if len(digits) == 12:  # a personnummer also written with two digits for the year
        forms.add(digits[2:])
    alternatives = "|".join(r"(?:\+\s?)?" + _digits_pattern(form) for form in sorted(forms))
    return re.compile(rf"(?<!\d)(?:{alternatives})(?!\d)")


def anonymise(
    text: str, *, names: Iterable[str], personal_numbers: Iterable[str], phones: Iterable[str]
) -> str:
    for number in personal_numbers:
        if (pattern := _known_number(number)) is not None:
            text = pattern.sub(PERSONAL_NUMBER, text)
    for number in phones:
        if (pattern := _known_number(number)) is not None:
            text = pattern.sub(PHONE, text)
    text = _PERSONAL_NUMBER.sub(PERSONAL_NUMBER, text)
    text = _PHONE.sub(PHONE, text)
    words: set[str] = set()
    for name in names:
        name = name.strip()
        if not name:
            continue
        words.add(name)
        words.update(part for part in re.split(r"[\s-]+", name) if len(part) >= 2)
    # The whole name before its parts, each also with a genitive s ("Astrids").
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(word)}s?(?!\w)", NAME, text, flags=re.IGNORECASE)
    return text
