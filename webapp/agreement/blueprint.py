"""The agreement blueprint: its name and URL prefix, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("agreement", __name__, url_prefix="/overenskommelse")
