"""Egenvård: what the patient does at home between contacts, and how it reaches care.

One blueprint (blueprint.py; views.py gathers its pages), one room per job, each with its
views, forms and services: `goals/` (the care contact's and the patient's), `checkins/` (also
offline), `charts/` (pictures of progress) and `updates/` (to the care contact). What the
rooms share lives here: the tables (models.py), what a goal measures (measures.py), what a day
and a week ask (schedule.py), today's self-care for Min plan (overview.py) and the reminders
a goal asks for (reminders.py).
"""
