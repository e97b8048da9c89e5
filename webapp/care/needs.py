"""What needs the care contact, kind by kind, for many patients at once.

Each kind is one function: given the ids of the patients on a list, it answers in ONE query
with at most one `Need` per patient (a short line and where to act on it). The worklist
(`webapp.care.worklist`) asks every kind in `NEEDS_KINDS` and puts the lines beside the
names, so a new kind (a request from another area, say) is one function here and one line
in that tuple; nothing else changes and the list's query count grows by one, not by patient.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from flask import url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _

from webapp.agreement import services as agreements
from webapp.auth import services as auth_services
from webapp.clock import now_utc
from webapp.followups import services as followups
from webapp.receipt import services as receipts


class Urgency(IntEnum):
    """Sorts the list: the lower, the sooner she should see it."""

    URGENT = 0  # the patient is getting worse: a value outside agreed limits, "Sämre"
    FIRST_CONTACT = 1  # a promise is open: a new patient's first contact, a contact who left
    ACT = 2  # she has something to do: a patient cannot come, a proposal waits for her
    TALK = 3  # the patient has doubts worth a call
    WAITING = 4  # waiting for the patient: nothing to do now, but good to know


@dataclass(frozen=True)
class Need:
    urgency: Urgency
    text: str
    href: str

    @property
    def acts(self) -> bool:
        return self.urgency <= Urgency.ACT


NeedsOf = Callable[[Sequence[int]], Mapping[int, Need]]


def when_words(moment: datetime) -> str:
    """ "ons 9 december kl. 13.00": short enough for a line beside a name."""
    words: str = _(
        "%(date)s kl. %(time)s",
        date=format_datetime(moment, "EEE d MMMM"),
        time=format_datetime(moment, "HH.mm"),
    )
    return words


def cannot_come(patient_ids: Sequence[int]) -> dict[int, Need]:
    """ "Kan inte komma" answers not yet handled: the contact is still planned (moving or
    cancelling it is how the care contact answers)."""
    found = followups.cannot_come_unanswered(patient_ids)
    needs = {}
    for patient_id, answers in found.items():
        first_id, first_at = answers[0]
        text = (
            _("Kan inte komma %(when)s", when=when_words(first_at))
            if len(answers) == 1
            else _("Kan inte komma till %(num)d kontakter", num=len(answers))
        )
        href = url_for(
            "followups.staff_index", patient_id=patient_id, _anchor=f"kontakt-{first_id}"
        )
        needs[patient_id] = Need(Urgency.ACT, text, href)
    return needs


def agreement_proposal(patient_ids: Sequence[int]) -> dict[int, Need]:
    """A proposal with something in it that one side has not agreed to yet; first of all,
    a patient who answered it "Jag vill prata om det först"."""
    needs = {}
    for patient_id, proposal in agreements.proposals_by_patient(patient_ids).items():
        href = url_for("agreement.staff_page", patient_id=patient_id)
        if proposal.talk_wanted_at is not None:
            text = _(
                "Vill prata om förslaget först (sedan %(when)s)",
                when=when_words(proposal.talk_wanted_at),
            )
            needs[patient_id] = Need(Urgency.ACT, text, href)
        elif proposal.waiting_for_care and not proposal.waiting_for_patient:
            needs[patient_id] = Need(
                Urgency.ACT, _("Patienten har godkänt förslaget. Nu väntar det på dig."), href
            )
        elif proposal.waiting_for_care:
            needs[patient_id] = Need(
                Urgency.ACT, _("Förslag till överenskommelse som du inte har godkänt"), href
            )
        else:
            needs[patient_id] = Need(
                Urgency.WAITING, _("Förslaget väntar på att patienten godkänner det"), href
            )
    return needs


def receipt_doubts(patient_ids: Sequence[int]) -> dict[int, Need]:
    """The patient's current answers in Mitt kvitto that are "Nej" or "Delvis", and the
    questions she asked to be called about (which make it something to act on)."""
    needs = {}
    for patient_id, attention in receipts.attention_by_patient(patient_ids).items():
        parts = []
        if calls := len(attention.call_wanted):
            parts.append(
                ngettext(
                    "vill att du ringer om %(num)d fråga",
                    "vill att du ringer om %(num)d frågor",
                    calls,
                )
            )
        if no := len(attention.no):
            parts.append(ngettext("Nej på %(num)d fråga", "Nej på %(num)d frågor", no))
        if partly := len(attention.partly):
            parts.append(ngettext("Delvis på %(num)d fråga", "Delvis på %(num)d frågor", partly))
        if not parts:
            continue
        text = _("Mitt kvitto: %(answers)s", answers=", ".join(parts))
        urgency = Urgency.ACT if calls else Urgency.TALK
        href = url_for("receipt.staff_page", patient_id=patient_id)
        needs[patient_id] = Need(urgency, text, href)
    return needs


def sign_in_link(patient_ids: Sequence[int]) -> dict[int, Need]:
    """The last sign-in link care made, if it was never used: she may need to make a new one
    (it ran out) or to check that the patient got it (it is still open)."""
    now = now_utc()
    needs = {}
    for patient_id, expires_at, revoked_at in auth_services.sign_in_links_unused(patient_ids):
        href = url_for("care.patient", patient_id=patient_id, _anchor="link-heading")
        if revoked_at is None and expires_at > now:
            needs[patient_id] = Need(
                Urgency.WAITING,
                _(
                    "Har inte använt sin inloggningslänk. Den går ut %(when)s.",
                    when=when_words(expires_at),
                ),
                href,
            )
        else:
            needs[patient_id] = Need(
                Urgency.ACT, _("Inloggningslänken gick ut utan att användas"), href
            )
    return needs


# Every kind the worklist asks, in the order their lines are shown for one patient when
# they are equally urgent. Another area's kind is added here.
NEEDS_KINDS: tuple[NeedsOf, ...] = (
    cannot_come,
    agreement_proposal,
    receipt_doubts,
    sign_in_link,
)
