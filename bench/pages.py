"""Speed of Nära's pages under gunicorn, measured with wrk in one run.

    .venv/bin/python bench/pages.py [--duration 10] [--warmup 2] [--rounds 2]

It makes a fresh SQLite database (or uses DATABASE_URL), runs the migrations, loads the demo
data and tops Astrid Berg's plan up through the services (10 "what matters" statements, an
agreement of 3 versions, the newest ones of 10 items, each drafted by her care contact and
consented to by both; 50 planned follow-ups; 3 parts of care; the receipt answered).
Both demo patients then sign in over HTTP with a software passkey, the way a phone does, and
wrk (2 threads, 16 connections) measures, the endpoints taking turns in rounds:

    flask-hello  /healthz of bench/flask_hello.py, a bare Flask app with one route, served
                 by a second gunicorn started the same way (for information, no target)
    hello        /healthz, the bare endpoint of the same app (no session, no database): the
                 baseline the targets are shares of
    home         "Min plan" of Gunnar Ek, who has only the demo data
    overview     "Min plan" of Astrid Berg, with the full plan above
    relative     the same "Min plan" as her daughter Eva sees it, signed in with her own
                 passkey and acting for Astrid (a grant to see the plan and log self-care):
                 the door reads the grant on every request, the page is kept per viewer;
                 target: the overview's
    checkin      the check-in POST (/egenvard/<goal>/logga) of 40 patients of its own, each
                 with a weight goal and an agreed change limit, taking turns; each request a
                 new check-in with a UUID of its own, as from the phone
    chart        the three-month chart of Astrid's weight goal, which has two years of daily
                 check-ins; target: at least half the overview's requests per second

It prints one line per endpoint (its least disturbed round), whether the targets hold, and
last the throughput ratios, the very last one `home/flask-hello`; every round goes to
standard error.
The exit code is 0 whatever the figures (it is a measurement); it is 1 only if the bench
itself could not run (a page that does not answer as expected, wrk missing...).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

HOST = "127.0.0.1"
USER_AGENT = "nara-bench"  # the same for sign-in and wrk, so the session stays as it was made
COOKIE_NAME = "nara_session"  # webapp.config.BASELINE
# Share of hello's requests per second.
TARGETS = {"home": 0.25, "overview": 0.20, "relative": 0.20, "checkin": 0.12}
WORKERS = 2  # gunicorn workers, the same for Nära and for the bare Flask app
P99_MS = 50.0  # for home and overview, the pages a patient opens most
PAGE_BYTES_MAX = 30 * 1024
# What shows that a page is the signed-in patient's "Min plan", and whose it is.
HOME_TEXTS = ["<h1>Min plan</h1>", "Min fasta vårdkontakt", "Mitt kvitto"]
OVERVIEW_TEXTS = [
    *HOME_TEXTS,
    "Sak nummer 10 som är viktig",
    "Punkt 10 i version",
    "planerade kontakter till",
]
# Astrid's plan as her daughter sees it: the same parts, and whom she helps on top.
RELATIVE_TEXTS = [*OVERVIEW_TEXTS, "Du hjälper:"]
# Issue 11: a goal with two years of daily check-ins; its three-month chart within 2x the
# overview's time, that is at least half its requests per second.
CHART_GOAL_TITLE = "Väga mig varje morgon"
CHART_DAYS = 730
CHART_TARGET = 0.50  # share of overview's requests per second
CHART_TEXTS = [f"<h1>{CHART_GOAL_TITLE}</h1>", '<svg class="chart ', "Visa som tabell (91 värden)"]


# The check-in line: patients of the bench's own (their check-ins touch no one else's plan),
# each with a daily weight goal and its change limit, logging side by side as a practice's
# patients do. Many rather than one: a single goal taking hundreds of weights a second would
# put thousands of check-ins into the limit's three-day window, which no one logs.
CHECKIN_PATIENTS = [f"Berit Bänk {number}" for number in range(1, 41)]
CHECKIN_TEXTS = ["Väga mig varje morgon", 'inputmode="decimal"']
# wrk's script for the check-in POST: a form post (the page's CSRF token, a weight) with a
# fresh UUID per request, so that each one saves a row (a repeated UUID would be a cheaper
# "already saved"), each request as the next patient in turn (her goal, cookie and token).
# Each wrk thread has its own Lua state, seeds its own generator and starts at its own patient.
CHECKIN_LUA = """
local who = {%(who)s}
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%%x+)") or "1", 16) %% 1000003)
local turn = math.random(1, #who)
local function uuid()
  return (("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"):gsub("[xy]", function(c)
    return string.format("%%x", c == "x" and math.random(0, 15) or math.random(8, 11))
  end))
end
request = function()
  turn = turn %% #who + 1
  local path, cookie, token = who[turn][1], who[turn][2], who[turn][3]
  -- A headers table of its own replaces wrk's -H headers, so it carries all three.
  local headers = {
    ["User-Agent"] = "%(agent)s",
    ["Cookie"] = "%(cookie_name)s=" .. cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  local body = "csrf_token=" .. token .. "&value=72%%2C4&client_uuid=" .. uuid()
  return wrk.format("POST", path, headers, body)
end
"""


class BenchError(RuntimeError):
    """The bench could not measure what it should: say why and stop."""


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- setting up the database --------------------------------------------------------------


def flask_command(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BenchError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def seed(env: dict[str, str]) -> tuple[dict[str, str], int]:
    """Add the bench data through the services; return a fresh invitation token per patient
    and the id of Astrid's goal with two years of check-ins."""
    os.environ.update(env)  # the app reads its settings from the environment, like gunicorn
    from sqlalchemy import select

    from webapp import create_app
    from webapp.auth import services as auth_services
    from webapp.auth.models import InvitationPurpose
    from webapp.extensions import db
    from webapp.people.models import Patient, StaffMember, User

    app = create_app()
    with app.app_context():

        def patient_named(name: str) -> Patient:
            found = db.session.scalar(select(Patient).join(Patient.user).where(User.name == name))
            if found is None:
                raise BenchError(f"the demo data has no patient called {name}")
            return found

        astrid, gunnar = patient_named("Astrid Berg"), patient_named("Gunnar Ek")
        nurse = db.session.scalar(
            select(StaffMember).join(StaffMember.user).where(User.name == "Karin Lind")
        )
        if nurse is None:
            raise BenchError("the demo data has no care contact called Karin Lind")
        fill_plan(astrid, nurse)
        chart_goal_id = fill_self_care(astrid)
        say(f"Astrid Berg's plan: {plan_counts(astrid)}")
        say(f"Gunnar Ek's plan: {plan_counts(gunnar)}")
        weighers = [checkin_patient(nurse, name) for name in CHECKIN_PATIENTS]
        signing_in = [("home", gunnar.user), ("overview", astrid.user)]
        signing_in += [("relative", relative_of(astrid))]
        signing_in += [(f"checkin/{goal_id}", patient.user) for patient, goal_id in weighers]
        tokens = {}
        for key, user in signing_in:
            _invitation, token = auth_services.invitation_issue(
                user=user, purpose=InvitationPurpose.ONBOARDING, created_by=None
            )
            tokens[key] = token
        db.session.commit()  # the seed is its own unit of work, as a command is
        db.session.remove()
    return tokens, chart_goal_id


def relative_of(patient: Any) -> Any:
    """Her daughter Eva's own account, with a grant to see the plan and log self-care,
    taken the way the invitation's link takes it."""
    from webapp.extensions import db
    from webapp.people.models import User, UserKind
    from webapp.relatives import services as relatives

    _grant, token = relatives.grant_invite(
        patient=patient,
        by=patient.user,
        name="Eva",
        relation="dotter",
        scopes=["view_plan", "self_care"],
    )
    eva = User(kind=UserKind.RELATIVE, name="Eva Berg")
    db.session.add(eva)
    db.session.flush()
    relatives.grant_accept(token=token, user=eva)
    return eva


def fill_self_care(patient: Any) -> int:
    """Astrid's weight goal with a check-in every morning for two years, made directly (the
    check-in screens are not what is measured here); a reused database is only topped up.
    Returns the goal's id."""
    import uuid
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.selfcare.models import CheckIn, GoalKind, GoalLimit, SelfCareGoal

    goal = db.session.scalar(
        select(SelfCareGoal).where(
            SelfCareGoal.patient_id == patient.id, SelfCareGoal.title == CHART_GOAL_TITLE
        )
    )
    if goal is None:
        goal = SelfCareGoal(
            patient_id=patient.id,
            kind=GoalKind.ASSESSED,
            title=CHART_GOAL_TITLE,
            measure="number",
            unit="kg",
            target_min=68.0,
            target_max=74.0,
            agreed_by_staff_id=patient.care_contact_id,
            created_by_user_id=patient.user_id,
        )
        goal.limits = [
            GoalLimit(kind="above", value=78.0, advice="Ring din kontakt i dag."),
            GoalLimit(kind="rise", value=2.0, window_days=3, advice="Ring din kontakt i dag."),
        ]
        db.session.add(goal)
        db.session.flush()
    have = db.session.scalar(select(func.count()).where(CheckIn.goal_id == goal.id)) or 0
    zone = ZoneInfo("Europe/Stockholm")  # every morning at 07:30 in the patient's local days
    today = datetime.now(zone).date()
    db.session.add_all(
        CheckIn(
            client_uuid=str(uuid.uuid4()),
            goal_id=goal.id,
            patient_id=patient.id,
            taken_at=datetime.combine(today - timedelta(days=day), time(7, 30), tzinfo=zone),
            value=70.0 + (day * 7 % 23) / 5,
            logged_by_user_id=patient.user_id,
        )
        for day in range(have, CHART_DAYS)
    )
    db.session.flush()
    return goal.id


def checkin_patient(nurse: Any, name: str) -> tuple[Any, int]:
    """A patient of the bench's own with a daily weight goal and the heart-failure limit
    ("up more than 2 kg in 3 days"), so every check-in reads its window. Reused if there."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.people import services as people
    from webapp.people.models import Patient, User
    from webapp.selfcare.models import GoalKind, GoalLimit, SelfCareGoal

    patient = db.session.scalar(select(Patient).join(Patient.user).where(User.name == name))
    if patient is None:
        patient = people.patient_create(
            created_by=nurse, name=name, phone="070-555 66 77", personal_number=None
        )
    goal = db.session.scalar(select(SelfCareGoal).where(SelfCareGoal.patient_id == patient.id))
    if goal is None:
        goal = SelfCareGoal(
            patient_id=patient.id,
            kind=GoalKind.ASSESSED,
            title="Väga mig varje morgon",
            template="weight",
            measure="number",
            unit="kg",
            agreed_by_staff_id=nurse.id,
            created_by_user_id=nurse.user_id,
        )
        goal.limits = [
            GoalLimit(kind="rise", value=2, window_days=3, advice="Ring din kontakt i dag.")
        ]
        db.session.add(goal)
        db.session.flush()
    return patient, goal.id


def plan_counts(patient: Any) -> str:
    """What the patient's plan holds now."""
    from sqlalchemy import func, select

    from webapp.agreement import services as agreement
    from webapp.careteam import services as careteam
    from webapp.extensions import db
    from webapp.followups import services as followups
    from webapp.receipt.models import ReceiptAnswer
    from webapp.selfcare.models import CheckIn
    from webapp.whatmatters import services as whatmatters

    versions = agreement.agreement_versions(patient=patient)
    answers = db.session.scalar(select(func.count()).where(ReceiptAnswer.patient_id == patient.id))
    upcoming = followups.follow_ups_list(patient=patient).upcoming
    return (
        f"{len(whatmatters.whatmatters_list(patient=patient).active)} what-matters statements, "
        f"{len(versions)} agreement versions (items: "
        f"{'/'.join(str(len(v.items)) for v in versions) or '-'}, newest first), "
        f"{sum(1 for f in upcoming if f.is_planned)} planned follow-ups to come, "
        f"{len(careteam.care_parts_active(patient))} parts of care, {answers} receipt answers, "
        f"{db.session.scalar(select(func.count()).where(CheckIn.patient_id == patient.id))} "
        "self-care check-ins"
    )


def fill_plan(patient: Any, nurse: Any) -> None:
    """Top Astrid's plan up to the bench's counts, as the patient and her care contact
    would in the app: 10 statements, 3 agreement versions (the ones added here have 10 items
    and are agreed by both, so the one in force has 10), 50 planned follow-ups to come,
    3 parts of care, the receipt answered by both sides. A reused database is only topped up."""
    from webapp.agreement import services as agreement
    from webapp.careteam import services as careteam
    from webapp.demo import agreement_agreed_by_both
    from webapp.followups import services as followups
    from webapp.followups.details import FollowUpInput
    from webapp.receipt import services as receipt
    from webapp.receipt.models import QUESTION_COUNT, Answer, Side
    from webapp.whatmatters import services as whatmatters

    me, care = patient.user, nurse.user
    active = whatmatters.whatmatters_list(patient=patient).active
    for n in range(len(active) + 1, 11):
        whatmatters.whatmatters_add(
            patient=patient, text=f"Sak nummer {n} som är viktig för mig i vardagen.", actor=me
        )
    statements = whatmatters.whatmatters_list(patient=patient).active

    versions = agreement.agreement_versions(patient=patient)
    agreed = next((v for v in versions if v.status == "agreed"), None)
    to_add = max(0, 3 - len(versions))
    if agreed is None or len(agreed.items) < 10:
        to_add = max(to_add, 1)
    for _ in range(to_add):
        version = len(agreement.agreement_versions(patient=patient)) + 1
        items = [
            agreement.ItemInput(
                kind="goal" if n % 3 == 0 else "action",
                text=f"Punkt {n} i version {version}: promenera, äta och sova bra.",
                responsible=("patient", "care_contact", "relative", "other_care")[n % 4],
                responsible_name="Lena (dotter)" if n % 4 == 2 else "",
                what_matters_id=statements[n - 1].id if n % 2 else None,
            )
            for n in range(1, 11)
        ]
        texts = {
            "self_care_text": f"Jag tar mina mediciner och går ut varje dag (version {version}).",
            "warning_signs_text": "Svullna ben, andfåddhet, vikten ökar mer än 2 kilo på 3 dagar.",
            "when_worse_text": "Jag ringer min vårdkontakt samma dag. Kvällstid ringer jag 1177.",
        }
        agreement_agreed_by_both(patient=patient, care=care, items=items, texts=texts)

    upcoming = followups.follow_ups_list(patient=patient).upcoming
    planned = sum(1 for f in upcoming if f.is_planned)
    start = date.today() + timedelta(days=3)
    for n in range(planned, 50):
        followups.follow_up_book(
            patient=patient,
            details=FollowUpInput(
                date=(start + timedelta(days=7 * n)).isoformat(),
                time="13:30",
                duration_minutes="30",
                kind=("visit", "phone", "video", "lab", "home_visit")[n % 5],
                with_whom="Karin Lind",
                place="Vårdcentralen Nära",
                purpose=f"Uppföljning nummer {n + 1} av hjärtsviktsbehandlingen.",
                preparation="Väg dig på morgonen och skriv upp vikten.",
            ),
            actor=care,
        )

    parts = careteam.care_parts_active(patient)
    for n in range(len(parts) + 1, 4):
        careteam.care_part_add(
            patient=patient,
            kind=("municipal_home_care", "specialist", "other")[n % 3],
            organisation=f"Verksamhet {n}",
            role_text="Hjälper till med mediciner och dusch två gånger i veckan.",
            contact_name="Sara Nyström",
            phone="010-222 33 44",
            phone_hours="Vardagar 8–12",
            actor=care,
        )

    current = receipt.receipt_current(patient_id=patient.id)
    for question in range(1, QUESTION_COUNT + 1):
        for side, by_user in ((Side.PATIENT, me), (Side.CARE, care)):
            if (str(side), question) not in current:
                receipt.receipt_answer_save(
                    patient=patient,
                    side=side,
                    question=question,
                    answer=Answer.YES,
                    comment=None,
                    by_user=by_user,
                )


# --- talking to the server ------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(
    port: int,
    method: str,
    path: str,
    *,
    cookie: str | None = None,
    body: object = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    data = None
    if cookie:
        sent["Cookie"] = f"{COOKIE_NAME}={cookie}"
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        conn.close()


def session_cookie(reply: Reply, previous: str | None) -> str | None:
    for header in reply.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name.strip() == COOKIE_NAME:
            return rest.split(";", 1)[0]
    return previous


def sign_in_with_invitation(port: int, origin: str, token: str) -> str:
    """Redeem an invitation with a software passkey, as a phone would; return the cookie."""
    from tests.fakes.authenticator import SoftAuthenticator

    page = request(port, "GET", f"/inbjudan/{token}")
    if page.status != 200:
        raise BenchError(f"the invitation page answered {page.status}")
    cookie = session_cookie(page, None)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    if not match:
        raise BenchError("the invitation page has no CSRF meta tag")
    headers = {"X-CSRFToken": match.group(1), "Origin": origin}
    options = request(
        port,
        "POST",
        "/passkeys/api/register/options",
        cookie=cookie,
        body={"invitation": token},
        headers=headers,
    )
    if options.status != 200:
        raise BenchError(f"register/options answered {options.status}: {options.text}")
    cookie = session_cookie(options, cookie)
    credential = SoftAuthenticator(origin=origin).create(json.loads(options.body))
    verified = request(
        port,
        "POST",
        "/passkeys/api/register/verify",
        cookie=cookie,
        body={"credential": credential},
        headers=headers,
    )
    if verified.status != 200:
        raise BenchError(f"register/verify answered {verified.status}: {verified.text}")
    cookie = session_cookie(verified, None)
    if not cookie:
        raise BenchError("signing in gave no session cookie")
    return cookie


def start_gunicorn(app: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """Serve `app` (a gunicorn app spec) the one way every measured server is served."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
    with log.open("w") as log_file:
        return subprocess.Popen(
            [*command, "-w", str(WORKERS), "-b", f"{HOST}:{port}", app],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_gunicorn(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def wait_until_up(port: int, server: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn stopped (exit {server.returncode}):\n{log.read_text()}")
        try:
            if request(port, "GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"/healthz did not answer within {seconds:.0f} s:\n{log.read_text()}")


def check_page(port: int, name: str, path: str, cookie: str | None, must_contain: list[str]) -> str:
    reply = request(port, "GET", path, cookie=cookie)
    if reply.status != 200:
        where = reply.headers.get("Location", "")
        raise BenchError(f"{name}: GET {path} answered {reply.status} {where}, not 200")
    # Read without the soft hyphens of long words (webapp/hyphenation.py), which show only
    # where a line breaks.
    readable = reply.text.replace("\u00ad", "")
    missing = [text for text in must_contain if text not in readable]
    if missing:
        title = re.search(r"<title>(.*?)</title>", reply.text, re.S)
        raise BenchError(
            f"{name}: GET {path} is not the expected page: it is "
            f"{title.group(1).strip() if title else 'untitled'!r} and lacks {missing}"
        )
    return reply.text


def page_weight(port: int, html: str, cookie: str) -> tuple[int, list[str]]:
    """Bytes of the page's HTML plus its own CSS and JS; and any address on another origin."""
    assets = re.findall(r'<(?:link[^>]*rel="stylesheet"[^>]*href|script[^>]*src)="([^"]+)"', html)
    foreign = [
        url
        for url in re.findall(r'(?:src|href|action)="([^"]+)"', html)
        if urlsplit(url).netloc or url.startswith("//")
    ]
    total = len(html.encode())
    for url in assets:
        if urlsplit(url).netloc:
            continue
        reply = request(port, "GET", url, cookie=cookie)
        if reply.status == 200:
            total += len(reply.body)
    return total, foreign


# --- measuring ------------------------------------------------------------------------------

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise BenchError(f"cannot read wrk's latency {text!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> Result:
    try:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
        p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
        p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
        count = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    except AttributeError:
        raise BenchError(f"cannot read wrk's output:\n{output}") from None
    errors = [
        line.strip() for line in output.splitlines() if "Non-2xx" in line or "Socket errors" in line
    ]
    return Result(rps, p50, p99, count, "; ".join(errors))


def wrk(
    port: int, path: str, cookie: str | None, seconds: int, script: Path | None = None
) -> Result:
    command = [
        "wrk",
        "-t2",
        "-c16",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"User-Agent: {USER_AGENT}",
    ]
    if cookie:
        command += ["-H", f"Cookie: {COOKIE_NAME}={cookie}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(f"http://{HOST}:{port}{path}")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"wrk failed:\n{result.stdout}{result.stderr}")
    return parse_wrk(result.stdout)


def _busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (Linux), or None."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _server_seconds(server_pid: int) -> float | None:
    """CPU seconds used by gunicorn (master and workers) so far."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
        total = 0.0
        for pid in [str(server_pid), *children]:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(stat[11]) + int(stat[12])) / tick  # utime + stime
    except (OSError, ValueError, IndexError):
        return None
    return total


def _own_seconds(server_pid: int) -> float | None:
    """CPU seconds used by gunicorn (master and workers) and by the wrk runs so far."""
    server = _server_seconds(server_pid)
    if server is None:
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has been waited for
    return server + usage.ru_utime + usage.ru_stime


class OtherLoad:
    """How much CPU other processes took while we measured: they slow every endpoint, so
    the absolute figures (and, less, the ratios) of a busy machine are low and noisy."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.server_start = _server_seconds(server_pid)
        self.start = (time.monotonic(), _busy_seconds(), _own_seconds(server_pid))

    def note(self, requests: int) -> str:
        """The other processes' share, and the server's own CPU time per request (what a
        change to the app moves, whatever else the machine does)."""
        server_now = _server_seconds(self.server_pid)
        then, busy, own = self.start
        now, busy_now, own_now = time.monotonic(), _busy_seconds(), _own_seconds(self.server_pid)
        if None in (busy, own, busy_now, own_now, self.server_start, server_now):
            return "CPU use of other processes unknown"
        cores = os.cpu_count() or 1
        per_request = (server_now - self.server_start) / max(requests, 1) * 1000  # type: ignore[operator]
        other = max(0.0, (busy_now - busy) - (own_now - own)) / (now - then)  # type: ignore[operator]
        text = f"server CPU {per_request:.2f} ms per request; "
        text += f"other processes used {other:.1f} of {cores} cores meanwhile"
        return text + (" (figures low and noisy)" if other > 0.2 else "")


def line(name: str, result: Result) -> str:
    return f"{name}: {result.rps:.1f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


# --- the run --------------------------------------------------------------------------------


def run(duration: int, warmup: int, rounds: int, only: set[str] | None = None) -> None:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: sudo apt-get install wrk (or: make bench)")
    workdir = Path(tempfile.mkdtemp(prefix="nara-bench-"))
    port = free_port()
    origin = f"http://localhost:{port}"
    env = {
        **os.environ,
        "NARA_ENV": "development",
        "SECRET_KEY": secrets.token_hex(32),  # one key for this process and every worker
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}",
        "PORT": str(port),
        "WEBAUTHN_RP_ID": "localhost",
        "WEBAUTHN_ORIGIN": origin,
        "PUBLIC_BASE_URL": origin,
        "SESSION_COOKIE_SECURE": "false",
        "PYTHONDONTWRITEBYTECODE": "1",
        # Every patient of the bench signs in from this one address within seconds; no
        # measured endpoint is a sign-in, so their limits stay as in production.
        "SIGN_IN_RATE_LIMIT": "1000 per minute",
    }
    server: subprocess.Popen | None = None
    anchor: subprocess.Popen | None = None
    log = workdir / "gunicorn.log"
    anchor_port, anchor_log = free_port(), workdir / "gunicorn-flask-hello.log"
    try:
        say(f"database {env['DATABASE_URL']}")
        flask_command(env, "db", "upgrade")
        flask_command(env, "demo", "load")
        tokens, chart_goal_id = seed(env)
        chart_path = f"/egenvard/{chart_goal_id}/bild?period=tre-manader"
        server = start_gunicorn("webapp:create_app()", port, env, log)
        wait_until_up(port, server, log)
        say(f"gunicorn ({WORKERS} workers) answers on {HOST}:{port}")
        # A bare Flask app, same gunicorn, workers and environment (for information).
        anchor = start_gunicorn("bench.flask_hello:app", anchor_port, env, anchor_log)
        wait_until_up(anchor_port, anchor, anchor_log)
        say(f"the bare Flask app ({WORKERS} workers) answers on {HOST}:{anchor_port}")
        cookies = {key: sign_in_with_invitation(port, origin, t) for key, t in tokens.items()}
        # The first page after sign-in adds the session's CSRF secret and sends the cookie
        # anew; a browser keeps the new one. wrk sends a fixed cookie, so it gets that one, or
        # every request would make a new secret and a new cookie, which no browser does.
        # Eva's first look chooses whom she acts for (the one she helps), kept in the cookie.
        for key in ("home", "overview", "relative"):
            cookies[key] = (
                session_cookie(request(port, "GET", "/", cookie=cookies[key]), cookies[key])
                or cookies[key]
            )
        check_page(anchor_port, "flask-hello", "/healthz", None, ["ok"])
        check_page(port, "hello", "/healthz", None, ["ok"])
        home_html = check_page(port, "home", "/", cookies["home"], HOME_TEXTS)
        check_page(port, "overview", "/", cookies["overview"], OVERVIEW_TEXTS)
        check_page(port, "relative", "/", cookies["relative"], RELATIVE_TEXTS)
        check_page(port, "chart", chart_path, cookies["overview"], CHART_TEXTS)
        weight, foreign = page_weight(port, home_html, cookies["home"])
        weighers = []  # (check-in path, session cookie, CSRF token) of each check-in patient
        for key in [key for key in cookies if key.startswith("checkin/")]:
            path = f"/egenvard/{key.removeprefix('checkin/')}/logga"
            # The page makes the session's CSRF token, which may send the session cookie anew.
            checkin_page = request(port, "GET", path, cookie=cookies[key])
            cookie = session_cookie(checkin_page, cookies[key]) or ""
            check_page(port, "checkin", path, cookie, CHECKIN_TEXTS)
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', checkin_page.text)
            if not csrf:
                raise BenchError("the check-in page has no CSRF meta tag")
            weighers.append((path, cookie, csrf.group(1)))
        checkin_script = workdir / "checkin.lua"
        who = ", ".join(f'{{"{path}", "{cookie}", "{token}"}}' for path, cookie, token in weighers)
        checkin_script.write_text(
            CHECKIN_LUA % {"who": who, "agent": USER_AGENT, "cookie_name": COOKIE_NAME}
        )
        checkin_path = weighers[0][0]

        endpoints = (  # name, server, port, path, cookie, wrk script
            ("flask-hello", anchor, anchor_port, "/healthz", None, None),
            ("hello", server, port, "/healthz", None, None),
            ("home", server, port, "/", cookies["home"], None),
            ("overview", server, port, "/", cookies["overview"], None),
            ("relative", server, port, "/", cookies["relative"], None),
            ("chart", server, port, chart_path, cookies["overview"], None),
            ("checkin", server, port, checkin_path, None, checkin_script),
        )
        if only:  # a quicker look at some lines, with what their ratios are read against
            wanted = only | {"hello"} | ({"overview"} if "chart" in only else set())
            endpoints = tuple(endpoint for endpoint in endpoints if endpoint[0] in wanted)
        if warmup > 0:
            say(f"warming up, {warmup} s per endpoint")
            for _name, _server, at, path, cookie, script in endpoints:
                wrk(at, path, cookie, warmup, script)
        # The endpoints take turns, so other work on the machine hits them alike; of each
        # endpoint's rounds the least disturbed one (most requests per second) is reported.
        seconds = max(1, round(duration / rounds))
        say(f"measuring {rounds} round(s) of {seconds} s per endpoint, 2 threads, 16 connections")
        results: dict[str, Result] = {}
        for number in range(1, rounds + 1):
            for name, measured, at, path, cookie, script in endpoints:
                load = OtherLoad(measured.pid)
                result = wrk(at, path, cookie, seconds, script)
                say(f"round {number}: {line(name, result)}; {load.note(result.requests)}")
                if "Non-2xx" in result.errors:
                    raise BenchError(f"{name}: not every answer was a success: {result.errors}")
                if result.errors:
                    say(f"{name}: wrk reports {result.errors}")
                if name not in results or result.rps > results[name].rps:
                    results[name] = result
        # The sessions must still be good: a run of redirects to sign-in would look fast.
        check_page(port, "home", "/", cookies["home"], HOME_TEXTS)
        check_page(port, "overview", "/", cookies["overview"], OVERVIEW_TEXTS)
        if "relative" in results:
            check_page(port, "relative", "/", cookies["relative"], RELATIVE_TEXTS)
        check_page(port, "chart", chart_path, cookies["overview"], CHART_TEXTS)
        for path, cookie, _token in weighers if "checkin" in results else []:
            saved = check_page(port, "checkin", path, cookie, CHECKIN_TEXTS)
            if "Senast: 72,4 kg" not in saved:
                raise BenchError(f"checkin: the check-ins posted to {path} were not saved")

        report(results, weight, foreign)
    finally:
        stop_gunicorn(anchor)
        stop_gunicorn(server)
        shutil.rmtree(workdir, ignore_errors=True)


def report(results: dict[str, Result], weight: int, foreign: list[str]) -> None:
    """The lines, the targets and the ratios (the very last `home/flask-hello`) of what was
    measured: all of them, or with --only those lines and what their ratios need."""
    for name in ("flask-hello", "hello", "home", "overview", "relative", "chart", "checkin"):
        if name in results:
            print(line(name, results[name]), flush=True)
    hello = results["hello"].rps
    flask_hello = results["flask-hello"].rps if "flask-hello" in results else 0.0
    ratio = {name: results[name].rps / hello for name in TARGETS if name in results and hello}
    anchored = {
        name: results[name].rps / flask_hello
        for name in ("hello", "home")
        if name in results and flask_hello
    }
    chart_ratio = None
    if "chart" in results and results["overview"].rps:
        chart_ratio = results["chart"].rps / results["overview"].rps
    for name in ("home", "overview", "relative"):
        if name in ratio:
            ok = ratio[name] >= TARGETS[name] and results[name].p99_ms < P99_MS
            print(
                f"target {name}: >= {TARGETS[name]:.2f} of hello and p99 < {P99_MS:.0f} ms: "
                f"{verdict(ok)}"
            )
    if "checkin" in ratio:
        ok = ratio["checkin"] >= TARGETS["checkin"]
        print(f"target checkin: >= {TARGETS['checkin']:.2f} of hello: {verdict(ok)}")
    print(
        f"target home page size: HTML+CSS+JS {weight / 1024:.1f} KB < 30 KB, "
        f"other origins {len(foreign)}: {verdict(weight < PAGE_BYTES_MAX and not foreign)}"
    )
    if chart_ratio is not None:
        print(
            f"target chart: >= {CHART_TARGET:.2f} of overview (within 2x its time): "
            f"{verdict(chart_ratio >= CHART_TARGET)}"
        )
        print(f"chart/overview throughput ratio: {chart_ratio:.2f}")
    for name in ("overview", "relative", "checkin", "home"):
        if name in ratio:
            print(f"{name}/hello throughput ratio: {ratio[name]:.2f}")
    for name in ("hello", "home"):  # home/flask-hello always the last
        if name in anchored:
            print(f"{name}/flask-hello throughput ratio: {anchored[name]:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per endpoint")
    parser.add_argument(
        "--rounds", type=int, default=2, help="turns the duration is split into (best is kept)"
    )
    parser.add_argument(
        "--only",
        default="",
        help="measure only these lines, comma-separated (e.g. checkin); hello always, and "
        "overview with chart, for their ratios",
    )
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()} or None
    try:
        run(max(args.duration, 1), max(args.warmup, 0), max(args.rounds, 1), only)
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
