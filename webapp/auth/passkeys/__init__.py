from flask import Blueprint

bp = Blueprint("passkeys", __name__)

from webapp.auth.passkeys import views  # noqa: E402,F401
