"""The patient's whole plan as one FHIR R4 Bundle (docs/fhir-mapping.md says which field
becomes which element and code). Each part of the plan is one function of the Bundle; a new
part (relatives and their grants, once they exist) is one more function in `PARTS`."""

from __future__ import annotations

from collections.abc import Callable

from webapp.careteam.models import CarePart
from webapp.export import codes
from webapp.export.bundle import Bundle, Reference, Resource, day, text
from webapp.export.fhir_plan import agreement, follow_ups
from webapp.export.fhir_receipt import receipt
from webapp.export.fhir_relatives import relatives
from webapp.export.fhir_selfcare import self_care, updates
from webapp.export.record import PatientRecord
from webapp.export.words import _


def patient_and_care_team(bundle: Bundle) -> None:
    patient = bundle.record.patient
    resource: Resource = {
        "active": True,
        "name": [{"text": patient.name}],
        "managingOrganization": bundle.unit(patient.care_unit),
    }
    if patient.phone:
        resource["telecom"] = [{"system": "phone", "value": patient.phone, "use": "mobile"}]
    if patient.personal_number:
        resource["identifier"] = [
            {"use": "official", "system": codes.PERSONNUMMER, "value": patient.personal_number}
        ]
    if patient.user.locale:
        language = {"coding": [{"system": "urn:ietf:bcp:47", "code": patient.user.locale}]}
        resource["communication"] = [{"language": language, "preferred": True}]
    contacts = [staff for staff in (patient.care_contact, patient.physician) if staff is not None]
    if contacts:
        resource["generalPractitioner"] = [bundle.staff(staff) for staff in contacts]
    bundle.add("Patient", patient.id, resource)

    members: list[Resource] = []
    if patient.care_contact is not None:
        members.append(
            {"role": [text(_("Fast vårdkontakt"))], "member": bundle.staff(patient.care_contact)}
        )
    if patient.physician is not None:
        members.append(
            {"role": [text(_("Fast läkarkontakt"))], "member": bundle.staff(patient.physician)}
        )
    members.extend(
        {"role": [text(part.role_text)], "member": _care_part(bundle, part)}
        for part in bundle.record.care_parts
    )
    team: Resource = {
        "status": "active",
        "name": _("Vårdteamet kring %(name)s", name=patient.name),
        "subject": bundle.patient,
        "managingOrganization": [bundle.unit(patient.care_unit)],
    }
    if members:
        team["participant"] = members
    bundle.add("CareTeam", patient.id, team)


def _care_part(bundle: Bundle, part: CarePart) -> Reference:
    """Another part of care: its organisation, and its named contact's role there."""
    organisation: Resource = {
        "active": True,
        "name": part.organisation,
        "type": [text(part.kind_words)],
    }
    phone = [{"system": "phone", "value": part.phone}] if part.phone else []
    if phone:
        organisation["telecom"] = phone
    where = bundle.add("Organization", f"part/{part.id}", organisation)
    where = {**where, "display": part.organisation}
    if not part.contact_name:
        return where
    person = bundle.add("Practitioner", f"part/{part.id}", {"name": [{"text": part.contact_name}]})
    role: Resource = {
        "active": True,
        "practitioner": {**person, "display": part.contact_name},
        "organization": where,
        "code": [text(part.role_text)],
    }
    if phone:
        role["telecom"] = phone
    if part.phone_hours:
        role["availabilityExceptions"] = part.phone_hours
    bundle.add("PractitionerRole", f"part/{part.id}", role)
    return bundle.ref("PractitionerRole", f"part/{part.id}", part.contact_name)


def what_matters(bundle: Bundle) -> None:
    for statement in bundle.record.what_matters:
        resource: Resource = {
            "lifecycleStatus": "cancelled" if statement.is_archived else "active",
            "category": [text(_("Vad är viktigt för dig?"))],
            "description": {"text": statement.text},
            "subject": bundle.patient,
            "startDate": day(statement.created_at),
        }
        if statement.archived_at is not None:
            resource["statusDate"] = day(statement.archived_at)
        who = bundle.person(statement.created_by_user_id)
        if who is not None:
            resource["expressedBy"] = who
        bundle.add("Goal", f"what-matters/{statement.id}", resource)


PARTS: tuple[Callable[[Bundle], None], ...] = (
    patient_and_care_team,
    what_matters,
    agreement,
    follow_ups,
    receipt,
    self_care,
    updates,
    relatives,
)


def bundle_of(record: PatientRecord, base: str) -> Resource:
    """The patient's plan as a FHIR R4 Bundle (JSON-ready dicts), of type collection."""
    bundle = Bundle(record, base.rstrip("/"))
    for part in PARTS:
        part(bundle)
    return bundle.as_json()
