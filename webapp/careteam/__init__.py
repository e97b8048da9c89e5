from flask import Blueprint

bp = Blueprint("careteam", __name__, url_prefix="/vardteam")

from webapp.careteam import views  # noqa: E402,F401
