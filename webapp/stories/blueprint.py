"""The stories' blueprint: its name and URL prefix, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("stories", __name__, url_prefix="/berattelser")
