"""The export blueprint: its name, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("export", __name__)
