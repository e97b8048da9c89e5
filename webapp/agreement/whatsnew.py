""" "Det här är nytt": a proposal set against the version in force.

The patient reads a proposal as what is different from what she lives by now: the items that
are new, gone or reworded, a reworded one as two whole sentences ("Förut: …" / "Nu: …"), so
she neither compares two lists in her head nor reads a sentence broken up by struck-through
words. (The words added and removed are still worked out, `words_marked`, for anyone who
wants them marked.) Items are paired by kind: the same words first, then the
closest wording (a reworded goal reads as a few words changed, not as one goal removed and
another added); what stays unpaired is wholly added or removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from webapp.agreement.models import WORSE_TEXTS, AgreementItem, AgreementVersion, ItemKind

# Below this share of words in common, two items are different items, not one reworded.
SAME_ITEM_RATIO = 0.5

_TOKENS = re.compile(r"\S+|\s+")


class Mark(StrEnum):
    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class Piece:
    mark: Mark
    text: str


@dataclass(frozen=True)
class MarkedItem:
    """One item of the proposal (or one it drops), with its words marked."""

    kind: str
    mark: Mark  # ADDED: a new item; REMOVED: a dropped one; SAME: one that is reworded
    who: list[Piece]  # who does it (actions), marked when it changes hands
    text: list[Piece]
    what_matters_id: int | None
    tie_changed: bool
    before: str = ""  # the whole item as it reads now ("Patienten: Gå en promenad."), if any
    now: str = ""  # ... and as the proposal has it


@dataclass(frozen=True)
class MarkedText:
    """One of the "när jag blir sämre" texts that the proposal changes."""

    field: str
    text: list[Piece]
    before: str = ""
    now: str = ""


@dataclass(frozen=True)
class WhatsNew:
    first: bool  # nothing was agreed before: everything is new
    goals: list[MarkedItem]
    actions: list[MarkedItem]
    texts: list[MarkedText]

    @property
    def anything(self) -> bool:
        return bool(self.goals or self.actions or self.texts)


def words_marked(old: str, new: str) -> list[Piece]:
    """The new text with the words added to it and the words removed from it marked.

    Words are compared with any run of spaces or line breaks counting as one space, and the
    new text's own spacing is kept, so line breaks still read as line breaks.
    """
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = SequenceMatcher(None, _keys(old_tokens), _keys(new_tokens), autojunk=False)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _add(pieces, Mark.SAME, "".join(new_tokens[j1:j2]))
            continue
        _add_words(pieces, Mark.REMOVED, "".join(old_tokens[i1:i2]))
        _add_words(pieces, Mark.ADDED, "".join(new_tokens[j1:j2]))
    return pieces


def _add_words(pieces: list[Piece], mark: Mark, text: str) -> None:
    """Only words are marked: the spacing around them stays plain, so a marked run starts and
    ends with a word and what is read out is "tillagt: lång", not a space."""
    words = text.strip()
    if not words:
        _add(pieces, Mark.SAME, text if mark == Mark.ADDED else "")
        return
    start = text.index(words)
    _add(pieces, Mark.SAME, text[:start])
    _add(pieces, mark, words)
    _add(pieces, Mark.SAME, text[start + len(words) :])


def _keys(tokens: list[str]) -> list[str]:
    return [" " if token.isspace() else token for token in tokens]


def _add(pieces: list[Piece], mark: Mark, text: str) -> None:
    if not text:
        return
    if pieces and pieces[-1].mark == mark:
        pieces[-1] = Piece(mark, pieces[-1].text + text)
    else:
        pieces.append(Piece(mark, text))


def _whole(mark: Mark, text: str) -> list[Piece]:
    return [Piece(mark, text)] if text else []


def _sentence(who: str, text: str) -> str:
    return f"{who}: {text}" if who else text


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def _pair(
    old: list[AgreementItem], new: list[AgreementItem]
) -> tuple[list[tuple[AgreementItem | None, AgreementItem]], list[AgreementItem]]:
    """Each new item with the old item it continues (or None), and the old items left over."""
    left = list(old)
    pairs: list[tuple[AgreementItem | None, AgreementItem]] = []
    for item in new:
        same = next((o for o in left if o.text == item.text), None)
        if same is not None:
            left.remove(same)
        pairs.append((same, item))
    for index, (before, item) in enumerate(pairs):
        if before is not None or not left:
            continue
        closest = max(left, key=lambda o: _similarity(o.text, item.text))
        if _similarity(closest.text, item.text) >= SAME_ITEM_RATIO:
            left.remove(closest)
            pairs[index] = (closest, item)
    return pairs, left


def _marked_items(
    old: list[AgreementItem], new: list[AgreementItem], *, for_staff: bool, first: bool
) -> list[MarkedItem]:
    pairs, dropped = _pair(old, new)
    marked: list[MarkedItem] = []
    for before, item in pairs:
        who_now = item.responsible_label(for_staff) if item.kind == ItemKind.ACTION else ""
        if before is None:
            marked.append(
                MarkedItem(
                    kind=item.kind,
                    mark=Mark.ADDED,
                    who=_whole(Mark.ADDED, who_now),
                    text=_whole(Mark.ADDED, item.text),
                    what_matters_id=item.what_matters_id,
                    tie_changed=item.what_matters_id is not None and not first,
                    now=_sentence(who_now, item.text),
                )
            )
            continue
        who_before = before.responsible_label(for_staff) if before.kind == ItemKind.ACTION else ""
        tie_changed = before.what_matters_id != item.what_matters_id
        if before.text == item.text and who_before == who_now and not tie_changed:
            continue  # as before: not news
        who = (
            _whole(Mark.SAME, who_now)
            if who_before == who_now
            else [*_whole(Mark.REMOVED, who_before), *_whole(Mark.ADDED, who_now)]
        )
        marked.append(
            MarkedItem(
                kind=item.kind,
                mark=Mark.SAME,
                who=who,
                text=words_marked(before.text, item.text),
                what_matters_id=item.what_matters_id,
                tie_changed=tie_changed and item.what_matters_id is not None,
                before=_sentence(who_before, before.text),
                now=_sentence(who_now, item.text),
            )
        )
    for gone in dropped:
        who_gone = gone.responsible_label(for_staff) if gone.kind == ItemKind.ACTION else ""
        marked.append(
            MarkedItem(
                kind=gone.kind,
                mark=Mark.REMOVED,
                who=_whole(Mark.REMOVED, who_gone),
                text=_whole(Mark.REMOVED, gone.text),
                what_matters_id=gone.what_matters_id,
                tie_changed=False,
                before=_sentence(who_gone, gone.text),
            )
        )
    return marked


def whats_new(
    *, agreed: AgreementVersion | None, proposal: AgreementVersion, for_staff: bool = False
) -> WhatsNew:
    """What the proposal changes against the version in force; everything when none is."""
    first = agreed is None
    goals: list[MarkedItem] = []
    actions: list[MarkedItem] = []
    for kind, into in ((ItemKind.GOAL, goals), (ItemKind.ACTION, actions)):
        old = [i for i in agreed.items if i.kind == kind] if agreed else []
        new = [i for i in proposal.items if i.kind == kind]
        into.extend(_marked_items(old, new, for_staff=for_staff, first=first))
    texts = []
    for name in WORSE_TEXTS:
        before = getattr(agreed, name) if agreed else ""
        now = getattr(proposal, name)
        if before != now:
            texts.append(
                MarkedText(field=name, text=words_marked(before, now), before=before, now=now)
            )
    return WhatsNew(first=first, goals=goals, actions=actions, texts=texts)
