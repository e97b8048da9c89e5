"""The careteam blueprint: its name and URL prefix, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("careteam", __name__, url_prefix="/vardteam")
