"""Which addresses the dispatcher may POST to: the push services browsers use, nothing else.

A device's endpoint is a URL the patient's browser gives us, so it is a URL a patient can
choose. Accepted only when it names a push service on the allow-list (configuration
`PUSH_SERVICE_HOSTS`; by default the four that browsers use), over https on the default
port, without user info and without an IP address in place of the name. The name is checked
again where it is resolved, at connect time (client.py): no loopback, private, link-local or
unique-local address, so a name that points inside our network is refused too.

Development and tests send to a local fake push service: `PUSH_SERVICE_LOCAL` accepts
http:// and https:// to 127.0.0.1, ::1 or localhost on any port (and lets those connect);
production refuses to start with it on.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

# Chrome and Android (FCM), Firefox (Mozilla's autopush), Safari and Apple (web.push.apple.com
# and its siblings), Edge (Windows Push Notification Services). "*." matches any name below.
DEFAULT_PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "*.push.apple.com",
    "*.notify.windows.com",
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
# What a push service's URL is made of (RFC 3986's unreserved, sub-delims, ":", "@", "/",
# "?" and percent-escapes): a space, a quote or a control character is not a URL.
URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?%\[\]]+")
INET_ATON = re.compile(r"(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}")


@dataclass(frozen=True)
class PushHosts:
    """The allow-list, as configured."""

    names: frozenset[str]
    suffixes: tuple[str, ...]  # from "*.example.com": ".example.com"
    local: bool = False

    @classmethod
    def of(cls, patterns: Iterable[str], *, local: bool = False) -> PushHosts:
        names: set[str] = set()
        suffixes: list[str] = []
        for pattern in patterns:
            pattern = pattern.strip().lower().rstrip(".")
            if pattern.startswith("*."):
                suffixes.append(pattern[1:])
            elif pattern:
                names.add(pattern)
        return cls(frozenset(names), tuple(suffixes), local)

    def allows_name(self, host: str) -> bool:
        return host in self.names or any(
            host.endswith(suffix) and len(host) > len(suffix) for suffix in self.suffixes
        )


def push_hosts_from(config: Mapping[str, Any]) -> PushHosts:
    """The allow-list from an app's config (PUSH_SERVICE_HOSTS and PUSH_SERVICE_LOCAL)."""
    hosts = config.get("PUSH_SERVICE_HOSTS") or DEFAULT_PUSH_SERVICE_HOSTS
    if isinstance(hosts, str):
        hosts = hosts.split(",")
    return PushHosts.of(hosts, local=bool(config.get("PUSH_SERVICE_LOCAL")))


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        # Also what inet_aton reads as an address: "2130706433", "0x7f.1", "127.1".
        return bool(INET_ATON.fullmatch(host))
    return True


def endpoint_problem(endpoint: str, hosts: PushHosts) -> str | None:
    """Why the dispatcher must not POST to `endpoint`, or None when it is a push service."""
    if not URL_CHARACTERS.fullmatch(endpoint):
        return "not a URL (a space, a quote or a control character)"
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError as exc:  # "https://[::1/", a port that is no number
        return f"not a URL ({exc})"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "no host"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "user info in the address"
    if hosts.local and host in LOCAL_HOSTS and parts.scheme in ("http", "https"):
        return None  # the local fake push service of development and tests
    if parts.scheme != "https":
        return "not https"
    if port not in (None, 443):
        return f"port {port} is not the push services' port"
    if _is_ip_literal(host):
        return "an IP address, not a push service's name"
    if not hosts.allows_name(host):
        return f"{host} is not a push service on the allow-list"
    return None


def address_allowed(address: str, hosts: PushHosts, host: str) -> bool:
    """May we connect to this resolved address (the connect-time check)? Only to the
    public internet; loopback only for the local fake push service when configured."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if hosts.local and host in LOCAL_HOSTS and ip.is_loopback:
        return True
    return ip.is_global and not ip.is_multicast
