"""chart_views: to be built."""

from webapp.selfcare import bp  # noqa: F401
