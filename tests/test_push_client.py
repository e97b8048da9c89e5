"""The dispatcher's HTTP client (aiohttp) against small scripted servers: an answer that is
not HTTP is no answer (never a success, never a traceback), the deadline holds, proxies come
from the environment, and a name that resolves to loopback connects nowhere unless the local
fake push service is configured."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.conftest import run_coroutine
from webapp.notify.client import Answer, PushClient, TransportError
from webapp.notify.endpoints import DEFAULT_PUSH_SERVICE_HOSTS, PushHosts

LOCAL = PushHosts.of(DEFAULT_PUSH_SERVICE_HOSTS, local=True)
CREATED = b"HTTP/1.1 201 Created\r\nLocation: /m/1\r\nContent-Length: 0\r\n\r\n"


@dataclass
class Server:
    """Answers every request with `answer` (None: never answers) and keeps each request's
    first line."""

    answer: bytes | None
    lines: list[bytes] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.lines.append(head.split(b"\r\n", 1)[0])
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                if self.answer is None:
                    await reader.read()  # holds the connection, answering nothing
                    return
                writer.write(self.answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def posting(
    answer: bytes | None,
    make_url: Callable[[int], str],
    *,
    hosts: PushHosts = LOCAL,
    timeout: float = 10,
) -> tuple[Server, Answer | TransportError]:
    async def run() -> tuple[Server, Answer | TransportError]:
        server = Server(answer)
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        async with listening, PushClient(hosts=hosts, timeout=timeout) as http:
            try:
                result: Answer | TransportError = await http.post(
                    make_url(port), {"TTL": "60"}, b"sealed"
                )
            except TransportError as error:
                result = error
        return server, result

    return run_coroutine(run())


def local_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/push/abc"


def test_an_answer_is_its_status_and_retry_after():
    answer = b"HTTP/1.1 429 Too Many\r\nRetry-After: 120\r\nContent-Length: 4\r\n\r\nslow"
    server, result = posting(answer, local_url)
    assert result == Answer(429, "120")
    assert server.lines == [b"POST /push/abc HTTP/1.1"]


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 2010 Weird\r\nContent-Length: 0\r\n\r\n",  # read as 201 by the old client
        b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
        b"HTTP/1.1 201 Created\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"HTTP/1.1 201 Created\r\nContent-Length: +3\r\n\r\nabc",
        b"HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n",
        b"SSH-2.0-OpenSSH_9.2\r\n\r\n",
    ],
)
def test_an_answer_that_is_not_http_is_no_answer(answer):
    _server, result = posting(answer, local_url)
    assert isinstance(result, TransportError)


def test_no_answer_is_an_error_when_the_deadline_passes():
    _server, result = posting(None, local_url, timeout=1.0)
    assert isinstance(result, TransportError) and "in time" in str(result)


def test_a_name_that_resolves_to_loopback_connects_nowhere():
    """localhost is on this allow-list, but resolves to 127.0.0.1 (and ::1): refused where
    the name is resolved, before any connection, unless the local fake is configured."""
    only_localhost = PushHosts.of(["localhost"])
    server, result = posting(
        CREATED, lambda port: f"http://localhost:{port}/p", hosts=only_localhost
    )
    assert isinstance(result, TransportError) and "address refused" in str(result)
    assert server.lines == []
    server, result = posting(CREATED, lambda port: f"http://localhost:{port}/p", hosts=LOCAL)
    assert result == Answer(201, None) and server.lines == [b"POST /p HTTP/1.1"]


def test_a_plain_http_proxy_from_the_environment_is_used(monkeypatch):
    proxy = Server(CREATED)

    async def run() -> Answer:
        listening = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with (
            listening,
            PushClient(hosts=PushHosts.of(["push.region.example"]), timeout=5) as http,
        ):
            return await http.post("http://push.region.example/push/1", {"TTL": "60"}, b"x")

    assert run_coroutine(run()) == Answer(201, None)
    # The proxy resolved the name; we never did (push.region.example does not exist).
    assert proxy.lines == [b"POST http://push.region.example/push/1 HTTP/1.1"]


def test_https_goes_through_the_https_proxy_from_the_environment(monkeypatch):
    proxy = Server(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")

    async def run() -> Answer | TransportError:
        listening = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with (
            listening,
            PushClient(hosts=PushHosts.of(DEFAULT_PUSH_SERVICE_HOSTS), timeout=5) as http,
        ):
            try:
                return await http.post("https://fcm.googleapis.com/fcm/send/x", {}, b"x")
            except TransportError as error:
                return error

    result = run_coroutine(run())
    assert proxy.lines == [b"CONNECT fcm.googleapis.com:443 HTTP/1.1"]
    assert isinstance(result, TransportError)  # this proxy said no: tried again later
