"""How long the patient's own copy takes: the FHIR Bundle and "Min plan – hela" of a patient
with two years of daily check-ins, against an empty plan's, in one run.

    .venv/bin/python bench/export.py [--rounds 5]

It makes a fresh SQLite database in a temporary folder (or uses DATABASE_URL: give it an
empty one), loads Astrid Berg's demo plan through the services, answers Mitt kvitto on both
sides, adds updates with care's answers, and gives each of her three self-care goals two
years of daily check-ins (weighing every morning, knee exercises three times a day, steps
every evening: about 3,650 check-ins), made directly as bench/pages.py makes its chart's.
Gunnar Ek has an empty plan. Both sign in with a software passkey through the Flask test
client, and each request is timed whole, in process (the door, the queries, the JSON or the
page): the median of `--rounds`, after one warm-up.

It prints one line per request with its median, size and SQL statements, the target
(Astrid's Bundle under two seconds) and last the ratio `export/empty-export`. The exit code
is 0 whatever the figures, and 1 only when the bench could not run (an answer that is not
200 with a valid-looking Bundle).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DAYS = 730
EXPORT = "/min-plan/ladda-ner/nara-min-plan.json"
WHOLE = "/min-plan/hela"
TARGET_SECONDS = 2.0


class BenchError(Exception):
    pass


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fill(patient: Any, nurse: Any) -> int:
    """Astrid's lived-in plan, answered receipt, a few updates, and two years of check-ins on
    each of her self-care goals. Returns how many check-ins she has."""
    from sqlalchemy import func, select

    from webapp.demo import demo_plan_load
    from webapp.extensions import db
    from webapp.receipt import services as receipt
    from webapp.receipt.models import QUESTION_COUNT, Answer, Side
    from webapp.selfcare.models import CheckIn, SelfCareGoal
    from webapp.selfcare.updates import services as updates

    demo_plan_load(patient=patient, nurse=nurse)
    for question in range(1, QUESTION_COUNT + 1):
        for side, user in ((Side.PATIENT, patient.user), (Side.CARE, nurse.user)):
            receipt.receipt_answer_save(
                patient=patient,
                side=side,
                question=question,
                answer=Answer.YES,
                comment="",
                by_user=user,
            )
    for n in range(20):
        update = updates.update_send(
            patient=patient, actor=patient.user, feeling="same", text=f"Vecka {n}: det går bra."
        )
        updates.update_answer(
            patient=patient, update_id=update.id, staff=nurse, text="Tack, fortsätt så."
        )
    zone = ZoneInfo("Europe/Stockholm")
    today = datetime.now(zone).date()
    goals = db.session.scalars(select(SelfCareGoal).where(SelfCareGoal.patient_id == patient.id))
    rows = []
    for goal in goals:
        hours = (9, 13, 18) if goal.measure == "done" else ((7,) if goal.unit == "kg" else (19,))
        for back in range(22, DAYS):  # the demo has logged the last three weeks
            day = today - timedelta(days=back)
            for hour in hours:
                values: dict[str, Any] = (
                    {"done": True}
                    if goal.measure == "done"
                    else {"value": 70.0 + (back * 7 % 23) / 5 if goal.unit == "kg" else 2500 + back}
                )
                rows.append(
                    CheckIn(
                        client_uuid=str(uuid.uuid4()),
                        goal_id=goal.id,
                        patient_id=patient.id,
                        taken_at=datetime.combine(day, clock(hour, 30), tzinfo=zone),
                        logged_by_user_id=patient.user_id,
                        note="Kändes bra." if back % 10 == 0 else "",
                        **values,
                    )
                )
    db.session.add_all(rows)
    db.session.flush()
    count = db.session.scalar(select(func.count()).where(CheckIn.patient_id == patient.id))
    return int(count or 0)


def timed(client: Any, path: str, rounds: int, counter: list[str]) -> tuple[float, int, int]:
    """The median seconds of `rounds` requests after a warm-up, the answer's size and the
    SQL statements of one request."""
    client.get(path)
    seconds = []
    body = b""
    for _ in range(rounds):
        counter.clear()
        started = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise BenchError(f"{path} answered {response.status_code}")
        body = response.get_data()
    if path == EXPORT and json.loads(body).get("resourceType") != "Bundle":
        raise BenchError(f"{path} did not answer a Bundle")
    return statistics.median(seconds), len(body), len(counter)


def run(rounds: int) -> None:
    from sqlalchemy import event

    from tests.conftest import make_config, per_request_sessions, register_with_invitation
    from webapp import create_app
    from webapp.extensions import db
    from webapp.people import services as people

    folder = Path(tempfile.mkdtemp(prefix="nara-bench-export-"))
    config = make_config(folder)
    if os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app = create_app(config)
    per_request_sessions(app)  # each request its own database session, as in production
    with app.app_context():
        db.create_all()
        unit = people.care_unit_get_or_create(name="Vårdcentralen Nära")
        nurse = people.staff_create(
            unit=unit, name="Karin Lind", title="Distriktssköterska", phone="010-123 45 67"
        )
        astrid = people.patient_create(
            created_by=nurse, name="Astrid Berg", phone="070-111 22 33", personal_number=None
        )
        gunnar = people.patient_create(
            created_by=nurse, name="Gunnar Ek", phone="070-222 33 44", personal_number=None
        )
        say("filling Astrid's plan with two years of check-ins ...")
        check_ins = fill(astrid, nurse)
        db.session.commit()
        say(f"Astrid Berg: {check_ins} check-ins; Gunnar Ek: an empty plan")
        statements: list[str] = []
        event.listen(
            db.engine, "before_cursor_execute", lambda *args: statements.append(str(args[2]))
        )
        clients = {}
        for key, patient in (("astrid", astrid), ("gunnar", gunnar)):
            clients[key] = app.test_client()
            register_with_invitation(clients[key], patient.user)
        lines = [
            ("empty-export", "gunnar", EXPORT),
            ("export", "astrid", EXPORT),
            ("empty-whole", "gunnar", WHOLE),
            ("whole", "astrid", WHOLE),
        ]
        results = {}
        for name, who, path in lines:
            seconds, size, queries = timed(clients[who], path, rounds, statements)
            results[name] = seconds
            print(
                f"{name:13s} {path:40s} median {seconds * 1000:8.1f} ms  "
                f"{size / 1024:8.1f} KB  {queries} SQL statements"
            )
        ok = results["export"] < TARGET_SECONDS
        print(
            f"target: Astrid's Bundle (two years of daily check-ins) under "
            f"{TARGET_SECONDS:.0f} s: {'met' if ok else 'NOT met'}"
        )
        print(f"export/empty-export time ratio: {results['export'] / results['empty-export']:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed requests per line")
    args = parser.parse_args()
    try:
        run(max(args.rounds, 1))
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
