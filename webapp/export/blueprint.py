"""The export blueprint: the patient's own copy and the care side's journal text."""

from flask import Blueprint

bp = Blueprint("export", __name__)
