"""The relative's one-time link: its address, its QR code and an `sms:` link with the
message written, shown once to whoever made it (the patient, or her care contact)."""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from webapp.auth.services import qr_svg
from webapp.relatives.models import ProxyGrant


def relative_invitation_url(token: str) -> str:
    base: str = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + url_for("relatives.open_invitation", token=token)


def sms_href(*, url: str, patient_name: str) -> str:
    """An `sms:` link without a number: the patient chooses the relative in her own
    messages app, with the text written. Nothing about her health is in it."""
    body = _(
        "Hej! %(name)s vill att du hjälper till i Nära. Öppna länken i din telefon. "
        "Den fungerar en gång och går ut om %(hours)d timmar. %(url)s",
        name=patient_name,
        hours=current_app.config["INVITATION_HOURS"],
        url=url,
    )
    return f"sms:?&body={quote(body, safe='')}"


def invitation_page(grant: ProxyGrant, token: str, *, back: str) -> str:
    url = relative_invitation_url(token)
    return render_template(
        "relatives/link.html",
        grant=grant,
        url=url,
        qr=qr_svg(url),
        sms=sms_href(url=url, patient_name=grant.patient.name),
        hours=current_app.config["INVITATION_HOURS"],
        back=back,
    )
