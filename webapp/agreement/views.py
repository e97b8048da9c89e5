"""Views of the agreement area (to be built)."""

from webapp.agreement import bp  # noqa: F401
