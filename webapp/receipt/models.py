"""Models of the receipt area (to be built)."""
