"""In a real browser: a goal's chart page is clean in axe-core, fits a 320 px phone at normal
and 200 % text, and its data table shows exactly what was logged (several a day, one logged by
the care contact, a deleted one left out). The care contact's view of it is clean too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from playwright.sync_api import Page, expect

from tests.browser.conftest import app_work, create_care_team, create_patient
from tests.browser.test_layout_browser import (
    DOUBLE_TEXT,
    NARROW,
    SMALL_TARGETS,
    assert_fits,
    assert_whole_at_every_size,
)
from tests.selfcare_rows import check_in_make, goal_make
from webapp.extensions import db
from webapp.people.models import Patient

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(days_ago: int, hour: int, minute: int) -> datetime:
    today = datetime.now(UTC).astimezone(STOCKHOLM).date()
    day = today - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM)


def day_words(moment: datetime) -> str:
    return format_date(moment.date(), "EEE d MMM", locale="sv")


def table_rows(page: Page) -> list[list[str]]:
    """Each row's day, time and value, then the value cell's notes (who logged it...)."""
    return page.locator(".chart-table tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells]"
        "  .flatMap(cell => cell.innerText.trim().split('\\n')))"
    )


def test_the_chart_page_is_clean_fits_a_small_phone_and_its_table_is_what_was_logged(
    live_server, page, new_page, sign_in_as, axe_check
):
    team = create_care_team(live_server)
    ref = create_patient(live_server, team)
    logged = [  # (when, kg, logged by the care contact)
        (at(1, 7, 5), 71.4, False),
        (at(1, 19, 40), 72.0, False),
        (at(3, 8, 0), 72.6, True),
        (at(20, 8, 15), 73.2, False),
    ]
    with app_work(live_server.app):
        patient = db.session.get(Patient, ref.patient_id)
        assert patient is not None
        goal = goal_make(
            patient,
            target_min=65.0,
            target_max=72.0,
            limits=[
                {"kind": "above", "value": 75.0, "advice": "Ring din kontakt i dag."},
                {"kind": "rise", "value": 2.0, "window_days": 3, "advice": "Ring i dag."},
            ],
        )
        goal_id = goal.id
        for moment, kg, by_nurse in logged:
            extra = {"logged_by_user_id": team.nurse_user_id} if by_nurse else {}
            check_in_make(goal, moment, value=kg, **extra)
        check_in_make(goal, at(2, 9, 0), value=99.0, deleted_at=datetime.now(UTC))

    sign_in_as(page, live_server, ref.user_id)
    page.set_viewport_size(NARROW)
    page.goto(f"{live_server.url}/egenvard/{goal_id}/bild")
    expect(page.get_by_role("heading", level=1)).to_have_text("Väga mig varje morgon")
    expect(
        page.get_by_role("img", name="Väga mig varje morgon: de senaste 30 dagarna")
    ).to_be_visible()
    page.get_by_text("Visa som tabell (4 värden)").click()
    expected = [  # newest first; a decimal comma, no ",0"; kg kept to its number
        [day_words(moment), f"{moment:%H.%M}", f"{kg:g} kg".replace(".", ",")]
        + (["Loggat av Karin Lind"] if by_nurse else [])
        for moment, kg, by_nurse in sorted(logged, reverse=True)
    ]
    assert table_rows(page) == expected
    assert page.evaluate(SMALL_TARGETS) == []
    assert_whole_at_every_size(page, axe_check)

    # The week: only what was logged in the last seven days, and the big links say which.
    page.get_by_role("link", name="Vecka").click()
    expect(page.get_by_role("link", name="Vecka")).to_have_attribute("aria-current", "page")
    page.get_by_text("Visa som tabell (3 värden)").click()
    assert table_rows(page) == expected[:3]
    axe_check(page)

    # The care contact's view of the same chart.
    care = new_page()
    sign_in_as(care, live_server, team.nurse_user_id)
    care.goto(
        f"{live_server.url}/egenvard/patient/{ref.patient_id}/{goal_id}/bild?period=tre-manader"
    )
    expect(care.get_by_text("Egenvård för Astrid Berg")).to_be_visible()
    care.get_by_text("Visa som tabell (4 värden)").click()
    assert table_rows(care) == expected
    axe_check(care)


def test_blood_pressure_and_done_or_not_fit_a_small_phone(live_server, page, sign_in_as, axe_check):
    team = create_care_team(live_server)
    ref = create_patient(live_server, team)
    with app_work(live_server.app):
        patient = db.session.get(Patient, ref.patient_id)
        assert patient is not None
        pressure = goal_make(
            patient,
            title="Mäta blodtrycket",
            measure="blood_pressure",
            unit="",
            limits=[{"kind": "above", "value": 160.0, "value_index": 1, "advice": "Ring."}],
        )
        exercises = goal_make(
            patient,
            title="Göra mina övningar",
            measure="done",
            unit="",
            frequency="times_a_day",
            times_per_day=3,
        )
        for days_ago in range(1, 81, 2):
            check_in_make(pressure, at(days_ago, 8, 0), value=130.0 + days_ago % 9, value2=85.0)
            check_in_make(exercises, at(days_ago, 9, 0), done=True)
            check_in_make(exercises, at(days_ago, 15, 0), done=days_ago % 4 == 0)
        pressure_id, exercises_id = pressure.id, exercises.id

    sign_in_as(page, live_server, ref.user_id)
    for goal_id, title in ((pressure_id, "Mäta blodtrycket"), (exercises_id, "Göra mina övningar")):
        page.set_viewport_size(NARROW)
        page.goto(f"{live_server.url}/egenvard/{goal_id}/bild?period=tre-manader")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        page.get_by_text("Visa som tabell").click()
        assert len(table_rows(page)) == (40 if goal_id == pressure_id else 80)
        assert page.evaluate(SMALL_TARGETS) == []
        assert_whole_at_every_size(page, axe_check)


# The chart's words (axis values and days, and whatever text the picture itself still draws):
# the smallest rendered font size among them, against the body's, and whether any of them
# reaches past the device's width.
CHART_TEXT_SIZES = """() => {
  const body = parseFloat(getComputedStyle(document.body).fontSize);
  const sizes = [];
  for (const element of document.querySelectorAll('.chart-figure *')) {
    const own = [...element.childNodes].some(n => n.nodeType === 3 && n.data.trim());
    if (!own || element.closest('title, desc, figcaption')) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    // Text inside an SVG is drawn to the picture's scale: measure what reaches the screen.
    const svg = element.closest('svg');
    const matrix = svg && svg.getScreenCTM();
    const scale = matrix ? Math.hypot(matrix.a, matrix.b) : 1;
    sizes.push({text: element.textContent.trim(),
                size: parseFloat(getComputedStyle(element).fontSize) * scale,
                right: box.right});
  }
  return {body, sizes};
}"""


def test_the_charts_words_grow_with_the_text_on_a_small_phone(
    live_server, page, sign_in_as, axe_check
):
    team = create_care_team(live_server)
    ref = create_patient(live_server, team)
    with app_work(live_server.app):
        patient = db.session.get(Patient, ref.patient_id)
        assert patient is not None
        weight = goal_make(
            patient,
            target_min=65.0,
            target_max=72.0,
            limits=[{"kind": "above", "value": 75.0, "advice": "Ring din kontakt i dag."}],
        )
        pressure = goal_make(
            patient,
            title="Mäta blodtrycket",
            measure="blood_pressure",
            unit="",
            limits=[{"kind": "above", "value": 160.0, "value_index": 1, "advice": "Ring."}],
        )
        exercises = goal_make(
            patient,
            title="Göra mina övningar",
            measure="done",
            unit="",
            frequency="times_a_day",
            times_per_day=3,
        )
        for days_ago in range(0, 80, 3):
            check_in_make(weight, at(days_ago, 7, 30), value=70.0 + days_ago % 7)
            check_in_make(pressure, at(days_ago, 8, 0), value=130.0 + days_ago % 9, value2=85.0)
            check_in_make(exercises, at(days_ago, 9, 0), done=True)
            check_in_make(exercises, at(days_ago, 15, 0), done=days_ago % 2 == 0)
        weight_id, pressure_id, exercises_id = weight.id, pressure.id, exercises.id

    sign_in_as(page, live_server, ref.user_id)
    for goal_id, period in (
        (weight_id, "vecka"),
        (weight_id, "manad"),
        (pressure_id, "tre-manader"),
        (exercises_id, "tre-manader"),
    ):
        page.set_viewport_size(NARROW)
        page.goto(f"{live_server.url}/egenvard/{goal_id}/bild?period={period}")
        page.evaluate(DOUBLE_TEXT)
        found = page.evaluate(CHART_TEXT_SIZES)
        body = found["body"]
        assert body >= 30  # the text really is doubled
        # The value axis and the days (or a grid's day letters, week numbers and counts) are
        # there, as large as the body text and on the screen.
        assert len(found["sizes"]) >= 4, found
        small = [s for s in found["sizes"] if s["size"] < body - 0.5]
        assert small == [], f"{period}: chart words smaller than {body} px: {small}"
        assert [s for s in found["sizes"] if s["right"] > NARROW["width"]] == []
        assert_fits(page, f"{goal_id} {period}")
        axe_check(page)
