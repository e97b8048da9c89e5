"""Real-browser fixtures: the app on a real port, Debian's Chromium through Playwright,
Chromium's virtual authenticator for passkeys, and axe-core for accessibility.

API (see each docstring):
- `live_server` (session): `.url`, `.app`, `.port`, `.stop()`, `with .unreachable():` (no
  network for a while); `start_live_server(tmp_dir)` starts another one that a test may stop.
- `browser` (session): one headless Chromium for the whole run.
- `page` (function): a fresh 390x844 sv-SE page on the live server; the test fails if the
  page asks another origin for anything or the console reports a CSP violation.
- `new_page(origin=None, **context_options)` (function): more such pages, each in its own
  context (a second person, a second phone); closed and checked like `page`.
- `virtual_authenticator(page, **options)`, `sign_in_as(page, live_server, user)`,
  `axe_check(page)`: plain helpers, also offered as fixtures of the same names.
"""

from __future__ import annotations

import itertools
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, CDPSession, Page, expect, sync_playwright
from sqlalchemy import inspect as sa_inspect
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from tests.conftest import make_config
from webapp import create_app
from webapp.auth.models import InvitationPurpose
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Tests wait for what the page does (a heading, a URL, a button becoming enabled), never for a
# clock. This bound only decides how long a broken test hangs before it says so; it is roomy
# because a first Chromium start on a fresh machine with two busy cores can take seconds.
# One bound for actions, navigations and `expect` alike (Playwright's `expect` has 5 s of its
# own otherwise).
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything in tests/browser drives Chromium: mark it so `-m "not browser"` skips it."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


# --- the app on a real port -------------------------------------------------------------


# Every server these tests start: pages may talk to these and to nothing else.
OUR_ORIGINS: set[str] = set()


class _ClosingHandler(WSGIRequestHandler):
    # One request per connection: once the server stops, the browser cannot reach it
    # through a kept-alive connection (the offline test depends on that).
    protocol_version = "HTTP/1.0"

    def handle(self) -> None:
        if getattr(self.server, "unreachable", False):
            return  # closed unanswered: to the browser, a network error (LiveServer.unreachable)
        super().handle()

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass  # one line per request would bury a failing test's report


@dataclass
class LiveServer:
    url: str
    port: int
    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread
    stopped: bool = field(default=False)

    @property
    def origin(self) -> str:
        return self.url

    @contextmanager
    def unreachable(self) -> Iterator[None]:
        """Within: every connection is closed unanswered, for the page and its service worker
        alike, as on a phone without network (Playwright's offline switch misses requests
        through a service worker, microsoft/playwright#2311). Reachable again afterwards,
        on the same origin, with the same data."""
        self.server.unreachable = True  # type: ignore[attr-defined]
        try:
            yield
        finally:
            self.server.unreachable = False  # type: ignore[attr-defined]

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


@contextmanager
def app_work(app: Flask) -> Iterator[None]:
    """Set-up work done outside any request, committed as a command would (services only
    flush; the request or command commits)."""
    with app.app_context():
        yield
        db.session.commit()


def start_live_server(tmp_dir: Path | str | None = None, **config: Any) -> LiveServer:
    """Start the real app in a background thread on a free port with its own SQLite file.

    The caller must call `.stop()`. Extra keyword arguments override the app's config.
    """
    directory = Path(tmp_dir) if tmp_dir else Path(tempfile.mkdtemp(prefix="nara-live-"))
    directory.mkdir(parents=True, exist_ok=True)
    holder: dict[str, Flask] = {}

    def wsgi(environ: dict, start_response: Callable) -> Any:
        return holder["app"](environ, start_response)

    server = make_server("127.0.0.1", 0, wsgi, threaded=True, request_handler=_ClosingHandler)
    port = server.server_port
    url = f"http://localhost:{port}"
    app = create_app(
        make_config(
            directory,
            WEBAUTHN_RP_ID="localhost",
            WEBAUTHN_ORIGIN=url,
            PUBLIC_BASE_URL=url,
            RATELIMIT_ENABLED=False,
            TESTING=True,
            **config,
        )
    )
    with app.app_context():
        db.create_all()
    holder["app"] = app
    OUR_ORIGINS.add(url)
    thread = threading.Thread(target=server.serve_forever, name=f"live-{port}", daemon=True)
    thread.start()
    return LiveServer(url=url, port=port, app=app, server=server, thread=thread)


@pytest.fixture(name="start_live_server")
def _start_live_server_fixture(
    tmp_path: Path,
) -> Iterator[Callable[..., LiveServer]]:
    """Factory for a server of the test's own (e.g. to stop it); stopped after the test."""
    started: list[LiveServer] = []

    def start(**config: Any) -> LiveServer:
        server = start_live_server(tmp_path / f"live-{len(started)}", **config)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()


# --- the browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class PageWatch:
    """What a page did that it must not: ask another origin, or break the CSP."""

    def __init__(self, page: Page, origins: set[str]) -> None:
        self.origins = origins  # read when a request is made: servers started later count
        self.foreign: list[str] = []
        self.csp_errors: list[str] = []
        page.on("request", self._on_request)
        page.on("console", self._on_console)

    def _on_request(self, request: Any) -> None:
        url = request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and (
            _origin(url) not in self.origins
        ):
            self.foreign.append(url)

    def _on_console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)

    def problems(self) -> list[str]:
        return [f"request to another origin: {url}" for url in self.foreign] + [
            f"CSP violation: {text}" for text in self.csp_errors
        ]


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """Factory: `new_page(origin=None, **context_options)` opens a page in a fresh context
    (its own cookies, storage and service workers: another person or another phone).
    Requests may go to any server these tests started (and `origin`), nowhere else."""
    opened: list[tuple[Any, PageWatch]] = []

    def open_page(origin: str | None = None, **context_options: Any) -> Page:
        options = {"viewport": PHONE, "locale": "sv-SE", **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)  # actions and navigations
        page = context.new_page()
        if origin:
            OUR_ORIGINS.add(_origin(origin))
        watch = PageWatch(page, OUR_ORIGINS)
        opened.append((context, watch))
        return page

    yield open_page
    problems = []
    for context, watch in opened:
        problems += watch.problems()
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A fresh 390x844 Swedish page on the live server."""
    return new_page()


# --- passkeys ---------------------------------------------------------------------------


def virtual_authenticator(page: Page, **options: Any) -> tuple[CDPSession, str]:
    """Give the page's browser a platform authenticator with user verification (overridable:
    e.g. `isUserVerified=False`). Returns the CDP session and the authenticator id."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    settings = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
        **options,
    }
    result = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": settings})
    return cdp, result["authenticatorId"]


def _user_id(person: Any) -> int:
    """A user id from a User, Patient, StaffMember or int, even when detached and expired."""
    if isinstance(person, int):
        return person
    identity = sa_inspect(person).identity
    assert identity, f"{person!r} has not been saved"
    if isinstance(person, User):
        return identity[0]
    model = Patient if isinstance(person, Patient) else StaffMember
    found = db.session.get(model, identity[0])
    assert found is not None
    return found.user_id


def invitation_link(
    live_server: LiveServer, person: Any, purpose: InvitationPurpose | None = None
) -> str:
    """Issue a fresh invitation for `person` in the live app and return its full URL."""
    from webapp.auth import services as auth_services

    with app_work(live_server.app):
        user = db.session.get(User, _user_id(person))
        assert user is not None
        _invitation, token = auth_services.invitation_issue(
            user=user, purpose=purpose or InvitationPurpose.ONBOARDING, created_by=None
        )
        return auth_services.invitation_url(token)


def register_passkey_via_link(
    page: Page, link: str, **authenticator: Any
) -> tuple[CDPSession, str]:
    """Open an invitation link, make a passkey and wait until signed in.

    The authenticator is there before the page is. The passkey button comes disabled from
    the server and is enabled by passkeys.js once its handler is attached (app.js imports it
    after the page's load event may already have fired), and Playwright's click waits for an
    enabled button: the click can no longer land before anything listens for it."""
    cdp, authenticator_id = virtual_authenticator(page, **authenticator)
    page.goto(link)
    page.get_by_role("button", name="Skapa nyckel").click()
    page.wait_for_url(lambda url: "/inbjudan/" not in url)
    page.get_by_role("button", name="Logga ut", exact=True).wait_for()
    return cdp, authenticator_id


def sign_in_as(page: Page, live_server: LiveServer, user: Any) -> tuple[CDPSession, str]:
    """Register a passkey for `user` (User, Patient, StaffMember or user id) through an
    invitation with a virtual authenticator; the page ends up signed in on its home."""
    return register_passkey_via_link(page, invitation_link(live_server, user))


@pytest.fixture(name="virtual_authenticator")
def _virtual_authenticator_fixture() -> Callable[..., tuple[CDPSession, str]]:
    return virtual_authenticator


@pytest.fixture(name="sign_in_as")
def _sign_in_as_fixture() -> Callable[..., tuple[CDPSession, str]]:
    return sign_in_as


# --- people to act as -------------------------------------------------------------------

_team_numbers = itertools.count(1)


@dataclass(frozen=True)
class CareTeam:
    """Plain values (no ORM objects) for a care unit with a nurse and a physician."""

    unit_name: str
    nurse_user_id: int
    nurse_staff_id: int
    physician_staff_id: int
    nurse_name: str = "Karin Lind"
    nurse_title: str = "Distriktssköterska"
    nurse_phone: str = "010-123 45 67"
    nurse_hours: str = "Alla dagar 0–24"  # always open: the card offers her number at any hour
    physician_name: str = "Ali Hassan"


def create_care_team(live_server: LiveServer) -> CareTeam:
    """A new care unit (unique name) with a nurse who is unit admin and a physician."""
    from webapp.people import services as people

    unit_name = f"Vårdcentralen Linden {next(_team_numbers)}"
    with app_work(live_server.app):
        unit = people.care_unit_get_or_create(
            name=unit_name, phone="010-100 00 00", phone_hours="Vardagar 8–16"
        )
        db.session.commit()
        nurse = people.staff_create(
            unit=unit,
            name=CareTeam.nurse_name,
            title=CareTeam.nurse_title,
            phone=CareTeam.nurse_phone,
            phone_hours=CareTeam.nurse_hours,
            is_unit_admin=True,
        )
        physician = people.staff_create(
            unit=unit, name=CareTeam.physician_name, title="Allmänläkare", is_physician=True
        )
        return CareTeam(
            unit_name=unit_name,
            nurse_user_id=nurse.user_id,
            nurse_staff_id=nurse.id,
            physician_staff_id=physician.id,
        )


@dataclass(frozen=True)
class PatientRef:
    patient_id: int
    user_id: int  # what sign_in_as takes
    name: str


def create_patient(
    live_server: LiveServer, team: CareTeam, name: str = "Astrid Berg"
) -> PatientRef:
    """A patient whose fixed care contact is the team's nurse."""
    from webapp.people import services as people

    with app_work(live_server.app):
        nurse = db.session.get(StaffMember, team.nurse_staff_id)
        assert nurse is not None
        patient = people.patient_create(
            created_by=nurse,
            name=name,
            phone="070-111 22 33",
            personal_number=None,
            physician_id=team.physician_staff_id,
        )
        return PatientRef(patient_id=patient.id, user_id=patient.user_id, name=name)


# --- accessibility ----------------------------------------------------------------------


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")


AXE_SOURCE = _axe_source()


def axe_check(page: Page) -> None:
    """Assert axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    # The CSP forbids added <script> tags; evaluation through the DevTools protocol is allowed.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    # Only the violations are asked for and sent back: axe's passes and incomplete results,
    # with a node list each, cost more to gather and to carry over than the check itself.
    violations = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
        }).then(result => result.violations)""",
        AXE_TAGS,
    )
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary']}")
    assert not violations, f"axe on {page.url}:\n" + "\n".join(lines)


@pytest.fixture(name="axe_check")
def _axe_check_fixture() -> Callable[[Page], None]:
    return axe_check
