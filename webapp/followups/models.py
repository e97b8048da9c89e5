"""Models of the followups area (to be built)."""
