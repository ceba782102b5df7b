"""Measure the plan reader (trackers/reading.py) against the curated fixtures of the five plans.

A proposed target matches a curated one when its clause overlaps the curated clause (character
offsets in the whitespace-free seed text) and its value is equal. Precision = matched proposals /
all proposals; recall = matched curated targets / all curated targets; field accuracy (value,
unit, comparator, year) over matched pairs. Baselines and milestones: recall by clause overlap.

    .venv/bin/python scripts/evaluate_reader.py
"""
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trackers.plan_fixtures import fixture_paths, read_fixture  # noqa: E402
from trackers.quantities import convert, normalize_text, unit_family  # noqa: E402
from trackers.reading import read_plan  # noqa: E402


def spans(flat: str, clause: str) -> list[tuple[int, int]]:
    found, start = [], flat.find(clause)
    while start >= 0:
        found.append((start, start + len(clause)))
        start = flat.find(clause, start + 1)
    return found


def overlaps(a: tuple[int, int], spans_b: list[tuple[int, int]]) -> bool:
    return any(a[0] < b[1] and b[0] < a[1] for b in spans_b)


def same_value(draft, row) -> bool:
    try:
        wanted = Decimal(str(row["value"]))
        return draft.value is not None and (
            draft.value == wanted
            or (unit_family(draft.unit) == unit_family(row["unit"]) == "money"
                and convert(draft.value, draft.unit, row["unit"]) == wanted)
        )
    except Exception:  # noqa: BLE001
        return False


def evaluate(path: Path) -> dict:
    data = read_fixture(path)
    flat = normalize_text((ROOT / "fixtures" / "seeds" / data["plan"]["seed_file"]).read_text("utf-8"))
    drafts = read_plan(flat)
    proposed = [d for d in drafts if d.kind == "target"]
    curated = data["targets"]
    matched_pairs, matched_curated = [], set()
    for draft in proposed:
        for index, row in enumerate(curated):
            if overlaps((draft.start, draft.end), spans(flat, row["clause"])) and same_value(draft, row):
                matched_pairs.append((draft, row))
                matched_curated.add(index)
                break
    fields = {
        "value": sum(1 for _d, _r in matched_pairs),
        "unit": sum(1 for d, r in matched_pairs if not d.unit or unit_family(d.unit) == unit_family(r["unit"])),
        "comparator": sum(1 for d, r in matched_pairs if d.comparator == r["comparator"]),
        "year": sum(1 for d, r in matched_pairs if d.year == r["year"]),
    }
    baselines = [d for d in drafts if d.kind == "baseline"]
    milestones = [d for d in drafts if d.kind == "milestone"]
    return {
        "plan": data["plan"]["code"], "proposed": len(proposed), "curated": len(curated),
        "precision": len({id(d) for d, _ in matched_pairs}) / len(proposed) if proposed else 0.0,
        "recall": len(matched_curated) / len(curated) if curated else 0.0,
        "fields": {k: (v / len(matched_pairs) if matched_pairs else 0.0) for k, v in fields.items()},
        "baseline_recall": _recall(flat, baselines, data["baselines"]),
        "milestone_recall": _recall(flat, milestones, data["milestones"]),
    }


def _recall(flat, drafts, curated) -> float | None:
    if not curated:
        return None
    hit = sum(1 for row in curated if any(overlaps((d.start, d.end), spans(flat, row["clause"])) for d in drafts))
    return hit / len(curated)


def main() -> None:
    header = f"{'plan':38} {'prop':>4} {'cur':>4} {'prec':>5} {'rec':>5} {'value':>5} {'unit':>5} {'comp':>5} {'year':>5} {'base-rec':>8} {'mile-rec':>8}"
    print(header)
    print("-" * len(header))
    for path in fixture_paths(ROOT / "fixtures" / "plans"):
        r = evaluate(path)
        f = r["fields"]
        fmt = lambda v: "   –" if v is None else f"{v:5.2f}"  # noqa: E731
        print(f"{r['plan']:38} {r['proposed']:>4} {r['curated']:>4} {r['precision']:5.2f} {r['recall']:5.2f} "
              f"{f['value']:5.2f} {f['unit']:5.2f} {f['comparator']:5.2f} {f['year']:5.2f} "
              f"{fmt(r['baseline_recall']):>8} {fmt(r['milestone_recall']):>8}")


if __name__ == "__main__":
    main()
