"""The pwa blueprint: its name and URL prefix, registered by the app factory."""

from flask import Blueprint

bp = Blueprint("pwa", __name__)
