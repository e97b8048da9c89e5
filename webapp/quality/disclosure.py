"""The one rule for every figure the unit sees: no one can be picked out.

A count is shown rounded to the nearest five, and a count under five is not shown at all
("färre än 5"). So:

- no figure is ever a count of one to four patients;
- every difference between two shown figures (one month from another, one question from
  another, the patient side from the care side) is a multiple of five: it never says that
  one, two, three or four patients moved;
- no total is shown beside the counts it is made of, so a hidden count cannot be worked out
  by subtracting the shown ones from it: the counts of an answer are shown, and the shares
  are worked out from the shown counts only (a hidden count has no share and adds nothing).

Exact counts never leave this module's callers' services: views, CSV and charts all take
the `Shown` values made here.
"""

from __future__ import annotations

from dataclasses import dataclass

SMALLEST = 5  # no cell for fewer patients than this
BASE = 5  # shown counts are multiples of this


def shown(count: int) -> int | None:
    """The count as the unit may see it: None under five, else rounded to the nearest five
    (7 shows as 5, 8 as 10; a count of five or more never shows as less than five)."""
    if count < SMALLEST:
        return None
    return (count + BASE // 2) // BASE * BASE


@dataclass(frozen=True)
class Split:
    """How many answered yes, partly and no (each as shown), and the shares worked out from
    those shown counts alone."""

    yes: int | None
    partly: int | None
    no: int | None

    @classmethod
    def of(cls, yes: int, partly: int, no: int) -> Split:
        return cls(shown(yes), shown(partly), shown(no))

    @property
    def counts(self) -> tuple[int | None, int | None, int | None]:
        return (self.yes, self.partly, self.no)

    @property
    def base(self) -> int:
        """What the shares are of: the shown counts added up."""
        return sum(count for count in self.counts if count is not None)

    def share(self, count: int | None) -> int | None:
        """A whole percent of the shown counts, or None when the count is not shown."""
        if count is None or not self.base:
            return None
        return round(100 * count / self.base)

    @property
    def shares(self) -> tuple[int | None, int | None, int | None]:
        return (self.share(self.yes), self.share(self.partly), self.share(self.no))

    @property
    def yes_share(self) -> int | None:
        return self.share(self.yes)
