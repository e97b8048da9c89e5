"""A local stand-in for the browser vendors' push services (FCM, Mozilla's autopush, Apple's),
which these machines cannot reach. It checks what a real one checks, so a sender bug fails a
test instead of a patient's reminder:

- VAPID (RFC 8292): `Authorization: vapid t=<JWT>, k=<public key>`, an ES256 signature that
  verifies against k, `aud` the endpoint's origin, `exp` in the future and at most 24 h away,
  `sub` a mailto: or https: address; when told our public key, k must be it.
- RFC 8030 headers: TTL required (an integer), Urgency and Topic well-formed.
- The payload (RFC 8291, aes128gcm) at most 4096 bytes, and it decrypts with the
  subscription's private key and auth secret (every message, or a sample for the bench).

It can be told to answer 404/410 (the device is gone), 413, 429 with Retry-After, 500/503, or
slowly. It runs aiohttp on its own event loop in a background thread, so thousands of
messages can be in flight at once, as they are against a real push service.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import http_ece
import uvloop
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_BODY = 4096
DAY = 24 * 3600
URGENCIES = {"very-low", "low", "normal", "high"}
TOPIC_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class Received:
    endpoint: str
    payload: bytes | None  # None when not decrypted (sampling)
    json: Any
    ttl: int
    urgency: str | None
    topic: str | None
    claims: dict[str, Any]
    k: str
    at: float


@dataclass
class _Device:
    key: ec.EllipticCurvePrivateKey
    auth: bytes


class Refused(Exception):
    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


class FakePushService:
    def __init__(
        self, *, delay: float = 0.0, decrypt_every: int = 1, vapid_public_key: str | None = None
    ) -> None:
        self.delay = delay
        self.decrypt_every = max(1, decrypt_every)
        self.vapid_public_key = vapid_public_key
        self.received: list[Received] = []
        self.refusals: list[tuple[str, int, str]] = []
        self.requests = 0
        self._devices: dict[str, _Device] = {}
        self._gone: set[str] = set()
        self._scripted: dict[str, deque[tuple[int, dict[str, str]]]] = defaultdict(deque)
        self._verified: dict[str, tuple[dict[str, Any], str]] = {}  # token -> claims, k
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # --- life ---------------------------------------------------------------------------

    def __enter__(self) -> FakePushService:
        started = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = uvloop.new_event_loop()  # the sockets in C: what is measured is the sender
            self._loop = loop
            try:
                loop.run_until_complete(self._start())
            except BaseException as exc:  # noqa: BLE001 (handed to the starting thread)
                failure.append(exc)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup() if self._runner else asyncio.sleep(0))
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-push-service", daemon=True)
        self._thread.start()
        started.wait(10)
        if failure:
            raise failure[0]
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _start(self) -> None:
        # aiohttp's low-level server: no router or middleware, so that what the bench
        # measures is the sender, not this stand-in.
        self._runner = web.ServerRunner(web.Server(self._push), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"

    # --- what tests use -----------------------------------------------------------------

    def subscription(self) -> dict[str, Any]:
        """A new browser subscription, as PushSubscription.toJSON() gives it."""
        key = ec.generate_private_key(ec.SECP256R1())
        auth = secrets.token_bytes(16)
        endpoint = f"{self.base_url}/push/{secrets.token_urlsafe(12)}"
        with self._lock:
            self._devices[endpoint] = _Device(key, auth)
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": endpoint,
            "keys": {"p256dh": b64encode(public), "auth": b64encode(auth)},
        }

    def answer(self, endpoint: str, *answers: int | tuple[int, dict[str, str]]) -> None:
        """The next answers for this endpoint (then 201 again), e.g. (429, {"Retry-After": "2"})."""
        with self._lock:
            for answer in answers:
                status, headers = answer if isinstance(answer, tuple) else (answer, {})
                self._scripted[endpoint].append((status, headers))

    def gone(self, endpoint: str) -> None:
        """From now on this device is gone (410), as when a phone unsubscribed."""
        with self._lock:
            self._gone.add(endpoint)

    def received_for(self, endpoint: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.endpoint == endpoint]

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        """Until `count` messages were accepted; what waits is the arrival, not a clock."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"{len(self.received)} of {count} messages arrived")
            return list(self.received)

    # --- the service --------------------------------------------------------------------

    async def _push(self, request: web.BaseRequest) -> web.Response:
        if request.method != "POST" or not request.path.startswith("/push/"):
            return web.Response(status=404)
        with self._lock:
            self.requests += 1
            number = next(self._ids)
        endpoint = f"{self.base_url}{request.path}"
        body = await request.read()
        if self.delay:
            await asyncio.sleep(self.delay)
        try:
            received = self._check(endpoint, request.headers, body, number)
        except Refused as refusal:
            with self._lock:
                self.refusals.append((endpoint, refusal.status, str(refusal)))
            return web.Response(status=refusal.status, text=str(refusal))
        with self._lock:
            scripted = self._scripted[endpoint].popleft() if self._scripted[endpoint] else None
        if scripted is not None and scripted[0] >= 300:
            return web.Response(status=scripted[0], headers=scripted[1])
        with self._arrived:
            self.received.append(received)
            self._arrived.notify_all()
        return web.Response(status=201, headers={"Location": f"/message/{number}"})

    def _check(self, endpoint: str, headers: Any, body: bytes, number: int) -> Received:
        with self._lock:
            device = self._devices.get(endpoint)
            gone = endpoint in self._gone
        if device is None:
            raise Refused(404, "no such subscription")
        if gone:
            raise Refused(410, "the subscription has expired or was unsubscribed")
        claims, k = self._vapid(endpoint, headers.get("Authorization", ""))
        ttl_text = headers.get("TTL")
        if ttl_text is None or not ttl_text.isdigit():
            raise Refused(400, "TTL header missing or not a number")
        urgency = headers.get("Urgency")
        if urgency is not None and urgency not in URGENCIES:
            raise Refused(400, f"Urgency {urgency!r}")
        topic = headers.get("Topic")
        if topic is not None and (len(topic) > 32 or not set(topic) <= TOPIC_CHARS):
            raise Refused(400, f"Topic {topic!r}")
        if headers.get("Content-Encoding") != "aes128gcm":
            raise Refused(400, "Content-Encoding must be aes128gcm")
        if len(body) > MAX_BODY:
            raise Refused(413, f"{len(body)} bytes is more than {MAX_BODY}")
        payload = None
        if number % self.decrypt_every == 0 or self.decrypt_every == 1:
            try:
                payload = http_ece.decrypt(
                    body, private_key=device.key, auth_secret=device.auth, version="aes128gcm"
                )
            except Exception as exc:  # noqa: BLE001 (any failure is the sender's bug)
                raise Refused(400, f"the payload does not decrypt: {exc}") from None
        try:
            decoded = json.loads(payload) if payload is not None else None
        except ValueError:
            decoded = None
        return Received(
            endpoint=endpoint,
            payload=payload,
            json=decoded,
            ttl=int(ttl_text),
            urgency=urgency,
            topic=topic,
            claims=claims,
            k=k,
            at=time.monotonic(),
        )

    def _vapid(self, endpoint: str, authorization: str) -> tuple[dict[str, Any], str]:
        scheme, _, rest = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise Refused(401, "Authorization: vapid t=..., k=... is required")
        parts = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
        token, k = parts.get("t", ""), parts.get("k", "")
        if self.vapid_public_key is not None and k != self.vapid_public_key:
            raise Refused(403, "signed with another key than the subscription's")
        with self._lock:
            known = self._verified.get(token)
        if known is None or known[1] != k:
            claims = self._verify(token, k)
            with self._lock:
                self._verified[token] = (claims, k)
        else:
            claims = known[0]
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(endpoint))
        if claims.get("aud") != origin:
            raise Refused(403, f"aud {claims.get('aud')!r} is not {origin!r}")
        exp = claims.get("exp")
        now = time.time()
        if not isinstance(exp, int) or exp <= now or exp > now + DAY:
            raise Refused(403, "exp must be in the future and at most 24 hours away")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
            raise Refused(403, "sub must be a mailto: or https: address")
        return claims, k

    @staticmethod
    def _verify(token: str, k: str) -> dict[str, Any]:
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            header = json.loads(b64decode(header_b64))
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(k))
            raw = b64decode(signature_b64)
            if header.get("alg") != "ES256" or len(raw) != 64:
                raise ValueError("not ES256")
            signature = encode_dss_signature(
                int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
            )
            public.verify(
                signature, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256())
            )
            claims = json.loads(b64decode(claims_b64))
        except (ValueError, InvalidSignature, TypeError) as exc:
            raise Refused(403, f"the VAPID token does not verify: {exc}") from None
        if not isinstance(claims, dict):
            raise Refused(403, "the VAPID claims are not an object")
        return claims
