"""The agreement's rules: drafts, consent from both sides, versions and what changed.

A version is agreed when both the patient and the care side have consented to exactly what
they read. Every edit of a draft raises its `lock_version` and clears earlier consents, so a
consent or an edit made on an old copy is refused instead of silently winning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, Subquery, delete, func, select, update
from sqlalchemy.orm import selectinload

from webapp import audit
from webapp.agreement.models import (
    NAME_MAX,
    TEXT_MAX,
    WORSE_TEXT_MAX,
    WORSE_TEXTS,
    Agreement,
    AgreementItem,
    AgreementVersion,
    ItemKind,
    Responsible,
    VersionStatus,
)
from webapp.clock import now_utc
from webapp.db import rowcount
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import Patient, User
from webapp.plan.changed import plan_changed
from webapp.whatmatters.models import WhatMattersStatement

CHANGED_MESSAGE = _l(
    "Överenskommelsen har ändrats sedan du läste den. Läs igenom den nya versionen."
)
ALREADY_CONSENTED_MESSAGE = _l(
    "Du har redan sagt att du är med på förslaget. Vill du prata om det, ring din vårdkontakt."
)
EDIT_CONFLICT_MESSAGE = _l(
    "Någon annan ändrade förslaget medan du skrev. Ingenting av ditt är sparat än, men det du "
    "skrev finns kvar nedan. Läs det som är sparat och spara igen om du vill."
)


class AgreementChangedError(UserFacingError):
    """What the user read is no longer what is saved."""


class AgreementItemError(UserFacingError):
    """One field of the draft is wrong; `field` names it so the form can show the message."""

    field: str

    def __init__(self, message: Any, field: str) -> None:
        super().__init__(message, field)


@dataclass(frozen=True)
class ItemInput:
    kind: str
    text: str
    responsible: str = Responsible.PATIENT
    responsible_name: str = ""
    what_matters_id: int | None = None
    source: str = ""  # which form row it came from, so an error can be shown beside it


# --- reading ---------------------------------------------------------------------------


def _versions_query(patient_id: int) -> Select[AgreementVersion]:
    return (
        select(AgreementVersion)
        .join(Agreement)
        .where(Agreement.patient_id == patient_id)
        .options(selectinload(AgreementVersion.items))
    )


def agreement_versions(*, patient: Patient) -> list[AgreementVersion]:
    """Every version, newest first, with its items (two queries)."""
    statement = _versions_query(patient.id).order_by(AgreementVersion.number.desc())
    return list(db.session.scalars(statement))


def agreement_version_find(*, patient: Patient, number: int) -> AgreementVersion | None:
    return db.session.scalar(_versions_query(patient.id).where(AgreementVersion.number == number))


def agreement_draft_find(*, patient: Patient) -> AgreementVersion | None:
    return db.session.scalar(
        _versions_query(patient.id).where(AgreementVersion.status == VersionStatus.DRAFT)
    )


def agreement_agreed_at(*, patient_id: int) -> datetime | None:
    """When the agreement now in force was agreed; None while there is none (one query)."""
    return db.session.scalar(
        select(AgreementVersion.agreed_at)
        .join(Agreement)
        .where(Agreement.patient_id == patient_id, AgreementVersion.status == VersionStatus.AGREED)
        .limit(1)
    )


def item_of_patient(item_id: int, *, patient_id: int) -> int | None:
    """The item's id if it belongs to one of the patient's own agreement versions, else None."""
    return db.session.scalar(
        select(AgreementItem.id)
        .join(AgreementVersion, AgreementItem.version_id == AgreementVersion.id)
        .join(Agreement, AgreementVersion.agreement_id == Agreement.id)
        .where(AgreementItem.id == item_id, Agreement.patient_id == patient_id)
    )


def agreed_patient_ids(*, care_unit_id: int) -> set[int]:
    """The unit's patients who have an agreed version of their agreement (one query)."""
    statement = (
        select(Agreement.patient_id)
        .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .join(Patient, Patient.id == Agreement.patient_id)
        .where(
            Patient.care_unit_id == care_unit_id, AgreementVersion.status == VersionStatus.AGREED
        )
        .distinct()
    )
    return set(db.session.scalars(statement))


def first_agreed_subquery(*, care_unit_id: int) -> Subquery:
    """When each of the unit's patients first had an agreed agreement, as a subquery of
    (patient_id, agreed_at) for a count made by the database: from then on one is in force,
    as a later draft never unmakes it."""
    return (
        select(Agreement.patient_id, func.min(AgreementVersion.agreed_at).label("agreed_at"))
        .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .join(Patient, Patient.id == Agreement.patient_id)
        .where(Patient.care_unit_id == care_unit_id, AgreementVersion.agreed_at.is_not(None))
        .group_by(Agreement.patient_id)
        .subquery()
    )


@dataclass(frozen=True)
class AgreementOverview:
    agreed: AgreementVersion | None
    draft: AgreementVersion | None

    @property
    def waiting_for_patient(self) -> bool:
        return (
            self.draft is not None and bool(self.draft.items) and not self.draft.patient_consent_at
        )

    @property
    def waiting_for_care(self) -> bool:
        return self.draft is not None and bool(self.draft.items) and not self.draft.care_consent_at

    @property
    def shown(self) -> AgreementVersion | None:
        """What the patient lives by: the agreed version, else the draft (marked as such)."""
        return self.agreed or self.draft


def for_overview(patient: Patient) -> AgreementOverview:
    """The agreed version and any draft, with items: two queries whatever the counts."""
    statement = _versions_query(patient.id).where(
        AgreementVersion.status.in_([VersionStatus.AGREED, VersionStatus.DRAFT])
    )
    agreed: AgreementVersion | None = None
    draft: AgreementVersion | None = None
    for version in db.session.scalars(statement):
        if version.status == VersionStatus.AGREED:
            agreed = version
        else:
            draft = version
    return AgreementOverview(agreed=agreed, draft=draft)


def what_matters_choices(*, patient: Patient) -> list[tuple[int, str]]:
    """The patient's own "what matters" statements, for tying an item to one of them.

    Those she took off her list come last and say so: an item tied to one keeps its tie
    when saved again.
    """
    statement = (
        select(WhatMattersStatement)
        .where(WhatMattersStatement.patient_id == patient.id)
        .order_by(WhatMattersStatement.archived_at.is_not(None), WhatMattersStatement.position)
    )
    removed = _l("(borttaget från listan)")
    return [
        (row.id, f"{row.text} {removed}" if row.archived_at else row.text)
        for row in db.session.scalars(statement)
    ]


@dataclass(frozen=True)
class WhatMattersTie:
    """What an item of the agreement is tied to, and whether the patient has since taken it
    off her list (the agreement still says what it was built on, marked as such)."""

    text: str
    removed: bool


def what_matters_texts(ids: set[int]) -> dict[int, WhatMattersTie]:
    """The statements items tie to, by id, for showing which item ties to what (one query)."""
    if not ids:
        return {}
    statement = select(
        WhatMattersStatement.id, WhatMattersStatement.text, WhatMattersStatement.archived_at
    ).where(WhatMattersStatement.id.in_(ids))
    return {
        row.id: WhatMattersTie(text=row.text, removed=row.archived_at is not None)
        for row in db.session.execute(statement)
    }


# --- drafting --------------------------------------------------------------------------


def agreement_draft_start(*, patient: Patient, by_user: User) -> AgreementVersion:
    """The open draft, or a new one that starts as a copy of the agreed version."""
    draft = agreement_draft_find(patient=patient)
    if draft is not None:
        return draft
    agreement = db.session.scalar(select(Agreement).where(Agreement.patient_id == patient.id))
    if agreement is None:
        agreement = Agreement(patient_id=patient.id)
        db.session.add(agreement)
        db.session.flush()
    newest = db.session.scalar(
        select(func.max(AgreementVersion.number)).where(
            AgreementVersion.agreement_id == agreement.id
        )
    )
    agreed = db.session.scalar(
        _versions_query(patient.id).where(AgreementVersion.status == VersionStatus.AGREED)
    )
    draft = AgreementVersion(
        agreement_id=agreement.id,
        number=(newest or 0) + 1,
        status=VersionStatus.DRAFT,
        created_by_user_id=by_user.id,
        lock_version=1,
    )
    if agreed is not None:
        for name in WORSE_TEXTS:
            setattr(draft, name, getattr(agreed, name))
        draft.items = [_copy(item) for item in agreed.items]
    db.session.add(draft)
    db.session.flush()
    audit.change_record(actor=by_user, patient=patient, change=audit.Change.AGREEMENT_DRAFTED)
    return draft


def _copy(item: AgreementItem) -> AgreementItem:
    return AgreementItem(
        position=item.position,
        kind=item.kind,
        text=item.text,
        responsible=item.responsible,
        responsible_name=item.responsible_name,
        what_matters_id=item.what_matters_id,
    )


def _check_items(patient: Patient, items: list[ItemInput]) -> None:
    tied = {item.what_matters_id for item in items if item.what_matters_id is not None}
    known = {id_ for id_, _text in what_matters_choices(patient=patient)} if tied else set()
    for index, item in enumerate(items):
        where = item.source or f"items-{index}"
        if item.kind not in set(ItemKind):
            raise AgreementItemError(_l("Välj om det är ett mål eller en åtgärd."), f"{where}-kind")
        if not item.text.strip():
            raise AgreementItemError(_l("Skriv målet eller åtgärden."), f"{where}-text")
        if len(item.text) > TEXT_MAX:
            raise AgreementItemError(_l("Texten får vara högst 500 tecken."), f"{where}-text")
        if item.responsible not in set(Responsible):
            raise AgreementItemError(_l("Välj vem som gör det."), f"{where}-responsible")
        if len(item.responsible_name) > NAME_MAX:
            raise AgreementItemError(
                _l("Namnet får vara högst 120 tecken."), f"{where}-responsible_name"
            )
        if item.what_matters_id is not None and item.what_matters_id not in known:
            raise AgreementItemError(
                _l("Välj något av det som patienten har skrivit är viktigt."),
                f"{where}-what_matters_id",
            )


def agreement_draft_save(
    *,
    patient: Patient,
    version_id: int,
    expected_lock: int,
    items: list[ItemInput],
    texts: dict[str, str],
    by_user: User,
) -> AgreementVersion:
    """Replace the draft's content with what the editor sent, if nobody changed it since.

    Raises AgreementChangedError (and changes nothing) when the draft moved on meanwhile.
    """
    _check_items(patient, items)
    for name, value in texts.items():
        if name not in WORSE_TEXTS:
            raise AgreementItemError(_l("Okänt fält."), name)
        if len(value) > WORSE_TEXT_MAX:
            raise AgreementItemError(_l("Texten får vara högst 2000 tecken."), name)
    draft = agreement_draft_find(patient=patient)
    if draft is None or draft.id != version_id:
        raise AgreementChangedError(EDIT_CONFLICT_MESSAGE)
    # One conditional UPDATE: of two simultaneous saves on the same copy, only one matches.
    result = db.session.execute(
        update(AgreementVersion)
        .where(
            AgreementVersion.id == version_id,
            AgreementVersion.lock_version == expected_lock,
            AgreementVersion.status == VersionStatus.DRAFT,
        )
        .values(
            lock_version=expected_lock + 1,
            updated_at=now_utc(),
            patient_consent_at=None,
            patient_consent_by_user_id=None,
            care_consent_at=None,
            care_consent_by_user_id=None,
            patient_talk_wanted_at=None,
            **texts,
        )
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:  # nothing was written: the request's error rolls back the rest
        raise AgreementChangedError(EDIT_CONFLICT_MESSAGE)
    plan_changed(patient.id)
    db.session.execute(delete(AgreementItem).where(AgreementItem.version_id == version_id))
    for position, item in enumerate(items, start=1):
        db.session.add(
            AgreementItem(
                version_id=version_id,
                position=position,
                kind=item.kind,
                text=item.text.strip(),
                responsible=item.responsible,
                responsible_name=item.responsible_name.strip(),
                what_matters_id=item.what_matters_id,
            )
        )
    audit.change_record(actor=by_user, patient=patient, change=audit.Change.AGREEMENT_DRAFTED)
    db.session.flush()
    db.session.expire_all()
    return agreement_draft_find(patient=patient)  # type: ignore[return-value]


# --- consent ---------------------------------------------------------------------------


def agreement_consent(
    *, patient: Patient, version_id: int, expected_lock: int, as_patient: bool, by_user: User
) -> AgreementVersion:
    """One side says yes to the draft it read. When both have, the draft becomes agreed and
    the version agreed before it is superseded. A yes to an old copy changes nothing."""
    draft = agreement_draft_find(patient=patient)
    if draft is None or draft.id != version_id or draft.lock_version != expected_lock:
        raise AgreementChangedError(CHANGED_MESSAGE)
    if not draft.items:
        raise UserFacingError(_l("Det finns inget att godkänna ännu."))
    now = now_utc()
    values: dict[str, Any]
    if as_patient:
        # Her yes answers the proposal: a wish to talk first is over.
        values = {
            "patient_consent_at": now,
            "patient_consent_by_user_id": by_user.id,
            "patient_talk_wanted_at": None,
        }
    else:
        values = {"care_consent_at": now, "care_consent_by_user_id": by_user.id}
    matching = (
        AgreementVersion.id == version_id,
        AgreementVersion.lock_version == expected_lock,
        AgreementVersion.status == VersionStatus.DRAFT,
    )
    result = db.session.execute(
        update(AgreementVersion)
        .where(*matching)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:  # nothing was written: the request's error rolls back the rest
        raise AgreementChangedError(CHANGED_MESSAGE)
    plan_changed(patient.id)
    # Becomes agreed only if both yeses are in: whichever side comes second makes it so.
    promoted = db.session.execute(
        update(AgreementVersion)
        .where(
            *matching,
            AgreementVersion.patient_consent_at.is_not(None),
            AgreementVersion.care_consent_at.is_not(None),
        )
        .values(status=VersionStatus.AGREED, agreed_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(promoted) == 1:
        db.session.execute(
            update(AgreementVersion)
            .where(
                AgreementVersion.agreement_id == draft.agreement_id,
                AgreementVersion.status == VersionStatus.AGREED,
                AgreementVersion.id != version_id,
            )
            .values(status=VersionStatus.SUPERSEDED)
            .execution_options(synchronize_session=False)
        )
    if not as_patient:
        audit.change_record(
            actor=by_user, patient=patient, change=audit.Change.AGREEMENT_CONSENTED_BY_CARE
        )
    db.session.flush()
    db.session.expire_all()
    return db.session.get(AgreementVersion, version_id)  # type: ignore[return-value]


def agreement_talk_first(
    *, patient: Patient, version_id: int, expected_lock: int, by_user: User
) -> bool:
    """ "Jag vill prata om det först": the patient answers the proposal she read with a wish
    to talk before saying yes. True when that is new; saying it again changes nothing (and
    writes nothing). An answer to an old copy is refused like a yes to one."""
    draft = agreement_draft_find(patient=patient)
    if draft is None or draft.id != version_id or draft.lock_version != expected_lock:
        raise AgreementChangedError(CHANGED_MESSAGE)
    if draft.patient_consent_at is not None:
        raise UserFacingError(ALREADY_CONSENTED_MESSAGE)
    if draft.patient_talk_wanted_at is not None:
        return False
    result = db.session.execute(
        update(AgreementVersion)
        .where(
            AgreementVersion.id == version_id,
            AgreementVersion.lock_version == expected_lock,
            AgreementVersion.status == VersionStatus.DRAFT,
            AgreementVersion.patient_consent_at.is_(None),
            AgreementVersion.patient_talk_wanted_at.is_(None),
        )
        .values(patient_talk_wanted_at=now_utc())
        .execution_options(synchronize_session=False)
    )
    plan_changed(patient.id)  # the guard counts the UPDATE as a write even when it matched none
    if rowcount(result) != 1:  # a second tap at the same moment: the first one said it
        return False
    audit.change_record(actor=by_user, patient=patient, change=audit.Change.AGREEMENT_TALK_WANTED)
    db.session.flush()
    db.session.expire_all()
    return True


def agreement_talk_done(*, patient: Patient, by_user: User) -> bool:
    """The care side has talked with the patient about the proposal: the wish is answered,
    and the proposal waits for her yes again (or for a new edit). True when there was a wish
    to answer; otherwise nothing changes and nothing is written."""
    result = db.session.execute(
        update(AgreementVersion)
        .where(
            AgreementVersion.agreement_id.in_(
                select(Agreement.id).where(Agreement.patient_id == patient.id)
            ),
            AgreementVersion.status == VersionStatus.DRAFT,
            AgreementVersion.patient_talk_wanted_at.is_not(None),
        )
        .values(patient_talk_wanted_at=None)
        .execution_options(synchronize_session=False)
    )
    plan_changed(patient.id)  # the guard counts the UPDATE as a write even when it matched none
    if rowcount(result) != 1:
        return False
    audit.change_record(actor=by_user, patient=patient, change=audit.Change.AGREEMENT_TALK_DONE)
    db.session.flush()
    db.session.expire_all()
    return True


@dataclass(frozen=True)
class ProposalState:
    """Where one patient's proposal stands, for a list of many patients."""

    waiting_for_patient: bool
    waiting_for_care: bool
    talk_wanted_at: datetime | None


def proposals_by_patient(patient_ids: Iterable[int]) -> dict[int, ProposalState]:
    """Of these patients, those with a proposal that waits for someone's yes (a draft with
    something in it), and for whom: one query however many patients (for the worklist)."""
    ids = set(patient_ids)
    if not ids:
        return {}
    has_items = (
        select(AgreementItem.id).where(AgreementItem.version_id == AgreementVersion.id).exists()
    )
    statement = (
        select(
            Agreement.patient_id,
            AgreementVersion.patient_consent_at,
            AgreementVersion.care_consent_at,
            AgreementVersion.patient_talk_wanted_at,
        )
        .join(AgreementVersion, AgreementVersion.agreement_id == Agreement.id)
        .where(
            Agreement.patient_id.in_(ids),
            AgreementVersion.status == VersionStatus.DRAFT,
            has_items,
        )
    )
    return {
        row.patient_id: ProposalState(
            waiting_for_patient=row.patient_consent_at is None,
            waiting_for_care=row.care_consent_at is None,
            talk_wanted_at=row.patient_talk_wanted_at,
        )
        for row in db.session.execute(statement)
    }


# --- what changed ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference between two versions, for saying it in plain words."""

    what: str  # "added", "removed", "changed" (an item), "text" (a "när jag blir sämre" text)
    item: AgreementItem | None = None
    before: AgreementItem | None = None
    field: str = ""
    old_text: str = ""
    new_text: str = ""


def agreement_diff(*, older: AgreementVersion, newer: AgreementVersion) -> list[Change]:
    """Items are matched by their kind and words: same words with another person responsible
    (or another "what matters") is a change; new words are an addition and a removal."""
    changes: list[Change] = []
    old_by_key = {(item.kind, item.text): item for item in older.items}
    new_keys = {(item.kind, item.text) for item in newer.items}
    for item in newer.items:
        before = old_by_key.get((item.kind, item.text))
        if before is None:
            changes.append(Change("added", item=item))
        elif (before.responsible, before.responsible_name, before.what_matters_id) != (
            item.responsible,
            item.responsible_name,
            item.what_matters_id,
        ):
            changes.append(Change("changed", item=item, before=before))
    for item in older.items:
        if (item.kind, item.text) not in new_keys:
            changes.append(Change("removed", item=item))
    for name in WORSE_TEXTS:
        if getattr(older, name) != getattr(newer, name):
            changes.append(
                Change(
                    "text", field=name, old_text=getattr(older, name), new_text=getattr(newer, name)
                )
            )
    return changes
