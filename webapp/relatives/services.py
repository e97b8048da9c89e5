"""The rules of närstående: granting, taking an invitation, changing, ending, the ledger.

Only the patient's consent creates a grant: her own invitation, or consent she gave in person
that her care contact records (dated, at most twelve months). Every decision is a row of the
consent ledger in the same transaction; a grant recorded by staff is also a change row in the
patient's logglista.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager, joinedload

from webapp import audit
from webapp.agreement.models import AgreementVersion, Responsible
from webapp.agreement.services import for_overview
from webapp.auth.services import hash_token
from webapp.clock import now_utc
from webapp.db import rowcount
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User, UserKind
from webapp.plan.changed import plan_changed
from webapp.relatives import reminding
from webapp.relatives.acting import (
    acting_by,
    grant_active_for,
    grant_holds,
    holds_today,
    today_local,
)
from webapp.relatives.models import (
    EventKind,
    GrantEnd,
    GrantEvent,
    ProxyGrant,
    Scope,
    relative_label,
)

NAME_MAX = 120
RELATION_MAX = 40
# Consent recorded in person holds at most this long; the patient can renew it herself.
RECORDED_CONSENT_DAYS = 365


class GrantError(UserFacingError):
    pass


UNKNOWN_LINK = _l(
    "Länken fungerar inte. Kontrollera att du har fått med hela länken, eller be om en ny."
)
USED_LINK = _l("Länken har redan använts. Logga in med din nyckel, eller be om en ny länk.")
EXPIRED_LINK = _l("Länken har gått ut. Be den som bjöd in dig om en ny länk.")
ENDED_LINK = _l("Inbjudan gäller inte längre.")
OWN_LINK = _l(
    "Den här länken är till den du bjuder in, inte till dig. Skicka den till din närstående."
)
ALREADY_HELPING = _l("Du hjälper redan den här personen.")
ALREADY_ENDED = _l("Åtkomsten är redan avslutad.")
NOT_FOUND = _l("Den närstående finns inte i din lista.")


def scopes_clean(values: Iterable[str]) -> list[str]:
    """The chosen scopes in their own order, or GrantError for none or an unknown one."""
    chosen = set(values)
    known = {scope.value for scope in Scope}
    if chosen - known:
        raise GrantError(_l("Välj bland alternativen i listan."), field="scopes")
    if not chosen:
        raise GrantError(_l("Välj minst en sak som din närstående får göra."), field="scopes")
    return [scope.value for scope in Scope if scope.value in chosen]


def _text(value: str, field: str, limit: int, missing: object) -> str:
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise GrantError(missing, field=field)
    if len(cleaned) > limit:
        raise GrantError(
            _l("Texten får vara högst %(max)d tecken.", max=limit),
            field=field,
        )
    return cleaned


def _ends_on_clean(ends_on: date | None) -> date | None:
    if ends_on is not None and ends_on < today_local():
        raise GrantError(_l("Slutdatumet har redan passerat. Välj ett senare datum."), "ends_on")
    return ends_on


def _event(grant: ProxyGrant, kind: EventKind, by: User) -> None:
    db.session.add(
        GrantEvent(
            grant_id=grant.id,
            patient_id=grant.patient_id,
            kind=kind,
            by_user_id=by.id,
            scopes=list(grant.scopes),
            ends_on=grant.ends_on,
        )
    )


def _new_token(grant: ProxyGrant) -> str:
    token = secrets.token_urlsafe(32)
    grant.invite_token_hash = hash_token(token)
    grant.invite_expires_at = now_utc() + timedelta(hours=current_app.config["INVITATION_HOURS"])
    return token


def _grant_new(
    *,
    patient: Patient,
    by: User,
    name: str,
    relation: str,
    scopes: Iterable[str],
    ends_on: date | None,
) -> tuple[ProxyGrant, str]:
    errors: dict[str, object] = {}
    cleaned: dict[str, object] = {}
    checks = (
        ("relative_name", lambda: _text(name, "relative_name", NAME_MAX, _l("Skriv ett namn."))),
        (
            "relation",
            lambda: _text(relation, "relation", RELATION_MAX, _l("Skriv vem personen är för dig.")),
        ),
        ("scopes", lambda: scopes_clean(scopes)),
        ("ends_on", lambda: _ends_on_clean(ends_on)),
    )
    for field, check in checks:
        try:
            cleaned[field] = check()
        except GrantError as error:
            errors[field] = error.message
    if errors:
        first = next(iter(errors.values()))
        raise GrantError(first, errors=errors)
    grant = ProxyGrant(
        patient_id=patient.id,
        relative_name=cleaned["relative_name"],
        relation=cleaned["relation"],
        scopes=cleaned["scopes"],
        ends_on=cleaned["ends_on"],
        created_by_user_id=by.id,
    )
    token = _new_token(grant)
    db.session.add(grant)
    db.session.flush()
    return grant, token


def grant_invite(
    *,
    patient: Patient,
    by: User,
    name: str,
    relation: str,
    scopes: Iterable[str],
    ends_on: date | None = None,
) -> tuple[ProxyGrant, str]:
    """The patient invites a relative: a grant waiting for them, and its one-time token."""
    grant, token = _grant_new(
        patient=patient, by=by, name=name, relation=relation, scopes=scopes, ends_on=ends_on
    )
    _event(grant, EventKind.INVITED, by)
    return grant, token


def grant_record_consent(
    *,
    patient: Patient,
    staff: StaffMember,
    name: str,
    relation: str,
    scopes: Iterable[str],
    consent_given_on: date,
    ends_on: date,
) -> tuple[ProxyGrant, str]:
    """Her care contact records consent the patient gave in person; the door has decided
    that this staff member is her care contact. At most twelve months from the consent."""
    if consent_given_on > today_local():
        raise GrantError(_l("Samtycket kan inte vara givet i framtiden."), "consent_given_on")
    if consent_given_on < today_local() - timedelta(days=30):
        raise GrantError(
            _l("Samtycket är mer än 30 dagar gammalt. Fråga patienten igen."), "consent_given_on"
        )
    if ends_on > consent_given_on + timedelta(days=RECORDED_CONSENT_DAYS):
        raise GrantError(
            _l("Ett samtycke som du antecknar gäller högst tolv månader. Välj ett tidigare datum."),
            "ends_on",
        )
    grant, token = _grant_new(
        patient=patient,
        by=staff.user,
        name=name,
        relation=relation,
        scopes=scopes,
        ends_on=ends_on,
    )
    grant.consent_recorded_by_staff_id = staff.id
    grant.consent_given_on = consent_given_on
    _event(grant, EventKind.CONSENT_RECORDED, staff.user)
    audit.change_record(actor=staff.user, patient=patient, change=audit.Change.RELATIVE_CONSENT)
    return grant, token


def grant_by_token(token: str) -> ProxyGrant:
    """The grant whose invitation this token is, if it can still be taken; else GrantError."""
    if not token or len(token) > 100:
        raise GrantError(UNKNOWN_LINK)
    grant = db.session.scalar(
        select(ProxyGrant).where(ProxyGrant.invite_token_hash == hash_token(token))
    )
    if grant is None:
        raise GrantError(UNKNOWN_LINK)
    if grant.accepted_at is not None:
        raise GrantError(USED_LINK)
    if not grant_holds(grant):
        raise GrantError(ENDED_LINK)
    if grant.invite_expires_at is None or grant.invite_expires_at <= now_utc():
        raise GrantError(EXPIRED_LINK)
    return grant


def grant_accept(*, token: str, user: User) -> ProxyGrant:
    """The signed-in person takes the invitation with their own account, once."""
    grant = grant_by_token(token)
    if user.patient_id == grant.patient_id:
        raise GrantError(OWN_LINK)
    if user.is_staff:
        raise GrantError(_l("Logga ut från ditt personalkonto först, och öppna länken igen."))
    if grant_active_for(user.id, grant.patient_id) is not None:
        raise GrantError(ALREADY_HELPING)
    now = now_utc()
    result = db.session.execute(
        update(ProxyGrant)
        .where(ProxyGrant.id == grant.id, ProxyGrant.accepted_at.is_(None))
        .values(relative_user_id=user.id, accepted_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if rowcount(result) != 1:
        raise GrantError(USED_LINK)
    plan_changed(grant.patient_id)
    _event(grant, EventKind.ACCEPTED, user)
    reminding.refresh_relative(user)
    return grant


def grant_accept_new_account(*, token: str) -> User:
    """Someone without an account takes the invitation: a relative account of their own,
    named as the patient named them; the caller then has them make a passkey."""
    grant = grant_by_token(token)
    user = User(kind=UserKind.RELATIVE, name=grant.relative_name)
    db.session.add(user)
    db.session.flush()
    grant_accept(token=token, user=user)
    return user


def grants_helping(user_id: int) -> list[ProxyGrant]:
    """The patients this account helps today, by name."""
    return list(
        db.session.scalars(
            select(ProxyGrant)
            .join(ProxyGrant.patient)
            .join(Patient.user)
            .options(contains_eager(ProxyGrant.patient).contains_eager(Patient.user))
            .where(
                ProxyGrant.relative_user_id == user_id,
                holds_today(),
            )
            .order_by(User.name)
        )
    )


def helping_only_one(user_id: int) -> ProxyGrant | None:
    """A relative who helps exactly one person acts for her without choosing: the grant,
    now acted by, or None."""
    grants = grants_helping(user_id)
    if len(grants) != 1:
        return None
    acting_by(grants[0])
    return grants[0]


def grants_of_patient(patient_id: int) -> list[ProxyGrant]:
    """Every grant of the patient, those that hold first, newest first."""
    grants = list(
        db.session.scalars(
            select(ProxyGrant)
            .where(ProxyGrant.patient_id == patient_id)
            .order_by(ProxyGrant.id.desc())
        )
    )
    return sorted(grants, key=lambda grant: not grant_holds(grant))


def _own_grant(patient: Patient, grant_id: int) -> ProxyGrant:
    grant = db.session.get(ProxyGrant, grant_id)
    if grant is None or grant.patient_id != patient.id:
        raise GrantError(NOT_FOUND)
    return grant


def grant_change(
    *, patient: Patient, by: User, grant_id: int, scopes: Iterable[str], ends_on: date | None
) -> ProxyGrant:
    """The patient changes what a relative may do, or until when. A ledger row only when
    something really changed."""
    grant = _own_grant(patient, grant_id)
    if not grant_holds(grant):
        raise GrantError(ALREADY_ENDED)
    cleaned = scopes_clean(scopes)
    if ends_on != grant.ends_on:
        ends_on = _ends_on_clean(ends_on)
    if cleaned == list(grant.scopes) and ends_on == grant.ends_on:
        return grant
    grant.scopes = cleaned
    grant.ends_on = ends_on
    db.session.flush()
    _event(grant, EventKind.CHANGED, by)
    reminding.refresh_relative(grant.relative)
    return grant


def _end(grant: ProxyGrant, how: GrantEnd) -> None:
    result = db.session.execute(
        update(ProxyGrant)
        .where(ProxyGrant.id == grant.id, ProxyGrant.ended_at.is_(None))
        .values(ended_at=now_utc(), ended_how=how)
        .execution_options(synchronize_session="fetch")
    )
    if rowcount(result) != 1:
        raise GrantError(ALREADY_ENDED)
    plan_changed(grant.patient_id)


def grant_end(*, patient: Patient, by: User, grant_id: int) -> ProxyGrant:
    """The patient ends a grant: it holds no more from the relative's next request."""
    grant = _own_grant(patient, grant_id)
    if not grant_holds(grant):
        raise GrantError(ALREADY_ENDED)
    _end(grant, GrantEnd.BY_PATIENT)
    _event(grant, EventKind.ENDED, by)
    reminding.refresh_relative(grant.relative)  # her reminders stop reaching them
    return grant


def grant_step_down(*, relative: User, grant_id: int) -> ProxyGrant:
    """The relative stops helping; the patient sees it on her plan and in the ledger."""
    grant = db.session.get(ProxyGrant, grant_id)
    if grant is None or grant.relative_user_id != relative.id:
        raise GrantError(NOT_FOUND)
    if not grant_holds(grant):
        raise GrantError(ALREADY_ENDED)
    _end(grant, GrantEnd.STEPPED_DOWN)
    _event(grant, EventKind.STEPPED_DOWN, relative)
    reminding.refresh_relative(relative)
    return grant


def ledger(patient_id: int) -> list[GrantEvent]:
    """The consent ledger, newest first."""
    return list(
        db.session.scalars(
            select(GrantEvent)
            .where(GrantEvent.patient_id == patient_id)
            .options(joinedload(GrantEvent.grant), joinedload(GrantEvent.by))
            .order_by(GrantEvent.id.desc())
        )
    )


def labels_of(patient_id: int) -> dict[int, str]:
    """Each relative account that ever helped the patient, as she named them ("Eva (dotter)"):
    for the history and the logglista, which name who did what."""
    rows = db.session.execute(
        select(ProxyGrant.relative_user_id, ProxyGrant.relative_name, ProxyGrant.relation)
        .where(ProxyGrant.patient_id == patient_id, ProxyGrant.relative_user_id.is_not(None))
        .order_by(ProxyGrant.id)
    )
    return {row[0]: relative_label(row[1], row[2]) for row in rows if row[0] is not None}


def labels_for(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """(patient id, account id) -> "Eva (dotter)", for the accounts that acted for those
    patients as relatives: one query, none when no pair is given."""
    wanted = set(pairs)
    if not wanted:
        return {}
    rows = db.session.execute(
        select(
            ProxyGrant.patient_id,
            ProxyGrant.relative_user_id,
            ProxyGrant.relative_name,
            ProxyGrant.relation,
        )
        .where(
            ProxyGrant.patient_id.in_({patient_id for patient_id, _user in wanted}),
            ProxyGrant.relative_user_id.in_({user_id for _patient, user_id in wanted}),
        )
        .order_by(ProxyGrant.id)
    )
    return {
        (row[0], row[1]): relative_label(row[2], row[3])
        for row in rows
        if row[1] is not None and (row[0], row[1]) in wanted
    }


def named_in_agreement(patient: Patient, grants: list[ProxyGrant]) -> list[str]:
    """The relatives her agreed agreement names ("Närstående: Eva") who have no grant that
    holds: suggested on "Mina närstående" and on Min plan."""
    return names_to_invite(for_overview(patient).agreed, grants)


def names_to_invite(agreed: AgreementVersion | None, grants: Iterable[ProxyGrant]) -> list[str]:
    """The names of relatives an agreed version gives a task to, who have no grant that holds
    (by the name she gave them), in the agreement's order."""
    if agreed is None:
        return []
    helping = {grant.relative_name for grant in grants if grant_holds(grant)}
    named = [
        item.responsible_name
        for item in agreed.actions
        if item.responsible == Responsible.RELATIVE and item.responsible_name
    ]
    return [name for name in dict.fromkeys(named) if name not in helping]
