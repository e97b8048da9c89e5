"""Shared fixtures: a fresh app and database per test, people to act as, and signing in."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, has_app_context, has_request_context, request_started
from flask.globals import app_ctx, request_ctx
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import event

from tests.fakes.authenticator import SoftAuthenticator
from webapp import create_app
from webapp.auth import services as auth_services
from webapp.auth.models import InvitationPurpose
from webapp.extensions import db
from webapp.notify.vapid import vapid_keys_generate
from webapp.people import services as people
from webapp.people.models import CareUnit, Patient, StaffMember

ORIGIN = "http://localhost"


class ReadingClient(FlaskClient):
    """The test client, reading a page as a person does: the soft hyphens in long words
    (webapp/hyphenation.py) are invisible unless a line breaks there, so HTML is handed to
    the tests without them and "överenskommelsen" is found as written. Their presence is
    tested on its own (tests/test_hyphenation.py, and in a browser)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html":
            response.set_data(response.get_data().replace("\u00ad".encode(), b""))
        return response


# Every app the tests make, also one a test makes itself with create_app().
Flask.test_client_class = ReadingClient


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """The SQL statements run inside the block, in order (for query budgets)."""
    statements: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.startswith(PLAN_CHECK):  # the suite's own check, not the page's
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)


# One VAPID key pair for the whole run (what `flask notify keys` makes).
TEST_VAPID_PRIVATE_KEY = vapid_keys_generate()[0]


def make_config(tmp_path: Any, **overrides: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        # TEST_DATABASE_URL runs the suite on another database, e.g. PostgreSQL (emptied and
        # filled again for each test).
        "SQLALCHEMY_DATABASE_URI": os.environ.get("TEST_DATABASE_URL")
        or f"sqlite:///{tmp_path / 'test.db'}",
        "WEBAUTHN_RP_ID": "localhost",
        "WEBAUTHN_ORIGIN": ORIGIN,
        "PUBLIC_BASE_URL": ORIGIN,
        "RATELIMIT_ENABLED": False,
        "VAPID_PRIVATE_KEY": TEST_VAPID_PRIVATE_KEY,
        "VAPID_SUBJECT": "mailto:drift@nara-test.se",
        # The local fake push service (tests/fakes/push_service.py) on 127.0.0.1.
        "PUSH_SERVICE_LOCAL": True,
    }
    config.update(overrides)
    return config


def forget_previous_request(_sender: Flask, **_extra: Any) -> None:
    # Requests share the test's app context, so flask.g would carry what one request kept
    # there (Flask-Login's user, Flask-WTF's token, the locale) into the next one.
    for name in list(g):
        g.pop(name)


def _session_scope() -> int:
    """A request gets a database session of its own, as in production (where each request
    has its own app context); the test's own code, outside requests, shares one.

    The test holds one app context around its requests, which Flask lets them share, so
    Flask-SQLAlchemy's scope (the app context) would hand the request the test's session:
    the request would see what the test wrote but never committed, and the unit of work
    would commit or roll back the test's work. Setting the scope function of the session's
    registry is the one way to keep them apart; it is the scope Flask-SQLAlchemy itself
    makes, with the request context first.
    """
    if has_request_context():
        return id(request_ctx._get_current_object())
    return id(app_ctx._get_current_object())


class CommittingClient(ReadingClient):
    """Flask's test client, which commits what the test wrote before each request: the
    request, like a production request, sees only committed data. The test's loaded objects
    expire with the commit, so it reads afterwards what the request wrote."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            db.session.commit()
        return super().open(*args, **kwargs)


def _request_session_done(_exc: BaseException | None = None) -> None:
    db.session.remove()


class KeptTemplates(BytecodeCache):
    """Jinja's compiled templates, kept in memory for the run by template name and source
    checksum (an edited template compiles again): each test's new app would otherwise
    compile every template it renders again, a third of a Flask-client test's time."""

    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.kept:
            bucket.bytecode_from_string(self.kept[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.kept[bucket.key] = bucket.bytecode_to_string()


KEPT_TEMPLATES = KeptTemplates()


def per_request_sessions(app: Flask) -> None:
    """Requests served as in production (see `_session_scope`), and templates compiled once
    per run (Jinja's `bytecode_cache` option, set before any template is loaded)."""
    app.jinja_env.bytecode_cache = KEPT_TEMPLATES
    app.test_client_class = CommittingClient
    request_started.connect(forget_previous_request, app)
    app.teardown_request(_request_session_done)
    db.session.registry.scopefunc = _session_scope  # type: ignore[attr-defined]


def pytest_sessionstart(session: pytest.Session) -> None:
    # `make test` compiles the catalogues first; pytest alone compiles a missing or stale .mo,
    # so that English pages show the current .po (Flask-Babel caches it for the whole run).
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).resolve().parent.parent.glob("webapp/translations/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as fh:
                catalog = read_po(fh)
            partial = mo.with_suffix(f".{os.getpid()}.tmp")
            with partial.open("wb") as fh:
                write_mo(fh, catalog)
            partial.replace(mo)  # atomic: another run never reads half a file


_SQLITE_SCHEMA: list[Path] = []  # an empty database with every table, made once per run


def _sqlite_schema() -> Path:
    if not _SQLITE_SCHEMA:
        import tempfile

        from sqlalchemy import create_engine

        path = Path(tempfile.mkdtemp(prefix="nara-schema-")) / "schema.db"
        engine = create_engine(f"sqlite:///{path}")
        db.metadata.create_all(engine)
        engine.dispose()
        _SQLITE_SCHEMA.append(path)
    return _SQLITE_SCHEMA[0]


def empty_every_table(connection: Any, *, restart_ids: bool = True) -> None:
    """Delete every row (children first) and, unless told not to, start every sequence again
    at 1, as TRUNCATE … RESTART IDENTITY would. On PostgreSQL a TRUNCATE makes new files for
    each table and its indexes: about 180 ms, even for the few tables a test wrote, against
    5 ms for DELETEs of a test's few rows. The freed slots are filled again, so rows come out
    of a select without ORDER BY in no set order, as in production: tests read in id order."""
    tables = reversed(db.metadata.sorted_tables)  # names from our own models, not from input
    deletes = "; ".join(f'DELETE FROM "{table.name}"' for table in tables)  # noqa: S608
    connection.exec_driver_sql(deletes)
    if restart_ids:
        connection.exec_driver_sql(
            "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c WHERE c.relkind = 'S'"
        )


def fresh_database() -> None:
    """Empty tables for the test (a new SQLite file is empty; another database is emptied).

    A new SQLite file is a copy of an empty database made once per run (a file copy instead of
    a CREATE TABLE per table). On another database the schema is made when missing (first
    test, or after the migration tests emptied it) and otherwise emptied, a fraction of the
    cost of dropping and creating every table for each test.
    """
    import shutil

    from sqlalchemy import inspect

    if not os.environ.get("TEST_DATABASE_URL"):
        path = db.engine.url.database
        if path and path != ":memory:" and not os.path.exists(path):
            db.engine.dispose()
            shutil.copyfile(_sqlite_schema(), path)
        else:
            db.create_all()
        return
    if not inspect(db.engine).has_table("access_log_entry"):
        db.drop_all()
        db.create_all()
        return
    with db.engine.begin() as connection:
        empty_every_table(connection)


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Flask]:
    app = create_app(make_config(tmp_path))
    per_request_sessions(app)
    with app.app_context():
        fresh_database()
        yield app
        db.session.remove()
        db.engine.dispose()


PLAN_CHECK = "/* plan-bump check */"
PLAN_VERSION_SQL = "/* plan-bump check */ SELECT plan_version FROM patient WHERE id = :id"


@pytest.fixture(autouse=True)
def every_written_plan_row_bumps_its_patient() -> Iterator[None]:
    """At every commit in every test: each patient whose plan rows were written has a higher
    plan_version after the commit than before it, or the cached "Min plan" would lie."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from webapp.db import PlanRow
    from webapp.plan.version import patient_ids_of

    def before_bump(session: Session, _context: Any, _instances: Any) -> None:
        rows = [
            obj
            for obj in (*session.new, *session.dirty, *session.deleted)
            if isinstance(obj, PlanRow)
        ]
        if not rows:
            return
        seen = session.info.setdefault("plan_check", {})
        for patient_id in patient_ids_of(session, rows) - set(seen):
            seen[patient_id] = session.connection().scalar(
                text(PLAN_VERSION_SQL),
                {"id": patient_id},
            )

    def after_commit(session: Session) -> None:
        seen = session.info.pop("plan_check", {})
        with db.engine.connect() as connection:
            for patient_id, before in seen.items():
                after = connection.scalar(
                    text(PLAN_VERSION_SQL),
                    {"id": patient_id},
                )
                assert after is None or before is None or after > before, (
                    f"patient {patient_id}'s plan rows were written but its plan_version "
                    f"stayed {before}"
                )

    def after_rollback(session: Session) -> None:
        session.info.pop("plan_check", None)

    listeners = (("before_flush", before_bump), ("after_commit", after_commit))
    listeners += (("after_soft_rollback", lambda s, _t: after_rollback(s)),)
    for name, function in listeners:
        event.listen(Session, name, function)
    yield
    for name, function in listeners:
        event.remove(Session, name, function)


class Clock:
    """The app's one clock (webapp.clock), set by the test and moved on at will."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Iterator[Clock]:
    from webapp.clock import clock_set

    frozen = Clock()
    clock_set(lambda: frozen.now)
    yield frozen
    clock_set(None)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def unit(app: Flask) -> CareUnit:
    unit = people.care_unit_get_or_create(
        name="Vårdcentralen Test", phone="010-100 00 00", phone_hours="Vardagar 8–16"
    )
    db.session.commit()
    return unit


def committed(value: Any) -> Any:
    db.session.commit()
    return value


@pytest.fixture
def nurse(unit: CareUnit) -> StaffMember:
    return committed(
        people.staff_create(
            unit=unit,
            name="Karin Lind",
            title="Distriktssköterska",
            phone="010-123 45 67",
            # Always open, so a test that calls her does not depend on the hour it runs at
            # (tests/test_phone_hours.py drives the clock through opening and closing).
            phone_hours="Alla dagar 0–24",
            is_unit_admin=True,
        )
    )


@pytest.fixture
def physician(unit: CareUnit) -> StaffMember:
    return committed(
        people.staff_create(unit=unit, name="Ali Hassan", title="Allmänläkare", is_physician=True)
    )


@pytest.fixture
def patient(nurse: StaffMember, physician: StaffMember) -> Patient:
    return committed(
        people.patient_create(
            created_by=nurse,
            name="Astrid Berg",
            phone="070-111 22 33",
            personal_number="19490312-2382",
            physician_id=physician.id,
        )
    )


@pytest.fixture
def other_unit_nurse(app: Flask) -> StaffMember:
    other = people.care_unit_get_or_create(name="Annan vårdcentral")
    return committed(people.staff_create(unit=other, name="Olle Främling", title="Sjuksköterska"))


def csrf_token(client: FlaskClient, path: str = "/logga-in") -> str:
    """Read the CSRF token the way the browser does: from the page's meta tag."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF meta tag"
    return match.group(1)


def api(client: FlaskClient, path: str, body: dict, token: str) -> Any:
    return client.post(path, json=body, headers={"X-CSRFToken": token})


def register_with_invitation(
    client: FlaskClient,
    user: Any,
    authenticator: SoftAuthenticator | None = None,
    purpose: InvitationPurpose = InvitationPurpose.ONBOARDING,
) -> SoftAuthenticator:
    """Redeem a fresh invitation with a soft authenticator; the client ends up signed in."""
    authenticator = authenticator or SoftAuthenticator(origin=ORIGIN)
    _invitation, token = auth_services.invitation_issue(user=user, purpose=purpose, created_by=None)
    db.session.commit()
    csrf = csrf_token(client, f"/inbjudan/{token}")
    options = api(client, "/passkeys/api/register/options", {"invitation": token}, csrf)
    assert options.status_code == 200, options.get_json()
    response = api(
        client,
        "/passkeys/api/register/verify",
        {"credential": authenticator.create(options.get_json())},
        csrf,
    )
    assert response.status_code == 200, response.get_json()
    return authenticator


def sign_in(client: FlaskClient, authenticator: SoftAuthenticator, **get_kwargs: Any) -> Any:
    csrf = csrf_token(client)
    options = api(client, "/passkeys/api/login/options", {}, csrf).get_json()
    return api(
        client,
        "/passkeys/api/login/verify",
        {"credential": authenticator.get(options, **get_kwargs)},
        csrf,
    )


def mark_seen(client: FlaskClient, patient_id: int) -> None:
    """The care contact presses "Markera som sett" on the patient's page."""
    page = f"/vard/patienter/{patient_id}"
    response = client.post(f"{page}/sett", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 303


@pytest.fixture
def patient_client(client: FlaskClient, patient: Patient) -> FlaskClient:
    register_with_invitation(client, patient.user)
    return client


@pytest.fixture
def nurse_client(app: Flask, nurse: StaffMember) -> FlaskClient:
    client = app.test_client()
    register_with_invitation(client, nurse.user)
    return client


def made_up_subscription(endpoint: str = "https://fcm.googleapis.com/fcm/send/made-up") -> dict:
    """A browser subscription with real keys, for an address that is never sent to."""
    import base64
    import secrets

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    public = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {
        "endpoint": endpoint,
        "keys": {"p256dh": b64(public), "auth": b64(secrets.token_bytes(16))},
    }


def run_coroutine(coroutine: Any) -> Any:
    """asyncio.run on a thread of its own. Once the browser tests have run, Playwright's loop
    is running on the main thread for the rest of the session, and asyncio.run refuses to
    start a second loop there."""
    import asyncio
    import threading

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=run, name="test-event-loop")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
