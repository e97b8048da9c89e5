"""Närstående's pages: the patient's, the relative's and the care contact's, on one blueprint."""

from webapp.relatives import care_views, helper_views, patient_views, template_globals
from webapp.relatives.blueprint import bp

__all__ = ["bp", "care_views", "helper_views", "patient_views", "template_globals"]
