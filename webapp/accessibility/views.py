"""/tillganglighet: the statement, open to anyone (signed in or not), in DIGG's model's order."""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template

from webapp.accessibility.blueprint import bp

# When the statement was made and last reviewed against the service: change REVIEWED whenever
# the shortcomings listed in the template are looked at again (DIGG asks for both dates).
MADE = date(2026, 11, 28)
REVIEWED = date(2026, 11, 28)

# DIGG's form for telling the supervisory authority that a service is not accessible.
DIGG_COMPLAINT_URL = "https://www.digg.se/tdosanmalan"


@bp.get("/tillganglighet")
def statement() -> str:
    return render_template(
        "accessibility/statement.html",
        contact_email=current_app.config["ACCESSIBILITY_CONTACT_EMAIL"],
        contact_phone=current_app.config["ACCESSIBILITY_CONTACT_PHONE"],
        made=MADE,
        reviewed=REVIEWED,
        digg_url=DIGG_COMPLAINT_URL,
    )
