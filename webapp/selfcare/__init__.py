"""Egenvård: what the patient does at home between contacts, and how it reaches care.

One blueprint, one room per job, each with its views, forms and services: `goals/` (the
care contact's and the patient's), `checkins/` (also offline), `charts/` (pictures of
progress) and `updates/` (to the care contact). What the rooms share lives here: the tables
(models.py), what a goal measures (measures.py), what a day and a week ask (schedule.py),
today's self-care for Min plan (overview.py) and the reminders a goal asks for (reminders.py).
"""

from webapp.selfcare.blueprint import bp
from webapp.selfcare.charts import views as chart_views  # the views register on bp
from webapp.selfcare.checkins import views as checkin_views
from webapp.selfcare.goals import views as goal_views
from webapp.selfcare.updates import views as update_views

__all__ = ["bp", "chart_views", "checkin_views", "goal_views", "update_views"]
