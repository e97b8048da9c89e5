"""Påminnelser: Web Push reminders of follow-ups, and the care contact's "kan inte komma"
alert. models.py holds the outbox; schedule.py says when; outbox.py writes the rows in the
caller's transaction; dispatcher.py sends them from its own process (`flask notify run`)."""
