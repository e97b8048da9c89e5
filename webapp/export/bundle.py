"""The frame of the patient's FHIR Bundle: entries with stable ids, references between them,
and the people every part names (the patient, staff in their roles, others by name).

Every resource gets an id made from the installation's address and the row it comes from
(a name-based UUID), so a second export of the same plan names the same resources the same
way, and a reference is always `urn:uuid:<id>` of an entry in the same Bundle."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from webapp.export.record import PatientRecord
from webapp.people.models import CareUnit, StaffMember, User

Resource = dict[str, Any]
Reference = dict[str, Any]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def instant(moment: datetime) -> str:
    """An instant as FHIR writes it: seconds, in UTC."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def day(moment: date | datetime) -> str:
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()


def text(words: object) -> dict[str, str]:
    """A CodeableConcept of words only: where no code system says it (Nära's own terms)."""
    return {"text": str(words)}


def _clock(minute: int) -> str:
    minute = min(max(minute, 0), 24 * 60 - 1)  # FHIR's time has no 24:00
    return f"{minute // 60:02d}:{minute % 60:02d}:00"


def available_times(times: list[list[int]] | None) -> list[Resource]:
    """Nära's phone times ([weekday, from minute, to minute]) as FHIR's availableTime."""
    return [
        {
            "daysOfWeek": [WEEKDAYS[weekday]],
            "availableStartTime": _clock(start),
            "availableEndTime": _clock(end),
        }
        for weekday, start, end in times or []
        if 0 <= weekday < len(WEEKDAYS)
    ]


class Bundle:
    """The entries made so far, and the references to them."""

    def __init__(self, record: PatientRecord, base: str) -> None:
        self.record = record
        self.base = base
        self.entries: list[Resource] = []
        self._made: set[str] = set()
        self._ids: dict[tuple[str, object], str] = {}  # a name-based UUID is a SHA-1: once each

    def id_of(self, kind: str, key: object) -> str:
        found = self._ids.get((kind, key))
        if found is None:
            found = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.base}/fhir/{kind}/{key}"))
            self._ids[(kind, key)] = found
        return found

    def ref(self, kind: str, key: object, display: str | None = None) -> Reference:
        reference: Reference = {"reference": f"urn:uuid:{self.id_of(kind, key)}"}
        if display:
            reference["display"] = display
        return reference

    def has(self, kind: str, key: object) -> bool:
        return self.id_of(kind, key) in self._made

    def add(self, kind: str, key: object, resource: Resource) -> Reference:
        resource_id = self.id_of(kind, key)
        if resource_id not in self._made:
            self._made.add(resource_id)
            self.entries.append(
                {
                    "fullUrl": f"urn:uuid:{resource_id}",
                    "resource": {"resourceType": kind, "id": resource_id, **resource},
                }
            )
        return self.ref(kind, key)

    def as_json(self) -> Resource:
        return {
            "resourceType": "Bundle",
            "id": self.id_of("Bundle", f"{self.record.patient.id}/{instant(self.record.made_at)}"),
            "type": "collection",
            "timestamp": instant(self.record.made_at),
            "entry": self.entries,
        }

    # --- people ---------------------------------------------------------------------------

    @property
    def patient(self) -> Reference:
        patient = self.record.patient
        return self.ref("Patient", patient.id, patient.name)  # a fresh dict: callers may add

    def unit(self, unit: CareUnit) -> Reference:
        resource: Resource = {"active": True, "name": unit.name}
        if unit.phone:
            resource["telecom"] = [{"system": "phone", "value": unit.phone, "use": "work"}]
        if unit.address:
            resource["address"] = [{"text": unit.address}]
        self.add("Organization", f"unit/{unit.id}", resource)
        return self.ref("Organization", f"unit/{unit.id}", unit.name)

    def staff(self, staff: StaffMember) -> Reference:
        """The staff member's role at her unit (PractitionerRole), her name (Practitioner)."""
        if not self.has("PractitionerRole", f"staff/{staff.id}"):
            person = self.add("Practitioner", f"staff/{staff.id}", {"name": [{"text": staff.name}]})
            role: Resource = {
                "active": staff.deactivated_at is None,
                "practitioner": {**person, "display": staff.name},
                "organization": self.unit(staff.care_unit),
            }
            if staff.title:  # FHIR allows no empty string anywhere
                role["code"] = [text(staff.title)]
            if staff.reachable_phone:
                role["telecom"] = [{"system": "phone", "value": staff.reachable_phone}]
            times = available_times(staff.reachable_times)
            if times:
                role["availableTime"] = times
            hours = staff.phone_hours if staff.phone else staff.care_unit.phone_hours
            if hours:
                role["availabilityExceptions"] = hours
            self.add("PractitionerRole", f"staff/{staff.id}", role)
        return self.ref("PractitionerRole", f"staff/{staff.id}", staff.name)

    def person(self, user_id: int | None) -> Reference | None:
        """Whoever a user id names: the patient, a staff member in her role, a relative she
        gave access as their RelatedPerson, anyone else by name."""
        if user_id is None:
            return None
        if user_id == self.record.patient.user_id:
            return self.patient
        user: User | None = self.record.users.get(user_id)
        if user is None:
            return None
        if user.staff is not None:
            return self.staff(user.staff)
        grant = next((g for g in self.record.grants if g.relative_user_id == user_id), None)
        if grant is not None:  # a relative, as she named them
            return {**self.ref("RelatedPerson", grant.id), "display": grant.label}
        return {"display": user.name}
