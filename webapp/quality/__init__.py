"""The unit's side: its figures ("Så säger våra patienter"), its leader role, and the list of
patients who need a contract. Reads other areas through their services only."""

from flask import Blueprint

bp = Blueprint("quality", __name__, url_prefix="/enhet")

from webapp.quality import views  # noqa: E402,F401
