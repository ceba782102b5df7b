"""Likeness of promises, for reviewers: which indicators a proposed target may measure, and which
target of a plan a clause of its new text revises. Pure Python, no Django.

Names are compared by their character bigrams (Dice coefficient): Chinese indicator names share
their words (营业收入, 上市企业) however the sentence around them is built. Units must belong to
one family (trackers.quantities.measure_family): 亿元 and 万亿元 are both money, 家 and 个 both
counts; a name alike in another family is a different measure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .quantities import base_amount, measure_family

# Below this (name likeness plus the unit bonus) a suggestion is shown, but "create a new indicator"
# is what the page proposes.
GOOD_SUGGESTION = 0.6
# A changed clause of a new text revises an old target only if they are at least this alike.
SAME_PROMISE = 0.35
UNIT_BONUS = 0.25

_NOISE = re.compile(r"[\d.%％，、。；：“”（）()《》\s]|20\d\d年|年均|全市|全省|全区|力争|达到|以上|左右|超过|突破")


def bigrams(text: str) -> set[str]:
    text = _NOISE.sub("", text or "")
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def likeness(a: str, b: str) -> float:
    """Dice coefficient of the two texts' character bigrams, 0 (nothing shared) to 1."""
    first, second = bigrams(a), bigrams(b)
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


def same_family(unit: str, other: str) -> bool:
    return measure_family(unit or "") == measure_family(other or "")


@dataclass(frozen=True)
class Candidate:
    pk: int
    name: str
    unit: str
    name_en: str = ""  # shown on English pages (trackers.names); likeness reads the Chinese name


@dataclass(frozen=True)
class Suggestion:
    pk: int
    name: str
    unit: str
    score: float
    name_en: str = ""


class IndicatorIndex:
    """Indicators by the bigrams of their names, built once per page: ranking a proposal scores
    only the indicators that share a bigram with its subject, not every indicator there is."""

    def __init__(self, candidates: list[Candidate]):
        self.candidates = candidates
        self.grams = [bigrams(c.name) for c in candidates]
        self.families = [measure_family(c.unit or "") for c in candidates]
        self.by_gram: dict[str, list[int]] = {}
        for index, grams in enumerate(self.grams):
            for gram in grams:
                self.by_gram.setdefault(gram, []).append(index)

    def rank(self, subject: str, unit: str, limit: int = 5) -> list[Suggestion]:
        """The `limit` indicators most like what a proposal measures: name likeness (Dice) to its
        subject, plus a bonus when the units are of one family; another family halves the score."""
        grams, family = bigrams(subject), measure_family(unit or "")
        sharing = {index for gram in grams for index in self.by_gram.get(gram, ())}
        scored = []
        for index in sharing:
            other = self.grams[index]
            score = 2 * len(grams & other) / (len(grams) + len(other))
            score = score + UNIT_BONUS if self.families[index] == family else score / 2
            candidate = self.candidates[index]
            scored.append(Suggestion(candidate.pk, candidate.name, candidate.unit, round(score, 3), candidate.name_en))
        scored.sort(key=lambda s: (-s.score, s.name, s.pk))
        return scored[:limit]


def indicator_kind_for(unit: str, subject: str) -> str:
    """A first guess of a new indicator's kind (kpis.core.vocabulary.KINDS), for the reviewer to
    confirm: money is a yearly flow, counts are counts, a percentage is a share unless the words
    say growth or a rate."""
    family = measure_family(unit or "")
    if family == "money":
        return "flow"
    if family == "count":
        return "count"
    if family in ("percent", "percentage_point"):
        return "share" if re.search(r"占比|比重|比例|覆盖率|普及率", subject or "") else "rate"
    if family in ("visits", "energy"):
        return "flow"
    return "stock"


@dataclass(frozen=True)
class Promise:
    """What a revision compares: an old target or a proposal of the new text."""

    key: int
    clause: str
    name: str  # the indicator's name, or the proposal's subject
    unit: str
    value: Decimal | None
    value_high: Decimal | None
    comparator: str
    year: int | None


def match_promises(old: list[Promise], new: list[Promise]) -> dict[int, int]:
    """Pair old targets with the new text's proposals that revise them: the most alike pairs
    first (clause and name likeness, same unit family), each used once. Returns old key -> new key."""
    pairs = []
    for o in old:
        for n in new:
            if not same_family(o.unit, n.unit):
                continue
            score = 0.6 * likeness(o.clause, n.clause) + 0.4 * likeness(o.name, n.name or n.clause)
            if score >= SAME_PROMISE:
                pairs.append((score, o.key, n.key))
    matched: dict[int, int] = {}
    used: set[int] = set()
    for _score, old_key, new_key in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if old_key not in matched and new_key not in used:
            matched[old_key] = new_key
            used.add(new_key)
    return matched


def changed_fields(old: Promise, new: Promise) -> list[str]:
    """What a revision changes in a target: value, upper value, comparator, year. Amounts are
    compared in their base unit, so 1万亿元 and 10000亿元 are the same promise."""
    changes = []
    if _amount(old.value, old.unit) != _amount(new.value, new.unit):
        changes.append("value")
    if _amount(old.value_high, old.unit) != _amount(new.value_high, new.unit):
        changes.append("value_high")
    if (old.comparator or "gte") != (new.comparator or "gte"):
        changes.append("comparator")
    if old.year != new.year:
        changes.append("year")
    return changes


def _amount(value: Decimal | None, unit: str) -> Decimal | None:
    if value is None:
        return None
    return base_amount(Decimal(value), unit or "")[0].normalize()
