from flask import Blueprint

bp = Blueprint("receipt", __name__, url_prefix="/kvitto")

from webapp.receipt import views  # noqa: E402,F401
