"""The dispatcher's HTTP client: one POST per push message over kept-alive connections.

A push service takes a message as an HTTP POST and answers with a status and a few headers;
the dispatcher needs nothing more of HTTP than that, tens of thousands of times a minute.
A general client (aiohttp) spends about three times the CPU of this one on each message in
building and parsing what Web Push never uses (cookies, redirects, compression, tracing,
URL objects), and CPU is what limits how many reminders a machine sends on time
(bench/push.py). So this module speaks exactly the HTTP/1.1 a push service needs:

- requests: `POST` with a Content-Length body and our own headers (a header or URL with a
  line break in it is refused before anything is sent: no header injection);
- answers: a status line, headers, and a body framed by Content-Length, by chunked transfer
  coding, or by the end of the connection (1xx answers are skipped); the body is read and
  dropped, up to `BODY_MAX` bytes;
- connections: kept alive per origin (scheme, host, port) and reused by the next message,
  unless the server said `Connection: close`, spoke HTTP/1.0, framed its body by closing, or
  anything went wrong; TLS with the system's trust store and host-name checking;
- every POST has one deadline for connecting, sending and reading its answer.

It never sends a request twice: a failure is reported to the dispatcher, which decides
(tries again later, with backoff), as it did with aiohttp.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

HEAD_MAX = 64 * 1024  # status line and headers together
BODY_MAX = 1024 * 1024  # a push service's answer is a few bytes; more is not a push service
FORBIDDEN_IN_HEAD = ("\r", "\n", "\0")


class TransportError(Exception):
    """The POST got no usable answer: no connection, a broken answer, or the deadline."""


@dataclass(frozen=True)
class Answer:
    status: int
    retry_after: str | None


@dataclass(frozen=True)
class _Origin:
    scheme: str
    host: str
    port: int


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection that carries one exchange at a time."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: Any = None  # asyncio's or uvloop's (which is no asyncio.Transport)
        self.lost = False
        self.eof = False
        self.waiter: asyncio.Future[None] | None = None

    # --- asyncio's callbacks --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._wake()

    def eof_received(self) -> bool | None:
        self.eof = True
        self._wake()
        return None  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = self.eof = True
        self._wake()

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    # --- reading --------------------------------------------------------------------------

    @property
    def usable(self) -> bool:
        return not self.lost and not self.eof and self.transport is not None

    async def _more(self) -> None:
        """Wait for more bytes (or the end); the end with too few bytes is an error."""
        if self.eof:
            raise TransportError("the server closed the connection mid-answer")
        self.waiter = asyncio.get_running_loop().create_future()
        try:
            await self.waiter
        finally:
            self.waiter = None

    async def _line_block(self, end: bytes, limit: int) -> bytes:
        while (at := self.buffer.find(end)) < 0:
            if len(self.buffer) > limit:
                raise TransportError("the answer's head is too long")
            await self._more()
        block = bytes(self.buffer[:at])
        del self.buffer[: at + len(end)]
        return block

    async def _exactly(self, size: int) -> None:
        while len(self.buffer) < size:
            await self._more()
        del self.buffer[:size]

    async def _body(self, headers: dict[str, str]) -> bool:
        """Read the body away; True when the connection may carry another exchange."""
        coding = headers.get("transfer-encoding", "").lower()
        if coding:
            if coding.rsplit(",", 1)[-1].strip() != "chunked":
                raise TransportError(f"unknown transfer coding {coding!r}")
            total = 0
            while True:
                size_line = await self._line_block(b"\r\n", 1024)
                try:
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise TransportError("a broken chunk size") from None
                total += size
                if size < 0 or total > BODY_MAX:
                    raise TransportError("the answer's body is too long")
                if size == 0:
                    while await self._line_block(b"\r\n", HEAD_MAX):  # trailers, then a blank
                        pass
                    return True
                await self._exactly(size + 2)  # the chunk and its CRLF
        if "content-length" in headers:
            try:
                size = int(headers["content-length"])
            except ValueError:
                raise TransportError("a broken Content-Length") from None
            if not 0 <= size <= BODY_MAX:
                raise TransportError("the answer's body is too long")
            await self._exactly(size)
            return True
        while not self.eof:  # framed by the end of the connection
            if len(self.buffer) > BODY_MAX:
                raise TransportError("the answer's body is too long")
            await self._more()
        self.buffer.clear()
        return False

    async def exchange(self, request: bytes) -> tuple[Answer, bool]:
        assert self.transport is not None
        self.transport.write(request)
        while True:
            head = (await self._line_block(b"\r\n\r\n", HEAD_MAX)).decode("latin-1")
            status_line, *lines = head.split("\r\n")
            version, _, rest = status_line.partition(" ")
            code = rest[:3]
            if not version.startswith("HTTP/1.") or not code.isdigit():
                raise TransportError(f"not an HTTP/1 answer: {status_line[:40]!r}")
            headers: dict[str, str] = {}
            for line in lines:
                name, colon, value = line.partition(":")
                if not colon:
                    raise TransportError("a broken header line")
                headers[name.strip().lower()] = value.strip()
            status = int(code)
            if 100 <= status < 200:
                continue  # an interim answer; the real one follows
            keep = version == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
            if status in (204, 304):
                reusable = True
            else:
                reusable = await self._body(headers)
            return Answer(status, headers.get("retry-after")), keep and reusable

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
        self.lost = True


class PushTransport:
    """POSTs push messages; use `async with PushTransport(timeout=...) as http`."""

    def __init__(self, *, timeout: float, ssl_context: ssl.SSLContext | None = None) -> None:
        self.timeout = timeout
        self._ssl = ssl_context
        self._idle: defaultdict[_Origin, list[_Connection]] = defaultdict(list)
        self._busy: set[_Connection] = set()

    async def __aenter__(self) -> PushTransport:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
        for connection in self._busy:
            connection.close()

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()  # the system's trust store, names checked
        return self._ssl

    async def _connect(self, origin: _Origin) -> _Connection:
        idle = self._idle[origin]
        while idle:
            connection = idle.pop()
            if connection.usable and not connection.buffer:
                return connection
            connection.close()  # closed by the server while idle, or left with stray bytes
        tls = origin.scheme == "https"
        _transport, connection = await asyncio.get_running_loop().create_connection(
            _Connection,
            origin.host,
            origin.port,
            ssl=self._ssl_context() if tls else None,
            server_hostname=origin.host if tls else None,
        )
        return connection

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Answer:
        origin, request = _request(url, headers, body)
        connection: _Connection | None = None
        try:
            async with asyncio.timeout(self.timeout):
                connection = await self._connect(origin)
                self._busy.add(connection)
                answer, reusable = await connection.exchange(request)
        except BaseException as exc:
            if connection is not None:  # half an exchange: nothing more can go over it
                self._busy.discard(connection)
                connection.close()
            if isinstance(exc, TimeoutError):
                raise TransportError("no answer in time") from None
            if isinstance(exc, OSError):  # ssl.SSLError is one
                raise TransportError(f"{type(exc).__name__}: {exc}") from None
            raise
        self._busy.discard(connection)
        if reusable and connection.usable and not connection.buffer:
            self._idle[origin].append(connection)
        else:
            connection.close()
        return answer


def _request(url: str, headers: dict[str, str], body: bytes) -> tuple[_Origin, bytes]:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise TransportError(f"not an http(s) address: {url[:60]!r}")
    head_values = [url, *headers, *headers.values()]
    if any(c in value for value in head_values for c in FORBIDDEN_IN_HEAD):
        raise TransportError("a line break in the address or a header")
    default_port = 443 if parts.scheme == "https" else 80
    try:
        port = parts.port or default_port
    except ValueError:
        raise TransportError(f"a broken port in {url[:60]!r}") from None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc.rpartition("@")[2]  # never send credentials from an address
    lines = [f"POST {target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += [f"Content-Length: {len(body)}", "", ""]
    try:
        head = "\r\n".join(lines).encode("ascii")
    except UnicodeEncodeError:
        raise TransportError("an address or header that is not ASCII") from None
    return _Origin(parts.scheme, parts.hostname, port), head + body
