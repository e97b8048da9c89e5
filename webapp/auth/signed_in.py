"""Who is signed in for this request: their session, account and patient or staff record,
read as one plain row, and ORM objects made from that row only when a page needs them.

Every signed-in request asks this first, so it is kept cheap. Loading the four rows as ORM
objects cost about as much again as the query itself; most hot requests need none of them
("Min plan" kept whole needs the patient's id and plan version, a check-in the patient's id
and the account's); making the ORM objects from the row cost a kept "Min plan" look as much as
the rest of it. `SignedIn` answers those from the row. Anything else (`.user`,
`.patient`, `.staff`, any other attribute of the account) makes the ORM objects from the same
row, attached to the request's session as if loaded, so no second query is made and every
service that takes a `User` gets one.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask_login import UserMixin
from sqlalchemy import Column, inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from webapp.extensions import db
from webapp.people.models import AccountKind, Patient, StaffMember, User

M = TypeVar("M")


def _table_columns(model: type[Any]) -> list[tuple[str, Column[Any]]]:
    """(attribute name, column) of each of a model's table columns."""
    return [
        (prop.key, prop.columns[0])
        for prop in inspect(model).column_attrs
        if isinstance(prop.columns[0], Column)
    ]


def columns_labelled(model: type[Any], prefix: str) -> list[Any]:
    """A model's columns for a Core select, each labelled `prefix` + its attribute name."""
    return [column.label(prefix + key) for key, column in _table_columns(model)]


def _attached(model: type[M], row: dict[str, Any], prefix: str) -> M:
    """The ORM object of `model` whose columns `row` holds, as the session would have loaded
    it; the session's own, if it has loaded that row already."""
    session = db.session()
    mapper = inspect(model)
    ident = row[prefix + "id"]
    loaded = session.identity_map.get(mapper.identity_key_from_primary_key([ident]))
    if loaded is not None:
        found: M = loaded
        return found
    made: M = mapper.class_manager.new_instance()
    for key, _column in _table_columns(model):
        set_committed_value(made, key, row[prefix + key])
    make_transient_to_detached(made)  # as if loaded: persistent once added, nothing to write
    session.add(made)
    return made


def _loaded(made: object) -> dict[str, Any]:
    loaded: dict[str, Any] = inspect(made).dict
    return loaded


class SignedIn(AccountKind, UserMixin):
    """Flask-Login's user for a signed-in request (see the module's text).

    Reads of any other attribute, and the few writes (`locale`), go to the ORM `User`.
    """

    def __init__(self, row: dict[str, Any]) -> None:
        self._row = row
        self.id: int = row["user_id"]
        self.kind: str = row["user_kind"]
        self.name: str = row["user_name"]
        self.patient_id: int | None = row["patient_id"]
        self.plan_version: int | None = row["patient_plan_version"]
        self.staff_id: int | None = row["staff_id"]
        self.has_security_notice = bool(row["has_security_notice"])
        self.directory_version: int = row["directory_version"] or 0
        self._user: User | None = None

    @property
    def user(self) -> User:
        """The account as an ORM object, with its patient or staff record."""
        if self._user is None:
            user = _attached(User, self._row, "user_")
            patient = _attached(Patient, self._row, "patient_") if self.patient_id else None
            staff = _attached(StaffMember, self._row, "staff_") if self.staff_id else None
            # The relations both ways, unless the session had loaded them already.
            for record in (patient, staff):
                if record is not None and "user" not in _loaded(record):
                    set_committed_value(record, "user", user)
            for name, record in (("patient", patient), ("staff", staff)):
                if name not in _loaded(user):
                    set_committed_value(user, name, record)
            user.has_security_notice = self.has_security_notice
            user.directory_version = self.directory_version
            self._user = user
        return self._user

    @property
    def patient(self) -> Patient | None:
        return self.user.patient if self.patient_id else None

    @property
    def staff(self) -> StaffMember | None:
        return self.user.staff if self.staff_id else None

    @property
    def locale(self) -> str | None:
        if self._user is not None:
            return self._user.locale
        locale: str | None = self._row["user_locale"]
        return locale

    @locale.setter
    def locale(self, value: str | None) -> None:
        self.user.locale = value

    def session_row(self) -> Any:
        """This request's `UserSession` as an ORM object (for the rare writes to it)."""
        from webapp.auth.models import UserSession

        return _attached(UserSession, self._row, "session_")

    def __getattr__(self, name: str) -> Any:
        # Only for names not found above: the rest of the account (its name, its WebAuthn
        # handle, SQLAlchemy's own state when a service relates a row to it).
        if name.startswith("__") or name == "_user":
            raise AttributeError(name)
        return getattr(self.user, name)
