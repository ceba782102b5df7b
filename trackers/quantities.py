"""Exact quantities as the plans write them: numbers (Arabic or Chinese) with their units.

Pure Python, no Django: the loader, the validators, the tests and the plan extractor share it.
Money converts exactly between 元, 万元, 亿元 and 万亿元; count classifiers (家, 个, 件 …) are one
family because a plan may count the same things as 3家 and later as 5个.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import cn2an

MONEY_FACTORS = {
    "元": Decimal(1),
    "万元": Decimal(10) ** 4,
    "亿元": Decimal(10) ** 8,
    "万亿元": Decimal(10) ** 12,
}
COUNT_UNITS = frozenset("家个件项名支张所座人台套种批次户位床场条")
PERCENT_UNITS = frozenset({"%", "％"})
MULTIPLIERS = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8, "万亿": Decimal(10) ** 12}

CHINESE_DIGITS = "零〇一二两三四五六七八九十百千"
_NUMBER = rf"(?:\d+(?:\.\d+)?|[{CHINESE_DIGITS}]+)"
_RANGE_SEPARATORS = "-－~～—至到"
_QUANTITY_RE = re.compile(
    rf"(?P<low>{_NUMBER})(?:[{_RANGE_SEPARATORS}](?P<high>{_NUMBER}))?"
    r"(?P<mult>万亿|万|亿)?(?P<unit>元|%|％|[" + "".join(sorted(COUNT_UNITS)) + r"])?"
)


class UnitError(ValueError):
    """Two units that cannot be converted into each other exactly."""


@dataclass(frozen=True)
class Quantity:
    low: Decimal
    high: Decimal | None
    unit: str  # as written: 亿元, 万亿元, 家, %, or "" when the text gives none


def unit_family(unit: str) -> str:
    if unit in MONEY_FACTORS:
        return "money"
    if unit in COUNT_UNITS:
        return "count"
    if unit in PERCENT_UNITS:
        return "percent"
    return f"other:{unit}"


def is_count_unit(unit: str) -> bool:
    """A classifier of things counted one by one (家, 个, 项, 件 …): its figures are whole numbers.
    Not 万人 or 人次: a count in ten-thousands may have decimals, visits are their own family."""
    return unit in COUNT_UNITS or unit in EXTRA_COUNT_UNITS


def is_known_unit(unit: str) -> bool:
    return not unit_family(unit).startswith("other:")


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert exactly; raise UnitError when the units measure different things."""
    if from_unit == to_unit:
        return value
    family = unit_family(from_unit)
    if family != unit_family(to_unit) or family.startswith("other:"):
        raise UnitError(f"cannot convert {from_unit} to {to_unit}")
    if family == "money":
        return value * MONEY_FACTORS[from_unit] / MONEY_FACTORS[to_unit]
    return value  # counts and percents: same measure, different words


def parse_number(text: str) -> Decimal:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    if text[0] in "十百千":  # 百亿 means 一百亿
        text = "一" + text
    return Decimal(str(cn2an.cn2an(text, "smart")))


def parse_quantity(text: str) -> Quantity:
    """Read the first quantity in `text`: '1万亿元', '1.5万件', '30-50家', '五百亿', '十大'."""
    match = _QUANTITY_RE.search(text)
    if not match:
        raise ValueError(f"no number in {text!r}")
    low = parse_number(match["low"])
    high = parse_number(match["high"]) if match["high"] else None
    multiplier, unit = match["mult"] or "", match["unit"] or ""
    if unit == "元" or (multiplier and not unit and _money_follows(text, match.end())):
        unit = f"{multiplier}元"
    elif multiplier:
        factor = MULTIPLIERS[multiplier]
        low, high = low * factor, (high * factor if high is not None else None)
    if unit == "％":
        unit = "%"
    return Quantity(low=low, high=high, unit=unit)


def _money_follows(text: str, end: int) -> bool:
    """'五百亿的企业' names money even without 元; '1.5万件' does not."""
    return not text[end:end + 1] or text[end] not in COUNT_UNITS


def normalize_text(text: str) -> str:
    """The seeds are wrapped at arbitrary points: clauses are compared with whitespace removed."""
    return re.sub(r"\s+", "", text)


# --- Units the plan reader also reads (additive: the functions above keep their behaviour). ---
# Families a reviewer must not confuse: an area is not a count, 个百分点 is not 个, 台/万人 is a
# density, not a number of people.
READER_FAMILIES = {
    "个百分点": "percentage_point", "百分点": "percentage_point",
    "倍": "multiple",
    "平方米": "area", "平方公里": "area", "公顷": "area", "亩": "area",
    "千瓦": "power", "兆瓦": "power", "吉瓦": "power", "千瓦时": "energy",
    "吨": "mass", "人次": "visits", "": "ratio",
}
EXTRA_COUNT_UNITS = frozenset("辆艘架株头只口栋间处")
_PREFIX_FACTORS = (("万亿", Decimal(10) ** 12), ("亿", Decimal(10) ** 8), ("万", Decimal(10) ** 4))


def measure_family(unit: str) -> str:
    """unit_family widened to the reader's units; rates such as 台/万人 or 吨/日 are their own family."""
    if "/" in unit:
        numerator, _, denominator = unit.partition("/")
        return f"{measure_family(numerator)}/{base_amount(Decimal(1), denominator)[1]}"
    if unit in MONEY_FACTORS:
        return "money"
    if unit in READER_FAMILIES:
        return READER_FAMILIES[unit]
    if unit in COUNT_UNITS or unit in EXTRA_COUNT_UNITS:
        return "count"
    if unit in PERCENT_UNITS:
        return "percent"
    for prefix, _factor in _PREFIX_FACTORS:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            return measure_family(unit[len(prefix):])
    return f"other:{unit}"


def base_amount(value: Decimal, unit: str) -> tuple[Decimal, str]:
    """The same amount in its base unit: 1.3万亿元 -> 1.3e12 元, 300万亩 -> 3e6 亩, 50万元/人 -> 5e5 元/人."""
    if "/" in unit:
        numerator, _, denominator = unit.partition("/")
        amount, base = base_amount(value, numerator)
        return amount, f"{base}/{denominator}"
    if unit in MONEY_FACTORS:
        return value * MONEY_FACTORS[unit], "元"
    if unit in PERCENT_UNITS:
        return value, "%"
    if unit == "百分点":
        return value, "个百分点"
    for prefix, factor in _PREFIX_FACTORS:
        rest = unit[len(prefix):]
        if unit.startswith(prefix) and rest and not measure_family(rest).startswith("other:"):
            return value * factor, rest
    return value, unit


# How a unit reads in English (trackers.names.unit_name shows it on English pages; the Chinese
# pages and the reports keep the unit as the plan writes it). A classifier of things counted one by
# one says only that the figure is a count: the indicator's name says what is counted.
UNIT_NAMES_EN = {
    "元": "yuan", "万元": "10,000 yuan", "亿元": "100 million yuan", "万亿元": "trillion yuan",
    "%": "%", "％": "%", "个百分点": "percentage points", "百分点": "percentage points", "倍": "times",
    "名": "people", "人": "people", "万人": "10,000 people", "人次": "visits",
    "平方米": "m²", "平方公里": "km²", "公顷": "ha", "亩": "mu", "吨": "tonnes",
    "千瓦": "kW", "兆瓦": "MW", "吉瓦": "GW", "千瓦时": "kWh",
}
_COUNT_NAME_EN = "count"


def unit_name_en(unit: str) -> str | None:
    """'亿元' -> '100 million yuan', '家' -> 'count', '台/万人' -> 'count per 10,000 people';
    None where the unit has no English name here."""
    unit = unit or ""
    if "/" in unit:
        numerator, _, denominator = unit.partition("/")
        top, bottom = unit_name_en(numerator), unit_name_en(denominator)
        return f"{top} per {bottom}" if top and bottom else None
    if unit in UNIT_NAMES_EN:
        return UNIT_NAMES_EN[unit]
    if is_count_unit(unit):
        return _COUNT_NAME_EN
    return None
