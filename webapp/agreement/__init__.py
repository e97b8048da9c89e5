from flask import Blueprint

bp = Blueprint("agreement", __name__, url_prefix="/overenskommelse")

from webapp.agreement import views  # noqa: E402,F401
