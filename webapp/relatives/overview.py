"""The relatives' part of "Min plan" and of the care contact's page: who helps, with what,
until when; a consent her care contact recorded; a relative who stepped down lately. One
query, whatever the number."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.agreement.models import AgreementVersion
from webapp.clock import now_utc
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember
from webapp.relatives.acting import grant_holds
from webapp.relatives.models import GrantEnd, ProxyGrant
from webapp.relatives.services import names_to_invite

# A relative who stepped down is told on her plan for this long; the ledger keeps it always.
STEPPED_DOWN_SHOWN = timedelta(days=30)


@dataclass(frozen=True)
class RelativesPart:
    holding: list[ProxyGrant]  # accepted or waiting for the relative, not ended
    stepped_down: list[ProxyGrant]  # lately, by the relative
    # Relatives her agreed agreement gives a task to who cannot get in yet: she is offered
    # to invite them where she reads the plan.
    to_invite: list[str] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return bool(self.holding or self.stepped_down or self.to_invite)


def for_overview(patient: Patient, agreed: AgreementVersion | None = None) -> RelativesPart:
    grants = list(
        db.session.scalars(
            select(ProxyGrant)
            .where(ProxyGrant.patient_id == patient.id)
            .options(joinedload(ProxyGrant.consent_recorded_by).joinedload(StaffMember.user))
            .order_by(ProxyGrant.id)
        )
    )
    since = now_utc() - STEPPED_DOWN_SHOWN
    return RelativesPart(
        holding=[grant for grant in grants if grant_holds(grant)],
        stepped_down=[
            grant
            for grant in grants
            if grant.ended_how == GrantEnd.STEPPED_DOWN
            and grant.ended_at is not None
            and grant.ended_at >= since
        ],
        to_invite=names_to_invite(agreed, grants),
    )
