"""Views of the whatmatters area (to be built)."""

from webapp.whatmatters import bp  # noqa: F401
