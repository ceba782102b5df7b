"""Reading and checking the curated published figures (fixtures/published/*.yaml; see
fixtures/published/SCHEMA.md).

A published figure is a number read from a public page (statistical bulletin, work report,
a bureau's release, official news), with the exact sentence it was read from. Pure Python:
the loader refuses a file with problems, the tests assert there are none, and
fixtures/check_published.py prints them for whoever curates the figures.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from kpis.core import vocabulary

from .quantities import MONEY_FACTORS, Quantity, UnitError, convert, is_known_unit, parse_quantity

# The vocabularies are the database's (kpis.core.vocabulary): one list of codes for both.
QUALIFIERS = set(vocabulary.BASELINE_QUALIFIERS)
MEASURES = set(vocabulary.PUBLISHED_MEASURES)
SOURCE_KINDS = set(vocabulary.PUBLISHED_SOURCE_KINDS)
# Which measures can stand for a target of each basis (plan fixture `basis`).
MEASURES_FOR_BASIS = {
    "level": {"level"},
    "cumulative": {"annual_addition", "cumulative"},
    "annual": {"annual_addition", "level"},
}
CONTEXT_YEARS_AFTER_END = 5  # figures after the plan's end are kept as context for this long

FIGURE_FIELDS = {
    "key", "indicator", "region", "year", "measure", "cumulative_since", "value", "value_high", "unit",
    "value_text", "qualifier", "targets", "scope", "scope_matches", "scope_note", "source", "note",
}
REQUIRED_FIGURE_FIELDS = FIGURE_FIELDS - {"cumulative_since", "value_high", "scope_note", "note"}
SOURCE_FIELDS = {"url", "publisher", "kind", "published_on", "title", "sentence"}
NOT_FOUND_FIELDS = {"target", "years", "searched"}

# Stored copies of Guangdong pages are often traditional-script mirrors: their numerals and
# units are read as the simplified forms trackers.quantities knows. The sentence itself stays verbatim.
_SIMPLIFIED_NUMERALS = str.maketrans({"億": "亿", "萬": "万", "兩": "两", "個": "个", "項": "项", "張": "张", "臺": "台"})
# English pages state money in billions: an exact factor, kept apart from quantities.MONEY_FACTORS.
ENGLISH_MONEY_FACTORS = {
    "billion RMB": Decimal(10) ** 9,
    "billion yuan": Decimal(10) ** 9,
    "million RMB": Decimal(10) ** 6,
    "million yuan": Decimal(10) ** 6,
}
_ENGLISH_QUANTITY = re.compile(r"(?P<number>\d+(?:\.\d+)?) (?P<unit>" + "|".join(ENGLISH_MONEY_FACTORS) + r")")

# Words right before or after the number that make it a bound or an approximation.
_QUALIFIER_BEFORE = (
    ("超过", "over"), ("超過", "over"), ("超", "over"), ("突破", "over"), ("逾", "over"),
    ("约", "about"), ("約", "about"), ("近", "under"), ("不足", "under"), ("不到", "under"),
    ("more than ", "over"), ("over ", "over"), ("about ", "about"), ("nearly ", "under"),
)
_QUALIFIER_AFTER = (("以上", "at_least"), ("左右", "about"), ("余", "over"), ("餘", "over"), ("多", "over"))
# A sentence stating what is expected or aimed for is not a figure of what happened.
FORECAST_WORDS = ("预计", "預計", "预测", "預測", "力争", "力爭", "争取", "爭取", "expected", "forecast", "projected")


def read_published(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    for section in ("figures", "searched_not_found"):
        data[section] = data.get(section) or []
    return data


def published_paths(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def read_value_text(value_text: str) -> Quantity:
    """The quantity a source's words state: '4112.83億元', '超万件' -> 1万件, '37 billion RMB'."""
    english = _ENGLISH_QUANTITY.fullmatch(value_text.strip())
    if english:
        return Quantity(low=Decimal(english["number"]), high=None, unit=english["unit"])
    text = re.sub(r"\s+", "", value_text).translate(_SIMPLIFIED_NUMERALS)
    if text[:1] in ("万", "亿"):  # 超万件: a bare multiplier means one of it
        text = "一" + text
    return parse_quantity(text)


def convert_published(value: Decimal, unit: str, to_unit: str) -> Decimal:
    """Exact conversion into the indicator's unit, English money units included."""
    if unit in ENGLISH_MONEY_FACTORS:
        if to_unit not in MONEY_FACTORS:
            raise UnitError(f"cannot convert {unit} to {to_unit}")
        return value * ENGLISH_MONEY_FACTORS[unit] / MONEY_FACTORS[to_unit]
    return convert(value, unit, to_unit)


def value_in_unit(figure: dict, to_unit: str) -> tuple[Decimal, Decimal | None]:
    """A figure's value (and upper bound for ranges) in `to_unit`, for the database loader."""
    high = figure.get("value_high")
    low = convert_published(Decimal(str(figure["value"])), figure["unit"], to_unit)
    return low, (convert_published(Decimal(str(high)), figure["unit"], to_unit) if high not in (None, "") else None)


def check_published(data: dict, plan_fixture: dict, region_names: set[str]) -> list[str]:
    """Every problem in one published-figures file, as readable lines; empty when it is sound."""
    plan = plan_fixture["plan"]
    indicators = {row["code"]: row for row in plan_fixture.get("indicators") or []}
    targets = {row["key"]: row for row in plan_fixture.get("targets") or []}
    years = allowed_years(plan_fixture)
    problems: list[str] = []
    if data.get("plan") != plan["code"]:
        problems.append(f"plan: {data.get('plan')!r} is not the plan fixture's code {plan['code']!r}")
    problems += _check_unique_figure_keys(data["figures"])
    problems += _check_duplicate_figures(data["figures"])
    for row in data["figures"]:
        problems += _check_figure(row, indicators, targets, plan, region_names, years)
    problems += _check_not_found(data["searched_not_found"], data["figures"], targets, years)
    problems += _check_every_target_accounted(data, targets)
    return problems


def allowed_years(plan_fixture: dict) -> range:
    """From the baseline year (or the year before the plan starts) to a few years after it ends."""
    plan = plan_fixture["plan"]
    baseline_years = [row["year"] for row in plan_fixture.get("baselines") or [] if isinstance(row.get("year"), int)]
    first = min([plan["start_year"] - 1, *baseline_years])
    return range(first, plan["end_year"] + CONTEXT_YEARS_AFTER_END + 1)


def counted_figures(data: dict) -> list[dict]:
    """Figures whose scope matches their targets' indicator: the ones that count in progress."""
    return [row for row in data["figures"] if row.get("scope_matches") is True]


def _check_unique_figure_keys(rows: list[dict]) -> list[str]:
    seen, problems = set(), []
    for row in rows:
        key = row.get("key")
        if not key:
            problems.append("figures: a figure has no key")
        elif key in seen:
            problems.append(f"figures: key {key!r} appears twice")
        seen.add(key)
    return problems


def _check_duplicate_figures(rows: list[dict]) -> list[str]:
    """Two figures for the same measure, place, year and scope would be counted twice."""
    seen: dict[tuple, str] = {}
    problems = []
    for row in rows:
        identity = tuple(row.get(f) for f in ("indicator", "region", "year", "measure", "scope"))
        if identity in seen:
            problems.append(f"figure {row.get('key')}: duplicates figure {seen[identity]} {identity}")
        seen.setdefault(identity, row.get("key"))
    return problems


def _check_figure(row: dict, indicators: dict, targets: dict, plan: dict, regions: set[str], years: range) -> list[str]:
    where = f"figure {row.get('key')}"
    missing = sorted(f for f in REQUIRED_FIGURE_FIELDS if row.get(f) in (None, "", []) and f != "scope_matches")
    if "scope_matches" not in row:
        missing.append("scope_matches")
    problems = [f"{where}: missing {field}" for field in missing]
    problems += [f"{where}: unknown field {field!r}" for field in sorted(set(row) - FIGURE_FIELDS)]
    indicator = indicators.get(row.get("indicator"))
    if row.get("indicator") and indicator is None:
        problems.append(f"{where}: indicator {row.get('indicator')!r} not declared in the plan fixture")
    if row.get("region") and row["region"] not in regions:
        problems.append(f"{where}: unknown region {row['region']!r}")
    problems += _check_year(where, row, years)
    problems += _check_source(where, row)
    problems += _check_scope(where, row)
    problems += _check_measure(where, row)
    if indicator is not None:
        problems += _check_quantity(where, row, indicator)
    problems += _check_targets(where, row, targets, plan)
    return problems


def _check_year(where: str, row: dict, years: range) -> list[str]:
    year = row.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        return [f"{where}: year {year!r} is not a year"]
    problems = []
    if year not in years:
        problems.append(f"{where}: year {year} outside {years.start}..{years.stop - 1} (baseline year to plan end + "
                        f"{CONTEXT_YEARS_AFTER_END})")
    published_on = (row.get("source") or {}).get("published_on")
    if isinstance(published_on, dt.date) and year > published_on.year:
        problems.append(f"{where}: year {year} is after the source's publication ({published_on})")
    return problems


def _check_source(where: str, row: dict) -> list[str]:
    source = row.get("source")
    if not isinstance(source, dict):
        return [f"{where}: no source"]
    problems = [f"{where}: source has unknown field {field!r}" for field in sorted(set(source) - SOURCE_FIELDS)]
    for field in ("url", "publisher", "title", "sentence"):
        if not str(source.get(field) or "").strip():
            problems.append(f"{where}: source has no {field}")
    url = str(source.get("url") or "")
    if url and not re.match(r"https?://\S+$", url):
        problems.append(f"{where}: source url {url!r} is not a web address")
    if source.get("kind") not in SOURCE_KINDS:
        problems.append(f"{where}: source kind {source.get('kind')!r} not one of {sorted(SOURCE_KINDS)}")
    published_on = source.get("published_on")
    if published_on is not None and not isinstance(published_on, dt.date):
        problems.append(f"{where}: published_on {published_on!r} is not a date (YYYY-MM-DD) or null")
    if published_on is None and not row.get("note"):
        problems.append(f"{where}: published_on is null: say in note that the page states no date")
    sentence = str(source.get("sentence") or "")
    if re.search(r"[\n\t\r]| {2,}", sentence):
        problems.append(f"{where}: sentence holds line breaks or runs of spaces (collapse them to one space)")
    forecast = [word for word in FORECAST_WORDS if word in sentence]
    if forecast:
        problems.append(f"{where}: sentence reads as a forecast or aim ({'/'.join(forecast)}), not a figure")
    return problems


def _check_scope(where: str, row: dict) -> list[str]:
    matches = row.get("scope_matches")
    if "scope_matches" in row and not isinstance(matches, bool):
        return [f"{where}: scope_matches must be true or false, not {matches!r}"]
    if matches is False and not str(row.get("scope_note") or "").strip():
        return [f"{where}: scope_matches is false without a scope_note saying why"]
    return []


def _check_measure(where: str, row: dict) -> list[str]:
    measure = row.get("measure")
    if measure not in MEASURES:
        return [f"{where}: measure {measure!r} not one of {sorted(MEASURES)}"]
    since = row.get("cumulative_since")
    if measure == "cumulative" and not isinstance(since, int):
        return [f"{where}: a cumulative figure names cumulative_since (the first year it adds up)"]
    if measure != "cumulative" and since is not None:
        return [f"{where}: cumulative_since only goes with measure cumulative"]
    if isinstance(since, int) and isinstance(row.get("year"), int) and since > row["year"]:
        return [f"{where}: cumulative_since {since} is after the year {row['year']}"]
    return []


def _check_quantity(where: str, row: dict, indicator: dict) -> list[str]:
    sentence = str((row.get("source") or {}).get("sentence") or "")
    value_text = str(row.get("value_text") or "")
    if not value_text:
        return []  # reported as missing
    if value_text not in sentence:
        return [f"{where}: value_text {value_text!r} not found in the sentence"]
    if sentence.count(value_text) > 1:
        return [f"{where}: value_text {value_text!r} occurs more than once in the sentence; lengthen it"]
    try:
        value = Decimal(str(row.get("value")))
        high = Decimal(str(row["value_high"])) if row.get("value_high") not in (None, "") else None
    except InvalidOperation:
        return [f"{where}: value {row.get('value')!r} is not a decimal"]
    try:
        quantity = read_value_text(value_text)
    except ValueError as error:
        return [f"{where}: cannot read {value_text!r}: {error}"]
    problems = []
    unit = str(row.get("unit") or "")
    if quantity.low != value or quantity.high != high:
        problems.append(f"{where}: value_text {value_text!r} reads as {quantity.low}-{quantity.high}, "
                        f"figure says {value}-{high}")
    if quantity.unit != unit:
        problems.append(f"{where}: value_text {value_text!r} is in {quantity.unit!r}, figure says unit {unit!r}")
    problems += _check_unit(where, value, unit, indicator["unit"])
    problems += _check_qualifier(where, row, sentence, value_text)
    return problems


def _check_unit(where: str, value: Decimal, unit: str, indicator_unit: str) -> list[str]:
    if not (is_known_unit(unit) or unit in ENGLISH_MONEY_FACTORS):
        return [f"{where}: unit {unit!r} is not a known unit"]
    try:
        convert_published(value, unit, indicator_unit)
    except UnitError:
        return [f"{where}: unit {unit!r} does not convert to the indicator's unit {indicator_unit!r}"]
    return []


def _check_qualifier(where: str, row: dict, sentence: str, value_text: str) -> list[str]:
    """'超过1000亿元' is over, '约50亿元' about, '3家以上' at_least: the words decide, not the curator."""
    qualifier = row.get("qualifier")
    if qualifier not in QUALIFIERS:
        return [f"{where}: qualifier {qualifier!r} not one of {sorted(QUALIFIERS)}"]
    start = sentence.index(value_text)
    before, after = sentence[:start], sentence[start + len(value_text):]
    stated = next((q for word, q in _QUALIFIER_BEFORE if before.endswith(word) or value_text.startswith(word)), None)
    stated = stated or next((q for word, q in _QUALIFIER_AFTER if after.startswith(word)), None)
    if (stated or "exact") != qualifier:
        return [f"{where}: the sentence words make it {stated or 'exact'}, figure says qualifier {qualifier}"]
    return []


def _check_targets(where: str, row: dict, targets: dict, plan: dict) -> list[str]:
    problems = []
    keys = row.get("targets") or []
    if not isinstance(keys, list):
        return [f"{where}: targets must be a list of target keys"]
    for key in keys:
        target = targets.get(key)
        if target is None:
            problems.append(f"{where}: target {key!r} not in the plan fixture")
            continue
        if target.get("indicator") != row.get("indicator"):
            problems.append(f"{where}: target {key} measures {target.get('indicator')}, figure {row.get('indicator')}")
        if row.get("scope_matches") is True:
            problems += _check_counted_fits_target(where, row, target, plan)
    return problems


def _check_counted_fits_target(where: str, row: dict, target: dict, plan: dict) -> list[str]:
    """A figure that counts must measure what the target measures, where it measures it."""
    problems = []
    region = target.get("region") or plan["region"]
    if row.get("region") != region:
        problems.append(f"{where}: region {row.get('region')} differs from target {target['key']}'s {region} "
                        "but scope_matches is true")
    basis = target.get("basis", "level")
    if row.get("measure") not in MEASURES_FOR_BASIS.get(basis, set()):
        problems.append(f"{where}: a {row.get('measure')} figure cannot count toward {basis} target "
                        f"{target['key']} (set scope_matches false and say why)")
    since = row.get("cumulative_since")
    if row.get("measure") == "cumulative" and since is not None and since != plan["start_year"]:
        problems.append(f"{where}: adds up since {since}, not since the plan start {plan['start_year']}, "
                        "but scope_matches is true")
    return problems


def _check_not_found(rows: list[dict], figures: list[dict], targets: dict, years: range) -> list[str]:
    problems, seen = [], set()
    counted_years = {
        (key, row.get("year")) for row in figures if row.get("scope_matches") is True for key in row.get("targets") or []
    }
    for row in rows:
        key = row.get("target")
        where = f"searched_not_found {key}"
        problems += [f"{where}: unknown field {field!r}" for field in sorted(set(row) - NOT_FOUND_FIELDS)]
        if key not in targets:
            problems.append(f"{where}: not a target of the plan")
        if key in seen:
            problems.append(f"{where}: listed twice")
        seen.add(key)
        if not str(row.get("searched") or "").strip():
            problems.append(f"{where}: say what was searched and where")
        listed = row.get("years")
        if not isinstance(listed, list) or not listed:
            problems.append(f"{where}: years must list the years looked for")
            continue
        for year in listed:
            if not isinstance(year, int) or year not in years:
                problems.append(f"{where}: year {year!r} outside {years.start}..{years.stop - 1}")
            elif (key, year) in counted_years:
                problems.append(f"{where}: year {year} is listed as not found but a counted figure gives it")
    return problems


def _check_every_target_accounted(data: dict, targets: dict) -> list[str]:
    """Each target has a figure that counts, or says it was looked for and not found."""
    counted = {key for row in counted_figures(data) for key in row.get("targets") or []}
    looked_for = {row.get("target") for row in data["searched_not_found"]}
    return [
        f"target {key}: no counted figure and not listed in searched_not_found"
        for key in targets
        if key not in counted and key not in looked_for
    ]
