"""Views of the receipt area (to be built)."""

from webapp.receipt import bp  # noqa: F401
