"""The care blueprint: its name and URL prefix, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("care", __name__, url_prefix="/vard")
