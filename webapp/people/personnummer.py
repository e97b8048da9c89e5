"""Swedish personal identity numbers (personnummer and samordningsnummer)."""

from __future__ import annotations

import re
from datetime import date

# ASCII digits only: Python's \d also matches Arabic-Indic and other digits.
_PATTERN = re.compile(r"([0-9]{2})?([0-9]{2})([0-9]{2})([0-9]{2})([-+]?)([0-9]{4})", re.ASCII)


class InvalidPersonalNumber(ValueError):
    pass


def luhn_ok(digits: str) -> bool:
    """The Luhn check over the ten digits YYMMDDNNNC."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def normalise(raw: str, today: date | None = None) -> str:
    """Return the 12-digit form (YYYYMMDDNNNC) or raise InvalidPersonalNumber.

    Accepts YYYYMMDD-NNNN, YYYYMMDDNNNN, YYMMDD-NNNN and YYMMDD+NNNN (over 100 years old).
    Samordningsnummer (day + 60) are accepted too.
    """
    text = raw.strip().replace(" ", "")
    match = _PATTERN.fullmatch(text)
    if not match:
        raise InvalidPersonalNumber("format")
    century, yy, mm, dd, sep, tail = match.groups()
    today = today or date.today()
    day = int(dd)
    if day > 60:  # samordningsnummer
        day -= 60
    if century is None:
        # Without the century: the latest year that is not in the future; "+" adds 100 years.
        year = (today.year // 100) * 100 + int(yy)
        born = _date_or_none(year, int(mm), day)
        if year > today.year or (born is not None and born > today):
            year -= 100
        if sep == "+":
            year -= 100
    else:
        year = int(century + yy)
    born = _date_or_none(year, int(mm), day)
    if born is None:
        raise InvalidPersonalNumber("date")
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
