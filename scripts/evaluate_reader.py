"""Measure the plan reader (trackers/reading.py) on whole texts and on their goal sections.

Three groups, reported apart: the reader corpus's dev texts, its held-out texts (never used to
tune the reader), and the five curated seed plans (their fixtures were the reader's first
development reference, so they are "seen" texts).

Matching. Texts are compared whitespace-free (normalize_text). A proposed target (kind "target",
whatever its confidence) matches a reference target when the number it was read from (its
value_text, located inside its clause) lies inside an occurrence of the reference clause (or of one
of the reference's ``also`` restatements). Each proposal matches at most one reference; several
proposals may match the same reference (a goal restated in a headline is not noise).
precision = matched proposals / proposals; recall = matched references / references.
Field accuracy over matched pairs (the first proposal for each reference):
  value       equal after conversion to the base unit (1.3万亿元 = 13000亿元; fractions to 1e-9)
  unit        same base unit (亿元 and 万元 are both 元; counts: any count word, 家 = 个)
  year        equal (None = None)
  comparator  equal
Goal sections: only proposals and references whose number lies between the goal-section markers.
Totals are micro-averaged (pooled counts).

    .venv-test/bin/python scripts/evaluate_reader.py [held_out] [dev] [seeds]
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from trackers.quantities import base_amount, measure_family, normalize_text
from trackers.reading import LOW_CONFIDENCE, read_plan

CORPUS = ROOT / "fixtures" / "reader_corpus"
FIELDS = ("value", "unit", "year", "comparator")


@dataclass
class Reference:
    clauses: list[str]
    value: str
    unit: str
    comparator: str
    year: int | None
    spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Text:
    name: str
    group: str
    flat: str
    references: list[Reference]
    goal: tuple[int, int] | None


@dataclass
class Score:
    proposed: int = 0
    matched_proposals: int = 0
    shown: int = 0
    matched_shown: int = 0
    references: int = 0
    matched_references: int = 0
    fields: dict = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))

    def add(self, other: Score) -> None:
        for name in ("proposed", "matched_proposals", "shown", "matched_shown", "references", "matched_references"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in FIELDS:
            self.fields[name] += other.fields[name]

    @property
    def precision(self) -> float | None:
        return self.matched_proposals / self.proposed if self.proposed else None

    @property
    def shown_precision(self) -> float | None:
        return self.matched_shown / self.shown if self.shown else None

    @property
    def recall(self) -> float | None:
        return self.matched_references / self.references if self.references else None

    def accuracy(self, name: str) -> float | None:
        return self.fields[name] / self.matched_references if self.matched_references else None


def _spans(flat: str, clause: str) -> list[tuple[int, int]]:
    clause = normalize_text(clause)
    found, start = [], flat.find(clause)
    while start >= 0 and clause:
        found.append((start, start + len(clause)))
        start = flat.find(clause, start + 1)
    return found


def _goal_span(flat: str, markers: dict | None) -> tuple[int, int] | None:
    if not markers:
        return None
    start = flat.find(normalize_text(markers["from"]))
    end_marker = normalize_text(markers["to"])
    end = flat.find(end_marker, start)
    if start < 0 or end < 0:
        raise ValueError(f"goal-section markers not found: {markers}")
    return start, end + (len(end_marker) if markers.get("inclusive", True) and not _is_heading(end_marker) else 0)


def _is_heading(marker: str) -> bool:
    return marker[:1] in "一二三四五六七八九十（第"


def load_corpus(split: str | None = None) -> list[Text]:
    texts = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        meta = yaml.safe_load((folder / "reference.yaml").read_text("utf-8"))
        if split and meta["split"] != split:
            continue
        flat = normalize_text((folder / "text.txt").read_text("utf-8"))
        references = [_reference(flat, row, [row["clause"], *row.get("also", [])]) for row in meta["targets"]]
        texts.append(Text(folder.name, meta["split"], flat, references, _goal_span(flat, meta.get("goal_section"))))
    return texts


def load_seeds() -> list[Text]:
    from trackers.plan_fixtures import fixture_paths, read_fixture

    markers = yaml.safe_load((CORPUS / "seed_goal_sections.yaml").read_text("utf-8"))
    texts = []
    for path in fixture_paths(ROOT / "fixtures" / "plans"):
        data = read_fixture(path)
        seed = data["plan"]["seed_file"]
        flat = normalize_text((ROOT / "fixtures" / "seeds" / seed).read_text("utf-8"))
        references = [_reference(flat, row, [row["clause"]]) for row in data["targets"]]
        texts.append(Text(data["plan"]["code"], "seed", flat, references, _goal_span(flat, markers[seed])))
    return texts


def _reference(flat: str, row: dict, clauses: list[str]) -> Reference:
    spans = [span for clause in clauses for span in _spans(flat, clause)]
    if not spans:
        raise ValueError(f"reference clause not in text: {clauses[0]}")
    return Reference(clauses, str(row["value"]), row.get("unit") or "", row["comparator"], row.get("year"), spans)


def _number_position(draft) -> int:
    inside = draft.clause.find(draft.value_text)
    return draft.start + (max(inside, 0))


def _same_value(draft, reference: Reference) -> bool:
    if draft.value is None:
        return False
    if "/" in reference.value:
        wanted = Fraction(reference.value)
        return abs(Fraction(str(draft.value)) - wanted) < Fraction(1, 10**9)
    return base_amount(draft.value, draft.unit)[0] == base_amount(Decimal(reference.value), reference.unit)[0]


def _same_unit(draft, reference: Reference) -> bool:
    got, wanted = base_amount(Decimal(1), draft.unit)[1], base_amount(Decimal(1), reference.unit)[1]
    return got == wanted or measure_family(got) == measure_family(wanted) == "count"


def score_text(text: Text, drafts, within: tuple[int, int] | None = None) -> Score:
    def inside(position: int) -> bool:
        return within is None or within[0] <= position < within[1]

    references = [r for r in text.references if any(inside(s[0]) for s in r.spans)]
    proposals = [d for d in drafts if d.kind == "target" and inside(_number_position(d))]
    score = Score(proposed=len(proposals), references=len(references),
                  shown=sum(1 for d in proposals if d.confidence >= LOW_CONFIDENCE))
    first_match: dict[int, object] = {}
    for draft in proposals:
        position = _number_position(draft)
        candidates = [i for i, r in enumerate(references) if any(a <= position < b for a, b in r.spans)]
        if not candidates:
            continue
        same = [i for i in candidates if _same_value(draft, references[i])]
        index = next((i for i in same + candidates if i not in first_match), (same or candidates)[0])
        first_match.setdefault(index, draft)
        score.matched_proposals += 1
        score.matched_shown += draft.confidence >= LOW_CONFIDENCE
    score.matched_references = len(first_match)
    for index, draft in first_match.items():
        reference = references[index]
        score.fields["value"] += _same_value(draft, reference)
        score.fields["unit"] += _same_unit(draft, reference)
        score.fields["year"] += draft.year == reference.year
        score.fields["comparator"] += draft.comparator == reference.comparator
    return score


def evaluate(texts: list[Text]) -> dict:
    """Per-text and pooled scores, on whole texts and on goal sections."""
    rows, whole_total, goal_total = [], Score(), Score()
    for text in texts:
        drafts = read_plan(text.flat)
        whole = score_text(text, drafts)
        goal = score_text(text, drafts, text.goal) if text.goal else None
        whole_total.add(whole)
        if goal:
            goal_total.add(goal)
        rows.append((text.name, whole, goal))
    return {"rows": rows, "whole": whole_total, "goal": goal_total}


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _line(name: str, score: Score | None) -> str:
    if score is None:
        return f"| {name} | – | – | – | – | – | – | – | – | – |"
    fields = " | ".join(_fmt(score.accuracy(f)) for f in FIELDS)
    return (f"| {name} | {score.proposed} | {score.references} | {_fmt(score.precision)} | {_fmt(score.recall)} | "
            f"{fields} | {_fmt(score.shown_precision)} |")


def report(title: str, result: dict) -> str:
    header = ("| text | proposed | reference | precision | recall | value | unit | year | comparator | precision (shown) |\n"
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    lines = [f"#### {title}: whole texts", "", header]
    lines += [_line(name, whole) for name, whole, _goal in result["rows"]]
    lines += [_line("**all (micro)**", result["whole"]), "", f"#### {title}: goal sections", "", header]
    lines += [_line(name, goal) for name, _whole, goal in result["rows"]]
    lines += [_line("**all (micro)**", result["goal"]), ""]
    return "\n".join(lines)


GROUPS = {"held_out": ("Held out", lambda: load_corpus("held_out")), "dev": ("Dev", lambda: load_corpus("dev")),
          "seeds": ("Seed plans (seen)", load_seeds)}


def main(argv: list[str]) -> None:
    """Report the groups named on the command line (held_out, dev, seeds), all three by default."""
    for key in argv or list(GROUPS):
        title, load = GROUPS[key]
        print(report(title, evaluate(load())))


if __name__ == "__main__":
    main(sys.argv[1:])
