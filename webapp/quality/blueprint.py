"""The unit's blueprint: its name and URL prefix, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("quality", __name__, url_prefix="/enhet")
