"""A local stand-in for the browser vendors' push services (FCM, Mozilla's autopush, Apple's),
which these machines cannot reach. It checks what a real one checks, so that a sender bug fails
a test instead of silently losing a patient's reminder:

- VAPID (RFC 8292): `Authorization: vapid t=<JWT>, k=<public key>` (or the draft form that
  py_vapid's Vapid01 sends: `WebPush <JWT>` with `Crypto-Key: p256ecdsa=<public key>`); the
  ES256 signature must verify against k, `aud` be the endpoint's origin, `exp` lie in the future
  and at most 24 h away, `sub` be a mailto: or https: address; when told our public key, k must
  be it. Missing credentials: 401; wrong ones: 403. A token is verified once and then cached
  (a good sender reuses it), its claims are checked on every message.
- The RFC 8030 headers: TTL required (an integer >= 0), Urgency one of the four values, Topic
  at most 32 base64url characters; otherwise 400.
- The payload (RFC 8291/8188): `Content-Encoding: aes128gcm`, at most 4096 bytes (else 413),
  one record with the sender's 65-byte key as key id, and it must decrypt with the subscription's
  private key and auth secret (else 400). The header checks are made on every message; the
  decryption on every one, or on every Nth (`decrypt_every`) to keep a benchmark cheap. A
  message without a body (a "tickle", as real services accept) needs no Content-Encoding.

Then it answers as a test scripted for that endpoint (429 with Retry-After, 5xx, 410, 413, ...),
otherwise 201 with a Location, after `delay` seconds. It runs aiohttp on its own event loop in
a background thread (uvloop when installed) with keep-alive, so thousands of messages can be in
flight at once, as against a real push service, at a small cost per message.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import secrets
import socket
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_BODY = 4096  # RFC 8030 section 7.2: a push service must accept at least this much
MAX_EXP_AHEAD = 24 * 3600  # RFC 8292 section 2: exp no further than 24 hours ahead
URGENCIES = frozenset({"very-low", "low", "normal", "high"})
TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")
TTL = re.compile(r"[0-9]{1,10}")
MAILTO = re.compile(r"mailto:[^@\s]+@[^@\s]+")
HTTPS = re.compile(r"https://[^/\s]+(/\S*)?")
KEYID_LENGTH = 65  # RFC 8291 section 4: the key id is the sender's uncompressed P-256 key
HEADER_LENGTH = 21  # salt (16), record size (4), key id length (1)
TAG_LENGTH = 16
TOKEN_CACHE = 8192


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# The longest a request is kept unanswered by hold_answers(), in seconds.
HOLD_MAX = 120.0


@dataclass(frozen=True)
class Received:
    """One message the service accepted."""

    endpoint: str
    payload: bytes | None  # decrypted; None when this one was not sampled (decrypt_every)
    json: Any  # the payload JSON-decoded, None when there is none or it is not JSON
    ttl: int
    urgency: str | None
    topic: str | None
    aud: str
    exp: int | float
    sub: str
    k: str  # the VAPID public key, base64url without padding
    claims: dict[str, Any]  # every claim of the VAPID token, as signed
    number: int  # as in its Location: /message/<number>
    at: float  # time.monotonic() when it was answered


class Refused(Exception):
    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


@dataclass
class _Device:
    key: ec.EllipticCurvePrivateKey
    auth: bytes


class FakePushService:
    """A push service on 127.0.0.1 (a free port) while the `with` block runs."""

    def __init__(
        self, *, delay: float = 0.0, decrypt_every: int = 1, vapid_public_key: str | None = None
    ) -> None:
        self.delay = delay
        self.decrypt_every = max(1, decrypt_every)
        self.vapid_public_key = vapid_public_key.rstrip("=") if vapid_public_key else None
        self.base_url = ""
        self.received: list[Received] = []
        self.refusals: list[tuple[str, int, str]] = []  # (endpoint, status, why)
        self.requests = 0  # POSTs that arrived, accepted or not
        self.most_at_once = 0  # the most requests it was answering at the same moment
        self._at_once = 0
        self._held: threading.Event | None = None  # set: answer; unset: keep requests waiting
        self.verifications = 0  # VAPID signatures checked (a reused token is checked once)
        self._by_endpoint: dict[str, list[Received]] = defaultdict(list)
        self._devices: dict[str, _Device] = {}
        self._gone: set[str] = set()
        self._scripted: dict[str, deque[tuple[int, dict[str, str]]]] = {}
        self._tokens: dict[tuple[str, str], tuple[dict[str, Any], str] | Refused] = {}
        self._decryptable = itertools.count()
        self._accepted = itertools.count(1)
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # --- life ------------------------------------------------------------------------------

    def __enter__(self) -> FakePushService:
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{listening.getsockname()[1]}"
        started = threading.Event()
        failure: list[BaseException] = []
        self._loop = _new_event_loop()

        def serve(loop: asyncio.AbstractEventLoop) -> None:
            asyncio.set_event_loop(loop)
            try:
                runner = loop.run_until_complete(self._start(listening))
            except BaseException as exc:  # handed to the starting thread
                failure.append(exc)
                listening.close()
                started.set()
                loop.close()
                return
            started.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(runner.cleanup())
                loop.close()

        self._thread = threading.Thread(
            target=serve, args=(self._loop,), name="fake-push-service", daemon=True
        )
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the fake push service did not start within 10 s")
        if failure:
            raise failure[0]
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _start(self, listening: socket.socket) -> web.ServerRunner:
        # aiohttp's low-level server: no application, router or middlewares to pay for.
        runner = web.ServerRunner(web.Server(self._handle, access_log=None), shutdown_timeout=1)
        await runner.setup()
        await web.SockSite(runner, listening, backlog=2048).start()
        return runner

    # --- what tests use --------------------------------------------------------------------

    def subscription(self) -> dict[str, Any]:
        """A new browser subscription, as PushSubscription.toJSON() gives it; the service keeps
        its private key and auth secret to decrypt what is sent to it."""
        if not self.base_url:
            raise RuntimeError("start the service first (with FakePushService() as push: ...)")
        key = ec.generate_private_key(ec.SECP256R1())
        auth = secrets.token_bytes(16)
        endpoint = f"{self.base_url}/push/{secrets.token_urlsafe(16)}"
        with self._lock:
            self._devices[endpoint] = _Device(key, auth)
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": endpoint,
            "keys": {"p256dh": b64encode(public), "auth": b64encode(auth)},
        }

    def answer(self, endpoint: str, *statuses: int | tuple[int, dict[str, str]]) -> None:
        """The next answers to valid messages for this endpoint, in order, then 201 again;
        e.g. answer(ep, (429, {"Retry-After": "2"}), 500). A 2xx answer accepts the message."""
        with self._lock:
            queue = self._scripted.setdefault(endpoint, deque())
            for status in statuses:
                code, headers = status if isinstance(status, tuple) else (status, {})
                queue.append((code, dict(headers)))

    def gone(self, endpoint: str) -> None:
        """From now on this subscription is gone (410), as when the phone unsubscribed."""
        with self._lock:
            self._gone.add(endpoint)

    def received_for(self, endpoint: str) -> list[Received]:
        with self._lock:
            return list(self._by_endpoint.get(endpoint, ()))

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        """Block until `count` messages were accepted (TimeoutError after `timeout` seconds);
        returns what was accepted so far."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(
                    f"{len(self.received)} of {count} messages arrived in {timeout} s "
                    f"({self.requests} requests, last refusals: {self.refusals[-3:]})"
                )
            return list(self.received)

    def hold_answers(self) -> None:
        """Keep every request that arrives from now on waiting, unanswered, until
        `release_answers()`: a sender holds what it claimed while others start."""
        self._held = threading.Event()

    def release_answers(self) -> None:
        if self._held is not None:
            self._held.set()

    # --- the service -----------------------------------------------------------------------

    async def _handle(self, request: web.BaseRequest) -> web.Response:
        path = request.path
        if not path.startswith("/push/") or "/" in path[6:]:
            return web.Response(status=404, text="not a push resource")
        if request.method != "POST":
            return web.Response(status=405, headers={"Allow": "POST"})
        self.requests += 1  # only ever written on this loop's thread
        endpoint = self.base_url + path
        message: dict[str, Any] | None = None
        try:
            try:
                body = await request.read()
            except web.HTTPRequestEntityTooLarge:  # over aiohttp's 1 MiB
                raise Refused(413, f"more than {request.client_max_size} bytes") from None
            message = self._check(endpoint, request.headers, body)
            status, headers, why = *self._next_answer(endpoint), "scripted"
        except Refused as refusal:
            status, headers, why = refusal.status, {}, str(refusal)
            with self._lock:
                self.refusals.append((endpoint, status, why))
        # Held by hold_answers(): the request stays unanswered, for at most HOLD_MAX seconds
        # (a test that never releases is answered in the end and fails on its own terms).
        held_until = time.monotonic() + HOLD_MAX
        while self._held is not None and not self._held.is_set():
            if time.monotonic() > held_until:
                break
            await asyncio.sleep(0.01)
        if self.delay > 0:
            # Counted only on this loop's thread: while one waits, the others arrive.
            self._at_once += 1
            self.most_at_once = max(self.most_at_once, self._at_once)
            await asyncio.sleep(self.delay)
            self._at_once -= 1
        if message is None or status >= 300:
            return web.Response(status=status, headers=headers, text=why)
        number = next(self._accepted)
        received = Received(**message, number=number, at=time.monotonic())
        with self._arrived:
            self.received.append(received)
            self._by_endpoint[endpoint].append(received)
            self._arrived.notify_all()
        return web.Response(status=status, headers={"Location": f"/message/{number}", **headers})

    def _next_answer(self, endpoint: str) -> tuple[int, dict[str, str]]:
        with self._lock:
            queue = self._scripted.get(endpoint)
            return queue.popleft() if queue else (201, {})

    def _check(self, endpoint: str, headers: Any, body: bytes) -> dict[str, Any]:
        with self._lock:
            device = self._devices.get(endpoint)
            gone = endpoint in self._gone
        if device is None:
            raise Refused(404, "no such subscription")
        if gone:
            raise Refused(410, "the subscription has expired or was unsubscribed")
        claims, k = self._vapid(headers)

        ttl = headers.get("TTL")
        if ttl is None:
            raise Refused(400, "the TTL header is required")
        if not TTL.fullmatch(ttl):
            raise Refused(400, f"TTL {ttl!r} is not an integer >= 0")
        urgency = headers.get("Urgency")
        if urgency is not None and urgency not in URGENCIES:
            raise Refused(400, f"Urgency {urgency!r} is not one of {sorted(URGENCIES)}")
        topic = headers.get("Topic")
        if topic is not None and not TOPIC.fullmatch(topic):
            raise Refused(400, f"Topic {topic!r} is not 1 to 32 base64url characters")

        payload = self._payload(device, headers.get("Content-Encoding"), body)
        decoded = None
        if payload:
            try:
                decoded = json.loads(payload)
            except ValueError:
                decoded = None
        return {
            "endpoint": endpoint,
            "payload": payload,
            "json": decoded,
            "ttl": int(ttl),
            "urgency": urgency,
            "topic": topic,
            "aud": claims["aud"],
            "exp": claims["exp"],
            "sub": claims["sub"],
            "k": k,
            "claims": claims,
        }

    def _payload(self, device: _Device, encoding: str | None, body: bytes) -> bytes | None:
        if not body and encoding is None:
            return b""  # a push without payload
        if encoding is None or encoding.strip().lower() != "aes128gcm":
            raise Refused(400, f"Content-Encoding {encoding!r}: only aes128gcm is accepted")
        if len(body) > MAX_BODY:
            raise Refused(413, f"{len(body)} bytes is more than {MAX_BODY}")
        # RFC 8188 header; RFC 8291: one record only, the sender's public key as key id.
        if len(body) < HEADER_LENGTH + KEYID_LENGTH + TAG_LENGTH + 1:
            raise Refused(400, f"{len(body)} bytes is too short for an aes128gcm message")
        record_size = int.from_bytes(body[16:20], "big")
        if body[20] != KEYID_LENGTH:
            raise Refused(400, f"key id of {body[20]} bytes, not the sender's 65-byte key")
        if len(body) - HEADER_LENGTH - KEYID_LENGTH > record_size:
            raise Refused(400, f"more than one record (record size {record_size})")
        if next(self._decryptable) % self.decrypt_every:
            return None
        try:
            return bytes(
                http_ece.decrypt(
                    body, private_key=device.key, auth_secret=device.auth, version="aes128gcm"
                )
            )
        except Exception as exc:  # any failure here is the sender's bug
            raise Refused(400, f"the payload does not decrypt: {exc!r}") from None

    # --- VAPID -----------------------------------------------------------------------------

    def _vapid(self, headers: Any) -> tuple[dict[str, Any], str]:
        credentials = (headers.get("Authorization", ""), headers.get("Crypto-Key", ""))
        known = self._tokens.get(credentials)
        if known is None:  # a good sender reuses its header: parsed and verified once
            try:
                token, k = _credentials(*credentials)
                self.verifications += 1
                known = (_verified_claims(token, k), k)
            except Refused as refusal:
                known = refusal
            if len(self._tokens) >= TOKEN_CACHE:
                del self._tokens[next(iter(self._tokens))]
            self._tokens[credentials] = known
        if isinstance(known, Refused):
            raise Refused(known.status, str(known))  # anew: a raised one keeps its traceback
        claims, k = known
        if self.vapid_public_key is not None and k != self.vapid_public_key:
            raise Refused(403, "signed with another key than the application server's")
        if claims.get("aud") != self.base_url:  # every endpoint here has this origin
            raise Refused(403, f"aud {claims.get('aud')!r} is not {self.base_url!r}")
        exp = claims.get("exp")
        now = time.time()
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            raise Refused(403, f"exp {exp!r} is not a time")
        if not now < exp <= now + MAX_EXP_AHEAD:
            raise Refused(403, "exp must be in the future and at most 24 hours away")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not (MAILTO.fullmatch(sub) or HTTPS.fullmatch(sub)):
            raise Refused(403, f"sub {sub!r} is not a mailto: or https: address")
        return claims, k


def _credentials(authorization: str, crypto_key: str) -> tuple[str, str]:
    """(token, k) from either VAPID form; 401 when they are missing."""
    scheme, _, rest = authorization.strip().partition(" ")
    token = k = ""
    if scheme.lower() == "vapid":  # RFC 8292: vapid t=<JWT>, k=<key>
        for part in rest.split(","):
            name, _, value = part.strip().partition("=")
            if name.strip().lower() == "t":
                token = value.strip()
            elif name.strip().lower() == "k":
                k = value.strip()
    elif scheme.lower() == "webpush":  # draft VAPID: WebPush <JWT>, Crypto-Key: p256ecdsa=<key>
        token = rest.strip()
        for part in re.split(r"[;,]", crypto_key):
            name, _, value = part.strip().partition("=")
            if name.strip().lower() == "p256ecdsa":
                k = value.strip().strip('"')
    else:
        raise Refused(401, "Authorization: vapid t=<JWT>, k=<public key> is required")
    if not token or not k:
        raise Refused(401, "the VAPID token or public key is missing")
    return token, k.rstrip("=")


def _verified_claims(token: str, k: str) -> dict[str, Any]:
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(b64decode(header_b64))
        if not isinstance(header, dict) or header.get("alg") != "ES256":
            raise ValueError("the JWT is not signed with ES256")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(k))
        raw = b64decode(signature_b64)
        if len(raw) != 64:
            raise ValueError("an ES256 signature is 64 bytes")
        signature = encode_dss_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        )
        public.verify(signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        claims = json.loads(b64decode(claims_b64))
    except (ValueError, TypeError, InvalidSignature) as exc:
        raise Refused(403, f"the VAPID token does not verify against k: {exc!r}") from None
    if not isinstance(claims, dict):
        raise Refused(403, "the VAPID claims are not a JSON object")
    return claims


def _new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()
