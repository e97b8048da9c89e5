"""VAPID: how Nära proves to the push services that a message comes from it (RFC 8292).

The key pair and the subject come from configuration. The signed header is made once per
push-service origin and reused until shortly before it expires, instead of once per message.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

# A signed header lives this long (the services accept at most 24 h) ...
HEADER_LIFETIME = 12 * 3600
# ... and is made anew this long before it runs out.
HEADER_RENEW_BEFORE = 3600

# Subjects the push services reject (Apple's does, with 403 BadJwtToken).
PLACEHOLDER_HOSTS = ("localhost", "example.com", "example.org", "example.net")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_keys_generate() -> tuple[str, str]:
    """A new key pair: (private, public), both base64url as browsers and servers expect."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64(private), _b64(public)


@cache  # every reminders page shows it; the key is the same for the process's life
def vapid_public_key_of(private_key: str) -> str:
    vapid = Vapid02.from_raw(private_key.encode())
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64(public)


def vapid_subject_problem(subject: str) -> str | None:
    """Why the push services would refuse this subject, or None when it will do."""
    if not subject:
        return "it is not set"
    if subject.startswith("mailto:"):
        host = subject.rpartition("@")[2].lower()
        if "@" not in subject or not host or "." not in host:
            return "a mailto: subject needs a real address, such as mailto:drift@region.se"
    elif subject.startswith("https://"):
        host = (urlsplit(subject).hostname or "").lower()
        if "." not in host:
            return "an https: subject needs a real host name"
    else:
        return "it must be a mailto: or https: address"
    if host in PLACEHOLDER_HOSTS or host.endswith((".invalid", ".test", ".local")):
        return f"{host} is a placeholder, which Apple's push service rejects"
    return None


@dataclass
class VapidSigner:
    private_key: str
    subject: str
    _headers: dict[str, tuple[float, dict[str, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._vapid = Vapid02.from_raw(self.private_key.encode())

    def headers_for(self, endpoint: str) -> dict[str, str]:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        now = time.time()
        cached = self._headers.get(audience)
        if cached is None or cached[0] - now < HEADER_RENEW_BEFORE:
            expires = now + HEADER_LIFETIME
            # A fresh claims dict every time: py_vapid and pywebpush change the one given.
            claims = {"sub": self.subject, "aud": audience, "exp": int(expires)}
            cached = (expires, dict(self._vapid.sign(claims)))
            self._headers[audience] = cached
        return dict(cached[1])
