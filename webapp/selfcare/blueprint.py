"""The selfcare blueprint: its name and URL prefix, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("selfcare", __name__, url_prefix="/egenvard")
