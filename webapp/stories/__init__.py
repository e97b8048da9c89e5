"""Stories ("Berätta hur det är för dig"): the patient's own words about how care feels, for
her care contact, and with her consent for her unit's improvement work, without her name."""
