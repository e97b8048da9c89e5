"""The dispatcher's HTTP client against small scripted servers: what it sends, how it reads
every way an answer can be framed, when it keeps a connection and when not, TLS, and that a
bad answer or no answer is an error the dispatcher can act on (never a hang, never a resend).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import run_coroutine
from webapp.notify.transport import Answer, PushTransport, TransportError

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter, "Server"], Awaitable[None]]


@dataclass
class Server:
    """Counts connections and keeps each request's head and body as the server read them."""

    script: Script
    connections: int = 0
    requests: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def read_request(self, reader: asyncio.StreamReader) -> bool:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False  # the client closed the connection
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        self.requests.append((head, await reader.readexactly(length)))
        return True

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.script(reader, writer, self)
        finally:
            writer.close()


def answering(*answers: bytes) -> Script:
    """A server that answers each request on a connection with the next of `answers`."""

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, server: Server):
        for answer in answers:
            if not await server.read_request(reader):
                return
            writer.write(answer)
            await writer.drain()
        await reader.read()  # then holds the connection until the client lets go

    return script


def exchange(
    script: Script,
    posts: int = 1,
    *,
    timeout: float = 10,
    headers: dict[str, str] | None = None,
    tls: tuple[ssl.SSLContext, ssl.SSLContext] | None = None,
) -> tuple[Server, list[Answer | TransportError]]:
    """Serve `script` on a free port and POST to it `posts` times, one after another."""

    async def run() -> tuple[Server, list[Answer | TransportError]]:
        server = Server(script)
        server_ssl, client_ssl = tls or (None, None)
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0, ssl=server_ssl)
        port = listening.sockets[0].getsockname()[1]
        scheme, host = ("https", "localhost") if tls else ("http", "127.0.0.1")
        url = f"{scheme}://{host}:{port}/push/abc?x=1"
        answers: list[Answer | TransportError] = []
        async with listening, PushTransport(timeout=timeout, ssl_context=client_ssl) as http:
            for _ in range(posts):
                try:
                    answers.append(await http.post(url, headers or {"TTL": "60"}, b"sealed"))
                except TransportError as error:
                    answers.append(error)
                await asyncio.sleep(0)  # let the server's side run, as between messages
        return server, answers

    return run_coroutine(run())


CREATED = b"HTTP/1.1 201 Created\r\nLocation: /m/1\r\nContent-Length: 0\r\n\r\n"


def test_a_post_says_exactly_what_the_push_service_needs_and_reuses_its_connection():
    server, answers = exchange(answering(CREATED, CREATED), posts=2, headers={"TTL": "60"})
    assert answers == [Answer(201, None), Answer(201, None)]
    assert server.connections == 1  # kept alive
    head, body = server.requests[0]
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /push/abc?x=1 HTTP/1.1"
    assert lines[1].startswith(b"Host: 127.0.0.1:")
    assert lines[2:] == [b"TTL: 60", b"Content-Length: 6", b"", b""]
    assert body == b"sealed"


def test_a_chunked_answer_with_trailers_is_read_whole_and_retry_after_kept():
    chunked = (
        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nTransfer-Encoding: chunked\r\n"
        b"\r\n5;ext=1\r\nslow \r\n4\r\ndown\r\n0\r\nX-Trailer: yes\r\n\r\n"
    )
    server, answers = exchange(answering(chunked, CREATED), posts=2)
    assert answers == [Answer(429, "120"), Answer(201, None)]
    assert server.connections == 1  # the chunked body was framed right, so the next fits


def test_an_interim_answer_is_skipped_for_the_real_one():
    _server, answers = exchange(answering(b"HTTP/1.1 100 Continue\r\n\r\n" + CREATED))
    assert answers == [Answer(201, None)]


def test_connection_close_and_a_body_ended_by_closing_open_a_new_connection_next_time():
    closing = b"HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"

    async def until_close(reader, writer, server):
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 410 Gone\r\n\r\nthe subscription has expired")
        await writer.drain()

    server, answers = exchange(answering(closing), posts=2)
    assert answers == [Answer(201, None), Answer(201, None)]
    assert server.connections == 2
    server, answers = exchange(until_close, posts=2)
    assert answers == [Answer(410, None), Answer(410, None)]
    assert server.connections == 2


def test_a_connection_the_server_closed_while_idle_is_not_used_again():
    async def one_then_close(reader, writer, server):
        await server.read_request(reader)
        writer.write(CREATED)
        await writer.drain()  # and closes, as a push service does with idle connections

    server, answers = exchange(one_then_close, posts=3)
    assert answers == [Answer(201, None)] * 3
    assert server.connections == 3
    assert len(server.requests) == 3  # each message sent once


@pytest.mark.parametrize(
    "answer",
    [
        b"SMTP/1.0 250 OK\r\n\r\n",
        b"HTTP/1.1 20x Created\r\n\r\n",
        b"HTTP/1.1 201 Created\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 201 Created\r\nContent-Length: 99\r\n\r\ntoo short",
        b"HTTP/1.1 201 Created\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 201 Created\r\nX-Long: " + b"a" * 70_000,
    ],
    ids=["not-http", "status", "header", "short-body", "coding", "chunk-size", "long-head"],
)
def test_a_broken_answer_is_an_error_and_its_connection_is_dropped(answer):
    async def broken_then_good(reader, writer, server):
        if server.connections == 1:
            await server.read_request(reader)
            writer.write(answer)
            await writer.drain()
            if answer.endswith(b"too short"):
                # The body stops before its Content-Length: the service dropped the line
                # mid-answer (kept open, it would be a wait for the deadline, tested below).
                writer.close()
            else:
                await reader.read()
        else:
            await answering(CREATED)(reader, writer, server)

    server, answers = exchange(broken_then_good, posts=2)
    assert isinstance(answers[0], TransportError)
    assert answers[1] == Answer(201, None)
    assert server.connections == 2


def test_no_answer_is_an_error_when_the_deadline_passes():
    async def silent(reader, writer, server):
        await server.read_request(reader)
        await reader.read()

    _server, answers = exchange(silent, timeout=0.3)
    assert isinstance(answers[0], TransportError)
    assert "in time" in str(answers[0])


def test_nobody_listening_is_an_error():
    async def run():
        async with PushTransport(timeout=5) as http:
            await http.post("http://127.0.0.1:9/push/x", {}, b"")

    with pytest.raises(TransportError):
        run_coroutine(run())


@pytest.mark.parametrize(
    "url, headers",
    [
        ("http://127.0.0.1:{port}/push/x\r\nX-Evil: 1", {}),
        ("http://127.0.0.1:{port}/push/x", {"Topic": "a\r\nX-Evil: 1"}),
        ("http://127.0.0.1:{port}/push/ä", {}),
        ("ftp://127.0.0.1:{port}/push/x", {}),
    ],
    ids=["url-crlf", "header-crlf", "not-ascii", "scheme"],
)
def test_an_address_or_header_that_would_change_the_request_sends_nothing(url, headers):
    async def run():
        server = Server(answering(CREATED))
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        async with listening, PushTransport(timeout=5) as http:
            with pytest.raises(TransportError):
                await http.post(url.format(port=port), headers, b"x")
        return server

    assert run_coroutine(run()).connections == 0


# --- TLS ----------------------------------------------------------------------------------


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_https_with_a_trusted_certificate_is_sent_and_an_untrusted_one_is_refused(tmp_path):
    cert, key = _self_signed(tmp_path)
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ssl.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))

    server, answers = exchange(answering(CREATED, CREATED), posts=2, tls=(server_ssl, trusting))
    assert answers == [Answer(201, None), Answer(201, None)]
    assert server.connections == 1

    # The system's trust store (the default) does not know this certificate: nothing is sent.
    server, answers = exchange(answering(CREATED), tls=(server_ssl, ssl.create_default_context()))
    assert isinstance(answers[0], TransportError)
    assert "CERTIFICATE_VERIFY_FAILED" in str(answers[0])
    assert server.requests == []
