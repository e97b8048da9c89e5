"""The dispatcher's HTTP client: aiohttp, one session for the life of a dispatcher.

What it adds to aiohttp is only what a push sender must hold to:
- one deadline per POST for connecting, sending and reading the answer;
- proxies from the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), as a region's servers
  usually reach the internet only through an egress proxy;
- the connect-time address check (endpoints.py): every name is resolved by `GuardedResolver`,
  which hands aiohttp only public addresses, so a push-service name that points into our
  network connects nowhere. The proxy named in the environment is the operator's and is not
  checked; behind a proxy the proxy resolves the push service's name, and the allow-list of
  names is what holds;
- strict answers: aiohttp's parser (llhttp) refuses what is not HTTP (a four-digit status,
  a chunk size "0x5", Content-Length beside chunked); a status outside 100-599 is refused here;
  either is "no usable answer", which the dispatcher tries again later;
- no cookies, no redirects, no decompression; the answer's body is read away up to BODY_MAX
  so that its connection can carry the next message.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from webapp.notify.endpoints import PushHosts, address_allowed

BODY_MAX = 64 * 1024  # a push service answers with a few bytes; more is not a push service


class TransportError(Exception):
    """The POST got no usable answer: no connection, a refused address, a broken answer, or
    the deadline passed."""


@dataclass(frozen=True)
class Answer:
    status: int
    retry_after: str | None


class AddressRefused(OSError):
    """A name that resolved only to addresses we never connect to."""


class GuardedResolver(AbstractResolver):
    """aiohttp's own resolver, with every address that is not public taken out."""

    def __init__(self, hosts: PushHosts, trusted: frozenset[str] = frozenset()) -> None:
        self.hosts = hosts
        self.trusted = trusted  # the proxies the operator named
        self._resolver = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        name = host.lower().rstrip(".")
        if name in self.trusted:
            return found
        allowed = [r for r in found if address_allowed(r["host"], self.hosts, name)]
        if not allowed:
            raise AddressRefused(f"{host} resolves to no public address")
        return allowed

    async def close(self) -> None:
        await self._resolver.close()


class Proxies:
    """The proxies of the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), read once, and
    the one for each origin remembered: aiohttp's own `trust_env` asks the environment (and
    ~/.netrc) on two threads for every request, which cost more than the POST itself."""

    def __init__(self) -> None:
        self.by_scheme = {k: v for k, v in getproxies().items() if k in ("http", "https")}
        self._for_origin: dict[tuple[str, str], str | None] = {}

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset(
            host.lower() for url in self.by_scheme.values() if (host := urlsplit(url).hostname)
        )

    def for_url(self, url: str) -> str | None:
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._for_origin:
            proxy = self.by_scheme.get(parts.scheme)
            if proxy and proxy_bypass(parts.hostname or ""):
                proxy = None
            self._for_origin[key] = proxy
        return self._for_origin[key]


class PushClient:
    """POSTs push messages; `async with PushClient(hosts=..., timeout=...) as http`."""

    def __init__(
        self,
        *,
        hosts: PushHosts,
        timeout: float,
        connections: int = 200,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.hosts = hosts
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._connections = connections
        self._ssl = ssl_context
        self._session: aiohttp.ClientSession | None = None
        self._proxies = Proxies()

    async def __aenter__(self) -> PushClient:
        self._proxies = Proxies()
        connector = aiohttp.TCPConnector(
            limit=self._connections,
            limit_per_host=0,
            resolver=GuardedResolver(self.hosts, self._proxies.hosts),
            ttl_dns_cache=60,
            ssl=self._ssl if self._ssl is not None else True,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            timeout=self.timeout,
        )
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Answer:
        assert self._session is not None, "use PushClient in `async with`"
        try:
            async with self._session.post(
                url,
                data=body,
                headers=headers,
                allow_redirects=False,
                proxy=self._proxies.for_url(url),
            ) as response:
                await _read_away(response)
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except TimeoutError:
            raise TransportError("no answer in time") from None
        except aiohttp.ClientResponseError as exc:  # what llhttp would not read as HTTP
            raise TransportError(f"not an HTTP answer: {exc.message[:80]!r}") from None
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            raise TransportError(_why(exc)) from None
        if not 100 <= status <= 599:
            raise TransportError(f"not an HTTP status: {status}")
        return Answer(status, retry_after)


async def _read_away(response: aiohttp.ClientResponse) -> None:
    read = 0
    while chunk := await response.content.read(16 * 1024):
        read += len(chunk)
        if read > BODY_MAX:
            response.close()  # this connection carries nothing more
            return


def _why(exc: BaseException) -> str:
    cause: Any = exc
    while cause is not None:  # aiohttp wraps the resolver's refusal in its connector error
        if isinstance(cause, AddressRefused):
            return f"address refused: {cause}"
        cause = cause.__cause__ or cause.__context__
    return f"{type(exc).__name__}: {exc}"[:200]
