"""Views of the careteam area (to be built)."""

from webapp.careteam import bp  # noqa: F401
