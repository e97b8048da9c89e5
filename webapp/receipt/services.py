"""Mitt kvitto: the seven questions, answers from both sides, and whether a contract exists.

A patient contract is established only when the current answers of both the patient and the
care side are yes to all seven questions AND an agreed version of the agreement exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Final

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from webapp import audit
from webapp.agreement.services import AgreementOverview, agreed_patient_ids, agreement_agreed_at
from webapp.clock import now_utc
from webapp.errors import UserFacingError
from webapp.extensions import db
from webapp.people.models import Patient, StaffMember, User
from webapp.receipt.models import COMMENT_MAX, QUESTION_COUNT, Answer, ReceiptAnswer, Side


class _Ask(Enum):
    ASK = "ask"


# receipt_contract's default: look up when the agreement in force was agreed. An enum's one
# member rather than object(), so that the type checker can tell it from a datetime.
ASK: Final = _Ask.ASK

# The regions' "7 frågor": the patient's in "jag" form, the care side's mirrored.
PATIENT_QUESTIONS = (
    _l("Jag kan leva mitt liv och lita på att jag får hjälp när jag behöver det."),
    _l(
        "Jag har en överenskommelse som bygger på det som är viktigt för mig, och som säger "
        "vad jag gör och vad vården gör."
    ),
    _l("Jag har enkla sätt att komma i kontakt med vården."),
    _l("Jag har en fast vårdkontakt när jag behöver det."),
    _l("Jag vet vad nästa steg är."),
    _l("Vi har kommit överens om när vi ses eller hörs nästa gång."),
    _l("Jag har en överblick över mina planer och får hjälp att samordna dem."),
)
CARE_QUESTIONS = (
    _l("Patienten kan leva sitt liv och lita på att hen får hjälp när hen behöver det."),
    _l(
        "Patienten har en överenskommelse som bygger på det som är viktigt för hen, och som "
        "säger vad patienten gör och vad vården gör."
    ),
    _l("Patienten har enkla sätt att komma i kontakt med vården."),
    _l("Patienten har en fast vårdkontakt när hen behöver det."),
    _l("Patienten vet vad nästa steg är."),
    _l("Vi har kommit överens med patienten om när vi ses eller hörs nästa gång."),
    _l("Patienten har en överblick över sina planer och får hjälp att samordna dem."),
)
assert len(PATIENT_QUESTIONS) == len(CARE_QUESTIONS) == QUESTION_COUNT

# The questions a newly agreed version of the agreement touches, and so asks again: whether
# she can trust help comes when needed (the agreement's "när jag blir sämre") and whether the
# agreement builds on what matters to her and says who does what. The others are about her
# contact, the next step, the next time and the overview, which an agreement does not change;
# her answers to them stand. A fixed set rather than one worked out from what changed between
# versions: it costs nothing to read, and both parts of the agreement land on these two.
AGREEMENT_QUESTIONS: Final = (1, 2)

# After these answers she is offered a call from her care contact.
CALL_OFFERED = frozenset({Answer.PARTLY, Answer.NO})

ANSWER_WORDS = {Answer.YES: _l("Ja"), Answer.PARTLY: _l("Delvis"), Answer.NO: _l("Nej")}

ANSWER_MESSAGE = _l("Välj ett svar: Ja, Delvis eller Nej.")
QUESTION_MESSAGE = _l("Den frågan finns inte. Frågorna har nummer 1 till 7.")
CALL_NOT_OFFERED_MESSAGE = _l(
    "Du har svarat Ja på den frågan. Vill du prata ändå, ring din vårdkontakt."
)
COMMENT_MESSAGE = _l(
    "Kommentaren får vara högst %(max)d tecken. Korta texten lite.", max=COMMENT_MAX
)


class ReceiptInputError(UserFacingError):
    """One field of an answer is wrong; `field` names it so the form can show the message."""


def question_text(side: str, number: int) -> str:
    questions = PATIENT_QUESTIONS if side == Side.PATIENT else CARE_QUESTIONS
    return str(questions[number - 1])


def is_question(number: object) -> bool:
    return isinstance(number, int) and 1 <= number <= QUESTION_COUNT


# --- answering -------------------------------------------------------------------------


def receipt_answer_save(
    *, patient: Patient, side: str, question: int, answer: str, comment: str | None, by_user: User
) -> ReceiptAnswer:
    """Store one answer. Earlier answers stay (history); the newest is the current one.

    The same answer again is still an answer: after a changed agreement it says "yes, still".
    """
    if not is_question(question):
        raise ReceiptInputError(QUESTION_MESSAGE, "question")
    if answer not in set(Answer):
        raise ReceiptInputError(ANSWER_MESSAGE, "answer")
    if side not in set(Side):
        raise ValueError(f"unknown side {side!r}")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ReceiptInputError(COMMENT_MESSAGE, "comment")
    row = ReceiptAnswer(
        patient_id=patient.id,
        side=str(side),
        question=question,
        answer=str(answer),
        comment=comment or None,
        answered_by_user_id=by_user.id,
        answered_at=now_utc(),
    )
    db.session.add(row)
    if side == Side.CARE:
        audit.change_record(
            actor=by_user, patient=patient, change=audit.Change.RECEIPT_ANSWERED_BY_CARE
        )
    return row


def receipt_call_wanted(*, patient: Patient, question: int, by_user: User) -> bool:
    """ "Ja, ring mig": the patient wants her care contact to call her about her current
    Delvis or Nej to this question. True when that is new; asked again, nothing changes."""
    if not is_question(question):
        raise ReceiptInputError(QUESTION_MESSAGE, "question")
    current = receipt_current(patient_id=patient.id).get((Side.PATIENT, question))
    if current is None or current.answer not in CALL_OFFERED:
        raise ReceiptInputError(CALL_NOT_OFFERED_MESSAGE, "call")
    if current.call_wanted_at is not None:
        return False
    current.call_wanted_at = now_utc()
    audit.change_record(actor=by_user, patient=patient, change=audit.Change.RECEIPT_CALL_WANTED)
    db.session.flush()
    return True


def receipt_call_done(*, patient: Patient, question: int, by_user: User) -> bool:
    """The care contact has called the patient about her answer to this question: the wish
    is answered (she can ask again). True when there was a wish; otherwise nothing changes."""
    if not is_question(question):
        raise ReceiptInputError(QUESTION_MESSAGE, "question")
    current = receipt_current(patient_id=patient.id).get((Side.PATIENT, question))
    if current is None or current.call_wanted_at is None:
        return False
    current.call_wanted_at = None
    audit.change_record(actor=by_user, patient=patient, change=audit.Change.RECEIPT_CALL_DONE)
    db.session.flush()
    return True


def receipt_current(*, patient_id: int) -> dict[tuple[str, int], ReceiptAnswer]:
    """The current answer per (side, question): the newest row of each (one query)."""
    latest = (
        select(func.max(ReceiptAnswer.id))
        .where(ReceiptAnswer.patient_id == patient_id)
        .group_by(ReceiptAnswer.side, ReceiptAnswer.question)
    )
    rows = db.session.scalars(select(ReceiptAnswer).where(ReceiptAnswer.id.in_(latest)))
    return {(row.side, row.question): row for row in rows}


# --- the contract ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One question with both sides' current answers."""

    number: int
    patient: ReceiptAnswer | None
    care: ReceiptAnswer | None

    @property
    def patient_text(self) -> str:
        return question_text(Side.PATIENT, self.number)

    @property
    def care_text(self) -> str:
        return question_text(Side.CARE, self.number)

    @property
    def call_wanted(self) -> bool:
        return self.patient is not None and self.patient.call_wanted_at is not None

    @property
    def needs_talk(self) -> bool:
        """For the care side: she asked for a call, or the two sides answer differently."""
        return self.call_wanted or self.comparison == "differ"

    @property
    def comparison(self) -> str:
        """One of agree, differ or waiting (when a side has not answered yet)."""
        if self.patient is None or self.care is None:
            return "waiting"
        return "agree" if self.patient.answer == self.care.answer else "differ"


@dataclass(frozen=True)
class Contract:
    rows: list[Row]
    agreed_at: datetime | None
    # The questions the agreement in force touches that she answered before it was agreed.
    ask_again: tuple[int, ...]
    latest_patient_answer_at: datetime | None = field(default=None)

    @property
    def answer_again(self) -> bool:
        return bool(self.ask_again)

    @property
    def needing_talk(self) -> list[Row]:
        return [row for row in self.rows if row.needs_talk]

    @property
    def has_agreed_agreement(self) -> bool:
        return self.agreed_at is not None

    @property
    def patient_yes(self) -> int:
        return sum(1 for row in self.rows if row.patient and row.patient.answer == Answer.YES)

    @property
    def care_yes(self) -> int:
        return sum(1 for row in self.rows if row.care and row.care.answer == Answer.YES)

    @property
    def patient_answered(self) -> int:
        return sum(1 for row in self.rows if row.patient)

    @property
    def care_answered(self) -> int:
        return sum(1 for row in self.rows if row.care)

    @property
    def established(self) -> bool:
        return (
            self.has_agreed_agreement
            and self.patient_yes == QUESTION_COUNT
            and self.care_yes == QUESTION_COUNT
        )

    def row(self, number: int) -> Row:
        return self.rows[number - 1]


def receipt_contract(*, patient_id: int, agreed_at: datetime | None | _Ask = ASK) -> Contract:
    """Both sides' current answers, the agreement's state and what follows: two queries, or
    one when the caller already knows when the agreement in force was agreed."""
    current = receipt_current(patient_id=patient_id)
    if agreed_at is ASK:
        agreed_at = agreement_agreed_at(patient_id=patient_id)
    rows = [
        Row(number, current.get((Side.PATIENT, number)), current.get((Side.CARE, number)))
        for number in range(1, QUESTION_COUNT + 1)
    ]
    patient_times = [row.patient.answered_at for row in rows if row.patient]
    # Ask again those questions the agreement touches whose answer is older than it.
    ask_again = tuple(
        number
        for number in AGREEMENT_QUESTIONS
        if agreed_at is not None
        and (answer := current.get((Side.PATIENT, number))) is not None
        and agreed_at > answer.answered_at
    )
    return Contract(
        rows=rows,
        agreed_at=agreed_at,
        ask_again=ask_again,
        latest_patient_answer_at=max(patient_times) if patient_times else None,
    )


def for_overview(patient: Patient, agreement: AgreementOverview) -> Contract:
    """What "Min plan" shows of Mitt kvitto, given the agreement part it sits beside (which
    knows the version in force already): one query whatever the counts."""
    return receipt_contract(
        patient_id=patient.id,
        agreed_at=agreement.agreed.agreed_at if agreement.agreed else None,
    )


# --- for the care contact's worklist ---------------------------------------------------


@dataclass(frozen=True)
class ReceiptAttention:
    """What in one patient's current answers needs her care contact: the questions she
    answered Nej (and Delvis), and those she asked to be called about."""

    no: tuple[int, ...]
    partly: tuple[int, ...]
    call_wanted: tuple[int, ...]


def attention_by_patient(patient_ids: Iterable[int]) -> dict[int, ReceiptAttention]:
    """Of these patients, those whose current answers hold a Nej, a Delvis or a wish to be
    called, question by question: one query however many patients (for the worklist)."""
    ids = set(patient_ids)
    if not ids:
        return {}
    latest = (
        select(func.max(ReceiptAnswer.id))
        .where(ReceiptAnswer.patient_id.in_(ids), ReceiptAnswer.side == Side.PATIENT)
        .group_by(ReceiptAnswer.patient_id, ReceiptAnswer.question)
    )
    statement = (
        select(
            ReceiptAnswer.patient_id,
            ReceiptAnswer.question,
            ReceiptAnswer.answer,
            ReceiptAnswer.call_wanted_at,
        )
        .where(ReceiptAnswer.id.in_(latest), ReceiptAnswer.answer.in_(list(CALL_OFFERED)))
        .order_by(ReceiptAnswer.patient_id, ReceiptAnswer.question)
    )
    found: dict[int, dict[str, list[int]]] = {}
    for row in db.session.execute(statement):
        lists = found.setdefault(row.patient_id, {"no": [], "partly": [], "call": []})
        lists["no" if row.answer == Answer.NO else "partly"].append(row.question)
        if row.call_wanted_at is not None:
            lists["call"].append(row.question)
    return {
        patient_id: ReceiptAttention(
            no=tuple(lists["no"]), partly=tuple(lists["partly"]), call_wanted=tuple(lists["call"])
        )
        for patient_id, lists in found.items()
    }


# --- the unit's view -------------------------------------------------------------------


@dataclass(frozen=True)
class ContactCount:
    """How many of one care contact's patients have an established contract. Counts only."""

    name: str
    title: str
    established: int
    total: int


def receipt_unit_counts(*, care_unit_id: int) -> list[ContactCount]:
    """Per care contact, patients with an established contract out of all their patients at
    the unit. Three queries whatever the counts; patients without a contact come last."""
    contact_user = aliased(User)
    patients = db.session.execute(
        select(Patient.id, StaffMember.id, contact_user.name, StaffMember.title)
        .outerjoin(StaffMember, StaffMember.id == Patient.care_contact_id)
        .outerjoin(contact_user, contact_user.id == StaffMember.user_id)
        .where(Patient.care_unit_id == care_unit_id)
    ).all()
    established = _all_yes_patients(care_unit_id) & agreed_patient_ids(care_unit_id=care_unit_id)
    counts: dict[int | None, list[Any]] = {}  # [name, title, established, total]
    for patient_id, staff_id, name, title in patients:
        entry = counts.setdefault(staff_id, [name or "", title or "", 0, 0])
        entry[2] += patient_id in established
        entry[3] += 1
    named = sorted(
        (ContactCount(*entry) for key, entry in counts.items() if key is not None),
        key=lambda count: count.name,
    )
    if None in counts:
        entry = counts[None]
        named.append(ContactCount("", "", entry[2], entry[3]))
    return named


def _all_yes_patients(care_unit_id: int) -> set[int]:
    latest = (
        select(func.max(ReceiptAnswer.id))
        .join(Patient, Patient.id == ReceiptAnswer.patient_id)
        .where(Patient.care_unit_id == care_unit_id)
        .group_by(ReceiptAnswer.patient_id, ReceiptAnswer.side, ReceiptAnswer.question)
    )
    statement = (
        select(ReceiptAnswer.patient_id)
        .where(ReceiptAnswer.id.in_(latest), ReceiptAnswer.answer == Answer.YES)
        .group_by(ReceiptAnswer.patient_id)
        .having(func.count() == 2 * QUESTION_COUNT)
    )
    return set(db.session.scalars(statement))


ESTABLISHED = "established"  # month_counts' key for the patients with an established contract


def month_counts(
    *, care_unit_id: int, end: datetime, first_agreed: Any
) -> dict[tuple[str, int, str], int]:
    """The unit's receipts as they stood at `end`, counted by the database: how many of its
    patients' answers then in force per side and question are each answer, keyed (side,
    question, answer); and keyed (ESTABLISHED, 0, "") how many patients then had all
    fourteen answers yes and an agreement agreed before `end`, as `first_agreed` (a subquery
    of patient_id, agreed_at) says. Two statements, a few dozen rows back."""
    latest = (
        select(func.max(ReceiptAnswer.id))
        .join(Patient, Patient.id == ReceiptAnswer.patient_id)
        .where(Patient.care_unit_id == care_unit_id, ReceiptAnswer.answered_at < end)
        .group_by(ReceiptAnswer.patient_id, ReceiptAnswer.side, ReceiptAnswer.question)
    )
    counts = {
        (side, question, answer): number
        for side, question, answer, number in db.session.execute(
            select(ReceiptAnswer.side, ReceiptAnswer.question, ReceiptAnswer.answer, func.count())
            .where(ReceiptAnswer.id.in_(latest))
            .group_by(ReceiptAnswer.side, ReceiptAnswer.question, ReceiptAnswer.answer)
        )
    }
    all_yes = (
        select(ReceiptAnswer.patient_id)
        .where(ReceiptAnswer.id.in_(latest), ReceiptAnswer.answer == Answer.YES)
        .group_by(ReceiptAnswer.patient_id)
        .having(func.count() == 2 * QUESTION_COUNT)
        .subquery()
    )
    counts[(ESTABLISHED, 0, "")] = (
        db.session.scalar(
            select(func.count())
            .select_from(all_yes)
            .join(first_agreed, first_agreed.c.patient_id == all_yes.c.patient_id)
            .where(first_agreed.c.agreed_at < end)
        )
        or 0
    )
    return counts
