"""Swedish personal identity numbers (personnummer and samordningsnummer)."""

from __future__ import annotations

import re
from datetime import date

_PATTERN = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{4})$")


class InvalidPersonalNumber(ValueError):
    pass


def luhn_ok(digits: str) -> bool:
    """The Luhn check over the ten digits YYMMDDNNNC."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def normalise(raw: str, today: date | None = None) -> str:
    """Return the 12-digit form (YYYYMMDDNNNC) or raise InvalidPersonalNumber.

    Accepts YYYYMMDD-NNNN, YYYYMMDDNNNN, YYMMDD-NNNN and YYMMDD+NNNN (over 100 years old).
    Samordningsnummer (day + 60) are accepted too.
    """
    text = raw.strip().replace(" ", "")
    match = _PATTERN.match(text)
    if not match:
        raise InvalidPersonalNumber("format")
    century, yy, mm, dd, sep, tail = match.groups()
    today = today or date.today()
    if century is None:
        year = 2000 + int(yy)
        if year > today.year:
            year -= 100
        if sep == "+":
            year -= 100
    else:
        year = int(century + yy)
    day = int(dd)
    if day > 60:  # samordningsnummer
        day -= 60
    try:
        born = date(year, int(mm), day)
    except ValueError as exc:
        raise InvalidPersonalNumber("date") from exc
    if born > today:
        raise InvalidPersonalNumber("date")
    if not luhn_ok(f"{yy}{mm}{dd}{tail}"):
        raise InvalidPersonalNumber("checksum")
    return f"{year:04d}{mm}{dd}{tail}"


def display(normalised: str) -> str:
    return f"{normalised[:8]}-{normalised[8:]}"


def check_digit(first_nine: str) -> str:
    """The Luhn digit that completes YYMMDDNNN (used for demo and test data)."""
    for digit in "0123456789":
        if luhn_ok(first_nine + digit):
            return digit
    raise AssertionError("unreachable: one digit always completes the Luhn sum")
