"""Push reminders at scale: 50,000 due reminders to 50,000 subscriptions, claimed from
PostgreSQL as in production, sent by dispatcher processes to the fake push service
(tests/fakes/push_service.py) answering after 80 ms, as a vendor's push service does.

    .venv/bin/python bench/push.py      (make bench runs it after bench/pages.py)

The fake checks every VAPID header and decrypts a sample of the messages (one in 50), enough
to prove the payloads right without its own cost dominating. In the same run it times a naive
loop (one `pywebpush.webpush()` call after another) on a sample and the encryption alone.
Target on a 2-core machine: all delivered within 60 s, none twice.

Then a crash: 2,000 due reminders, one `flask notify run` killed (SIGKILL) once 800 have
arrived, and, when its lease has run out, `flask notify once` sending what is left. Every
reminder must arrive, and the ones that arrive twice may be at most the killed dispatcher's
senders (NOTIFY_CONCURRENCY): each outcome is written as it comes, before its sender takes
the next message, so only a message whose answer had not arrived or not been written yet is
sent again.

The last line reads `delivered N/M in S s, duplicates D, naive ratio R; crash: killed after K,
sent again X (at most C)`. The exit code is 0 whatever the figures, and 1 only when not every
reminder arrived, the fake refused one, or the crash sent more again than the bound.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.push_service import FakePushService  # noqa: E402
from webapp.notify.vapid import vapid_keys_generate, vapid_public_key_of  # noqa: E402

SUBJECT = "mailto:drift@nara-bench.se"
ROUND_TRIP = 0.080
TARGET_SECONDS = 60.0


def say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def database_url() -> str:
    """PostgreSQL, as in production: a throwaway cluster made for this run (the same script
    `make test` uses), unless one was given."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        script = str(ROOT / "tests" / "pg" / "throwaway.sh")
        os.execv(script, [script, sys.executable, *sys.argv])  # noqa: S606 (our own script)
    return url


def environment(url: str, private_key: str, concurrency: int) -> dict[str, str]:
    return {
        **os.environ,
        "NARA_ENV": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret-that-is-long-enough-0123456789",
        "VAPID_PRIVATE_KEY": private_key,
        "VAPID_SUBJECT": SUBJECT,
        "PUSH_SERVICE_LOCAL": "1",
        "NOTIFY_CONCURRENCY": str(concurrency),
        "NOTIFY_POLL_SECONDS": "1",
    }


def machine_busy_seconds() -> float:
    """CPU seconds every process of the machine has used so far (from /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(value) for value in fields]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def seed(count: int, push: FakePushService, private_key: str, url: str) -> None:
    """count people, each with one device and one reminder due now, written in bulk."""
    os.environ.update(environment(url, private_key, 1))
    from sqlalchemy import insert

    from webapp import create_app
    from webapp.clock import now_utc
    from webapp.extensions import db
    from webapp.notify.message import Message, payload_json
    from webapp.notify.models import PushSubscription, Reminder, ReminderKind
    from webapp.people.models import User

    app = create_app()
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = now_utc()
        users = [{"id": n, "kind": "patient", "name": f"Patient {n}"} for n in range(1, count + 1)]
        devices = []
        reminders = []
        for n in range(1, count + 1):
            subscription = push.subscription()
            devices.append(
                {
                    "id": n,
                    "user_id": n,
                    "endpoint": subscription["endpoint"],
                    "p256dh": subscription["keys"]["p256dh"],
                    "auth": subscription["keys"]["auth"],
                    "name": "Telefon",
                    "created_at": now,
                }
            )
            message = Message(
                title="Påminnelse från Nära",
                body="Du har en tid hos vården i morgon kl. 10.00.",
                path=f"/uppfoljning/#kontakt-{n}",
                tag=f"kontakt-{n}",
                topic=f"b{n}",
            )
            reminders.append(
                {
                    "dedupe_key": f"bench:{n}:d{n}",
                    "kind": ReminderKind.FOLLOW_UP,
                    "user_id": n,
                    "subscription_id": n,
                    "device_name": "Telefon",
                    "due_at": now,
                    "available_at": now,
                    "expires_at": now.replace(year=now.year + 1),
                    "payload": payload_json(message, base_url="https://nara.region.se", lang="sv"),
                    "topic": message.topic,
                    "urgency": "normal",
                    "state": "pending",
                    "attempts": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for table, rows in ((User, users), (PushSubscription, devices), (Reminder, reminders)):
            for start in range(0, len(rows), 5000):
                db.session.execute(insert(table.__table__), rows[start : start + 5000])
        db.session.commit()
        db.engine.dispose()


def dispatch(
    processes: int, concurrency: int, url: str, key: str, *args: str
) -> list[subprocess.Popen]:
    command = [sys.executable, "-m", "flask", "--app", "webapp", "notify", *(args or ["once"])]
    env = environment(url, key, concurrency)
    return [
        subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]


def crash(count: int, after: int, concurrency: int, url: str) -> tuple[int, int, int]:
    """Kill a dispatcher mid-run, finish with another; (arrived at the kill, sent again,
    reminders that never arrived)."""
    private_key, public_key = vapid_keys_generate()
    lease = 20  # the shortest the command takes: more than a send's deadline (10 s)
    with FakePushService(delay=ROUND_TRIP, decrypt_every=50, vapid_public_key=public_key) as push:
        seed(count, push, private_key, url)
        say(f"crash: {count} due, one dispatcher x {concurrency}, killed after {after} arrive")
        (killed,) = dispatch(1, concurrency, url, private_key, "run", "--lease", str(lease))
        push.wait_for(after, timeout=300)
        killed.send_signal(signal.SIGKILL)
        killed.communicate(timeout=60)
        at_kill = len(push.received)
        in_flight = push.requests - at_kill
        say(f"crash: killed with {at_kill} arrived and {in_flight} posted, unanswered")
        time.sleep(lease + 1)  # its lease runs out: the rows it held are due again
        (rest,) = dispatch(1, concurrency, url, private_key, "once")
        _out, err = rest.communicate(timeout=600)
        say(f"crash: the next dispatcher: {err.strip().splitlines()[-1] if err.strip() else ''}")
        topics = Counter(message.topic for message in push.received)
        again = sum(n - 1 for n in topics.values())
        missing = count - len(topics)
        say(f"crash: sent again {again} (at most {concurrency}), never arrived {missing}")
    return at_kill, again, missing


def naive_rate(push: FakePushService, private_key: str, sample: int) -> float:
    """One pywebpush.webpush() after another, as the library's README shows it."""
    from pywebpush import webpush

    payload = json.dumps({"web_push": 8030, "notification": {"title": "Nära", "body": "x"}})
    subscriptions = [push.subscription() for _ in range(sample)]
    started = time.perf_counter()
    for subscription in subscriptions:
        webpush(
            subscription,
            payload,
            vapid_private_key=private_key,
            vapid_claims={"sub": SUBJECT},
            ttl=3600,
            timeout=10,
        )
    return sample / (time.perf_counter() - started)


def encryption_ceiling(sample: int) -> float:
    """Messages per second one core can encrypt: the limit no sender gets past."""
    from pywebpush import WebPusher

    with FakePushService() as push:
        subscription = push.subscription()
    data = b'{"web_push":8030,"notification":{"title":"N\\u00e4ra","body":"x"}}'
    pusher = WebPusher(subscription)
    started = time.perf_counter()
    for _ in range(sample):
        pusher.encode(data, content_encoding="aes128gcm")
    return sample / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=50_000)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--concurrency", type=int, default=400, help="per dispatcher")
    parser.add_argument("--naive-sample", type=int, default=100)
    parser.add_argument("--crash", type=int, default=2000, help="reminders (0: no crash run)")
    parser.add_argument("--crash-after", type=int, default=800)
    parser.add_argument("--crash-concurrency", type=int, default=200)
    args = parser.parse_args()
    url = database_url()
    private_key, public_key = vapid_keys_generate()
    assert vapid_public_key_of(private_key) == public_key

    with FakePushService(delay=ROUND_TRIP, decrypt_every=50, vapid_public_key=public_key) as push:
        say(f"seeding {args.reminders} reminders, each to its own device, in PostgreSQL")
        seed(args.reminders, push, private_key, url)
        say(
            f"{args.processes} dispatcher(s) x {args.concurrency} in flight; the push service "
            f"answers after {ROUND_TRIP * 1000:.0f} ms"
        )
        started = time.perf_counter()
        fake_cpu = time.process_time()
        machine = machine_busy_seconds()
        processes = dispatch(args.processes, args.concurrency, url, private_key)
        try:
            push.wait_for(args.reminders, timeout=600)
        except TimeoutError as exc:
            say(str(exc))
        for process in processes:
            _out, err = process.communicate(timeout=600)
            say(f"dispatcher: {err.strip().splitlines()[-1] if err.strip() else '(quiet)'}")
        seconds = time.perf_counter() - started
        fake_cpu = time.process_time() - fake_cpu
        machine = machine_busy_seconds() - machine
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        say(
            f"CPU: dispatchers {children.ru_utime + children.ru_stime:.1f} s, the fake push "
            f"service {fake_cpu:.1f} s, the whole machine {machine:.1f} s (PostgreSQL and "
            f"the rest), in {seconds:.1f} s on {os.cpu_count()} cores"
        )
        topics = Counter(message.topic for message in push.received)
        delivered = len(topics)
        duplicates = sum(count - 1 for count in topics.values())
        decrypted = [m for m in push.received if m.payload is not None]
        proven = sum(1 for m in decrypted if m.json and m.json.get("web_push") == 8030)
        say(f"{len(decrypted)} messages decrypted by the fake, {proven} of them the right JSON")
        say(f"refused by the fake: {len(push.refusals)}")
        rate = delivered / seconds
        say(f"dispatched: {rate:.0f} messages/s")

        naive = naive_rate(push, private_key, args.naive_sample)
        say(f"naive loop (pywebpush.webpush one at a time): {naive:.1f} messages/s")
    ceiling = encryption_ceiling(2000)
    say(f"encryption alone: {ceiling:.0f} messages/s per core (the ceiling)")
    met = delivered == args.reminders and duplicates == 0 and seconds <= TARGET_SECONDS
    say(
        f"target: all {args.reminders} within {TARGET_SECONDS:.0f} s, none twice: "
        f"{'met' if met else 'NOT met'}"
    )
    crashed = "no crash run"
    crash_ok = True
    if args.crash:
        at_kill, again, missing = crash(args.crash, args.crash_after, args.crash_concurrency, url)
        crashed = (
            f"crash: killed after {at_kill}, sent again {again} "
            f"(at most {args.crash_concurrency}), lost {missing}"
        )
        crash_ok = again <= args.crash_concurrency and missing == 0
    print(
        f"delivered {delivered}/{args.reminders} in {seconds:.1f} s, duplicates {duplicates}, "
        f"naive ratio {rate / naive:.0f}; {crashed}"
    )
    # As bench/pages.py: the figures are the answer; 1 only when the bench could not run
    # (a reminder that never arrived, or one refused by the fake, is a broken bench) or a
    # crash sent more twice than it may.
    return 0 if delivered == args.reminders and not push.refusals and crash_ok else 1


if __name__ == "__main__":
    sys.exit(main())
