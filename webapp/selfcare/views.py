"""Egenvård's pages: the four rooms' views, all on the one blueprint the app registers."""

from webapp.selfcare.blueprint import bp
from webapp.selfcare.charts import views as chart_views
from webapp.selfcare.checkins import views as checkin_views
from webapp.selfcare.goals import views as goal_views
from webapp.selfcare.updates import views as update_views

__all__ = ["bp", "chart_views", "checkin_views", "goal_views", "update_views"]
