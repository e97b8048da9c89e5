"""Swedish personal identity numbers: the forms people write, and what must be refused."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.people.personnummer import (
    InvalidPersonalNumber,
    check_digit,
    display,
    luhn_ok,
    normalise,
)

TODAY = date(2026, 11, 23)


def with_check(first_nine: str) -> str:
    return first_nine + check_digit(first_nine)


@pytest.mark.parametrize(
    "raw",
    ["19490312-2382", "194903122382", "490312-2382", "4903122382", " 19490312 - 2382 "],
)
def test_valid_forms_normalise_to_twelve_digits(raw):
    assert normalise(raw, today=TODAY) == "194903122382"


def test_display_puts_the_dash_back():
    assert display("194903122382") == "19490312-2382"


def test_plus_sign_means_over_one_hundred():
    number = with_check("200105417")
    assert normalise(number[:6] + "+" + number[6:], today=TODAY) == "19" + number
    assert normalise(number[:6] + "-" + number[6:], today=TODAY) == "20" + number


def test_ten_digits_later_this_year_means_the_last_century():
    # Born 24 December 1926: 99 years old next month, written without the century.
    number = with_check("261224123")
    assert normalise(number, today=TODAY) == "19" + number


def test_samordningsnummer_day_plus_sixty():
    number = with_check("490372238")  # day 12 + 60
    assert normalise(number, today=TODAY) == "19" + number


@pytest.mark.parametrize("raw", ["19490312-2383", "4903122381", "194903122380"])
def test_luhn_failures_are_refused(raw):
    with pytest.raises(InvalidPersonalNumber):
        normalise(raw, today=TODAY)


@pytest.mark.parametrize("first_nine", ["490230123", "491312123", "490100123", "490192123"])
def test_impossible_dates_are_refused(first_nine):
    with pytest.raises(InvalidPersonalNumber):
        normalise("19" + with_check(first_nine), today=TODAY)


def test_future_dates_are_refused():
    with pytest.raises(InvalidPersonalNumber):
        normalise("20" + with_check("301224123"), today=TODAY)


@pytest.mark.parametrize(
    "raw",
    ["", "abc", "1949-03-12-2382", "19490312_2382", "٤٩٠٣١٢٢٣٨٢", "4903122382\n1", "++4903122382"],
)
def test_other_text_is_refused(raw):
    with pytest.raises(InvalidPersonalNumber):
        normalise(raw, today=TODAY)


def test_check_digit_completes_the_luhn_sum():
    assert luhn_ok(with_check("490312238"))


@settings(max_examples=60, deadline=None)
@given(st.text() | st.from_regex(r"\A(19|20)?\d{6}[-+]?\d{4}\Z"))
def test_normalise_returns_twelve_ascii_digits_or_refuses(raw):
    try:
        result = normalise(raw)
    except InvalidPersonalNumber:
        return
    assert re.fullmatch(r"[0-9]{12}", result)
