"""How the week is going: a figure that encourages, never one that scolds.

"5 av 7 dagar den här veckan": the days on which what was asked was done, over the days asked
so far this week (Monday to today, the patient's local days). Today counts among the days
asked only once it is done, so a Wednesday morning reads "2 av 2", not "2 av 3": a day that is
not over is not a day missed. A goal done several times a day counts the times (a day with
two of three exercises is not nothing); a goal of n times a week counts the days it was done
against the n. A week with nothing done says so kindly, with no number at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.clock import now_utc
from webapp.selfcare.measures import Measure
from webapp.selfcare.models import Frequency, SelfCareGoal
from webapp.selfcare.schedule import expected_on, local_day


class Logged(Protocol):
    """What the figure reads of a check-in (charts/logged.py's Logged has it)."""

    @property
    def day(self) -> date: ...

    @property
    def done(self) -> bool | None: ...

    @property
    def outside_limits(self) -> bool: ...


@dataclass(frozen=True)
class Consistency:
    done: int  # days (or times) done this week
    asked: int  # days (or times) asked so far this week (a weekly goal: the week's n)
    in_times: bool  # counted in times, not days
    anything_logged: bool  # something was logged this week, even "inte gjort"
    weekly: bool = False  # n times a week: the whole week's n is asked from Monday on
    # A value this week crossed a limit agreed with care: no praise beside it.
    crossed_limit: bool = False

    @property
    def headline(self) -> str:
        """The figure, the same words for the patient and for care."""
        if self.done == 0:
            if self.anything_logged:
                return str(_("Inget gjort den här veckan än."))
            return str(_("Inget loggat den här veckan än."))
        if self.in_times:
            return str(
                ngettext(
                    "%(done)d av %(num)d gång den här veckan",
                    "%(done)d av %(num)d gånger den här veckan",
                    self.asked,
                    done=self.done,
                )
            )
        return str(
            ngettext(
                "%(done)d av %(num)d dag den här veckan",
                "%(done)d av %(num)d dagar den här veckan",
                self.asked,
                done=self.done,
            )
        )

    @property
    def encouragement(self) -> str:
        """A kind word for the patient, or nothing: never a word about what was missed, and
        no "Bra gjort!" in a week with a value outside the limits (care's advice is what
        matters then, not the count)."""
        if self.crossed_limit:
            return ""
        if self.done == 0:
            return str(_("Varje dag är en ny chans. Du kan börja i dag."))
        if self.done >= self.asked:
            if self.weekly:
                return str(
                    _("Du har gjort så många gånger som du tänkt den här veckan. Bra gjort!")
                )
            return str(_("Du har gjort det varje gång hittills. Bra gjort!"))
        return ""


def counts_as_done(goal: SelfCareGoal, row: Logged) -> bool:
    """A tap of "gjort", or any value logged: the measuring was what was asked."""
    if goal.measure == Measure.DONE:
        return row.done is True
    return True


def consistency_of(goal: SelfCareGoal, rows: Iterable[Logged], today: date) -> Consistency:
    """This week so far (Monday to `today`), from check-ins that include at least the week's."""
    monday = today - timedelta(days=today.weekday())
    week = [monday + timedelta(days=n) for n in range((today - monday).days + 1)]
    done_on: Counter[date] = Counter()
    logged = crossed = False
    for row in rows:
        if monday <= row.day <= today:
            logged = True
            crossed = crossed or row.outside_limits
            if counts_as_done(goal, row):
                done_on[row.day] += 1

    if goal.frequency == Frequency.TIMES_A_WEEK:
        asked = max(goal.times_per_week, 1)
        days_done = sum(1 for day in week if done_on[day])
        return Consistency(
            min(days_done, asked), asked, True, logged, weekly=True, crossed_limit=crossed
        )

    in_times = goal.frequency == Frequency.TIMES_A_DAY and goal.times_per_day > 1
    done = asked = 0
    for day in week:
        wanted = expected_on(goal, day)
        if not wanted:
            continue
        if in_times:
            got = min(done_on[day], wanted)
            done += got
            asked += wanted if day < today else got
        elif done_on[day]:
            done += 1
            asked += 1
        elif day < today:
            asked += 1
    return Consistency(done, asked, in_times, logged, crossed_limit=crossed)


def today_local() -> date:
    return local_day(now_utc())
