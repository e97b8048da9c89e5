"""What became of one send, and when to try again: pure rules, tested without a network."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from webapp.notify.models import ReminderState

log = logging.getLogger("nara.notify")

MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
# However long a push service asks us to wait, no longer than this.
LONGEST_RETRY_AFTER = LONGEST_RETRY * 6
ERROR_MAX = 200


@dataclass(frozen=True)
class Outcome:
    id: int
    state: ReminderState
    status_code: int | None = None
    error: str | None = None
    retry_at: datetime | None = None
    gone_subscription_id: int | None = None
    lease_until: datetime | None = None  # the claim it was sent under


@dataclass
class Tally:
    """What one run did, for its log line and for the tests and the bench. "superseded":
    an answer that came for a row no longer ours (withdrawn, moved, or claimed by another
    dispatcher after our lease ran out), so it was not written."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, state: str, count: int) -> None:
        name = "retried" if state == ReminderState.PENDING else str(state)
        if count:
            self.counts[name] += count

    def __bool__(self) -> bool:
        return bool(self.counts)

    def __str__(self) -> str:
        return ", ".join(f"{name} {count}" for name, count in sorted(self.counts.items()))


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds or as an HTTP date (RFC 9110), capped, or None."""
    if not value:
        return None
    value = value.strip()
    cap = LONGEST_RETRY_AFTER.total_seconds()
    if value.isascii() and value.isdigit():
        return min(float(value), cap)
    try:
        return min(max(0.0, (parsedate_to_datetime(value) - now).total_seconds()), cap)
    except (TypeError, ValueError, OverflowError):
        return None


def next_try(attempts: int, retry_after: float | None, now: datetime) -> datetime:
    # Typed here, since typeshed makes int ** int Any (a negative power would be a float).
    backoff: timedelta = min(FIRST_RETRY * 2 ** (min(attempts, 20) - 1), LONGEST_RETRY)
    wait = max(backoff, timedelta(seconds=min(retry_after or 0, 10**7)))
    return now + min(wait, LONGEST_RETRY_AFTER)


def again(
    job_id: int,
    attempts: int,
    expires_at: datetime,
    status: int | None,
    error: str,
    now: datetime,
    retry_after: str | None = None,
) -> Outcome:
    """Try again later with backoff, or give up when tried enough or too late."""
    when = next_try(attempts, retry_after_seconds(retry_after, now), now)
    if attempts >= MAX_ATTEMPTS or when >= expires_at:
        return Outcome(job_id, ReminderState.FAILED, status, f"gave up: {error}")
    return Outcome(job_id, ReminderState.PENDING, status, error, retry_at=when)


def refusal(
    job_id: int,
    attempts: int,
    expires_at: datetime,
    subscription_id: int | None,
    status: int,
    retry_after: str | None,
    now: datetime,
) -> Outcome:
    """A push service's answer other than 200/201/202."""
    if status in (404, 410):
        return Outcome(
            job_id,
            ReminderState.GONE,
            status,
            "the device no longer takes reminders",
            gone_subscription_id=subscription_id,
        )
    if status == 413:
        log.error("reminder %s was refused as too large (413): a bug in Nära", job_id)
        return Outcome(job_id, ReminderState.FAILED, status, "too large (413)")
    if status == 429 or status >= 500:
        error = f"push service answered {status}"
        return again(job_id, attempts, expires_at, status, error, now, retry_after)
    log.error("reminder %s was refused with %s", job_id, status)
    return Outcome(job_id, ReminderState.FAILED, status, f"refused ({status})")
