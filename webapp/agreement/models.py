"""Models of the agreement area (to be built)."""
