"""Pictures of progress: a goal's chart as accessible SVG with a data table beside it, the
week's consistency said kindly, for the patient and for care, at a fixed cost in queries."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.conftest import count_queries, register_with_invitation
from tests.selfcare_rows import check_in_make, goal_make
from webapp.audit import READ_ACTIONS, AccessLogEntry, Read
from webapp.extensions import db
from webapp.people import services as people
from webapp.selfcare.charts.consistency import consistency_of
from webapp.selfcare.charts.services import Period, period_of
from webapp.selfcare.charts.svg import nice_ticks
from webapp.selfcare.models import CheckIn

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# A Monday morning just after the spring change to summer time (Sunday 30 March 2025): the
# week shown runs Tuesday 25 to Monday 31 March, across the 23-hour Sunday.
NOW = datetime(2025, 3, 31, 10, 0, tzinfo=STOCKHOLM)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


@pytest.fixture
def now(clock):
    clock.now = NOW.astimezone(UTC)
    return clock


@pytest.fixture
def other_patient(nurse):
    found = people.patient_create(
        created_by=nurse, name="Gunnar Ek", phone="070-444 55 66", personal_number=None
    )
    db.session.commit()
    return found


def signed_in(app, user):
    client = app.test_client()
    register_with_invitation(client, user)
    return client


# --- reading the page ---------------------------------------------------------------------


class Page(HTMLParser):
    """The page's data table rows (each cell's text) and the SVG's elements by class."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.classes: list[str] = []
        self.svg_attrs: dict[str, str] = {}
        self._in_body = False
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "svg" and "chart" in (attributes.get("class") or "").split():
            self.svg_attrs = {k: v or "" for k, v in attributes.items()}
        if "class" in attributes:
            self.classes.extend((attributes["class"] or "").split())
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("td", "th") and self._in_body:
            self._cell = []
        elif tag == "span" and self._cell is not None:
            self._cell.append(" | ")

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def count(self, css_class: str) -> int:
        return self.classes.count(css_class)


def axis_values(html: str) -> list[str]:
    """The value axis beside the picture, top to bottom."""
    found = re.search(r'<ol class="chart-y"[^>]*>(.*?)</ol>', html)
    return re.findall(r"<li>([^<]*)</li>", found.group(1)) if found else []


def axis_days(html: str) -> list[str]:
    """The days under the picture."""
    found = re.search(r'<ol class="chart-x[^"]*"[^>]*>(.*?)</ol>', html)
    return re.findall(r"<li>([^<]*)</li>", found.group(1)) if found else []


def page_of(client, path: str) -> tuple[str, Page]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    html = response.get_data(as_text=True)
    return html, Page(html)


def chart_path(goal, period: str | None = None) -> str:
    return f"/egenvard/{goal.id}/bild" + (f"?period={period}" if period else "")


def care_path(patient, goal, period: str | None = None) -> str:
    return f"/egenvard/patient/{patient.id}/{goal.id}/bild" + (
        f"?period={period}" if period else ""
    )


WEIGHT_LIMITS = [
    {"kind": "below", "value": 60.0, "advice": "Ring din kontakt i dag."},
    {"kind": "above", "value": 90.0, "advice": "Ring 1177 om du inte når din kontakt."},
    {"kind": "rise", "value": 2.0, "window_days": 3, "advice": "Ring din kontakt i dag."},
]


# --- the picture ----------------------------------------------------------------------------


def test_the_picture_is_an_image_with_a_title_a_description_the_target_and_the_limits(
    now, patient, patient_client
):
    goal = goal_make(patient, target_min=70.0, target_max=75.0, limits=WEIGHT_LIMITS)
    check_in_make(goal, local(2025, 3, 29, 8, 0), value=72.4)
    check_in_make(goal, local(2025, 3, 30, 8, 0), value=91.5, outside_limits=True)
    html, page = page_of(patient_client, chart_path(goal))

    svg = html[
        html.index('<svg class="chart') : html.index("</svg>", html.index('<svg class="chart'))
    ]
    assert page.svg_attrs["role"] == "img"
    assert page.svg_attrs["aria-labelledby"] == "chart-title chart-desc"
    title = re.search(r'<title id="chart-title">(.*?)</title>', svg).group(1)
    desc = re.search(r'<desc id="chart-desc">(.*?)</desc>', svg).group(1)
    assert title == "Väga mig varje morgon: de senaste 30 dagarna"
    assert desc.startswith("Från 2 mars till 31 mars. 2 värden loggade.")
    assert "Lägst 72,4 kg, högst 91,5 kg. Senast 91,5 kg, 30 mars." in desc
    assert "1 värde utanför de överenskomna gränserna." in desc
    assert "Mål: 70–75 kg." in desc
    assert "Gräns: Under 60 kg. Gräns: Över 90 kg." in desc
    assert "Gräns: Upp mer än 2 kg på 3 dagar." in desc

    # The target is a band with two solid edges; the limits dashed. The picture draws no
    # words: the value axis and the days are HTML beside it, growing with the text.
    assert page.count("chart-target") == 1 + 1  # the band, and its key in the legend
    assert len(re.findall(r'<line class="chart-limit"[^>]*stroke-dasharray', svg)) == 2
    assert "<text" not in svg
    assert len(re.findall(r'class="chart-outside"', svg)) == 1
    assert len(re.findall(r'<path class="chart-point"', svg)) == 2
    assert axis_values(html) == ["100", "90", "80", "70", "60"]
    assert axis_days(html) == ["2 mars", "31 mars"]
    # The legend says the same in words that grow with the text, with care's advice.
    assert "Gräns: Över 90 kg" in html
    assert "Vad du gör då: Ring 1177 om du inte når din kontakt." in html
    assert "Gräns: Upp mer än 2 kg på 3 dagar" in html
    assert 'style="' not in html  # the CSP allows no inline style


def test_the_table_has_every_check_in_of_the_period_and_nothing_deleted(
    now, patient, nurse, patient_client
):
    goal = goal_make(patient)
    for hour, value in ((7, 71.0), (12, 71.6), (21, 72.2)):  # three on one day
        check_in_make(goal, local(2025, 3, 28, hour, 5), value=value)
    check_in_make(goal, local(2025, 3, 29, 8, 0), value=72.0, logged_by_user_id=nurse.user_id)
    check_in_make(goal, local(2025, 3, 30, 8, 0), value=70.8, note="Efter promenaden")
    check_in_make(
        goal,
        local(2025, 3, 31, 7, 30),
        value=99.0,
        deleted_at=NOW,
        deleted_by_user_id=patient.user_id,
    )
    _html, page = page_of(patient_client, chart_path(goal, "vecka"))
    assert page.rows == [
        ["sön 30 mars", "08.00", "70,8 kg | Efter promenaden"],
        ["lör 29 mars", "08.00", "72 kg | Loggat av Karin Lind"],
        ["fre 28 mars", "21.05", "72,2 kg"],
        ["fre 28 mars", "12.05", "71,6 kg"],
        ["fre 28 mars", "07.05", "71 kg"],
    ]
    assert page.count("chart-point") == 5 + 1  # a dot per check-in, and the legend's key
    assert "99" not in "".join(cell for row in page.rows for cell in row)


def test_blood_pressure_is_two_series_with_two_shapes(now, patient, patient_client):
    goal = goal_make(
        patient,
        title="Mäta blodtrycket",
        measure="blood_pressure",
        unit="",
        limits=[
            {"kind": "above", "value": 160.0, "value_index": 1, "advice": "Ring i dag."},
            {"kind": "above", "value": 100.0, "value_index": 2, "advice": "Ring i dag."},
        ],
    )
    check_in_make(goal, local(2025, 3, 30, 8, 0), value=135.0, value2=85.0)
    check_in_make(goal, local(2025, 3, 31, 8, 0), value=142.0, value2=91.0)
    html, page = page_of(patient_client, chart_path(goal, "vecka"))
    assert page.rows == [
        ["mån 31 mars", "08.00", "142/91 mmHg"],
        ["sön 30 mars", "08.00", "135/85 mmHg"],
    ]
    assert page.count("chart-line-1") == 1 and page.count("chart-line-2") == 1
    assert page.count("chart-point-2") == 2 + 1  # two squares, and the legend's key
    assert "Övre värdet: lägst 135 mmHg, högst 142 mmHg." in html
    assert "Gräns: Undre värdet över 100 mmHg" in html
    assert "Gräns: Övre värdet över 160 mmHg" in html
    # A week's days under the picture, each in its column (the first and the last are all
    # that show when large text leaves no room for seven: selfcare.css).
    assert axis_days(html) == [
        "tis 25",
        "ons 26",
        "tors 27",
        "fre 28",
        "lör 29",
        "sön 30",
        "mån 31",
    ]


def test_done_or_not_is_a_strip_of_days_with_a_mark_for_each_state(now, patient, patient_client):
    goal = goal_make(patient, title="Göra mina övningar", measure="done", unit="")
    check_in_make(goal, local(2025, 3, 27, 9, 0), done=True)
    check_in_make(goal, local(2025, 3, 28, 9, 0), done=False)
    check_in_make(goal, local(2025, 3, 30, 9, 0), done=True)
    html, page = page_of(patient_client, chart_path(goal, "vecka"))
    # Tuesday 25 to Monday 31: done Thursday and Sunday, not done Friday, nothing the rest.
    assert page.count("chart-day-done") == 2 + 1  # and the legend's key
    assert page.count("chart-day-not") == 1 + 1
    assert page.count("chart-day-empty") == 4 + 1
    assert "Gjort 2 dagar. Inte gjort 1 dag." in html
    # A grid in HTML (its words grow with the text), named as a picture by title and desc.
    assert '<div class="chart-days" role="img" aria-labelledby="chart-title chart-desc">' in html
    assert '<span id="chart-title" hidden>Göra mina övningar: de senaste 7 dagarna</span>' in html
    weeks = re.findall(r'<span class="chart-days-week">([^<]*)</span>', html)
    days = re.findall(r'<span class="chart-days-name">([^<]*)</span>', html)
    assert weeks == ["v. 13", "v. 14"] and days == ["M", "T", "O", "T", "F", "L", "S"]
    assert page.rows == [
        ["sön 30 mars", "09.00", "Gjort"],
        ["fre 28 mars", "09.00", "Inte gjort"],
        ["tors 27 mars", "09.00", "Gjort"],
    ]


def test_several_times_a_day_shows_how_many_of_how_many(now, patient, patient_client):
    goal = goal_make(
        patient, title="Övningar", measure="done", unit="", frequency="times_a_day", times_per_day=3
    )
    for hour in (8, 13):
        check_in_make(goal, local(2025, 3, 30, hour, 0), done=True)
    html, _page = page_of(patient_client, chart_path(goal, "vecka"))
    assert '<span class="chart-day chart-day-partly">2/3</span>' in html
    assert "Delvis gjort 1 dag." in html


def test_a_scale_has_its_whole_range_on_the_axis(now, patient, patient_client):
    goal = goal_make(patient, title="Smärta", measure="scale_0_10", unit="", target_max=3.0)
    check_in_make(goal, local(2025, 3, 30, 8, 0), value=4.0)
    html, page = page_of(patient_client, chart_path(goal))
    assert axis_values(html) == ["10", "8", "6", "4", "2", "0"]
    assert page.rows == [["sön 30 mars", "08.00", "4 av 10"]]
    assert "Mål: högst 3 av 10" in html


# --- periods in the patient's local days ------------------------------------------------------


def test_the_week_is_seven_local_days_across_the_change_to_summer_time(
    now, patient, patient_client
):
    goal = goal_make(patient)
    check_in_make(goal, local(2025, 3, 24, 23, 30), value=70.0)  # the day before the week
    check_in_make(goal, local(2025, 3, 25, 0, 10), value=71.0)  # 23:10 UTC the day before
    check_in_make(goal, local(2025, 3, 30, 23, 50), value=72.0)  # the 23-hour Sunday
    check_in_make(goal, local(2025, 3, 31, 0, 20), value=73.0)  # 22:20 UTC on Sunday
    _html, week = page_of(patient_client, chart_path(goal, "vecka"))
    assert [row[:2] for row in week.rows] == [
        ["mån 31 mars", "00.20"],
        ["sön 30 mars", "23.50"],
        ["tis 25 mars", "00.10"],
    ]
    _html, month = page_of(patient_client, chart_path(goal, "manad"))
    assert len(month.rows) == 4


def test_three_months_reach_back_thirteen_weeks_and_not_a_day_more(now, patient, patient_client):
    goal = goal_make(patient)
    check_in_make(goal, local(2024, 12, 30, 23, 59), value=70.0)  # 92 days ago: outside
    check_in_make(goal, local(2024, 12, 31, 0, 0), value=71.0)  # the first day of 91
    html, page = page_of(patient_client, chart_path(goal, "tre-manader"))
    assert page.rows == [["tis 31 dec.", "00.00", "71 kg"]]
    assert "de senaste tre månaderna" in html


@pytest.mark.parametrize("asked", [None, "", "år", "VECKA", "1e309", "\x00", "manad "])
def test_a_period_not_offered_is_the_month(now, patient, patient_client, asked):
    goal = goal_make(patient)
    response = patient_client.get(f"/egenvard/{goal.id}/bild", query_string={"period": asked})
    assert response.status_code == 200
    assert "de senaste 30 dagarna" in response.get_data(as_text=True)


def test_period_words_are_the_addresses():
    assert [p.value for p in Period] == ["vecka", "manad", "tre-manader"]
    assert period_of("tre-manader") is Period.THREE_MONTHS and period_of(None) is Period.MONTH


def test_the_period_links_say_which_is_shown(now, patient, patient_client):
    goal = goal_make(patient)
    html, _page = page_of(patient_client, chart_path(goal, "vecka"))
    links = re.findall(
        r'<a class="button" href="([^"]+/bild\?period=[^"]+)"( aria-current="page")?>([^<]+)</a>',
        html,
    )
    assert links == [
        (f"/egenvard/{goal.id}/bild?period=vecka", ' aria-current="page"', "Vecka"),
        (f"/egenvard/{goal.id}/bild?period=manad", "", "Månad"),
        (f"/egenvard/{goal.id}/bild?period=tre-manader", "", "Tre månader"),
    ]


def test_nice_ticks_are_round_and_cover_the_values():
    assert nice_ticks(71.8, 74.0) == [71.0, 72.0, 73.0, 74.0]
    assert nice_ticks(3000, 11800) == [2500, 5000, 7500, 10000, 12500]
    assert nice_ticks(0.4, 1.3) == [0.0, 0.5, 1.0, 1.5]
    ticks = nice_ticks(72.0, 72.0)
    assert ticks[0] < 72.0 < ticks[-1]


# --- how the week goes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    day: date
    done: bool | None = None
    outside_limits: bool = False


WEDNESDAY = date(2025, 3, 26)
MONDAY, TUESDAY = date(2025, 3, 24), date(2025, 3, 25)


def words(app, goal, rows, today=WEDNESDAY):
    with app.test_request_context():
        figure = consistency_of(goal, rows, today)
        return figure.headline, figure.encouragement


@pytest.fixture
def goal(patient):
    return goal_make(patient)


def test_daily_counts_days_and_today_only_once_it_is_done(app, goal):
    assert words(app, goal, [Row(MONDAY), Row(TUESDAY)]) == (
        "2 av 2 dagar den här veckan",
        "Du har gjort det varje gång hittills. Bra gjort!",
    )
    assert words(app, goal, [Row(MONDAY)]) == ("1 av 2 dagar den här veckan", "")
    assert words(app, goal, [Row(MONDAY), Row(MONDAY), Row(WEDNESDAY)])[0] == (
        "2 av 3 dagar den här veckan"
    )
    # Last week's check-ins are not this week's.
    assert words(app, goal, [Row(MONDAY - timedelta(days=1))])[0] == (
        "Inget loggat den här veckan än."
    )


def test_no_praise_in_a_week_with_a_value_over_a_limit(app, goal):
    """Every day logged, but Tuesday's weight crossed the limit agreed with care: the count
    stays, "Bra gjort!" does not (care's advice is what matters then)."""
    rows = [Row(MONDAY), Row(TUESDAY, outside_limits=True)]
    assert words(app, goal, rows) == ("2 av 2 dagar den här veckan", "")
    # A crossing last week does not take this week's kind word away.
    rows = [Row(MONDAY - timedelta(days=1), outside_limits=True), Row(MONDAY), Row(TUESDAY)]
    assert words(app, goal, rows)[1] == "Du har gjort det varje gång hittills. Bra gjort!"


def test_chosen_weekdays_count_only_those_days(app, patient):
    goal = goal_make(patient, frequency="weekdays", weekdays="0,2,4")  # Mon, Wed, Fri
    thursday = date(2025, 3, 27)
    assert words(app, goal, [Row(MONDAY), Row(TUESDAY)], thursday)[0] == (
        "1 av 2 dagar den här veckan"
    )
    assert words(app, goal, [Row(MONDAY)], MONDAY)[0] == "1 av 1 dag den här veckan"


def test_n_times_a_week_counts_the_days_it_was_done_against_the_n(app, patient):
    goal = goal_make(patient, frequency="times_a_week", times_per_week=4)
    thursday = date(2025, 3, 27)
    rows = [Row(MONDAY), Row(TUESDAY), Row(TUESDAY), Row(thursday)]
    assert words(app, goal, rows, thursday) == ("3 av 4 gånger den här veckan", "")
    rows.append(Row(WEDNESDAY))
    assert words(app, goal, rows, thursday) == (
        "4 av 4 gånger den här veckan",
        "Du har gjort så många gånger som du tänkt den här veckan. Bra gjort!",
    )


def test_several_times_a_day_counts_the_times(app, patient):
    goal = goal_make(patient, frequency="times_a_day", times_per_day=3)
    rows = [Row(MONDAY)] * 3 + [Row(TUESDAY)] * 2 + [Row(WEDNESDAY)]
    assert words(app, goal, rows)[0] == "6 av 7 gånger den här veckan"


def test_a_week_with_nothing_done_is_said_kindly(app, patient):
    goal = goal_make(patient, measure="done", unit="")
    kind = "Varje dag är en ny chans. Du kan börja i dag."
    assert words(app, goal, []) == ("Inget loggat den här veckan än.", kind)
    assert words(app, goal, [Row(MONDAY, done=False)]) == ("Inget gjort den här veckan än.", kind)
    assert words(app, goal, [Row(MONDAY, done=True)])[0] == "1 av 2 dagar den här veckan"


def test_the_page_says_the_week_first_and_kindly(now, patient, patient_client, nurse_client):
    goal = goal_make(patient)
    html, _page = page_of(patient_client, chart_path(goal))
    headline = re.search(r'<p class="chart-consistency">([^<]+)</p>', html).group(1)
    assert headline == "Inget loggat den här veckan än."
    assert "Varje dag är en ny chans." in html
    assert html.index("chart-consistency") < html.index('<svg class="chart')
    assert "notice-error" not in html and "danger" not in html
    # Care reads the figure without the words meant for the patient.
    care_html, _page = page_of(nurse_client, care_path(patient, goal))
    assert "Inget loggat den här veckan än." in care_html
    assert "Varje dag är en ny chans." not in care_html


# --- who may see it -----------------------------------------------------------------------------


def reads_of(patient):
    return db.session.scalars(
        select(AccessLogEntry)
        .where(AccessLogEntry.patient_id == patient.id, AccessLogEntry.action.in_(READ_ACTIONS))
        .order_by(AccessLogEntry.id)
    ).all()


def test_care_opening_the_chart_is_one_read_in_the_log(now, patient, nurse, nurse_client):
    goal = goal_make(patient)
    check_in_make(goal, local(2025, 3, 30, 8, 0), value=72.0)
    html, page = page_of(nurse_client, care_path(patient, goal, "tre-manader"))
    assert page.rows == [["sön 30 mars", "08.00", "72 kg"]]
    assert "Egenvård för Astrid Berg" in html
    (read,) = reads_of(patient)
    assert (read.action, read.actor_user_id) == (Read.SELF_CARE, nurse.user_id)


def test_the_patient_reading_their_own_chart_is_no_read_in_the_log(now, patient, patient_client):
    goal = goal_make(patient)
    page_of(patient_client, chart_path(goal))
    assert reads_of(patient) == []


def test_no_one_else_sees_the_chart(app, now, patient, other_patient, other_unit_nurse):
    goal = goal_make(patient)
    stranger = signed_in(app, other_unit_nurse.user)
    assert stranger.get(care_path(patient, goal)).status_code == 404
    assert stranger.get(chart_path(goal)).status_code == 404
    other = signed_in(app, other_patient.user)
    assert other.get(chart_path(goal)).status_code == 404  # their own way in: not theirs
    assert other.get(care_path(patient, goal)).status_code == 404
    own = signed_in(app, patient.user)
    assert own.get(care_path(patient, goal)).status_code == 404  # the care side's way in
    assert app.test_client().get(chart_path(goal)).status_code in (302, 404)
    assert reads_of(patient) == []


def test_a_goal_of_another_patient_is_404_with_no_read_logged(
    now, patient, other_patient, nurse_client
):
    theirs = goal_make(other_patient)
    assert nurse_client.get(care_path(patient, theirs)).status_code == 404
    assert nurse_client.get(f"/egenvard/patient/{patient.id}/999999/bild").status_code == 404
    assert reads_of(patient) == [] and reads_of(other_patient) == []


# --- a fixed cost -----------------------------------------------------------------------------


def many_check_ins(goal, count: int) -> None:
    """`count` check-ins every three hours back from now: 700 fill the three months."""
    db.session.add_all(
        CheckIn(
            client_uuid=str(uuid.uuid4()),
            goal_id=goal.id,
            patient_id=goal.patient_id,
            taken_at=NOW - timedelta(hours=3 * n),
            value=70.0 + (n % 7) / 2,
            logged_by_user_id=goal.created_by_user_id,
        )
        for n in range(count)
    )
    db.session.commit()


def test_the_queries_are_as_few_for_700_check_ins_as_for_10(now, patient, nurse_client, app):
    few, many = goal_make(patient), goal_make(patient, title="Väga mig igen")
    many_check_ins(few, 10)
    many_check_ins(many, 700)
    own = signed_in(app, patient.user)
    counts = {}
    for name, goal in (("few", few), ("many", many)):
        for who, client, path in (
            ("patient", own, chart_path(goal, "tre-manader")),
            ("care", nurse_client, care_path(patient, goal, "tre-manader")),
        ):
            with count_queries() as statements:
                _html, page = page_of(client, path)
            counts[name, who] = len(statements)
            assert len(page.rows) == (10 if name == "few" else 700)
    # Measured: the session with its user and patient, the goal with its limits, the
    # period's check-ins; care adds the patient with contacts and the access log's read row.
    assert counts["few", "patient"] == counts["many", "patient"] == 3
    assert counts["few", "care"] == counts["many", "care"] == 5


def test_the_chart_in_english(now, patient, patient_client):
    from tests.test_translations import assert_no_swedish, english_page_text

    goal = goal_make(patient, title="Weigh myself", target_min=70.0, limits=WEIGHT_LIMITS)
    check_in_make(goal, local(2025, 3, 31, 8, 0), value=72.0)
    text = english_page_text(patient_client, chart_path(goal, "vecka"))
    for words in (
        "1 of 1 day this week",
        "Goal: at least 70 kg",
        "Limit: Up more than 2 kg in 3 days",
        "What you do then:",
        "Show as a table (1 value)",
        "Week",
        "Three months",
    ):
        assert words in text
    for data in ["Weigh myself", *(limit["advice"] for limit in WEIGHT_LIMITS)]:
        text = text.replace(data, "")  # the patient's and care's own words
    assert_no_swedish(text)


# --- kept until something changes ----------------------------------------------------------


def test_the_kept_page_shows_a_new_or_deleted_check_in_at_once(now, patient, patient_client):
    goal = goal_make(patient)
    check_in_make(goal, local(2025, 3, 30, 8, 0), value=72.0)
    path = chart_path(goal, "vecka")
    page_of(patient_client, path)
    with count_queries() as kept:
        _html, page = page_of(patient_client, path)
    assert len(kept) == 1  # the session with its user and patient: nothing of the chart
    assert len(page.rows) == 1

    newest = check_in_make(goal, local(2025, 3, 31, 8, 0), value=71.5)
    _html, page = page_of(patient_client, path)
    assert [row[2] for row in page.rows] == ["71,5 kg", "72 kg"]

    newest.deleted_at, newest.deleted_by_user_id = NOW, patient.user_id
    db.session.commit()
    _html, page = page_of(patient_client, path)
    assert [row[2] for row in page.rows] == ["72 kg"]


TOKENS = re.compile(r'name="csrf[-_]token" (?:content|value)="([^"]+)"')
OFFLINE_KEY = re.compile(r'<meta name="nara-offline-key" content="([^"]+)">')


def test_the_kept_page_is_each_viewers_own(now, app, patient, nurse, physician):
    goal = goal_make(patient)
    check_in_make(goal, local(2025, 3, 30, 8, 0), value=72.0)
    phone, tablet = signed_in(app, patient.user), signed_in(app, patient.user)
    looks = [(phone, chart_path(goal)), (tablet, chart_path(goal))]
    looks += [
        (signed_in(app, staff.user), care_path(patient, goal)) for staff in (nurse, physician)
    ]
    tokens, keys = [], []
    for client, path in looks * 2:  # the second round is served from what was kept
        html, _page = page_of(client, path)
        found = set(TOKENS.findall(html))
        assert len(found) == 1, found  # the header's, the language switch's, sign-out's
        tokens.append(found.pop())
        keys.append(OFFLINE_KEY.search(html).group(1))
    # Each device's own token, on the kept looks too (a token carries the second it was
    # made in, so two looks of one device may differ there).
    assert len(set(tokens[:4])) == 4
    assert len(set(tokens[4:])) == 4
    # Each person's own offline key: the nurse's kept page is never the physician's.
    assert keys[:4] == keys[4:]
    assert keys[0] == keys[1] and len({keys[0], keys[2], keys[3]}) == 3


def test_a_message_waiting_is_shown_once_on_a_kept_chart(now, patient, patient_client):
    goal = goal_make(patient)
    page_of(patient_client, chart_path(goal))
    with patient_client.session_transaction() as cookie_session:
        cookie_session["_flashes"] = [("success", "Målet är sparat.")]
    assert "Målet är sparat." in page_of(patient_client, chart_path(goal))[0]
    assert "Målet är sparat." not in page_of(patient_client, chart_path(goal))[0]


def test_the_kept_page_moves_with_the_day(clock, patient, patient_client):
    clock.now = local(2025, 3, 30, 22, 0).astimezone(UTC)  # Sunday night
    goal = goal_make(patient)
    check_in_make(goal, local(2025, 3, 30, 20, 0), value=72.0)
    path = chart_path(goal, "vecka")
    html, _page = page_of(patient_client, path)
    assert "1 av 7 dagar den här veckan" in html
    clock.advance(hours=3)  # Monday: a new week
    html, page = page_of(patient_client, path)
    assert "Inget loggat den här veckan än." in html
    assert page.rows == [["sön 30 mars", "20.00", "72 kg"]]


def test_care_is_logged_on_every_look_even_at_a_kept_page(now, patient, nurse_client):
    goal = goal_make(patient)
    for _ in range(2):
        page_of(nurse_client, care_path(patient, goal))
    assert len(reads_of(patient)) == 2
