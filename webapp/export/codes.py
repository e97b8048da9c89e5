"""The code systems and codes the patient's copy uses: LOINC for the measures that have one,
UCUM for units, and HL7's own where FHIR names one. docs/fhir-mapping.md is the same table in
words for a region's integration team; a test holds the two together."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.selfcare.measures import Measure

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
# HL7 Sweden's system for personnummer (its OID: 1.2.752.129.2.1.3.1).
PERSONNUMMER = "http://electronichealth.se/identifier/personnummer"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
SIGNATURE_TYPE = "urn:iso-astm:E1762-95:2013"
CONSENT_SIGNATURE = "1.2.840.10065.1.12.1.7"
REPLACES = "http://hl7.org/fhir/StructureDefinition/replaces"
GOAL_RELATIONSHIP = "http://hl7.org/fhir/StructureDefinition/goal-relationship"
GOAL_RELATIONSHIP_TYPE = "http://terminology.hl7.org/CodeSystem/goal-relationship-type"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"


@dataclass(frozen=True)
class Code:
    code: str
    display: str


# What a goal's check-ins are, in LOINC: by measure and Nära's unit code, and for two
# measures whose unit says too little, by the template the goal was started from.
PATIENT_CONSENT = Code("59284-0", "Patient Consent")  # the Consent's category
BLOOD_PRESSURE_PANEL = Code("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = Code("8480-6", "Systolic blood pressure")
DIASTOLIC = Code("8462-4", "Diastolic blood pressure")
LOINC_BY_UNIT: dict[str, Code] = {
    "kg": Code("29463-7", "Body weight"),
    "steps": Code("55423-8", "Number of steps in unspecified time Pedometer"),
    "pulse": Code("8867-4", "Heart rate"),
    "celsius": Code("8310-5", "Body temperature"),
    "saturation": Code("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
}
LOINC_BY_TEMPLATE: dict[str, Code] = {
    "blodsocker": Code("14743-9", "Glucose [Moles/volume] in Capillary blood by Glucometer"),
    "smarta": Code("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
}

# Nära's unit codes (webapp/selfcare/measures.py) in UCUM.
UCUM_BY_UNIT: dict[str, str] = {
    "kg": "kg",
    "steps": "{steps}",
    "minutes": "min",
    "times": "{times}",
    "mmol_l": "mmol/L",
    "pulse": "/min",
    "celsius": "Cel",
    "km": "km",
    "litres": "L",
    "saturation": "%",
}
MM_HG = "mm[Hg]"
SCORE = "{score}"

VITAL_SIGN_UNITS = frozenset({"kg", "pulse", "celsius", "saturation"})
ACTIVITY_UNITS = frozenset({"steps", "minutes", "km", "times"})


def loinc_of(measure: str, unit: str, template: str) -> Code | None:
    """The LOINC code of what a goal logs, or None when LOINC has none that fits for sure."""
    if measure == Measure.BLOOD_PRESSURE:
        return BLOOD_PRESSURE_PANEL
    by_template = LOINC_BY_TEMPLATE.get(template)
    if by_template is not None:
        return by_template
    return LOINC_BY_UNIT.get(unit) if measure == Measure.NUMBER else None


def category_of(measure: str, unit: str) -> str | None:
    """The observation category (vital-signs, activity, survey) of what a goal logs."""
    if measure == Measure.BLOOD_PRESSURE or unit in VITAL_SIGN_UNITS:
        return "vital-signs"
    if measure == Measure.DONE or unit in ACTIVITY_UNITS:
        return "activity"
    if measure in (Measure.SCALE_1_5, Measure.SCALE_0_10):
        return "survey"
    return None
