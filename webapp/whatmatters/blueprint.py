"""The whatmatters blueprint: its name and URL prefix, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("whatmatters", __name__, url_prefix="/viktigt")
