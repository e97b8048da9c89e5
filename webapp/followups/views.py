"""Views of the followups area (to be built)."""

from webapp.followups import bp  # noqa: F401
