"""Närstående: the access a patient gives a relative, scoped, dated, ended by either side.

The patient's side (`views`: Mina närstående, inviting, changing, ending, the ledger), the
relative's (`helper_views`: taking a link, choosing whom to help, stepping down), the care
contact's (`care_views`: consent given in person). Whom a relative acts for in a request is
`acting`; what they may do is the door's (webapp/access.py).
"""

from webapp.relatives import care_views, helper_views, template_globals, views
from webapp.relatives.blueprint import bp

__all__ = ["bp", "care_views", "helper_views", "template_globals", "views"]
