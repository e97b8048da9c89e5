from flask import Blueprint

bp = Blueprint("care", __name__, url_prefix="/vard")

from webapp.care import views  # noqa: E402,F401
