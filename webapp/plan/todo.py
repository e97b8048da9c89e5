""" "Att göra nu": one line and one button per thing that waits for the patient.

Each source is a function from the overview (already loaded, so no source costs a query) to
the items it has now; the registry below is the whole list, in the order the patient sees
them. An item disappears when its cause goes, because it is computed from the plan each
time the plan is rendered, and every cause and every "seen" marker is a plan row: writing
one bumps `Patient.plan_version`, which drops the cached plan (`plan/version.py`).

A new kind of item (self-care due now, say) is one more function decorated with
`@todo_source`, reading a new part of the overview.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from webapp.followups.models import FollowUp
from webapp.plan.overview import Overview


def when_words(follow_up: FollowUp) -> str:
    """The day and time of a follow-up as the follow-up pages say it."""
    words: str = _(
        "%(date)s kl. %(time)s",
        date=format_datetime(follow_up.starts_at, "EEEE d MMMM"),
        time=format_datetime(follow_up.starts_at, "HH:mm"),
    )
    return words


@dataclass(frozen=True)
class TodoItem:
    kind: str  # a stable name, for tests and styling
    text: str
    button: str
    url: str
    # A POST that marks the cause done ("Jag har sett det") instead of a link to follow;
    # the form's hidden fields.
    post_fields: dict[str, str] = field(default_factory=dict)
    detail: str = ""

    @property
    def is_form(self) -> bool:
        return bool(self.post_fields)


TodoSource = Callable[[Overview], list[TodoItem]]
_SOURCES: list[TodoSource] = []


def todo_source(source: TodoSource) -> TodoSource:
    """Register a source of items; they are shown in the order sources are registered."""
    _SOURCES.append(source)
    return source


def todo_items(overview: Overview) -> list[TodoItem]:
    return [item for source in _SOURCES for item in source(overview)]


@todo_source
def care_answered(overview: Overview) -> list[TodoItem]:
    """Care answered an update: said first, until she has read it on her list."""
    if not overview.answers:
        return []
    names: list[str] = []
    for update in overview.answers:
        name = update.answered_by.name.split()[0] if update.answered_by else ""
        if name not in names:
            names.append(name)
    if names == [""]:
        text = _("Vården har svarat dig.")
    else:
        text = _("%(names)s har svarat dig.", names=" och ".join(n for n in names if n))
    newest = overview.answers[0]
    return [
        TodoItem(
            kind="answer",
            text=text,
            button=_("Läs svaret"),
            url=url_for("selfcare.updates", _anchor=f"uppdatering-{newest.id}"),
        )
    ]


@todo_source
def agreement_proposal(overview: Overview) -> list[TodoItem]:
    """A draft of the agreement waits for the patient's consent."""
    if not overview.agreement.waiting_for_patient:
        return []
    return [
        TodoItem(
            kind="agreement",
            text=_("Din vårdkontakt har skickat ett förslag till överenskommelse."),
            button=_("Läs förslaget"),
            url=url_for("agreement.index"),
        )
    ]


@todo_source
def moved_follow_ups(overview: Overview) -> list[TodoItem]:
    """Care moved or cancelled a follow-up since the patient last said she had seen it."""
    changes = overview.follow_ups.unseen_changes
    if not changes:
        return []
    lines = []
    for follow_up in changes:
        if follow_up.moved_to is not None:
            lines.append(
                _(
                    "Din tid %(old)s är flyttad till %(new)s.",
                    old=when_words(follow_up),
                    new=when_words(follow_up.moved_to),
                )
            )
        else:
            lines.append(_("Din tid %(old)s är avbokad.", old=when_words(follow_up)))
    return [
        TodoItem(
            kind="follow-up",
            text=" ".join(lines),
            button=_("Jag har sett det"),
            url=url_for("followups.changes_seen"),
            post_fields={"up_to": str(max(f.id for f in changes))},
        )
    ]


@todo_source
def new_fixed_contact(overview: Overview) -> list[TodoItem]:
    """The unit gave the patient a new fixed care contact or physician, with a message."""
    team = overview.care_team
    if not team.notices:
        return []
    lines, messages = [], []
    for change in team.notices:
        lines.append(change.news_words)
        messages.append(f"{_('Meddelande från vårdenheten:')} {change.message}")
    return [
        TodoItem(
            kind="contact",
            text=" ".join(lines),
            detail=" ".join(messages),
            button=_("Jag har läst"),
            url=url_for("careteam.acknowledge"),
            post_fields={"up_to": str(team.last_notice_id)},
        )
    ]


@todo_source
def receipt_questions(overview: Overview) -> list[TodoItem]:
    """Care's question to the patient is Mitt kvitto: does the agreed plan hold for her?
    Asked once an agreement is agreed (before that there is nothing to judge), until she
    has answered all seven, and again when the agreement changed after her answers."""
    receipt = overview.receipt
    if not receipt.has_agreed_agreement:
        return []
    if receipt.answer_again:
        text = _("Överenskommelsen har ändrats. Vården frågar: stämmer den fortfarande för dig?")
    elif receipt.patient_answered < len(receipt.rows):
        text = _("Vården frågar: stämmer planen för dig? Det är sju korta frågor.")
    else:
        return []
    return [TodoItem(kind="receipt", text=text, button=_("Svara"), url=url_for("receipt.index"))]


@todo_source
def self_care_due(overview: Overview) -> list[TodoItem]:
    """A self-care goal whose reminder time has passed today and is not done yet. The cached
    plan is drawn anew when a reminder time comes (cache.py) and when one is logged."""
    return [
        TodoItem(
            kind="self-care",
            text=_("Dags för: %(title)s", title=goal_today.goal.title),
            button=_("Logga"),
            url=url_for("selfcare.check_in", goal_id=goal_today.goal.id),
        )
        for goal_today in overview.self_care.due
    ]
