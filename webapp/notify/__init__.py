"""Påminnelser: Web Push reminders of follow-ups, and the care contact's "kan inte komma"
alert. models.py holds the outbox; schedule.py says when; outbox.py writes the rows in the
caller's transaction; dispatcher.py sends them from its own process (`flask notify run`)."""

from webapp.notify import views  # the views register on bp
from webapp.notify.blueprint import bp

__all__ = ["bp", "views"]
