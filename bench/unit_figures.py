"""Speed of "Så säger våra patienter" for a large unit, in process (issue 26).

    .venv/bin/python bench/unit_figures.py [--patients 5000] [--months 24] [--rounds 5]

It makes a fresh SQLite database in a temporary folder (or uses DATABASE_URL, emptied),
and a unit of `--patients` patients who joined over `--months` months, each with an agreed
agreement and Mitt kvitto answered by both sides every three months since they joined (the
answers drift from delvis towards yes), written with bulk inserts. The unit's leader signs
in with a software passkey, and the bench times, with the Flask test client:

    hello     /healthz of the same app: the baseline of the same run
    first     the first look at /enhet/<unit>/kvalitet: each of the twelve months that are
              over counted from all the answers, and kept (once per month and unit)
    figures   /enhet/<unit>/kvalitet after that, the whole page (twelve kept months, seven
              questions, charts, tables)
    csv       /enhet/<unit>/kvalitet.csv

It prints each line's median time over `--rounds` looks (after one warm-up look), the page's
SQL queries and size, and last the `figures/hello time ratio`. Exit code 0 whatever the
figures; 1 only when a page does not answer 200.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))


def _fill(patients: int, months: int) -> tuple[int, int]:
    """The unit and its leader's user id, with the data written in bulk."""
    from sqlalchemy import insert, select
    from webapp.changes import plan_changed

    from webapp.agreement.models import Agreement, AgreementVersion
    from webapp.clock import now_utc
    from webapp.extensions import db
    from webapp.people import services as people
    from webapp.people.models import Patient, User, UserKind
    from webapp.receipt.models import ReceiptAnswer

    unit = people.care_unit_get_or_create(name="Vårdcentralen Stor")
    nurse = people.staff_create(unit=unit, name="Karin Lind", title="Distriktssköterska")
    leader = people.staff_create(
        unit=unit, name="Vera Chef", title="Verksamhetschef", is_quality_lead=True
    )
    db.session.flush()
    now = now_utc()
    start = now - timedelta(days=30 * months)
    rng = random.Random(26)
    joined = [start + timedelta(days=rng.uniform(0, 30 * months - 1)) for _ in range(patients)]
    db.session.execute(
        insert(User),
        [
            {"kind": UserKind.PATIENT, "name": f"Patient {n}", "created_at": joined[n]}
            for n in range(patients)
        ],
    )
    user_ids = list(
        db.session.scalars(select(User.id).where(User.kind == UserKind.PATIENT).order_by(User.id))
    )
    db.session.execute(
        insert(Patient),
        [
            {
                "user_id": user_id,
                "care_unit_id": unit.id,
                "phone": "070-000 00 00",
                "care_contact_id": nurse.id,
                "created_at": joined[n],
            }
            for n, user_id in enumerate(user_ids)
        ],
    )
    patient_ids = list(
        db.session.scalars(
            select(Patient.id).where(Patient.care_unit_id == unit.id).order_by(Patient.id)
        )
    )
    db.session.execute(
        insert(Agreement),
        [{"patient_id": pid, "created_at": joined[n]} for n, pid in enumerate(patient_ids)],
    )
    agreement_ids = list(db.session.scalars(select(Agreement.id).order_by(Agreement.id)))
    db.session.execute(
        insert(AgreementVersion),
        [
            {
                "agreement_id": aid,
                "number": 1,
                "status": "agreed",
                "created_by_user_id": nurse.user_id,
                "updated_at": joined[n],
                "lock_version": 1,
                "agreed_at": joined[n] + timedelta(days=20),
                "created_at": joined[n],
            }
            for n, aid in enumerate(agreement_ids)
        ],
    )
    rows = []
    for n, (pid, user_id) in enumerate(zip(patient_ids, user_ids, strict=True)):
        when = joined[n] + timedelta(days=7)
        round_number = 0
        while when < now:
            for question in range(1, 8):
                for side, by in (("patient", user_id), ("care", nurse.user_id)):
                    roll = rng.random() + 0.15 * round_number
                    answer = "yes" if roll > 0.6 else "partly" if roll > 0.25 else "no"
                    rows.append(
                        {
                            "patient_id": pid,
                            "side": side,
                            "question": question,
                            "answer": answer,
                            "answered_by_user_id": by,
                            "answered_at": when,
                        }
                    )
            when += timedelta(days=91)
            round_number += 1
        if len(rows) > 50_000:
            db.session.execute(insert(ReceiptAnswer), rows)
            rows = []
    if rows:
        db.session.execute(insert(ReceiptAnswer), rows)
    for pid in patient_ids:  # the plans changed: said once per patient, as a service does
        plan_changed(pid)
    db.session.commit()
    return unit.id, leader.user_id


def _median_ms(client, path: str, rounds: int) -> tuple[float, int, int]:
    from tests.conftest import count_queries

    began = time.perf_counter()
    response = client.get(path)  # warm-up (for the figures: the look that counts the months)
    _median_ms.first = (time.perf_counter() - began) * 1000  # type: ignore[attr-defined]
    if response.status_code != 200:
        print(f"{path} answered {response.status_code}", file=sys.stderr)
        raise SystemExit(1)
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - began) * 1000)
    with count_queries() as statements:
        response = client.get(path)
    return statistics.median(times), len(statements), len(response.get_data())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from tests.conftest import make_config, per_request_sessions, register_with_invitation
    from webapp import create_app
    from webapp.extensions import db
    from webapp.people.models import User
    from webapp.receipt.models import ReceiptAnswer

    folder = Path(tempfile.mkdtemp(prefix="nara-bench-unit-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    app = create_app(make_config(folder, SQLALCHEMY_DATABASE_URI=url, TESTING=False))
    per_request_sessions(app)  # each request its own session, as in production
    with app.app_context():
        db.drop_all()
        db.create_all()
        began = time.perf_counter()
        unit_id, leader_user_id = _fill(args.patients, args.months)
        answers = db.session.scalar(select(func.count()).select_from(ReceiptAnswer))
        print(
            f"filled {args.patients} patients, {answers} answers in "
            f"{time.perf_counter() - began:.1f} s",
            file=sys.stderr,
        )
        client = app.test_client()
        register_with_invitation(client, db.session.get(User, leader_user_id))
        db.session.remove()
        hello, _, _ = _median_ms(client, "/healthz", args.rounds)
        figures, queries, size = _median_ms(client, f"/enhet/{unit_id}/kvalitet", args.rounds)
        first = _median_ms.first  # type: ignore[attr-defined]
        csv_ms, _, csv_size = _median_ms(client, f"/enhet/{unit_id}/kvalitet.csv", args.rounds)
    print(f"hello    {hello:8.2f} ms")
    print(f"first    {first:8.2f} ms  (the first look: twelve months counted and kept)")
    print(f"figures  {figures:8.2f} ms  {queries} queries  {size / 1024:.1f} KB")
    print(f"csv      {csv_ms:8.2f} ms  {csv_size / 1024:.1f} KB")
    print(f"patients {args.patients}, answers {answers}")
    print(f"figures/hello time ratio {figures / hello:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
