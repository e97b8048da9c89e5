"""Min plan: the patient's home page, its parts kept in memory until the plan's version moves."""
