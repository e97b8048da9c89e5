"""Charts: the patient's progress as a picture, a table and words, and how the week is going."""
