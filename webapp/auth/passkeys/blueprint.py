"""The passkeys blueprint: its name and URL prefix, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("passkeys", __name__)
