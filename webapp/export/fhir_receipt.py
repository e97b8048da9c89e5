"""Mitt kvitto in the patient's FHIR Bundle: each side's seven questions a Questionnaire,
its current answers a QuestionnaireResponse."""

from __future__ import annotations

from webapp.export.bundle import Bundle, Resource, instant
from webapp.export.words import _
from webapp.receipt.models import QUESTION_COUNT, Answer, ReceiptAnswer, Side
from webapp.receipt.services import ANSWER_WORDS, question_text

ANSWER_CODES = (Answer.YES, Answer.PARTLY, Answer.NO)


def questionnaire_url(bundle: Bundle, side: str) -> str:
    return f"{bundle.base}/fhir/Questionnaire/mitt-kvitto-{side}"


def receipt(bundle: Bundle) -> None:
    """Mitt kvitto: the seven questions of each side and her and care's current answers."""
    for side in (Side.PATIENT, Side.CARE):
        answers = {q: a for (s, q), a in bundle.record.receipt.items() if s == side}
        if not answers:
            continue
        numbers = range(1, QUESTION_COUNT + 1)
        items = [
            {
                "linkId": str(n),
                "text": question_text(side, n),
                "type": "choice",
                "answerOption": [
                    {"valueCoding": {"code": code.value, "display": str(ANSWER_WORDS[code])}}
                    for code in ANSWER_CODES
                ],
                "item": [{"linkId": f"{n}.comment", "text": _("Kommentar"), "type": "text"}],
            }
            for n in numbers
        ]
        url = questionnaire_url(bundle, side)
        bundle.add(
            "Questionnaire",
            f"receipt/{side}",
            {
                "url": url,
                "status": "active",
                "title": _("Mitt kvitto – 7 frågor"),
                "subjectType": ["Patient"],
                "item": items,
            },
        )
        latest = max(answers.values(), key=lambda a: (a.answered_at, a.id))
        response: Resource = {
            "questionnaire": url,
            "status": "completed" if len(answers) == QUESTION_COUNT else "in-progress",
            "subject": bundle.patient,
            "authored": instant(latest.answered_at),
            "item": [_answered(n, answers[n]) for n in numbers if n in answers],
        }
        author = bundle.person(latest.answered_by_user_id)
        if author is not None:
            response["author"] = author
        bundle.add("QuestionnaireResponse", f"receipt/{side}", response)


def _answered(number: int, answer: ReceiptAnswer) -> Resource:
    code = Answer(answer.answer)
    given: Resource = {"valueCoding": {"code": code.value, "display": str(ANSWER_WORDS[code])}}
    if answer.comment:
        given["item"] = [
            {"linkId": f"{number}.comment", "answer": [{"valueString": answer.comment}]}
        ]
    return {"linkId": str(number), "answer": [given]}
