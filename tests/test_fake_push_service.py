"""The fake push service (tests/fakes/push_service.py) with pywebpush itself as the sender: it
accepts what pywebpush sends correctly and refuses what a real push service refuses. Where
pywebpush cannot send a mistake (it always sends TTL), the request is built from pywebpush's own
encryption and py_vapid's own header."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import aiohttp
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid01, Vapid02, b64urlencode
from pywebpush import WebPusher, WebPushException, webpush, webpush_async

from tests.conftest import run_coroutine
from tests.fakes.push_service import FakePushService

SUB = "mailto:drift@nara-test.se"


def new_vapid() -> Vapid02:
    vapid = Vapid02()
    vapid.generate_keys()
    return vapid


def public_key(vapid: Vapid01) -> str:
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64urlencode(raw)


OURS = new_vapid()
OUR_KEY = public_key(OURS)


@pytest.fixture
def push():
    with FakePushService(vapid_public_key=OUR_KEY) as service:
        yield service


def send(subscription: dict, data: str = '{"hello": "world"}', **kwargs: Any):
    """pywebpush's one-call send, as a sender would use it; raises WebPushException over 202."""
    kwargs.setdefault("vapid_private_key", OURS)
    kwargs.setdefault("vapid_claims", {"sub": SUB})
    kwargs.setdefault("ttl", 60)
    return webpush(subscription, data, timeout=5, **kwargs)


def refused(subscription: dict, **kwargs: Any) -> int:
    with pytest.raises(WebPushException) as refusal:
        send(subscription, **kwargs)
    return refusal.value.response.status_code


def raw_post(
    push: FakePushService, subscription: dict, body: bytes | None = None, **changed: str | None
):
    """A correct request built by hand (pywebpush's encryption, py_vapid's header), with some
    headers changed or (None) left out."""
    endpoint = subscription["endpoint"]
    headers = {
        **OURS.sign({"sub": SUB, "aud": push.base_url, "exp": int(time.time()) + 3600}),
        "TTL": "60",
        "Content-Encoding": "aes128gcm",
    }
    if body is None:
        body = WebPusher(subscription).encode(b'{"raw": true}')["body"]
    for name, value in changed.items():
        headers.pop(name.replace("_", "-"), None)
        if value is not None:
            headers[name.replace("_", "-")] = value
    return requests.post(endpoint, data=body, headers=headers, timeout=5)


def test_a_message_arrives_decrypted_with_its_json_and_headers(push):
    phone, other = push.subscription(), push.subscription()
    assert phone["endpoint"].startswith(push.base_url + "/push/")
    payload = {"notification": {"title": "Nära", "body": "Tid i morgon kl. 14.00"}}

    response = send(
        phone,
        json.dumps(payload),
        ttl=3600,
        headers={"Urgency": "high", "Topic": "fu12-day"},
    )
    assert response.status_code == 201
    assert response.headers["Location"] == "/message/1"

    (message,) = push.received
    assert message.endpoint == phone["endpoint"]
    assert message.payload == json.dumps(payload).encode()
    assert message.json == payload
    assert (message.ttl, message.urgency, message.topic) == (3600, "high", "fu12-day")
    assert message.aud == push.base_url and message.sub == SUB and message.k == OUR_KEY
    assert time.time() < message.exp <= time.time() + 24 * 3600
    assert message.claims == {"aud": message.aud, "exp": message.exp, "sub": SUB}
    assert push.received_for(phone["endpoint"]) == [message]
    assert push.received_for(other["endpoint"]) == []
    assert push.requests == 1


def test_the_draft_vapid_form_is_accepted_and_a_message_may_be_plain_text(push):
    draft = Vapid01()  # "Authorization: WebPush <JWT>" and "Crypto-Key: p256ecdsa=<key>"
    draft.private_key = OURS.private_key
    phone = push.subscription()
    assert send(phone, "just text", vapid_private_key=draft).status_code == 201
    (message,) = push.received
    assert message.payload == b"just text" and message.json is None and message.k == OUR_KEY
    assert (message.urgency, message.topic) == (None, None)


def test_a_push_without_payload_needs_no_content_encoding(push):
    phone = push.subscription()
    assert raw_post(push, phone, body=b"", Content_Encoding=None).status_code == 201
    (message,) = push.received
    assert message.payload == b"" and message.json is None


def test_wrong_vapid_credentials_are_refused(push):
    phone = push.subscription()
    stranger = new_vapid()
    assert refused(phone, vapid_private_key=stranger) == 403  # not the configured key
    assert refused(phone, vapid_claims={"sub": SUB, "aud": "https://fcm.googleapis.com"}) == 403
    assert refused(phone, vapid_claims={"sub": SUB, "exp": int(time.time()) + 25 * 3600}) == 403
    lax = Vapid02(private_key=OURS.private_key, conf={"no-strict": True})  # py_vapid checks sub
    assert refused(phone, vapid_private_key=lax, vapid_claims={"sub": "drift@nara-test.se"}) == 403
    assert refused(phone, vapid_claims={}) == 401  # pywebpush then sends no Authorization

    # Signed by a stranger but claiming to be ours: the signature does not verify against k.
    claims = {"sub": SUB, "aud": push.base_url, "exp": int(time.time()) + 3600}
    token = stranger.sign(claims)["Authorization"].split()[1].split(",")[0]
    forged = f"vapid {token},k={OUR_KEY}"
    assert raw_post(push, phone, Authorization=forged).status_code == 403

    assert push.received == [] and push.requests == 6
    assert [status for _endpoint, status, _why in push.refusals] == [403, 403, 403, 403, 401, 403]


def test_without_a_fixed_key_any_correctly_signed_sender_is_accepted():
    with FakePushService() as push:
        assert send(push.subscription(), vapid_private_key=new_vapid()).status_code == 201


@pytest.mark.parametrize(
    ("changed", "status"),
    [
        ({}, 201),  # the hand-built request is right as it is
        ({"TTL": None}, 400),
        ({"TTL": "-1"}, 400),
        ({"TTL": "1.5"}, 400),
        ({"TTL": "0"}, 201),
        ({"Urgency": "urgent"}, 400),
        ({"Urgency": "very-low"}, 201),
        ({"Topic": "a" * 33}, 400),
        ({"Topic": "no spaces"}, 400),
        ({"Topic": "A-z_09" * 5}, 201),
        ({"Content_Encoding": "aesgcm"}, 400),
        ({"Content_Encoding": None}, 400),
        ({"Authorization": None}, 401),
        ({"Authorization": f"vapid k={OUR_KEY}"}, 401),
    ],
)
def test_the_rfc_8030_headers_are_checked(push, changed, status):
    assert raw_post(push, push.subscription(), **changed).status_code == status


def test_a_payload_that_does_not_decrypt_is_a_sender_bug(push):
    phone, other = push.subscription(), push.subscription()
    wrong_keys = {"endpoint": phone["endpoint"], "keys": other["keys"]}
    assert refused(wrong_keys) == 400
    assert "does not decrypt" in push.refusals[-1][2]


def test_too_many_requests_with_retry_after_then_accepted(push):
    phone = push.subscription()
    push.answer(phone["endpoint"], (429, {"Retry-After": "2"}), 503, 201)
    with pytest.raises(WebPushException) as first:
        send(phone)
    assert first.value.status_code == 429 and first.value.retry_after == "2"
    assert refused(phone) == 503
    assert send(phone).status_code == 201  # the scripted 201
    assert send(phone).status_code == 201  # and unscripted again
    assert len(push.received_for(phone["endpoint"])) == 2 and push.requests == 4


def test_a_gone_or_unknown_subscription(push):
    phone = push.subscription()
    assert send(phone).status_code == 201
    push.gone(phone["endpoint"])
    assert refused(phone) == 410
    made_up = {**push.subscription(), "endpoint": push.base_url + "/push/made-up"}
    assert refused(made_up) == 404
    assert len(push.received) == 1


def test_more_than_4096_bytes_is_too_large(push):
    phone = push.subscription()
    # aes128gcm adds 86 bytes of header, a 1-byte delimiter and a 16-byte tag.
    assert send(phone, "x" * (4096 - 103)).status_code == 201
    assert refused(phone, data="x" * (4096 - 102)) == 413
    too_large_for_aiohttp = WebPusher(phone).encode(b"x" * 4000)["body"] * 300
    assert raw_post(push, phone, body=too_large_for_aiohttp).status_code == 413
    push.answer(phone["endpoint"], 413)  # or when a test says so
    assert refused(phone) == 413
    assert len(push.received) == 1


def test_wait_for_waits_for_arrivals_not_a_clock():
    with FakePushService(delay=0.05) as push:
        phone = push.subscription()
        sender = threading.Thread(target=lambda: [send(phone) for _ in range(3)])
        sender.start()
        assert len(push.wait_for(3)) == 3
        sender.join()
        with pytest.raises(TimeoutError):
            push.wait_for(4, timeout=0.1)


def test_the_answer_waits_for_the_delay_which_can_change_while_running():
    with FakePushService(delay=0.1) as push:
        phone = push.subscription()
        for delay in (0.1, 0.3):
            push.delay = delay
            started = time.monotonic()
            send(phone)
            assert time.monotonic() - started >= delay


def test_decrypting_only_a_sample_still_checks_and_records_every_message():
    with FakePushService(decrypt_every=3) as push:
        phone = push.subscription()
        # One token for all six, as a good sender does: its signature is checked once.
        claims = {"sub": SUB, "aud": push.base_url, "exp": int(time.time()) + 3600}
        headers = OURS.sign(claims)
        for n in range(6):
            pusher = WebPusher(phone)
            assert pusher.send(str(n), headers=dict(headers), ttl=60, timeout=5).status_code == 201
        assert [m.payload for m in push.received] == [b"0", None, None, b"3", None, None]
        assert push.verifications == 1


def test_the_service_stops_with_its_block():
    with FakePushService() as push:
        phone = push.subscription()
    with pytest.raises(requests.ConnectionError):
        send(phone)


def test_pywebpush_async_sends_many_at_once_each_arrives_once():
    count, delay = 200, 0.05

    async def send_all(phones: list[dict]) -> list[int]:
        async with aiohttp.ClientSession() as session:

            async def one(n: int) -> int:
                response = await webpush_async(
                    phones[n % len(phones)],
                    json.dumps({"n": n}),
                    vapid_private_key=OURS,
                    vapid_claims={"sub": SUB},  # a new dict each time: pywebpush fills it in
                    ttl=60,
                    headers={"Topic": f"n{n}"},
                    timeout=5,
                    aiohttp_session=session,
                )
                return response.status

            return await asyncio.gather(*(one(n) for n in range(count)))

    with FakePushService(delay=delay, vapid_public_key=OUR_KEY) as push:
        phones = [push.subscription() for _ in range(10)]
        statuses = run_coroutine(send_all(phones))
        assert statuses == [201] * count
        assert len(push.wait_for(count)) == count
        assert sorted(m.json["n"] for m in push.received) == list(range(count))
        assert {m.topic for m in push.received} == {f"n{n}" for n in range(count)}
        assert all(len(push.received_for(p["endpoint"])) == count // 10 for p in phones)
        # Concurrently, not one after another: while one answer waits, others are sent.
        assert push.most_at_once > 1


def test_how_the_async_path_reports_refusals(push):
    """What a dispatcher built on pywebpush's async path sees: send_async returns the aiohttp
    response whatever its status; webpush_async raises WebPushException above 202, with the
    (already read and released) aiohttp response in it."""
    phone, lost = push.subscription(), push.subscription()
    push.answer(phone["endpoint"], (429, {"Retry-After": "7"}), (429, {"Retry-After": "8"}))
    push.gone(lost["endpoint"])
    claims = {"sub": SUB, "aud": push.base_url, "exp": int(time.time()) + 3600}

    async def refusal(session: aiohttp.ClientSession, subscription: dict) -> WebPushException:
        with pytest.raises(WebPushException) as raised:
            await webpush_async(
                subscription,
                "hej",
                vapid_private_key=OURS,
                vapid_claims={"sub": SUB},
                ttl=60,
                timeout=5,
                aiohttp_session=session,
            )
        return raised.value

    async def all_three() -> tuple[aiohttp.ClientResponse, WebPushException, WebPushException]:
        async with aiohttp.ClientSession() as session:
            pusher = WebPusher(phone, aiohttp_session=session)
            response = await pusher.send_async(
                "hej", headers=OURS.sign(claims), ttl=60, timeout=aiohttp.ClientTimeout(total=5)
            )
            return response, await refusal(session, phone), await refusal(session, lost)

    response, too_many, gone = run_coroutine(all_three())
    assert isinstance(response, aiohttp.ClientResponse)  # not raised
    assert response.status == 429 and response.headers["Retry-After"] == "7"
    assert isinstance(too_many.response, aiohttp.ClientResponse)
    assert too_many.response.status == too_many.status_code == 429
    assert too_many.retry_after == "8"
    assert gone.status_code == 410 and "Push failed: 410" in gone.message
    assert push.received == []
