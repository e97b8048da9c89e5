"""Updates: what the patient tells the care contact, flagged ones pushed, and the care
contact's inbox of them."""
