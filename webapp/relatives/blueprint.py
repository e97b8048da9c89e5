"""The relatives blueprint: its name and URL prefix, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("relatives", __name__, url_prefix="/narstaende")
