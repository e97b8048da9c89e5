from flask import Blueprint

bp = Blueprint("plan", __name__)

from webapp.plan import calling, freshness, views  # noqa: E402,F401
