"""The one clock. Every module asks `now_utc()` at call time, so a test can set the time for
the whole app in one place (`clock_set`) instead of patching each module's import."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def _system_now() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _system_now


def now_utc() -> datetime:
    return _source()


def clock_set(source: Callable[[], datetime] | datetime | None) -> None:
    """Tests: freeze the clock at a moment, drive it with a function, or (None) let it run."""
    global _source
    if source is None:
        _source = _system_now
    elif isinstance(source, datetime):
        moment = source
        _source = lambda: moment  # noqa: E731
    else:
        _source = source
