"""The followups blueprint: its name and URL prefix, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("followups", __name__, url_prefix="/uppfoljning")
