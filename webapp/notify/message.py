"""What a reminder says, and the Declarative Web Push JSON that carries it.

One format for every browser: Safari 18.4+ shows a `"web_push": 8030` message without running
any service-worker code, and service_worker/sw.js shows the same JSON in Chromium and Firefox.
Nothing sensitive goes on a lock screen: the kind of contact and when, never a diagnosis,
never free text written by care, never the unit's name (a unit's name can say too much).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _

# The push services refuse more than 4096 bytes of encrypted body; encryption adds 86 bytes
# (header, padding delimiter and tag). We stay far below, and a test holds us to it.
PAYLOAD_LIMIT = 3000


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    path: str  # where a tap leads, inside Nära
    tag: str  # one notification per tag on a phone: a newer one replaces it
    topic: str  # the push services keep one undelivered message per topic


def when_words(event_at: datetime, said_at: datetime, zone: ZoneInfo) -> str:
    """ "i dag kl. 10.00", "i morgon kl. 10.00", "på lördag kl. 10.00", "den 5 december kl.
    10.00": said at `said_at`, in the current language, in the person's zone."""
    event = event_at.astimezone(zone)
    days = (event.date() - said_at.astimezone(zone).date()).days
    locale = str(get_locale() or "sv")
    clock = event.strftime("%H.%M") if locale.startswith("sv") else event.strftime("%H:%M")
    if days == 0:
        return str(_("i dag kl. %(clock)s", clock=clock))
    if days == 1:
        return str(_("i morgon kl. %(clock)s", clock=clock))
    if 1 < days < 7:
        weekday = format_date(event.date(), "EEEE", locale=locale)
        return str(_("på %(weekday)s kl. %(clock)s", weekday=weekday, clock=clock))
    day = format_date(event.date(), "d MMMM", locale=locale)
    return str(_("den %(day)s kl. %(clock)s", day=day, clock=clock))


def ttl_seconds(sent_at: datetime, expires_at: datetime) -> int:
    """How long a push service may hold the message for a phone that is offline: until it is
    no use any more, never 0 (that would drop it when the phone is offline at that very
    moment), at most four weeks (the push services' own cap)."""
    seconds = int((expires_at - sent_at).total_seconds())
    return max(1, min(seconds, int(timedelta(days=28).total_seconds())))


def payload_json(message: Message, *, base_url: str, lang: str) -> str:
    payload = {
        "web_push": 8030,
        "notification": {
            "title": message.title,
            "body": message.body,
            "navigate": base_url.rstrip("/") + message.path,
            "tag": message.tag,
            "lang": lang,
            "dir": "ltr",
            "silent": False,
        },
    }
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode()) > PAYLOAD_LIMIT:
        raise ValueError(f"a reminder's payload is {len(text.encode())} bytes: keep it small")
    return text
