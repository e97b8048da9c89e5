"""Phone hours as data: weekdays and clock times, so a card can say whether the line is open.

Stored as `[[weekday, from_minute, to_minute], ...]` (weekday 0 is Monday, minutes after
local midnight, in the unit's time zone). Staff type one line per weekday ("08:00–10:00,
13:00–15:00"); the free text units had before ("Vardagar 8–10 och 13–15", "Vardagar 8–16,
lunchstängt 12–13") is read by `times_from_text` when it can be, and kept as text when not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_day_names

PhoneTimes = list[list[int]]
DAY_MINUTES = 24 * 60

# --- reading what staff type -------------------------------------------------------------

_CLOCK = r"(\d{1,2})(?:[.:](\d{2}))?"
RANGE = re.compile(rf"^{_CLOCK}\s*[-–—]\s*{_CLOCK}$")
_TOKENS = re.compile(
    rf"(?P<range>{_CLOCK}\s*-\s*{_CLOCK})|(?P<word>[a-zåäö]+)\.?|(?P<dash>-)|(?P<skip>[\s,;:]+)"
)
_DAY_WORDS = {
    "mån": 0, "måndag": 0, "måndagar": 0,
    "tis": 1, "tisdag": 1, "tisdagar": 1,
    "ons": 2, "onsdag": 2, "onsdagar": 2,
    "tor": 3, "tors": 3, "torsdag": 3, "torsdagar": 3,
    "fre": 4, "fredag": 4, "fredagar": 4,
    "lör": 5, "lördag": 5, "lördagar": 5,
    "sön": 6, "söndag": 6, "söndagar": 6,
}  # fmt: skip
_DAY_GROUPS = {
    "vardagar": range(5),
    "vardag": range(5),
    "helger": range(5, 7),
    "helgdagar": range(5, 7),
    "dagligen": range(7),
}
_FILLER = {"och", "samt", "kl", "klockan", "alla", "dagar", "varje", "dag", "öppet"}
_CLOSED = {"lunchstängt", "lunch", "stängt", "utom"}


def _minutes(hours: str, minutes: str | None) -> int | None:
    value = int(hours) * 60 + int(minutes or 0)
    if int(hours) > 24 or int(minutes or 0) > 59 or value > DAY_MINUTES:
        return None
    return value


def range_from_text(text: str) -> tuple[int, int] | None:
    """ "08:00–10:00", "8-10" or "8.30–12" as minutes after midnight; None if not a range."""
    found = RANGE.match(text.strip())
    if not found:
        return None
    start, end = _minutes(found[1], found[2]), _minutes(found[3], found[4])
    if start is None or end is None or start >= end:
        return None
    return start, end


_SPAN = re.compile(rf"{_CLOCK}\s*-\s*{_CLOCK}")
# What may stand between (and around) the times of one day: "8-10 och 13-15", "8–10, 13–15",
# "kl. 8–10 samt 13–15", "8-10 / 13-15".
_BETWEEN = re.compile(r"^(?:[\s,;/&+.]|och|samt|kl|klockan)*$")
_CLOSED_DAY = {"", "-", "stängt", "stängd", "nej", "ingen", "inget"}


def day_ranges_from_text(text: str) -> list[tuple[int, int]] | None:
    """One weekday's hours as someone types them, "8-10 och 13-15", "08:00–10:00, 13–15" or
    "kl. 8.30–12": the ranges in minutes, in order; [] for an empty or closed day; None when
    it cannot be read (a word that is not a time, a range backwards, two that overlap)."""
    words = text.lower().replace("–", "-").replace("—", "-").strip()
    if words.strip(" .") in _CLOSED_DAY:
        return []
    spans: list[tuple[int, int]] = []
    position = 0
    for found in _SPAN.finditer(words):
        if not _BETWEEN.match(words[position : found.start()]):
            return None
        span = range_from_text(found.group(0))
        if span is None:
            return None
        spans.append(span)
        position = found.end()
    if not spans or not _BETWEEN.match(words[position:]):
        return None
    spans.sort()
    if any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)):
        return None
    return spans


def _subtract(ranges: list[tuple[int, int]], closed: tuple[int, int]) -> list[tuple[int, int]]:
    left: list[tuple[int, int]] = []
    for start, end in ranges:
        if closed[1] <= start or closed[0] >= end:
            left.append((start, end))
            continue
        if start < closed[0]:
            left.append((start, closed[0]))
        if closed[1] < end:
            left.append((closed[1], end))
    return left


def times_from_text(text: str) -> PhoneTimes | None:
    """The old free text read as weekdays and times, or None when any word of it cannot be
    read (then the text is kept and shown as it was: better than a wrong guess)."""
    words = text.lower().replace("–", "-").replace("—", "-")
    if words.strip(" .") in ("dygnet runt", "alltid öppet", "alla dagar dygnet runt"):
        return [[day, 0, DAY_MINUTES] for day in range(7)]
    days: list[int] = []
    closing = False
    every_day = "alla dagar" in words or "varje dag" in words
    hours: dict[int, list[tuple[int, int]]] = {}
    position, pending_range_from = 0, None
    for token in _TOKENS.finditer(words):
        if token.start() != position:
            return None  # something the tokens do not cover
        position = token.end()
        kind = token.lastgroup
        if kind == "skip":
            continue
        if kind == "dash":
            if not days:
                return None
            pending_range_from = days[-1]
            continue
        if kind == "range":
            span = range_from_text(token.group("range"))
            if span is None or not days:
                return None
            for day in days:
                if closing:
                    hours[day] = _subtract(hours.get(day, []), span)
                else:
                    hours.setdefault(day, []).append(span)
            continue
        word = token.group("word")
        if word in _DAY_WORDS:
            day = _DAY_WORDS[word]
            if pending_range_from is not None:
                days = list(range(pending_range_from, day + 1))
                pending_range_from = None
            else:
                days = [day] if not days or hours.get(days[-1]) else [*days, day]
            closing = False
        elif word in _DAY_GROUPS:
            days, closing = list(_DAY_GROUPS[word]), False
        elif word in _CLOSED:
            closing = True
        elif word in ("alla", "varje") and every_day:
            days, closing = list(range(7)), False
        elif word not in _FILLER:
            return None
    if position != len(words) or not hours:
        return None
    return sorted([day, start, end] for day, spans in hours.items() for start, end in spans)


# --- saying it ---------------------------------------------------------------------------


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def day_text(times: PhoneTimes, weekday: int) -> str:
    """One weekday's ranges as staff type them: "08:00–10:00, 13:00–15:00"."""
    return ", ".join(f"{_clock(s)}–{_clock(e)}" for day, s, e in sorted(times) if day == weekday)


def describe(times: PhoneTimes, locale: str) -> str:
    """ "Mån–fre 08:00–10:00, 13:00–15:00; lör 10:00–12:00" in the reader's language."""
    names = get_day_names("abbreviated", context="format", locale=locale)
    runs: list[tuple[int, int, str]] = []  # first day, last day, their ranges
    for weekday in range(7):
        spans = day_text(times, weekday)
        if not spans:
            continue
        if runs and runs[-1][1] == weekday - 1 and runs[-1][2] == spans:
            runs[-1] = (runs[-1][0], weekday, spans)
        else:
            runs.append((weekday, weekday, spans))
    parts = []
    for first, last, spans in runs:
        days = names[first].rstrip(".")
        if last != first:
            days += "–" + names[last].rstrip(".")
        parts.append(f"{days} {spans}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


# --- open now? ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LineStatus:
    open_now: bool
    # When it opens next (when closed) and when the answer to "open now?" changes.
    opens_at: datetime | None
    changes_at: datetime | None


def _openings(times: PhoneTimes, around: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    found = []
    for offset in range(-1, 8):
        day = around + timedelta(days=offset)
        for weekday, start, end in times:
            if weekday != day.weekday():
                continue
            midnight = datetime.combine(day, time(0), tzinfo=zone)
            # Wall-clock times, so 08:00 stays 08:00 across a daylight-saving change.
            begins = datetime.combine(day, time(start // 60, start % 60), tzinfo=zone)
            ends = (
                midnight + timedelta(days=1)
                if end == DAY_MINUTES
                else datetime.combine(day, time(end // 60, end % 60), tzinfo=zone)
            )
            found.append((begins, ends))
    return sorted(found)


def line_status(times: PhoneTimes, now: datetime, zone: ZoneInfo) -> LineStatus:
    local = now.astimezone(zone)
    openings = _openings(times, local.date(), zone)
    for begins, ends in openings:
        if begins <= local < ends:
            return LineStatus(open_now=True, opens_at=None, changes_at=ends)
    upcoming = next((begins for begins, _ends in openings if begins > local), None)
    return LineStatus(open_now=False, opens_at=upcoming, changes_at=upcoming)
