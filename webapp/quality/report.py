"""The follow-up page's words, charts and CSV, made from the shown figures only."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from webapp.errors import UserFacingError
from webapp.quality.chart import Series, trend_svg
from webapp.quality.disclosure import Split
from webapp.quality.figures import QUESTIONS, SIDES, UnitFigures, month_add
from webapp.receipt import services as receipts
from webapp.receipt.models import Side

FEWER = _l("färre än 5")
FIRST_YEAR = 2000
MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")

SIDE_WORDS = {Side.PATIENT: _l("Patienterna"), Side.CARE: _l("Vården")}
# The questions in a few words, for headings and the CSV (the whole text is beside them).
SHORT_QUESTIONS = (
    _l("Lita på hjälp när det behövs"),
    _l("En överenskommelse om det som är viktigt"),
    _l("Enkla sätt att nå vården"),
    _l("En fast vårdkontakt"),
    _l("Vet nästa steg"),
    _l("Överens om nästa gång"),
    _l("Överblick och samordning"),
)


class MonthError(UserFacingError):
    """The month asked for cannot be shown."""


def month_parse(text: str | None, *, this_month: date) -> date:
    """ "2026-11" as the first of that month; the last month that is over when nothing is
    asked for. A month still going is refused: its figures are not counted until it is over."""
    if not text:
        return month_add(this_month, -1)
    found = MONTH_PATTERN.fullmatch(text.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise MonthError(_l("Skriv månaden som år och månad, till exempel 2026-11."), field="till")
    month = date(int(found.group(1)), int(found.group(2)), 1)
    if month > this_month:
        raise MonthError(_l("Den månaden har inte börjat ännu. Välj en tidigare."), field="till")
    if month == this_month:
        raise MonthError(
            _l("Den här månaden är inte slut ännu. En månads siffror visas när den är över."),
            field="till",
        )
    if month.year < FIRST_YEAR:
        raise MonthError(_l("Välj en månad från år 2000 och framåt."), field="till")
    return month


def month_words(month: date) -> str:
    return str(format_date(month, "LLLL yyyy"))


def count_words(count: int | None) -> str:
    return str(FEWER) if count is None else str(count)


def share_words(share: int | None) -> str:
    return "" if share is None else f"{share} %"


def question_short(number: int) -> str:
    return str(SHORT_QUESTIONS[number - 1])


def _trend_words(values: list[int | None], months: list[date], what: str) -> str:
    known = [
        (month, value) for month, value in zip(months, values, strict=True) if value is not None
    ]
    if not known:
        return str(_("%(what)s: färre än 5 svar varje månad.", what=what))
    (first_month, first), (last_month, last) = known[0], known[-1]
    return str(
        _(
            "%(what)s: %(first)s %% i %(from)s och %(last)s %% i %(to)s.",
            what=what,
            first=first,
            last=last,
            **{"from": month_words(first_month), "to": month_words(last_month)},
        )
    )


@dataclass(frozen=True)
class Trend:
    """One question's share of yes, patient side beside care side, month by month."""

    number: int
    patient: list[int | None]
    care: list[int | None]
    svg: Markup


def trends(figures: UnitFigures) -> list[Trend]:
    months = [m.month for m in figures.months]
    found = []
    for number in QUESTIONS:
        patient = [m.split(Side.PATIENT, number).yes_share for m in figures.months]
        care = [m.split(Side.CARE, number).yes_share for m in figures.months]
        title = _(
            "Fråga %(number)d, %(question)s: andel ja per månad",
            number=number,
            question=question_short(number),
        )
        description = " ".join(
            (
                _trend_words(patient, months, str(SIDE_WORDS[Side.PATIENT])),
                _trend_words(care, months, str(SIDE_WORDS[Side.CARE])),
                _("En månad med färre än 5 ja-svar är en lucka i linjen."),
            )
        )
        svg = trend_svg(
            months=months,
            series=[Series(1, patient), Series(2, care)],
            title=title,
            description=description,
            id_prefix=f"fraga-{number}",
            percent=True,
        )
        found.append(Trend(number, patient, care, svg))
    return found


def established_svg(figures: UnitFigures) -> Markup:
    months = [m.month for m in figures.months]
    established = [m.established for m in figures.months]
    patients = [m.patients for m in figures.months]
    last = figures.last
    description = _(
        "I %(month)s: %(established)s patienter med etablerat patientkontrakt av %(patients)s "
        "på enheten. Avrundat till närmaste 5; en månad med färre än 5 är en lucka.",
        month=month_words(last.month),
        established=count_words(last.established),
        patients=count_words(last.patients),
    )
    return trend_svg(
        months=months,
        series=[Series(1, established), Series(2, patients)],
        title=_("Etablerade patientkontrakt per månad"),
        description=description,
        id_prefix="kontrakt",
        percent=False,
    )


def figures_csv(figures: UnitFigures, *, unit_name: str) -> str:
    """The same figures as the page, as the unit's quality work reads them into a
    spreadsheet: semicolons and a byte-order mark, as Swedish Excel expects."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Vårdenhet"),
            _("Månad"),
            _("Fråga"),
            _("Sida"),
            _("Ja"),
            _("Delvis"),
            _("Nej"),
            _("Andel ja"),
            _("Andel delvis"),
            _("Andel nej"),
        ]
    )
    for month in figures.months:
        label = month.month.strftime("%Y-%m")
        writer.writerow(
            [unit_name, label, _("Patienter på enheten"), "", count_words(month.patients)]
            + [""] * 5
        )
        writer.writerow(
            [unit_name, label, _("Etablerat patientkontrakt"), "", count_words(month.established)]
            + [""] * 5
        )
        for number in QUESTIONS:
            for side in SIDES:
                split: Split = month.split(side, number)
                writer.writerow(
                    [
                        unit_name,
                        label,
                        f"{number}. {question_short(number)}",
                        str(SIDE_WORDS[side]),
                        *(count_words(count) for count in split.counts),
                        *(share_words(share) for share in split.shares),
                    ]
                )
    return out.getvalue()


def question_text(side: str, number: int) -> str:
    return receipts.question_text(side, number)
