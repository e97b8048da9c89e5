"""The notify blueprint: its name and URL prefix, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("notify", __name__, url_prefix="/paminnelser")
