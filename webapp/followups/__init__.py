from flask import Blueprint

bp = Blueprint("followups", __name__, url_prefix="/uppfoljning")

from webapp.followups import views  # noqa: E402,F401
