"""Leaving Nära: the patient's own copy (a FHIR R4 Bundle and the readable "Min plan – hela")
and the care contact's "Text till journalen" for an agreed version."""
