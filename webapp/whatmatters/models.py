"""Models of the whatmatters area (to be built)."""
