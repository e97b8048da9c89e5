"""The one access policy: who may do what with which patient's data.

A route says what it does (`@patient_route(Action.BOOK_FOLLOW_UP)` for the care side,
`@own_route(Action.VIEW_PLAN)` for the patient's own screens) and the door loads the patient,
decides from the actor's relations to them, and hands the patient to the view. What each
relation may do is data in `PERMISSIONS`; a relation missing from it may do nothing. A "no"
is a 404, so a stranger cannot even learn that a record exists.

The door writes the request's one *read* row in the access log (`audit.read_noted`) when
someone other than the patient opens the data; services write *change* rows for changes that
really happened (`audit.change_record`).

Who someone is to a patient (their `Relation`s) is worked out in webapp/people/relations.py,
which the access log reads too; this module decides what each relation may do.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

import flask_login
from flask import abort, make_response, render_template, request
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from webapp import audit
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User
from webapp.people.relations import (
    Relation,
    active_leader,
    active_staff,
    in_service,
    relation_of,
    relations_of,
)
from webapp.relatives.acting import acting_ended, acting_grant

if TYPE_CHECKING:
    from webapp.relatives.models import ProxyGrant

P = ParamSpec("P")
R = TypeVar("R")


class Action(StrEnum):
    VIEW_PLAN = "view_plan"
    VIEW_ACCESS_LOG = "view_access_log"
    ISSUE_SIGN_IN_LINK = "issue_invitation"
    WRITE_WHAT_MATTERS = "write_what_matters"
    DRAFT_AGREEMENT = "draft_agreement"
    CONSENT_AS_PATIENT = "consent_as_patient"
    CONSENT_AS_CARE = "consent_as_care"
    BOOK_FOLLOW_UP = "book_follow_up"
    RESPOND_TO_FOLLOW_UP = "respond_to_follow_up"
    MANAGE_CALENDAR_FEED = "manage_calendar_feed"
    ANSWER_RECEIPT_AS_PATIENT = "answer_receipt_as_patient"
    ANSWER_RECEIPT_AS_CARE = "answer_receipt_as_care"
    ASSIGN_CONTACTS = "assign_contacts"
    EDIT_CARE_PARTS = "edit_care_parts"
    VIEW_SELF_CARE = "view_self_care"  # goals, check-ins, charts and updates
    LOG_SELF_CARE = "log_self_care"  # check in against a goal (later: a relative too)
    SET_OWN_GOAL = "set_own_goal"  # the patient's own goals
    SEND_UPDATE = "send_update"  # tell the care contact how it goes
    KEEP_SELF_CARE = "keep_self_care"  # set and change goals and limits with the patient
    ANSWER_UPDATE = "answer_update"  # mark a patient's update seen, answer it
    ACKNOWLEDGE_NEWS = "acknowledge_news"  # the patient's own "Jag har läst" on news to her
    VIEW_WHAT_MATTERS = "view_what_matters"  # the patient's own page of what matters
    MANAGE_RELATIVES = "manage_relatives"  # invite, change and end relatives: hers alone
    RECORD_RELATIVE_CONSENT = "record_relative_consent"  # her consent, given in person
    EXPORT_OWN_COPY = "export_own_copy"  # download her whole plan: hers alone, never another's
    TELL_STORY = "tell_story"  # "Berätta hur det är för dig"
    # Letting her unit use a story without her name, or taking that back: hers alone, also
    # for a story a relative told for her.
    SHARE_STORY_WITH_UNIT = "share_story_with_unit"
    READ_STORIES = "read_stories"  # the stories as told: the fixed care contact only


# Unit staff who are not the patient's contacts: read and book, nothing more.
_READ_AND_BOOK = frozenset({Action.VIEW_PLAN, Action.BOOK_FOLLOW_UP, Action.VIEW_SELF_CARE})
# The patient's own contacts keep the plan with the patient.
_KEEP_THE_PLAN = _READ_AND_BOOK | {
    Action.DRAFT_AGREEMENT,
    Action.CONSENT_AS_CARE,
    Action.ANSWER_RECEIPT_AS_CARE,
    Action.EDIT_CARE_PARTS,
    Action.KEEP_SELF_CARE,
    Action.ANSWER_UPDATE,
}

# What each relation may do. A relation missing from this table may do nothing.
# A sign-in link lets its holder become the patient, so only the person who answers for the
# patient's care (the fixed care contact) or the unit's administrator may make one.
PERMISSIONS: dict[Relation, frozenset[Action]] = {
    Relation.SELF: frozenset(
        {
            Action.VIEW_PLAN,
            Action.VIEW_ACCESS_LOG,
            Action.WRITE_WHAT_MATTERS,
            Action.CONSENT_AS_PATIENT,
            Action.RESPOND_TO_FOLLOW_UP,
            Action.MANAGE_CALENDAR_FEED,
            Action.ANSWER_RECEIPT_AS_PATIENT,
            Action.VIEW_SELF_CARE,
            Action.LOG_SELF_CARE,
            Action.SET_OWN_GOAL,
            Action.SEND_UPDATE,
            Action.MANAGE_RELATIVES,
            Action.VIEW_WHAT_MATTERS,
            Action.ACKNOWLEDGE_NEWS,
            Action.EXPORT_OWN_COPY,
            Action.TELL_STORY,
            Action.SHARE_STORY_WITH_UNIT,
        }
    ),
    Relation.CARE_CONTACT: _KEEP_THE_PLAN
    | {
        Action.ISSUE_SIGN_IN_LINK,
        Action.ASSIGN_CONTACTS,
        Action.READ_STORIES,
        Action.RECORD_RELATIVE_CONSENT,
    },
    Relation.PHYSICIAN: _KEEP_THE_PLAN,
    Relation.UNIT_ADMIN: _READ_AND_BOOK | {Action.ISSUE_SIGN_IN_LINK, Action.ASSIGN_CONTACTS},
    Relation.UNIT_STAFF: _READ_AND_BOOK,
    Relation.LEADER: frozenset(),  # no patient route at all
    # The most a relative may ever do; what one relative may do is this ∩ their grant's
    # scopes (`SCOPE_ACTIONS`). Never: consent to the agreement, Mitt kvitto, the logglista,
    # the calendar feed, the patient's own goals, her keys and sessions, other relatives.
    Relation.RELATIVE: frozenset(
        {
            Action.VIEW_PLAN,
            Action.VIEW_SELF_CARE,
            Action.LOG_SELF_CARE,
            Action.SEND_UPDATE,
            Action.WRITE_WHAT_MATTERS,
            Action.VIEW_WHAT_MATTERS,
            Action.TELL_STORY,
        }
    ),
}

# What each of the patient's plain-language choices (`relatives.models.Scope`) lets a
# relative do.
SCOPE_ACTIONS: dict[str, frozenset[Action]] = {
    "view_plan": frozenset({Action.VIEW_PLAN, Action.VIEW_SELF_CARE, Action.VIEW_WHAT_MATTERS}),
    # Telling a story about how care feels is sending word to her care contact on her
    # behalf, as an update is: the scope she chose for that. The story goes to her care
    # contact only; whether her unit may use it is hers to decide (SHARE_STORY_WITH_UNIT).
    "self_care": frozenset(
        {Action.VIEW_SELF_CARE, Action.LOG_SELF_CARE, Action.SEND_UPDATE, Action.TELL_STORY}
    ),
    "reminders": frozenset(),  # reminders reach their devices; no page of its own
    "what_matters": frozenset({Action.WRITE_WHAT_MATTERS, Action.VIEW_WHAT_MATTERS}),
}


def grant_actions(grant: ProxyGrant) -> frozenset[Action]:
    """What a relative may do by this grant: the relative's row ∩ the grant's scopes."""
    allowed: frozenset[Action] = frozenset()
    for scope in grant.scopes:
        allowed |= SCOPE_ACTIONS.get(scope, frozenset())
    return allowed & PERMISSIONS[Relation.RELATIVE]


def own_plan_version(actor: User) -> int:
    """The plan version of the patient whose own screens these are (hers, or the patient a
    relative acts for): what a kept page of them is kept under. Asked once the door has let
    the actor in (`own_patient_id`), so there is such a patient."""
    grant = acting_grant()
    if grant is not None:
        return grant.patient.plan_version
    version = actor.plan_version
    assert version is not None  # the door let her in as the patient herself
    return version


def viewer_key() -> tuple[object, ...]:
    """Whose eyes a kept page of the patient's own screens is for: hers, or one relative's
    with their scopes (a page kept for one is never served to another)."""
    grant = acting_grant()
    if grant is None:
        return ("self",)
    return ("relative", grant.id, *grant.scopes)


def _refused_as_relative() -> None:
    """A relative whose grant has ended is told so plainly (without a reason), as a 404."""
    if acting_ended() is not None:
        abort(make_response(render_template("relatives/ended.html"), 404))
    abort(404)


def allowed_actions(actor: User, patient: Patient) -> frozenset[Action]:
    return _actions_of(relations_of(actor, patient))


def _actions_of(relations: list[Relation]) -> frozenset[Action]:
    allowed: frozenset[Action] = frozenset()
    for relation in relations:
        if relation is Relation.RELATIVE:
            grant = acting_grant()
            assert grant is not None  # the relation holds only while acting by a grant
            allowed |= grant_actions(grant)
        else:
            allowed |= PERMISSIONS.get(relation, frozenset())
    return allowed


def viewer_may(action: Action | str) -> bool:
    """Whether the person looking at the patient's own screens may do this there: the
    patient herself as her row says, a relative as their grant says. For templates, so that
    what a scope does not allow is not shown."""
    grant = acting_grant()
    if grant is not None:
        return Action(action) in grant_actions(grant)
    return Action(action) in PERMISSIONS[Relation.SELF]


def _patient_with_contacts() -> Select[Patient]:
    return select(Patient).options(
        joinedload(Patient.user),
        joinedload(Patient.care_unit),
        joinedload(Patient.care_contact).joinedload(StaffMember.user),
        joinedload(Patient.care_contact).joinedload(StaffMember.care_unit),
        joinedload(Patient.physician).joinedload(StaffMember.user),
        joinedload(Patient.physician).joinedload(StaffMember.care_unit),
    )


def load_patient(
    actor: User, patient_id: int, action: Action, *, as_other: bool = False
) -> Patient:
    """The patient if `actor` may do `action`, else 404. Notes the read for the access log.

    `as_other`: the route is the care side's, never the patient's own way in, so the
    patient themself (and a relative acting for her) is refused there too.
    """
    if not getattr(actor, "is_authenticated", False):
        abort(404)
    patient = db.session.scalar(_patient_with_contacts().where(Patient.id == patient_id))
    if patient is None:
        abort(404)
    held = relations_of(actor, patient)  # worked out once: what they may, and the log's role
    if action not in _actions_of(held):
        abort(404)
    relation = held[0] if held else None
    if as_other and relation in (Relation.SELF, Relation.RELATIVE):
        abort(404)
    if relation is not Relation.SELF:
        assert relation is not None
        audit.read_noted(actor=actor, patient=patient, role=relation, part=_part_read())
    return patient


def own_patient_id(actor: User, action: Action) -> int:
    """The id of the patient whose own screens these are, if the actor may do `action`
    there, else 404: the one check of the patient's own way in. The signed-in patient's own
    record, or the patient a relative acts for (the read is noted for her access log).
    Enough for a request that needs no more of the record (a check-in: the session's row
    has the id)."""
    if not getattr(actor, "is_authenticated", False):
        abort(404)
    grant = acting_grant()
    if grant is not None:
        if action not in grant_actions(grant):
            abort(404)
        audit.read_noted_id(
            actor=actor, patient_id=grant.patient_id, role=Relation.RELATIVE, part=_part_read()
        )
        return grant.patient_id
    patient_id = actor.patient_id
    if patient_id is None or action not in PERMISSIONS[Relation.SELF]:
        _refused_as_relative()
    assert patient_id is not None
    return patient_id


def own_patient(actor: User, action: Action) -> Patient:
    """The signed-in patient's own record with their contacts, through the same door."""
    return load_patient(actor, own_patient_id(actor, action), action)


def own_patient_lean(actor: User, action: Action) -> Patient:
    """The signed-in patient's record as the session loaded it, without its contacts: for a
    page that never shows them (a chart, a refused check-in drawn again)."""
    patient_id = own_patient_id(actor, action)
    grant = acting_grant()
    if grant is not None:
        return grant.patient  # loaded with the grant
    patient = actor.patient
    assert patient is not None and patient.id == patient_id  # the account's own record
    return patient


def _part_read() -> str:
    """Which part of the patient's data this request reads: the page's own part if it has
    one, else the area serving it."""
    part = audit.PART_OF_ENDPOINT.get(request.endpoint or "")
    return part or audit.PART_OF_AREA.get(request.blueprint or "", audit.Read.RECORD)


def login_required(view: Callable[P, R]) -> Callable[P, R]:
    """Flask-Login's `login_required`, the very same, with its types: the library ships none,
    and an untyped decorator would leave every view it wraps unchecked. Views use this one."""
    return cast("Callable[P, R]", flask_login.login_required(view))


def _door_route(
    action: Action, let_in: Callable[[dict[str, Any]], dict[str, Any]]
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """The one shape of a route through the door: signed in, then `let_in` turns the route's
    arguments into the view's (or ends the request in 404); the view is marked with its
    action, which the suite checks every patient route for."""

    def decorate(view: Callable[..., R]) -> Callable[..., R]:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> R:
            return view(*args, **let_in(kwargs))

        wrapper.door_action = action  # type: ignore[attr-defined]
        return wrapper

    return decorate


def patient_route(action: Action) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """For a route with `<int:patient_id>`: the view gets `patient=` instead, or the
    request ends in 404. Used by everyone but the patient themself (staff, later relatives)."""

    def let_in(kwargs: dict[str, Any]) -> dict[str, Any]:
        patient_id = kwargs.pop("patient_id")
        return {**kwargs, "patient": load_patient(current_user, patient_id, action, as_other=True)}

    return _door_route(action, let_in)


def own_id_route(action: Action) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """For the patient's own screens that most often need only her id (a check-in, a kept
    chart): the view gets `patient_id=`, through the same door, with nothing loaded; it asks
    `own_patient` or `own_patient_lean` for the record when it needs it."""
    return _door_route(
        action, lambda kwargs: {**kwargs, "patient_id": own_patient_id(current_user, action)}
    )


def own_route(action: Action) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """For the patient's own screens: the view gets the signed-in patient as `patient=`."""
    return _door_route(
        action, lambda kwargs: {**kwargs, "patient": own_patient(current_user, action)}
    )


def staff_route(view: Callable[P, R]) -> Callable[P, R]:
    """Signed-in staff still in service; anyone else gets 404."""

    @wraps(view)
    @login_required
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if active_staff(current_user) is None:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def admin_route(view: Callable[P, R]) -> Callable[P, R]:
    """A unit administrator still in service; anyone else gets 404."""

    @wraps(view)
    @login_required
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        staff = in_service(current_user)  # a leader may run the unit's staff list too
        if staff is None or not staff.is_unit_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def leader_route(view: Callable[P, R]) -> Callable[P, R]:
    """The unit's figures: its leader or administrator still in service; anyone else 404."""

    @wraps(view)
    @login_required
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if active_leader(current_user) is None:
            abort(404)
        return view(*args, **kwargs)

    return wrapper


def patients_visible_to(actor: User) -> list[Patient]:
    """The patients an actor may see listed: a staff member's unit's patients, by name."""
    staff = active_staff(actor)
    if staff is None:
        return []
    return list(
        db.session.scalars(
            select(Patient)
            .where(Patient.care_unit_id == staff.care_unit_id)
            .options(
                joinedload(Patient.user),
                joinedload(Patient.care_contact).joinedload(StaffMember.user),
            )
            .join(Patient.user)
            .order_by(User.name)
        )
    )


def listed_reads_noted(actor: User, patients: list[Patient]) -> None:
    """A list that shows each patient's own data beside the name (what waits, the next
    contact) opened that data: one read row per patient listed, in the request's role."""
    for patient in patients:
        relation = relation_of(actor, patient)
        if relation is not None and relation is not Relation.SELF:
            audit.read_noted(actor=actor, patient=patient, role=relation, part=audit.Read.WORKLIST)
