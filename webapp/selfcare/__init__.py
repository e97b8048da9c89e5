"""Egenvård: what the patient does at home between contacts, and how it reaches care.

One blueprint, one module of views per job: goals (the care contact's and the patient's),
check-ins (also offline), pictures of progress, and updates to the care contact.
"""

from flask import Blueprint

bp = Blueprint("selfcare", __name__, url_prefix="/egenvard")

from webapp.selfcare import (  # noqa: E402  (the views register on bp)
    chart_views,
    checkin_views,
    goal_views,
    update_views,
)

__all__ = ["bp", "chart_views", "checkin_views", "goal_views", "update_views"]
