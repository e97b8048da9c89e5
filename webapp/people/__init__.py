"""The people of the app: care units, staff members, patients and the accounts they sign in with."""
