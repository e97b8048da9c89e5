"""Närstående: the access a patient gives a relative, scoped, dated, ended by either side.

One blueprint (blueprint.py; views.py gathers its pages): the patient's side
(`patient_views`: Mina närstående, inviting, changing, ending, the ledger), the relative's
(`helper_views`: taking a link, choosing whom to help, stepping down), the care contact's
(`care_views`: consent given in person). Whom a relative acts for in a request is `acting`;
what they may do is the door's (webapp/access.py).
"""
