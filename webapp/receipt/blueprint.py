"""The receipt blueprint: its name and URL prefix, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("receipt", __name__, url_prefix="/kvitto")
