"""Goals: what care and the patient agree the patient does at home, its limits and reminders."""
