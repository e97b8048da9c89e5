"""The follow-up's trends as SVG drawn on the server, like the self-care charts: `role="img"`
named by its <title> and <desc>, a data table beside it on the page, nothing told by colour
alone (the patient side is a solid line with round dots, the care side a dashed line with
squares), and a month without a figure (fewer than five) is a gap, not a zero."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from markupsafe import Markup, escape

WIDTH, HEIGHT = 320, 220
LEFT, RIGHT, TOP, BOTTOM = 58, 306, 12, 186


@dataclass(frozen=True)
class Series:
    number: int  # 1: solid line, round dots; 2: dashed line, squares
    values: Sequence[int | None]  # one per month; None: not shown


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _text(x: float, y: float, words: str, anchor: str = "middle") -> str:
    return (
        f'<text class="chart-tick" x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}">'
        f"{escape(words)}</text>"
    )


def _mark(number: int, x: float, y: float) -> str:
    if number == 1:
        return f'<circle class="chart-point" cx="{_num(x)}" cy="{_num(y)}" r="4.5"/>'
    return (
        f'<rect class="chart-point chart-point-2" x="{_num(x - 4)}" y="{_num(y - 4)}" '
        'width="8" height="8"/>'
    )


def y_top(series: Sequence[Series], *, percent: bool) -> int:
    """The value axis' top: 100 for shares; for counts the first of 20, 40, 60, 80, 100, 200,
    400 ... at or above the largest, so that its quarters are round numbers."""
    if percent:
        return 100
    largest = max((v for s in series for v in s.values if v is not None), default=0)
    scale = 1
    while True:
        for top in (20, 40, 60, 80, 100):
            if top * scale >= largest:
                return top * scale
        scale *= 10


def trend_svg(
    *,
    months: Sequence[date],
    series: Sequence[Series],
    title: str,
    description: str,
    id_prefix: str,
    percent: bool,
) -> Markup:
    top = y_top(series, percent=percent)
    step_x = (RIGHT - LEFT) / max(len(months) - 1, 1)

    def x_of(index: int) -> float:
        return LEFT + index * step_x

    def y_of(value: int) -> float:
        return BOTTOM - value / top * (BOTTOM - TOP)

    out = [
        f'<svg class="chart quality-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{id_prefix}-title">{escape(title)}</title>'
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>'
    ]
    for quarter in range(5):
        tick = round(top * quarter / 4)
        y = _num(y_of(tick))
        out.append(f'<line class="chart-grid" x1="{LEFT}" x2="{RIGHT}" y1="{y}" y2="{y}"/>')
        out.append(_text(LEFT - 6, y_of(tick) + 5, f"{tick} %" if percent else str(tick), "end"))
    for index, month in enumerate(months):
        if index % 3 == (len(months) - 1) % 3:  # every third month, ending at the last
            out.append(_text(x_of(index), BOTTOM + 20, format_date(month, "LLL")))
    out.append(
        f'<polyline class="chart-axis" points="{LEFT},{TOP} {LEFT},{BOTTOM} {RIGHT},{BOTTOM}"/>'
    )
    for line in series:
        run: list[str] = []
        for index, value in enumerate([*line.values, None]):  # None ends the last run
            if value is not None:
                run.append(f"{_num(x_of(index))},{_num(y_of(value))}")
                continue
            if len(run) > 1:
                out.append(
                    f'<polyline class="chart-line chart-line-{line.number} quality-line-'
                    f'{line.number}" points="{" ".join(run)}"/>'
                )
            run = []
        for index, value in enumerate(line.values):
            if value is not None:
                out.append(_mark(line.number, x_of(index), y_of(value)))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text in it is escaped
