"""The declarative base, shared column helpers, SQL of our own, and the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import CursorResult, DateTime, MetaData, Result, Table, TypeDecorator
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from webapp.clock import now_utc

# Named constraints so Alembic can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite forgets the zone; PostgreSQL keeps it. Storing naive UTC and re-attaching UTC on
    the way out makes both behave the same, so comparisons with now_utc() never mix kinds.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use now_utc() or attach a zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    # Every `Mapped[datetime]` column is a UTCDateTime; constraints get predictable names.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )

    if TYPE_CHECKING:
        # Every model names its `__tablename__`, so its `__table__` is a Table (SQLAlchemy
        # types it as any FromClause); Core statements such as update() and insert() need one.
        __table__: ClassVar[Table]


class PlanRow:
    """Mixin: rows of this model are part of a patient's "Min plan".

    Writing one bumps its patient's `plan_version` in the same commit
    (`webapp.plan.version`), which is what keeps the cached plan true. The row finds its
    patient through `patient_id`, or through a parent named by `__plan_parent__`: the
    foreign-key attribute and the parent's model name (itself a PlanRow).
    """

    __plan_parent__: ClassVar[tuple[str, str] | None] = None


class OffPlan:
    """Mixin: rows of this model belong to a patient but are not shown in "Min plan".

    `__off_plan__` says why, so a reader (and the test that walks every model) knows it was
    decided, not forgotten.
    """

    __off_plan__: ClassVar[str] = ""


class DirectoryRow:
    """Mixin: staff and unit details that "Min plan" shows (names, titles, phones, hours).

    Writing one bumps the one directory version, which is part of the plan cache's key.
    """


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


def rowcount(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run with Session.execute matched. Its result is a
    CursorResult, which Session.execute's type (any Result) does not say."""
    assert isinstance(result, CursorResult)
    return result.rowcount


class DaysBefore(ColumnElement[datetime]):
    """A UTCDateTime (a column or a parameter) less a whole number of days (a column too), in
    SQL: a window's start worked out by the database, row by row.

    SQL has no portable way to say it. SQLite keeps the moment as text,
    "YYYY-MM-DD HH:MM:SS.ffffff" in UTC: the day is moved and the time of day kept as it
    was, so the answer compares with stored moments exactly as a moment stored itself would.
    PostgreSQL subtracts an interval.
    """

    inherit_cache = True
    _traverse_internals = [
        ("moment", InternalTraversal.dp_clauseelement),
        ("days", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, moment: ColumnElement[datetime], days: ColumnElement[int]) -> None:
        self.moment = moment
        self.days = days
        self.type = UTCDateTime()


@compiles(DaysBefore, "sqlite")
def _days_before_sqlite(element: DaysBefore, compiler: SQLCompiler, **kw: Any) -> str:
    moment = compiler.process(element.moment, **kw)
    days = compiler.process(element.days, **kw)
    return f"(date({moment}, '-' || ({days}) || ' days') || substr({moment}, 11))"


@compiles(DaysBefore)
def _days_before(element: DaysBefore, compiler: SQLCompiler, **kw: Any) -> str:
    moment = compiler.process(element.moment, **kw)
    days = compiler.process(element.days, **kw)
    return f"({moment} - make_interval(days => {days}))"
