"""Check-ins: the patient logging what was done, also offline, checked against the goal's
rules and the limits agreed with care."""
