"""A chart drawn on the server: no JavaScript, no library, nothing fetched.

Numbers over time are an SVG picture (`role="img"`, named by its <title> and <desc>:
`chart.chart_description` says in sentences what it shows) of lines and points only; its
value axis and days are HTML beside it, so they grow with the reader's text. Done or not,
day by day, is a grid of days in HTML with the same name and description. The page's data
table and legend carry the same in text. Colours come from classes in static/css/selfcare.css
(the CSP allows no style attributes); nothing is told by colour alone: limits are dashed, the
target is a band with solid edges, both named in the legend, blood pressure's two values have
two shapes, and a day's state has its own mark (a tick, a cross, a count, a dashed box).

Built as one list of strings joined once: a three-month chart of several check-ins a day is
some hundreds of elements, and a template per point would cost more than the rest of the page.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from webapp.selfcare.charts.logged import Logged
from webapp.selfcare.charts.services import (
    Chart,
    DayState,
    Period,
    day_states,
)
from webapp.selfcare.measures import SCALE_RANGES, Measure, format_number
from webapp.selfcare.models import LimitKind

WIDTH = 320
# The line chart's plot fills its whole viewBox, stretched to the box that CSS gives it
# (preserveAspectRatio="none"; strokes and points keep their size, selfcare.css). Its words,
# the value axis and the days, are HTML around it that grow with the reader's text.
LEFT, RIGHT, TOP, BOTTOM = 0, 320, 0, 200


def chart_svg(chart: Chart, *, title: str, description: str, id_prefix: str = "chart") -> Markup:
    if chart.goal.measure == Measure.DONE:
        return _done_strip(chart, title, description, id_prefix)
    ticks = y_ticks(chart)
    picture = _svg(
        f'class="chart chart-lines" viewBox="0 0 {WIDTH} {BOTTOM}" preserveAspectRatio="none"',
        title,
        description,
        id_prefix,
        _line_chart(chart, ticks),
    )
    decimals = _tick_decimals(ticks)
    values = "".join(f"<li>{escape(format_number(t, decimals))}</li>" for t in reversed(ticks))
    days = "".join(f"<li>{escape(words)}</li>" for words in _day_labels(chart))
    empty = (
        f'<p class="chart-empty">{escape(_("Inget loggat under den här tiden."))}</p>'
        if not chart.rows
        else ""
    )
    week = " chart-x-week" if chart.period == Period.WEEK else ""
    return Markup(  # noqa: S704 - every text in it is escaped
        '<div class="chart-plot">'
        f'<ol class="chart-y" aria-hidden="true">{values}</ol>{picture}'
        f'<ol class="chart-x{week}" aria-hidden="true">{days}</ol>{empty}</div>'
    )


def _svg(attributes: str, title: str, description: str, id_prefix: str, body: list[str]) -> str:
    return (
        f'<svg {attributes} role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{id_prefix}-title">{escape(title)}</title>'
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


# --- numbers over time ------------------------------------------------------------------


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round values from at most `low` to at least `high`, about `count` steps apart."""
    if high - low < 1e-9:
        pad = max(abs(high) * 0.05, 1.0)
        low, high = low - pad, high + pad
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    # 2.5 only where it makes whole numbers (2500 steps); 0.25 kg would crowd the labels.
    multiples = (1, 2, 2.5, 5, 10) if magnitude >= 10 else (1, 2, 5, 10)
    step = next(m * magnitude for m in multiples if m * magnitude >= raw - 1e-12)
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    return [first + n * step for n in range(round((last - first) / step) + 1)]


def _tick_decimals(ticks: list[float]) -> int:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    for decimals in range(3):
        if abs(step * 10**decimals - round(step * 10**decimals)) < 1e-6:
            return decimals
    return 2


def y_ticks(chart: Chart) -> list[float]:
    """The value axis: a scale's whole range; otherwise what was logged, the target and the
    limits, with round numbers at both ends."""
    goal = chart.goal
    scale = SCALE_RANGES.get(Measure(goal.measure))
    if scale is not None:
        low, high = scale
        return [float(v) for v in range(low, high + 1, 1 if high <= 5 else 2)]
    values = [row.value for row in chart.rows if row.value is not None]
    values += [row.value2 for row in chart.rows if row.value2 is not None]
    values += [v for v in (goal.target_min, goal.target_max) if v is not None]
    values += [lim.value for lim in goal.limits if lim.kind in (LimitKind.BELOW, LimitKind.ABOVE)]
    if not values:
        return [0.0, 5.0, 10.0]
    return nice_ticks(min(values), max(values))


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _day_labels(chart: Chart) -> list[str]:
    """The days under the plot: each day of a week (seven equal columns, as the plot's days
    are); the first and the last day of a month or of three."""
    if chart.period == Period.WEEK:
        return [format_date(day, "EEE d") for day in chart.days]
    return [format_date(chart.days[0], "d MMM"), format_date(chart.days[-1], "d MMM")]


def _line_chart(chart: Chart, ticks: list[float]) -> list[str]:
    goal = chart.goal
    low, high = ticks[0], ticks[-1]
    start, span = chart.start.timestamp(), chart.end.timestamp() - chart.start.timestamp()

    def x_of(moment: datetime) -> float:
        return LEFT + (moment.timestamp() - start) / span * (RIGHT - LEFT)

    def y_of(value: float) -> float:
        return BOTTOM - (value - low) / (high - low) * (BOTTOM - TOP)

    out: list[str] = []
    for tick in ticks:  # a faint line across at each round number of the value axis
        y = _num(y_of(tick))
        out.append(f'<line class="chart-grid" x1="{LEFT}" x2="{RIGHT}" y1="{y}" y2="{y}"/>')
    out += _time_axis(chart, x_of)
    out += _target(chart, y_of, low, high)
    out += _limits(chart, y_of)
    out.append(
        f'<polyline class="chart-axis" points="{LEFT},{TOP} {LEFT},{BOTTOM} {RIGHT},{BOTTOM}"/>'
    )
    series = [(1, [(x_of(r.at), y_of(r.value), r) for r in chart.rows if r.value is not None])]
    if goal.measure == Measure.BLOOD_PRESSURE:
        series.append(
            (2, [(x_of(r.at), y_of(r.value2), r) for r in chart.rows if r.value2 is not None])
        )
    for number, points in series:
        out += _series(number, points)
    return out


def _series(number: int, points: list[tuple[float, float, Logged]]) -> list[str]:
    out = []
    if len(points) > 1:
        joined = " ".join(f"{_num(x)},{_num(y)}" for x, y, _row in points)
        out.append(f'<polyline class="chart-line chart-line-{number}" points="{joined}"/>')
    for x, y, row in points:
        if row.outside_limits:  # a ring around the point, of round strokes that never stretch
            at = f'd="M{_num(x)} {_num(y)}h0"'
            out.append(f'<path class="chart-outside" {at}/><path class="chart-outside-gap" {at}/>')
        out.append(_mark(number, x, y))
    return out


def _mark(number: int, x: float, y: float) -> str:
    """Series 1 a round dot, series 2 (blood pressure's lower value) a square: the round or
    square ends of a line of no length, which keep their shape in the stretched plot."""
    second = " chart-point-2" if number == 2 else ""
    return f'<path class="chart-point{second}" d="M{_num(x)} {_num(y)}h0"/>'


def _time_axis(chart: Chart, x_of: Callable[[datetime], float]) -> list[str]:
    """A line up at each day of a week, each Monday of a month, each month of three."""
    zone = chart.start.tzinfo
    out: list[str] = []
    for day in chart.days:
        if (
            chart.period == Period.WEEK
            or (chart.period == Period.MONTH and day.weekday() == 0)
            or (chart.period == Period.THREE_MONTHS and day.day == 1)
        ):
            x = _num(x_of(datetime(day.year, day.month, day.day, tzinfo=zone)))
            out.append(f'<line class="chart-grid" x1="{x}" x2="{x}" y1="{TOP}" y2="{BOTTOM}"/>')
    return out


def _target(chart: Chart, y_of: Callable[[float], float], low: float, high: float) -> list[str]:
    """The target as a band with solid edges (the legend names it "Mål")."""
    goal = chart.goal
    if goal.target_min is None and goal.target_max is None:
        return []
    top = y_of(goal.target_max if goal.target_max is not None else high)
    bottom = y_of(goal.target_min if goal.target_min is not None else low)
    out = [
        f'<rect class="chart-target" x="{LEFT}" y="{_num(top)}" width="{RIGHT - LEFT}" '
        f'height="{_num(max(bottom - top, 1))}"/>'
    ]
    for value in (goal.target_min, goal.target_max):
        if value is not None:
            y = _num(y_of(value))
            out.append(
                f'<line class="chart-target-edge" x1="{LEFT}" x2="{RIGHT}" y1="{y}" y2="{y}"/>'
            )
    return out


def _limits(chart: Chart, y_of: Callable[[float], float]) -> list[str]:
    """Agreed limits as dashed lines (the legend says each in words, with its value)."""
    goal = chart.goal
    out = []
    for limit in goal.limits:
        if limit.kind not in (LimitKind.BELOW, LimitKind.ABOVE):
            continue  # a change over days is no line: the legend says it in words
        y = _num(y_of(limit.value))
        out.append(
            f'<line class="chart-limit" x1="{LEFT}" x2="{RIGHT}" y1="{y}" y2="{y}" '
            'stroke-dasharray="7 5"/>'
        )
    return out


# --- done or not done, day by day ------------------------------------------------------------


def _done_strip(chart: Chart, title: str, description: str, id_prefix: str) -> Markup:
    """A grid of days per week, Monday first, in HTML so that its day letters, week numbers
    and counts grow with the text: a tick for done, a count for partly done (2/3), a cross
    for "inte gjort", a dashed box for a day asked with nothing logged, a small dot for a
    day that asked nothing. Named like the line chart's picture, by its title and desc."""
    monday = chart.first_day - timedelta(days=chart.first_day.weekday())
    weeks = (chart.today - monday).days // 7 + 1
    states = day_states(chart)
    out = ['<span class="chart-days-corner"></span>']
    for column in range(7):
        name = format_date(monday + timedelta(days=column), "EEEEE")
        out.append(f'<span class="chart-days-name">{escape(name)}</span>')
    for week in range(weeks):
        week_start = monday + timedelta(weeks=week)
        words = _("v. %(week)s", week=week_start.isocalendar().week)
        out.append(f'<span class="chart-days-week">{escape(words)}</span>')
        for column in range(7):
            state = states.get(week_start + timedelta(days=column))
            out.append(_day_mark(state) if state is not None else "<span></span>")
    return Markup(  # noqa: S704 - every text in it is escaped
        f'<div class="chart-days" role="img" aria-labelledby="{id_prefix}-title {id_prefix}-desc">'
        f'<span id="{id_prefix}-title" hidden>{escape(title)}</span>'
        f'<span id="{id_prefix}-desc" hidden>{escape(description)}</span>'
        f'<div class="chart-days-grid">{"".join(out)}</div></div>'
    )


_TICK = '<svg viewBox="0 0 30 30"><path class="chart-day-tick" d="M7 16 l6 6 l11 -13"/></svg>'
_CROSS = (
    '<svg viewBox="0 0 30 30"><path class="chart-day-cross" d="M9 9 l12 12 m0 -12 l-12 12"/></svg>'
)


def _day_mark(state: DayState) -> str:
    if state.is_done:
        return f'<span class="chart-day chart-day-done">{_TICK}</span>'
    if state.is_partly:
        return f'<span class="chart-day chart-day-partly">{state.done}/{state.asked}</span>'
    if state.is_not_done:
        return f'<span class="chart-day chart-day-not">{_CROSS}</span>'
    if state.asked:
        return '<span class="chart-day chart-day-empty"></span>'
    return '<span class="chart-day chart-day-off"></span>'


# --- the data table's rows -------------------------------------------------------------------


def table_rows_html(chart: Chart) -> Markup:
    """The data table's rows, the latest first: the day (a row header), the time, and the
    value with what goes with it (outside the limits, who logged it for the patient, the
    note). Joined here for the same reason as the picture: a row per check-in."""
    words = chart.words
    outside = escape(_("Utanför gränserna"))
    logged_by: str = _("Loggat av %(name)s")
    out = []
    for row in reversed(chart.rows):
        notes = []
        if row.outside_limits:
            notes.append(f'<span class="chart-cell-note">{outside}</span>')
        if row.logged_by:
            by = escape(logged_by % {"name": row.logged_by})
            notes.append(f'<span class="chart-cell-note">{by}</span>')
        if row.note:
            notes.append(f'<span class="chart-cell-note">{escape(row.note)}</span>')
        out.append(
            f'<tr role="row"><th role="rowheader" scope="row">{escape(words.day(row.day))}</th>'
            f'<td role="cell">{words.time(row.at)}</td>'
            f'<td role="cell">{escape(words.value(row))}{"".join(notes)}</td></tr>'
        )
    return Markup("\n".join(out))  # noqa: S704 - every text in it is escaped


# --- the legend's small pictures ----------------------------------------------------------------

_KEYS = {
    "point": '<circle class="chart-point" cx="16" cy="10" r="4.5"/>',
    "point-2": '<rect class="chart-point chart-point-2" x="12" y="6" width="8" height="8"/>',
    "outside": '<circle class="chart-outside" cx="16" cy="10" r="8"/>'
    '<circle class="chart-point" cx="16" cy="10" r="4.5"/>',
    "target": '<rect class="chart-target" x="1" y="3" width="30" height="14"/>'
    '<line class="chart-target-edge" x1="1" x2="31" y1="3" y2="3"/>'
    '<line class="chart-target-edge" x1="1" x2="31" y1="17" y2="17"/>',
    "limit": '<line class="chart-limit" x1="1" x2="31" y1="10" y2="10" stroke-dasharray="7 5"/>',
    "done": '<rect class="chart-day-done" x="7" y="1" width="18" height="18" rx="3"/>'
    '<path class="chart-day-tick" d="M11 10 l3 4 l7 -8"/>',
    "partly": '<rect class="chart-day-partly" x="7" y="1" width="18" height="18" rx="3"/>',
    "not": '<rect class="chart-day-not" x="7" y="1" width="18" height="18" rx="3"/>'
    '<path class="chart-day-cross" d="M11 5 l10 10 m0 -10 l-10 10"/>',
    "empty": '<rect class="chart-day-empty" x="7" y="1" width="18" height="18" rx="3" '
    'stroke-dasharray="4 3"/>',
    "off": '<circle class="chart-day-off" cx="16" cy="10" r="2.5"/>',
}


def key_svg(kind: str) -> Markup:
    """The legend's picture of one kind of mark, hidden from screen readers (the words
    beside it say it)."""
    return Markup(  # noqa: S704 - fixed markup of this module
        '<svg class="chart-key" viewBox="0 0 32 20" aria-hidden="true" focusable="false">'
        f"{_KEYS[kind]}</svg>"
    )
