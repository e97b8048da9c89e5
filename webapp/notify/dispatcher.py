"""The dispatcher: sends due reminders from the outbox, in its own process.

It claims due rows in batches with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so any
number of dispatchers share one queue and none takes a row another holds; on SQLite there is
one dispatcher), sends them concurrently over kept-alive connections (transport.py), and
records what became of each. A dispatcher that dies loses nothing: when its lease runs out,
another claims the rows again. Outcomes: 201/202 sent; 404/410 the device is gone (its
subscription is deleted); 413 a bug of ours (logged); 429 and 5xx, or no answer, tried again
later with exponential backoff that honours Retry-After, and given up after MAX_ATTEMPTS.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import socket
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Engine, delete, or_, select, update

from webapp.clock import now_utc
from webapp.notify.message import ttl_seconds
from webapp.notify.models import OPEN_STATES, PushSubscription, Reminder, ReminderState
from webapp.notify.transport import PushTransport, TransportError
from webapp.notify.vapid import VapidSigner

log = logging.getLogger("nara.notify")

MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
ERROR_MAX = 200

REMINDERS = Reminder.__table__
DEVICES = PushSubscription.__table__


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


@dataclass(frozen=True)
class Outcome:
    id: int
    state: ReminderState
    status_code: int | None = None
    error: str | None = None
    retry_at: datetime | None = None
    gone_subscription_id: int | None = None


@dataclass
class Tally:
    """What one run did, for its log line and for the tests and the bench."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            retried = outcome.state == ReminderState.PENDING
            self.counts["retried" if retried else str(outcome.state)] += 1

    def __bool__(self) -> bool:
        return bool(self.counts)

    def __str__(self) -> str:
        return ", ".join(f"{name} {count}" for name, count in sorted(self.counts.items()))


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds or as an HTTP date (RFC 9110), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
    except (TypeError, ValueError):
        return None


def next_try(attempts: int, retry_after: float | None, now: datetime) -> datetime:
    # Typed here, since typeshed makes int ** int Any (a negative power would be a float).
    backoff: timedelta = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)
    wait = max(backoff, timedelta(seconds=retry_after or 0))
    return now + min(wait, LONGEST_RETRY * 6)


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        signer: VapidSigner,
        *,
        concurrency: int = 200,
        batch: int = 500,
        lease: timedelta = timedelta(seconds=60),
        timeout: float = 10.0,
        poll: float = 2.0,
        name: str | None = None,
    ) -> None:
        self.engine = engine
        self.signer = signer
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

    def claim(self, limit: int) -> list[Job]:
        now = now_utc()
        due = (
            select(REMINDERS.c.id)
            .where(
                REMINDERS.c.state.in_(list(OPEN_STATES)),
                REMINDERS.c.available_at <= now,
                or_(REMINDERS.c.lease_until.is_(None), REMINDERS.c.lease_until < now),
            )
            .order_by(REMINDERS.c.available_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(REMINDERS)
            .where(REMINDERS.c.id.in_(due.scalar_subquery()))
            .values(
                state=ReminderState.SENDING,
                lease_until=now + self.lease,
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
            )
            for row in rows
        ]

    def record(self, outcomes: list[Outcome]) -> None:
        """Write what became of each reminder: one UPDATE per kind of outcome (nearly all
        are "sent, 201"), however many rows it covers."""
        if not outcomes:
            return
        now = now_utc()
        alike: dict[tuple[ReminderState, int | None, str | None, datetime | None], list[int]] = {}
        for o in outcomes:
            error = o.error[:ERROR_MAX] if o.error else None
            alike.setdefault((o.state, o.status_code, error, o.retry_at), []).append(o.id)
        gone = {o.gone_subscription_id for o in outcomes if o.gone_subscription_id}
        with self.engine.begin() as connection:
            for (state, status_code, error, retry_at), ids in alike.items():
                connection.execute(
                    update(REMINDERS)
                    .where(REMINDERS.c.id.in_(ids))
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
        self.tally.add(outcomes)

    # --- the sending side (on the event loop) -----------------------------------------

    def _outcome_of_refusal(self, job: Job, status: int, retry_after: str | None) -> Outcome:
        if status in (404, 410):
            return Outcome(
                job.id,
                ReminderState.GONE,
                status,
                "the device no longer takes reminders",
                gone_subscription_id=job.subscription_id,
            )
        if status == 413:
            log.error("reminder %s was refused as too large (413): a bug in Nära", job.id)
            return Outcome(job.id, ReminderState.FAILED, status, "too large (413)")
        if status == 429 or status >= 500:
            return self._again(job, status, f"push service answered {status}", retry_after)
        log.error("reminder %s was refused with %s", job.id, status)
        return Outcome(job.id, ReminderState.FAILED, status, f"refused ({status})")

    def _again(
        self, job: Job, status: int | None, error: str, retry_after: str | None = None
    ) -> Outcome:
        now = now_utc()
        when = next_try(job.attempts, retry_after_seconds(retry_after, now), now)
        if job.attempts >= MAX_ATTEMPTS or when >= job.expires_at:
            return Outcome(job.id, ReminderState.FAILED, status, f"gave up: {error}")
        return Outcome(job.id, ReminderState.PENDING, status, error, retry_at=when)

    async def send(self, http: PushTransport, job: Job) -> Outcome:
        """Encrypt (RFC 8291, aes128gcm) and POST it over a kept-alive connection.
        Every header is ours: TTL (never 0), Urgency, Topic and the signed VAPID header."""
        now = now_utc()
        if job.subscription is None:
            return Outcome(job.id, ReminderState.GONE, None, "the device was removed")
        if job.expires_at <= now:
            return Outcome(job.id, ReminderState.FAILED, None, "too late to be of use")
        endpoint = job.subscription["endpoint"]
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
        return self._outcome_of_refusal(job, answer.status, answer.retry_after)

    # --- the loop --------------------------------------------------------------------

    async def _on_db(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

    async def _send_safely(self, http: PushTransport, job: Job) -> Outcome:
        try:
            return await self.send(http, job)
        except Exception as exc:  # a bug of ours: the row is tried again later, and logged
            log.exception("reminder %s could not be sent", job.id)
            return self._again(job, None, f"error: {type(exc).__name__}")

    def release(self, jobs: list[Job]) -> None:
        """Give back rows claimed but never sent (a stop came first): due again at once, for
        any dispatcher, and the try they were counted as is not counted."""
        if not jobs:
            return
        with self.engine.begin() as connection:
            connection.execute(
                update(REMINDERS)
                .where(REMINDERS.c.id.in_([job.id for job in jobs]))
                .values(
                    state=ReminderState.PENDING,
                    lease_until=None,
                    claimed_by=None,
                    attempts=REMINDERS.c.attempts - 1,
                )
            )

    async def run(self, stop: asyncio.Event | None = None, *, once: bool = False) -> Tally:
        """Send until `stop` is set, or, with `once`, until nothing is due.

        `concurrency` senders take claimed reminders from a queue that is topped up a batch
        ahead, so no sender waits for the database; outcomes are recorded in batches. On a
        stop, what is being sent is finished and recorded, and what was claimed but not yet
        started is released for any dispatcher to take."""
        stop = stop or asyncio.Event()
        queue: asyncio.Queue[Job | None] = asyncio.Queue()
        done: list[Outcome] = []
        wake = asyncio.Event()  # the queue ran low, or a batch of outcomes waits
        busy = 0
        claim_size = min(self.batch, self.concurrency)
        low_water = max(1, claim_size // 2)

        async def sender(http: PushTransport) -> None:
            nonlocal busy
            while (job := await queue.get()) is not None:
                busy += 1
                done.append(await self._send_safely(http, job))
                busy -= 1
                if queue.qsize() < low_water or len(done) >= self.batch:
                    wake.set()

        # One connection per sender at most, so `concurrency` bounds the connections too.
        async with PushTransport(timeout=self.timeout) as http:
            senders = [asyncio.create_task(sender(http)) for _ in range(self.concurrency)]
            while not stop.is_set():
                if queue.qsize() < low_water:
                    # No more than its senders can start soon: other dispatchers share.
                    jobs: list[Job] = await self._on_db(self.claim, claim_size)
                    for job in jobs:
                        queue.put_nowait(job)
                    if not jobs and queue.empty() and busy == 0:
                        await self._on_db(self.record, _taken(done))
                        if once:
                            break
                        await _wait(stop, self.poll)
                        continue
                if done:
                    await self._on_db(self.record, _taken(done))
                wake.clear()
                await _wait(wake, 0.2)
            # Stopping: nothing more is started; what was claimed and waits is released.
            waiting = []
            while not queue.empty():
                item = queue.get_nowait()
                if item is not None:
                    waiting.append(item)
            await self._on_db(self.release, waiting)
            for _ in senders:
                queue.put_nowait(None)
            await asyncio.gather(*senders)  # each finishes its send (every one has a timeout)
            await self._on_db(self.record, _taken(done))
        self._db.shutdown(wait=True)
        return self.tally


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


def _taken(outcomes: list[Outcome]) -> list[Outcome]:
    """The outcomes so far, leaving the list empty for the ones still to come."""
    taken = outcomes[:]
    outcomes.clear()
    return taken


async def _wait(event: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(event.wait(), timeout=seconds)
    except TimeoutError:
        pass
