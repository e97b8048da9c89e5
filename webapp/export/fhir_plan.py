"""The agreement and the follow-ups in the patient's FHIR Bundle: a CarePlan per version
with its goals, activities and both sides' consent (Provenance), an Appointment per
follow-up."""

from __future__ import annotations

from webapp.agreement.models import WORSE_TEXTS, AgreementVersion, Responsible, VersionStatus
from webapp.export import codes
from webapp.export.bundle import Bundle, Reference, Resource, day, instant, text
from webapp.export.words import _
from webapp.followups.models import FollowUp, FollowUpStatus

# A version's state as a CarePlan's, its goals' and its activities'.
PLAN_STATUS = {
    VersionStatus.DRAFT: ("draft", "proposed", "not-started"),
    VersionStatus.AGREED: ("active", "active", "in-progress"),
    VersionStatus.SUPERSEDED: ("completed", "cancelled", "stopped"),
}


def _responsible(bundle: Bundle, responsible: str, label: str) -> Reference:
    """Who does an action: the patient, her care contact, or by name (a relative, another
    part of care)."""
    contact = bundle.record.patient.care_contact
    if responsible == Responsible.PATIENT:
        return bundle.patient
    if responsible == Responsible.CARE_CONTACT and contact is not None:
        return {**bundle.staff(contact), "display": label}
    return {"display": label}


def agreement(bundle: Bundle) -> None:
    previous: Reference | None = None
    for version in bundle.record.versions:
        plan = _care_plan(bundle, version)
        if previous is not None:
            plan["replaces"] = [previous]
        previous = bundle.add("CarePlan", version.id, plan)
        _consents(bundle, version, previous)


def _care_plan(bundle: Bundle, version: AgreementVersion) -> Resource:
    plan_status, goal_status, activity_status = PLAN_STATUS[VersionStatus(version.status)]
    goals: list[Reference] = []
    for item in version.goals:
        goal: Resource = {
            "lifecycleStatus": goal_status,
            "category": [text(_("Mål i överenskommelsen"))],
            "description": {"text": item.text},
            "subject": bundle.patient,
        }
        if item.what_matters_id is not None:
            goal["extension"] = [_builds_on(bundle, item.what_matters_id)]
        goals.append(bundle.add("Goal", f"agreement-item/{item.id}", goal))
    activities: list[Resource] = []
    for item in version.actions:
        detail: Resource = {
            "code": text(_("Åtgärd")),
            "status": activity_status,
            "description": item.text,
            "performer": [
                _responsible(bundle, item.responsible, item.responsible_label(for_staff=True))
            ],
        }
        if item.what_matters_id is not None:
            detail["goal"] = [bundle.ref("Goal", f"what-matters/{item.what_matters_id}")]
        activities.append({"detail": detail})
    for field, label in WORSE_TEXTS.items():
        words = getattr(version, field)
        if words:
            detail = {
                "code": text(_("När jag blir sämre: %(part)s", part=label)),
                "status": activity_status,
                "description": words,
                "performer": [bundle.patient],
            }
            activities.append({"detail": detail})
    plan: Resource = {
        "status": plan_status,
        "intent": "plan",
        "title": _("Överenskommelse, version %(n)s", n=version.number),
        "subject": bundle.patient,
        "created": instant(version.created_at),
        "careTeam": [bundle.ref("CareTeam", bundle.record.patient.id)],
    }
    if version.agreed_at is not None:
        plan["period"] = {"start": instant(version.agreed_at)}
    author = bundle.person(version.created_by_user_id)
    if author is not None:
        plan["author"] = author
    consenters = [
        who
        for who in (
            bundle.person(version.patient_consent_by_user_id),
            bundle.person(version.care_consent_by_user_id),
        )
        if who is not None
    ]
    if consenters:
        plan["contributor"] = consenters
    if goals:
        plan["goal"] = goals
    if activities:
        plan["activity"] = activities
    return plan


def _builds_on(bundle: Bundle, what_matters_id: int) -> Resource:
    """An agreed goal that builds on something that matters to the patient (FHIR's
    goal-relationship extension)."""
    kind = {
        "coding": [{"system": codes.GOAL_RELATIONSHIP_TYPE, "code": "other"}],
        "text": _("Bygger på det som är viktigt för patienten"),
    }
    return {
        "url": codes.GOAL_RELATIONSHIP,
        "extension": [
            {"url": "type", "valueCodeableConcept": kind},
            {
                "url": "target",
                "valueReference": bundle.ref("Goal", f"what-matters/{what_matters_id}"),
            },
        ],
    }


def _consents(bundle: Bundle, version: AgreementVersion, plan: Reference) -> None:
    """Both sides' consent to a version: a Provenance with each side's consent signature."""
    signatures: list[Resource] = []
    agents: list[Resource] = []
    sides = (
        (version.patient_consent_at, version.patient_consent_by_user_id),
        (version.care_consent_at, version.care_consent_by_user_id),
    )
    for at, user_id in sides:
        who = bundle.person(user_id)
        if at is None or who is None:
            continue
        signature_type = {
            "system": codes.SIGNATURE_TYPE,
            "code": codes.CONSENT_SIGNATURE,
            "display": "Consent Signature",
        }
        signatures.append({"type": [signature_type], "when": instant(at), "who": who})
        attester = {"coding": [{"system": codes.PROVENANCE_PARTICIPANT, "code": "attester"}]}
        agents.append({"type": attester, "who": who})
    if not signatures:
        return
    recorded = version.agreed_at or max(s["when"] for s in signatures)
    bundle.add(
        "Provenance",
        f"consent/{version.id}",
        {
            "target": [plan],
            "recorded": recorded if isinstance(recorded, str) else instant(recorded),
            "activity": text(_("Samtycke till överenskommelsen")),
            "agent": agents,
            "signature": signatures,
        },
    )


APPOINTMENT_STATUS = {
    FollowUpStatus.PLANNED: "booked",
    FollowUpStatus.CANCELLED: "cancelled",
    FollowUpStatus.MOVED: "cancelled",
}


def follow_ups(bundle: Bundle) -> None:
    for follow_up in bundle.record.follow_ups:
        bundle.add("Appointment", follow_up.id, _appointment(bundle, follow_up))


def _appointment(bundle: Bundle, follow_up: FollowUp) -> Resource:
    declined = follow_up.cannot_come_at is not None
    participants: list[Resource] = [
        {
            "actor": bundle.patient,
            "required": "required",
            "status": "declined" if declined else "accepted",
        }
    ]
    if follow_up.with_whom:
        participants.append({"actor": {"display": follow_up.with_whom}, "status": "accepted"})
    if follow_up.place:
        place = bundle.add("Location", f"follow-up/{follow_up.id}", {"name": follow_up.place})
        participants.append({"actor": {**place, "display": follow_up.place}, "status": "accepted"})
    kind = follow_up.kind_words
    if follow_up.call_words_staff:
        kind = f"{kind}: {follow_up.call_words_staff}"
    resource: Resource = {
        "status": APPOINTMENT_STATUS.get(FollowUpStatus(follow_up.status), "booked"),
        "appointmentType": text(kind),
        "start": instant(follow_up.starts_at),
        "end": instant(follow_up.ends_at),
        "minutesDuration": follow_up.duration_minutes,
        "created": day(follow_up.created_at),
        "participant": participants,
    }
    if follow_up.purpose:
        resource["description"] = follow_up.purpose
    if follow_up.preparation:
        resource["patientInstruction"] = follow_up.preparation
    if follow_up.is_moved:
        resource["cancelationReason"] = text(_("Flyttad till en annan tid"))
    elif follow_up.is_cancelled and follow_up.cancel_reason:
        resource["cancelationReason"] = text(follow_up.cancel_reason)
    if declined and follow_up.cannot_come_reason:
        resource["comment"] = follow_up.cannot_come_reason
    earlier = next((f for f in bundle.record.follow_ups if f.moved_to_id == follow_up.id), None)
    if earlier is not None:
        resource["extension"] = [
            {"url": codes.REPLACES, "valueReference": bundle.ref("Appointment", earlier.id)}
        ]
    return resource
