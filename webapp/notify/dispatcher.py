"""The dispatcher: sends due reminders from the outbox, in its own process.

It claims due rows in batches with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so any
number of dispatchers share one queue and none takes a row another holds; on SQLite there is
one dispatcher), sends them concurrently through one aiohttp session (client.py), and records
each outcome as it comes: a send holds its place among the `concurrency` senders until its
outcome is written, so a dispatcher that dies repeats at most `concurrency` messages (those
whose answer had not arrived or not yet been written). An outcome is written only while the
row is still this dispatcher's claim and still being sent: a reminder withdrawn or moved
meanwhile (the follow-up cancelled) or claimed by another dispatcher after our lease ran out
keeps what happened to it. Outcomes: 201/202 sent; 404/410 the device is gone (its
subscription is deleted); 413 a bug of ours (logged); 429 and 5xx, or no usable answer, tried
again later with exponential backoff that honours Retry-After (capped), and given up after
MAX_ATTEMPTS.

Each push-service origin gets a fair share of the senders (all of them when it is the only
one with work; half when two have work, ...), so a slow or silent origin cannot hold every
sender while another origin's reminders wait.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import socket
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Engine, delete, or_, select, update

from webapp.clock import now_utc
from webapp.notify.client import PushClient, TransportError
from webapp.notify.endpoints import DEFAULT_PUSH_SERVICE_HOSTS, PushHosts, endpoint_problem
from webapp.notify.message import ttl_seconds
from webapp.notify.models import OPEN_STATES, PushSubscription, Reminder, ReminderState
from webapp.notify.outcomes import ERROR_MAX, Outcome, Tally, again, refusal
from webapp.notify.vapid import VapidSigner

log = logging.getLogger("nara.notify")

REMINDERS = Reminder.__table__
DEVICES = PushSubscription.__table__
# Outcomes written by one UPDATE: state, status, error, retry time, and the claim's lease.
PROBE_EVERY = 1.0  # seconds between claims that look past the origins with a full share
GATHER_SECONDS = 0.01  # outcomes arriving this close together are written together
_Alike = tuple[ReminderState, int | None, str | None, datetime | None, datetime | None]


@dataclass(frozen=True)
class Job:
    """A claimed reminder with what it takes to send it."""

    id: int
    attempts: int  # including this one
    expires_at: datetime
    payload: bytes
    topic: str
    urgency: str
    subscription_id: int | None
    subscription: dict[str, Any] | None
    lease_until: datetime | None = None

    @cached_property  # read twice per send (its lane, and when it is done)
    def origin(self) -> str:
        if self.subscription is None:
            return ""
        parts = urlsplit(str(self.subscription["endpoint"]))
        return f"{parts.scheme}://{parts.netloc}".lower()


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        signer: VapidSigner,
        *,
        hosts: PushHosts | None = None,
        concurrency: int = 200,
        batch: int = 500,
        lease: timedelta = timedelta(seconds=60),
        timeout: float = 10.0,
        poll: float = 2.0,
        name: str | None = None,
    ) -> None:
        self.engine = engine
        self.signer = signer
        self.hosts = hosts or PushHosts.of(DEFAULT_PUSH_SERVICE_HOSTS)
        self.concurrency = concurrency
        self.batch = batch
        self.lease = lease
        self.timeout = timeout
        self.poll = poll
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:64]
        self.tally = Tally()
        # Every database step runs on this one thread, so the event loop never waits on it.
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notify-db")

    # --- the database side (on the db thread) -----------------------------------------

    def claim(self, limit: int, skip: tuple[str, ...] = ()) -> list[Job]:
        """Take up to `limit` due reminders, the longest-waiting first; none for a device at
        one of the `skip` origins (enough of theirs wait here already)."""
        now = now_utc()
        lease_until = now + self.lease
        conditions = [
            REMINDERS.c.state.in_(list(OPEN_STATES)),
            REMINDERS.c.available_at <= now,
            or_(REMINDERS.c.lease_until.is_(None), REMINDERS.c.lease_until < now),
        ]
        if skip:
            at_skipped = select(DEVICES.c.id).where(
                or_(*(DEVICES.c.endpoint.startswith(f"{o}/", autoescape=True) for o in skip))
            )
            conditions.append(
                or_(
                    REMINDERS.c.subscription_id.is_(None),
                    REMINDERS.c.subscription_id.not_in(at_skipped),
                )
            )
        due = (
            select(REMINDERS.c.id)
            .where(*conditions)
            .order_by(REMINDERS.c.available_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(REMINDERS)
            .where(REMINDERS.c.id.in_(due.scalar_subquery()))
            .values(
                state=ReminderState.SENDING,
                lease_until=lease_until,
                claimed_by=self.name,
                attempts=REMINDERS.c.attempts + 1,
                updated_at=now,
            )
            .returning(
                REMINDERS.c.id,
                REMINDERS.c.attempts,
                REMINDERS.c.expires_at,
                REMINDERS.c.payload,
                REMINDERS.c.topic,
                REMINDERS.c.urgency,
                REMINDERS.c.subscription_id,
                REMINDERS.c.lease_until,
            )
        )
        with self.engine.begin() as connection:
            rows = connection.execute(claim).all()
            device_ids = {row.subscription_id for row in rows if row.subscription_id}
            devices = (
                {
                    device.id: {
                        "endpoint": device.endpoint,
                        "keys": {"p256dh": device.p256dh, "auth": device.auth},
                    }
                    for device in connection.execute(
                        select(
                            DEVICES.c.id, DEVICES.c.endpoint, DEVICES.c.p256dh, DEVICES.c.auth
                        ).where(DEVICES.c.id.in_(device_ids))
                    )
                }
                if device_ids
                else {}
            )
        return [
            Job(
                id=row.id,
                attempts=row.attempts,
                expires_at=row.expires_at,
                payload=row.payload.encode(),
                topic=row.topic,
                urgency=row.urgency,
                subscription_id=row.subscription_id,
                subscription=devices.get(row.subscription_id) if row.subscription_id else None,
                lease_until=row.lease_until,
            )
            for row in rows
        ]

    def record(self, outcomes: list[Outcome]) -> None:
        """Write what became of each reminder, only where the row is still ours (this
        dispatcher's claim, under the same lease, still being sent): one UPDATE per kind of
        outcome (nearly all are "sent, 201"), however many rows it covers."""
        if not outcomes:
            return
        now = now_utc()
        alike: dict[_Alike, list[int]] = {}
        for o in outcomes:
            error = o.error[:ERROR_MAX] if o.error else None
            key = (o.state, o.status_code, error, o.retry_at, o.lease_until)
            alike.setdefault(key, []).append(o.id)
        gone = {o.gone_subscription_id for o in outcomes if o.gone_subscription_id}
        written: Counter[str] = Counter()
        superseded = 0
        with self.engine.begin() as connection:
            for (state, status_code, error, retry_at, lease_until), ids in alike.items():
                result = connection.execute(
                    update(REMINDERS)
                    .where(
                        REMINDERS.c.id.in_(ids),
                        REMINDERS.c.state == ReminderState.SENDING,
                        REMINDERS.c.claimed_by == self.name,
                        REMINDERS.c.lease_until == lease_until,
                    )
                    .values(
                        state=state,
                        status_code=status_code,
                        error=error,
                        available_at=retry_at or now,
                        sent_at=now if state == ReminderState.SENT else None,
                        lease_until=None,
                        updated_at=now,
                    )
                )
                written[state] += result.rowcount
                superseded += len(ids) - result.rowcount
            if gone:
                # The device's waiting reminders go with it; the rows stay, for the list.
                connection.execute(
                    update(REMINDERS)
                    .where(
                        REMINDERS.c.subscription_id.in_(gone),
                        REMINDERS.c.state == ReminderState.PENDING,
                    )
                    .values(state=ReminderState.GONE, updated_at=now)
                )
                connection.execute(
                    update(REMINDERS)
                    .where(REMINDERS.c.subscription_id.in_(gone))
                    .values(subscription_id=None)
                )
                connection.execute(delete(DEVICES).where(DEVICES.c.id.in_(gone)))
        for name, count in written.items():
            self.tally.add(name, count)
        self.tally.add("superseded", superseded)

    def release(self, jobs: list[Job]) -> None:
        """Give back rows claimed but never sent (a stop came first, or their lease would
        run out before they could be): due again at once, for any dispatcher, and the try
        they were counted as is not counted."""
        if not jobs:
            return
        with self.engine.begin() as connection:
            connection.execute(
                update(REMINDERS)
                .where(
                    REMINDERS.c.id.in_([job.id for job in jobs]),
                    REMINDERS.c.state == ReminderState.SENDING,
                    REMINDERS.c.claimed_by == self.name,
                )
                .values(
                    state=ReminderState.PENDING,
                    lease_until=None,
                    claimed_by=None,
                    attempts=REMINDERS.c.attempts - 1,
                )
            )

    # --- the sending side (on the event loop) -----------------------------------------

    def _again(self, job: Job, status: int | None, error: str) -> Outcome:
        return again(job.id, job.attempts, job.expires_at, status, error, now_utc())

    async def send(self, http: PushClient, job: Job) -> Outcome:
        """Encrypt (RFC 8291, aes128gcm) and POST it. Every header is ours: TTL (never 0),
        Urgency, Topic and the signed VAPID header."""
        now = now_utc()
        if job.subscription is None:
            return Outcome(job.id, ReminderState.GONE, None, "the device was removed")
        if job.expires_at <= now:
            return Outcome(job.id, ReminderState.FAILED, None, "too late to be of use")
        endpoint = str(job.subscription["endpoint"])
        why = endpoint_problem(endpoint, self.hosts)
        if why:  # saved before the allow-list was what it is now
            log.warning("reminder %s not sent: its address is not a push service (%s)", job.id, why)
            return Outcome(job.id, ReminderState.FAILED, None, f"not a push service: {why}")
        try:
            body = encrypt(job.subscription, job.payload)
        except (KeyError, TypeError, ValueError) as exc:  # the subscription's keys are unusable
            return Outcome(job.id, ReminderState.FAILED, None, f"cannot encrypt: {exc!r}")
        headers = self.signer.headers_for(endpoint)
        headers["TTL"] = str(ttl_seconds(now, job.expires_at))
        headers["Content-Encoding"] = "aes128gcm"
        headers["Urgency"] = job.urgency
        headers["Topic"] = job.topic
        try:
            answer = await http.post(endpoint, headers, body)
        except TransportError as exc:
            return self._again(job, None, f"no answer: {exc}")
        if answer.status in (200, 201, 202):
            return Outcome(job.id, ReminderState.SENT, answer.status)
        return refusal(
            job.id,
            job.attempts,
            job.expires_at,
            job.subscription_id,
            answer.status,
            answer.retry_after,
            now_utc(),
        )

    async def _send_safely(self, http: PushClient, job: Job) -> Outcome:
        try:
            outcome = await self.send(http, job)
        except Exception as exc:  # a bug of ours: the row is tried again later, and logged
            log.exception("reminder %s could not be sent", job.id)
            outcome = self._again(job, None, f"error: {type(exc).__name__}")
        return replace(outcome, lease_until=job.lease_until)

    async def _on_db(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

    # --- the loop --------------------------------------------------------------------

    async def run(self, stop: asyncio.Event | None = None, *, once: bool = False) -> Tally:
        """Send until `stop` is set, or, with `once`, until nothing is due.

        Claimed reminders wait per push-service origin and are started in turn, each origin
        up to its fair share of the `concurrency` senders; claims are topped up while few
        can start. On a stop, what is being sent is finished and recorded, and what was
        claimed but not yet started is released for any dispatcher to take."""
        stop = stop or asyncio.Event()
        lanes = _Lanes(self.concurrency)
        recorder = _Recorder(self)
        claim_size = min(self.batch, self.concurrency)
        low_water = max(1, claim_size // 2)
        most_held = 4 * self.concurrency

        async def deliver(http: PushClient, job: Job) -> None:
            try:
                await recorder.record(await self._send_safely(http, job))
            finally:
                lanes.finished(job)

        recorder_task = asyncio.create_task(recorder.run())
        loop = asyncio.get_running_loop()
        next_probe = next_stale_check = 0.0
        # A job still waiting this close to the end of its lease is given back unsent.
        margin = min(timedelta(seconds=self.timeout + 5), self.lease / 2)
        async with PushClient(
            hosts=self.hosts, timeout=self.timeout, connections=2 * self.concurrency
        ) as http:
            while not stop.is_set():
                if loop.time() >= next_stale_check:
                    next_stale_check = loop.time() + 1.0
                    stale = lanes.stale(now_utc() + margin)
                    if stale:  # they would be sent after their lease: another may hold them
                        await self._on_db(self.release, stale)
                for job in lanes.startable():
                    task = asyncio.create_task(deliver(http, job))
                    lanes.tasks.add(task)
                    task.add_done_callback(lanes.tasks.discard)
                # Origins with a full share waiting are left out of the next claim; while
                # there are such, a claim looks for other origins' reminders once a second
                # even when enough wait here, so one slow origin cannot starve the rest.
                full = lanes.full()
                probe = bool(full) and loop.time() >= next_probe
                if lanes.held() < most_held and (lanes.ready() < low_water or probe):
                    jobs: list[Job] = await self._on_db(self.claim, claim_size, full)
                    lanes.add(jobs)
                    if full:
                        next_probe = loop.time() + PROBE_EVERY
                    if jobs:
                        continue
                    if lanes.idle():
                        if once:
                            break
                        await _wait(stop, self.poll)
                        continue
                lanes.changed.clear()
                await _wait(lanes.changed, 0.2)
            # Stopping: nothing more is started; what was claimed and waits is released.
            await self._on_db(self.release, lanes.take_waiting())
            if lanes.tasks:  # each finishes its send (every one has a deadline) and records
                await asyncio.gather(*lanes.tasks)
        await recorder.close()
        await recorder_task
        self._db.shutdown(wait=True)
        return self.tally


class _Lanes:
    """Claimed jobs waiting per origin, and the sends in flight per origin."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self.waiting: dict[str, deque[Job]] = {}
        self.in_flight: Counter[str] = Counter()
        self.tasks: set[asyncio.Task[None]] = set()
        self.changed = asyncio.Event()

    def add(self, jobs: list[Job]) -> None:
        for job in jobs:
            self.waiting.setdefault(job.origin, deque()).append(job)

    def _share(self) -> int:
        busy = set(self.waiting) | {origin for origin, n in self.in_flight.items() if n}
        return max(1, self.concurrency // max(1, len(busy)))

    def startable(self) -> list[Job]:
        """Jobs to start now: origins in turn, each up to its share. An origin below its
        share may start even while another holds more than its own (it took them when it
        was alone): so the total can pass `concurrency` for a while, by no more than that."""
        started: list[Job] = []
        share = self._share()
        while self.waiting:
            before = len(started)
            for origin in list(self.waiting):
                if self.in_flight[origin] >= share:
                    continue
                queue = self.waiting[origin]
                started.append(queue.popleft())
                self.in_flight[origin] += 1
                if not queue:
                    del self.waiting[origin]
            if len(started) == before:
                break
        return started

    def finished(self, job: Job) -> None:
        self.in_flight[job.origin] -= 1
        self.changed.set()

    def ready(self) -> int:
        """Waiting jobs that can start as their origin's senders free up (a share each)."""
        share = self._share()
        return sum(min(len(queue), share) for queue in self.waiting.values())

    def full(self) -> tuple[str, ...]:
        """Origins with at least a full share of jobs waiting."""
        share = self._share()
        return tuple(origin for origin, queue in self.waiting.items() if len(queue) >= share)

    def held(self) -> int:
        return sum(len(queue) for queue in self.waiting.values())

    def idle(self) -> bool:
        return not self.waiting and not any(self.in_flight.values())

    def stale(self, deadline: datetime) -> list[Job]:
        """Waiting jobs whose lease ends before a send started now would end."""
        found = []
        for origin in list(self.waiting):
            queue = self.waiting[origin]
            keep = deque(j for j in queue if j.lease_until is None or j.lease_until > deadline)
            found += [j for j in queue if j.lease_until is not None and j.lease_until <= deadline]
            if keep:
                self.waiting[origin] = keep
            else:
                del self.waiting[origin]
        return found

    def take_waiting(self) -> list[Job]:
        jobs = [job for queue in self.waiting.values() for job in queue]
        self.waiting.clear()
        return jobs


class _Recorder:
    """Writes outcomes as they come, in small groups: what arrives within GATHER_SECONDS,
    or while the last write ran, goes in the next one; each send waits until its outcome is
    written."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.pending: list[tuple[Outcome, asyncio.Future[None]]] = []
        self.wake = asyncio.Event()
        self.closing = False

    async def record(self, outcome: Outcome) -> None:
        done = asyncio.get_running_loop().create_future()
        self.pending.append((outcome, done))
        self.wake.set()
        await done

    async def close(self) -> None:
        self.closing = True
        self.wake.set()

    async def run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            if not self.pending:
                if self.closing:
                    return
                continue
            # The answers of the next few milliseconds go in the same write: a tenth of the
            # transactions, for a send held that much longer before its sender is free.
            await asyncio.sleep(GATHER_SECONDS)
            batch, self.pending = self.pending, []
            try:
                await self.dispatcher._on_db(self.dispatcher.record, [o for o, _ in batch])
            except Exception:  # the database went away: the leases run out, others resend
                log.exception("outcomes of %s reminders could not be written", len(batch))
            for _outcome, done in batch:
                if not done.done():
                    done.set_result(None)
            if self.pending:
                self.wake.set()


def encrypt(subscription: dict[str, Any], payload: bytes) -> bytes:
    """The message for one device: RFC 8291 (aes128gcm) with a key made for this message.

    What pywebpush's WebPusher.encode does with http_ece, without its per-message copy of
    the subscription and its header dictionary (a fifth of the encryption's cost)."""
    keys = subscription["keys"]
    receiver = base64.urlsafe_b64decode(_padded(keys["p256dh"]))
    if len(receiver) != 65 or receiver[0] != 4:
        raise ValueError("the p256dh key is not an uncompressed P-256 point")
    auth = base64.urlsafe_b64decode(_padded(keys["auth"]))
    sender_key = ec.generate_private_key(ec.SECP256R1())
    encrypted: bytes = http_ece.encrypt(
        payload, private_key=sender_key, dh=receiver, auth_secret=auth, version="aes128gcm"
    )
    return encrypted


def _padded(text: str) -> str:
    return text + "=" * (-len(text) % 4)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), timeout=seconds)
    except TimeoutError:
        pass
