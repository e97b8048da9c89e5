from flask import Blueprint

bp = Blueprint("whatmatters", __name__, url_prefix="/viktigt")

from webapp.whatmatters import views  # noqa: E402,F401
