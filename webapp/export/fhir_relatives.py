"""Relatives in the patient's FHIR Bundle: each relative she has given access a RelatedPerson,
and what she let them do, from when to when, a Consent."""

from __future__ import annotations

from webapp.export import codes
from webapp.export.bundle import Bundle, Reference, Resource, day, instant, text
from webapp.export.words import _
from webapp.relatives.acting import grant_holds
from webapp.relatives.forms import SCOPE_WORDS
from webapp.relatives.models import ProxyGrant, Scope


def _loinc(code: codes.Code) -> Resource:
    return {"system": codes.LOINC, "code": code.code, "display": code.display}


def related_person(bundle: Bundle, grant: ProxyGrant) -> Reference:
    """A reference to the relative of this grant, named as the patient named them."""
    return {**bundle.ref("RelatedPerson", grant.id), "display": grant.label}


def scope_words(scope: str) -> str:
    """What a scope lets a relative do, in the patient's words."""
    try:
        return str(SCOPE_WORDS[Scope(scope)])
    except (KeyError, ValueError):  # a choice of a later version of Nära: its code
        return scope


def _period(grant: ProxyGrant) -> Resource:
    period: Resource = {"start": instant(grant.created_at)}
    if grant.ended_at is not None:
        period["end"] = instant(grant.ended_at)
    elif grant.ends_on is not None:
        period["end"] = day(grant.ends_on)
    return period


def relatives(bundle: Bundle) -> None:
    for grant in bundle.record.grants:
        holds = grant_holds(grant)
        bundle.add(
            "RelatedPerson",
            grant.id,
            {
                "active": holds,
                "patient": bundle.patient,
                "relationship": [text(grant.relation)],
                "name": [{"text": grant.relative_name}],
                "period": _period(grant),
            },
        )
        consent: Resource = {
            "status": "active" if holds else "inactive",
            "scope": {"coding": [{"system": codes.CONSENT_SCOPE, "code": "patient-privacy"}]},
            "category": [{"coding": [_loinc(codes.PATIENT_CONSENT)]}],
            "patient": bundle.patient,
            "dateTime": instant(grant.created_at),
            "performer": [bundle.patient],
            "policyRule": {"coding": [{"system": codes.ACT_CODE, "code": "OPTIN"}]},
            "provision": {
                "type": "permit",
                "period": _period(grant),
                "actor": [
                    {
                        "role": {
                            "coding": [{"system": codes.PARTICIPATION_TYPE, "code": "PRCP"}],
                            "text": _("Närstående"),
                        },
                        "reference": related_person(bundle, grant),
                    }
                ],
                "action": [text(scope_words(scope)) for scope in grant.scopes],
            },
        }
        if grant.consent_given_on is not None:
            # Given in person and recorded by her care contact.
            consent["verification"] = [
                {
                    "verified": True,
                    "verifiedWith": bundle.patient,
                    "verificationDate": day(grant.consent_given_on),
                }
            ]
        bundle.add("Consent", f"grant/{grant.id}", consent)
