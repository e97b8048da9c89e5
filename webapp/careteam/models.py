"""Models of the careteam area (to be built)."""
