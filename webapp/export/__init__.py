"""Leaving Nära: the patient's own copy (a FHIR R4 Bundle and the readable "Min plan – hela")
and the care contact's "Text till journalen" for an agreed version."""

from webapp.export import views  # the views register on bp
from webapp.export.blueprint import bp

__all__ = ["bp", "views"]
